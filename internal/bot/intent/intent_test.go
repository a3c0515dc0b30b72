package intent

import (
	"math"
	"reflect"
	"testing"
)

func toyExamples() []Example {
	data := map[string][]string{
		"card_arrival": {"where is my new card", "my card has not arrived yet", "when will my card arrive", "card still not delivered", "how long until the card comes"},
		"reset_pin":    {"i forgot my pin", "how do i change my pin", "reset my pin code please", "pin is blocked", "new pin number"},
		"refund":       {"i want a refund", "money back for my order", "refund not received", "how do i get a refund", "return and refund the item"},
		"退款":           {"我要退款", "怎么申请退款", "退款什么时候到账", "退款还没收到", "订单退款"},
		"oos":          {"what is the weather today", "tell me a joke", "who won the football match", "play some music", "what is the capital of france"},
	}
	var ex []Example
	for _, l := range []string{"card_arrival", "reset_pin", "refund", "退款", "oos"} {
		for _, t := range data[l] {
			ex = append(ex, Example{Text: t, Label: l})
		}
	}
	return ex
}

func trainToy(t *testing.T) *Model {
	t.Helper()
	m, err := Train(toyExamples(), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestNormalize(t *testing.T) {
	got := Normalize("ＡＢＣ，Don't　PANIC！１２３")
	if want := "abc dont panic 123"; got != want {
		t.Fatalf("Normalize = %q, want %q", got, want)
	}
	toks := tokenize(Normalize("打开app设置"))
	var s []string
	for _, tk := range toks {
		s = append(s, tk.s)
	}
	if want := []string{"打", "开", "app", "设", "置"}; !reflect.DeepEqual(s, want) {
		t.Fatalf("tokenize = %q, want %q", s, want)
	}
}

func TestRightLabelWins(t *testing.T) {
	m := trainToy(t)
	cases := map[string]string{
		"my card has still not arrived": "card_arrival",
		"I forgot the PIN":              "reset_pin",
		"please refund my money":        "refund",
		"退款到账了吗":                        "退款",
	}
	for q, want := range cases {
		p := m.Predict(q, 3)
		if p.OOS || p.Label != want {
			t.Errorf("Predict(%q) = %+v, want %s", q, p, want)
		}
		if len(p.Candidates) != 3 {
			t.Errorf("want 3 candidates, got %d", len(p.Candidates))
		}
		for i := 1; i < len(p.Candidates); i++ {
			if p.Candidates[i].Score > p.Candidates[i-1].Score {
				t.Errorf("candidates not sorted: %+v", p.Candidates)
			}
		}
	}
}

func TestOOSDeclined(t *testing.T) {
	m := trainToy(t)
	p := m.Predict("tell me a joke about the weather", 2)
	if !p.OOS || p.Label != "" {
		t.Fatalf("want decline, got %+v", p)
	}
	for _, c := range p.Candidates {
		if c.Label == "oos" {
			t.Fatalf("reject class must not be a candidate: %+v", p.Candidates)
		}
	}
	// Threshold-only decline: a model without a reject class.
	var in []Example
	for _, e := range toyExamples() {
		if e.Label != "oos" {
			in = append(in, e)
		}
	}
	m2, err := Train(in, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	m2.SetThreshold(0.9)
	if p := m2.Predict("zzz qqq xxx", 1); !p.OOS {
		t.Fatalf("gibberish should fall below the threshold: %+v", p)
	}
}

func TestProbabilitiesSumToOne(t *testing.T) {
	m := trainToy(t)
	m.Calibrate(toyExamples())
	for _, q := range []string{"where is my card", "退款", "", "!!!"} {
		var s float64
		for _, p := range m.Probabilities(q) {
			if p < 0 || p > 1 {
				t.Fatalf("probability out of range: %v", p)
			}
			s += p
		}
		if math.Abs(s-1) > 1e-9 {
			t.Fatalf("probabilities for %q sum to %v", q, s)
		}
	}
}

func TestCalibrateAndThreshold(t *testing.T) {
	m := trainToy(t)
	if tmp := m.Calibrate(toyExamples()); !(tmp > 0) {
		t.Fatalf("bad temperature %v", tmp)
	}
	thr := m.ThresholdForRecall(toyExamples(), "oos", 1)
	m.SetThreshold(thr)
	for _, e := range toyExamples() {
		if e.Label == "oos" && !m.Predict(e.Text, 1).OOS {
			t.Fatalf("threshold %v does not decline %q", thr, e.Text)
		}
	}
}

func TestDeterministic(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Members[0].KNNWeight = 0.5
	a, err := Train(toyExamples(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Train(toyExamples(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"card not here", "pin", "refund please", "天气"} {
		if pa, pb := a.Probabilities(q), b.Probabilities(q); !reflect.DeepEqual(pa, pb) {
			t.Fatalf("non-deterministic for %q: %v vs %v", q, pa, pb)
		}
	}
}

func TestTrainErrors(t *testing.T) {
	if _, err := Train(nil, DefaultConfig()); err == nil {
		t.Fatal("want error for no examples")
	}
	if _, err := Train([]Example{{"a", "x"}, {"b", "oos"}}, DefaultConfig()); err == nil {
		t.Fatal("want error for a single in-scope label")
	}
}

// heldOutToy has ten out-of-scope questions the toy model never saw, and
// in-scope paraphrases.
func heldOutToy() []Example {
	var h []Example
	for _, q := range []string{"how tall is mount everest", "recommend a good movie", "what time is it in tokyo",
		"book a table for two", "translate hello to spanish", "who wrote hamlet", "is it going to rain",
		"set an alarm for seven", "how many calories in an apple", "what is the meaning of life"} {
		h = append(h, Example{Text: q, Label: "oos"})
	}
	for _, e := range []Example{{"card has not come yet", "card_arrival"}, {"change pin please", "reset_pin"},
		{"refund my order", "refund"}, {"退款多久到账", "退款"}} {
		h = append(h, e)
	}
	return h
}

func TestChooseThresholdReachesRecallWithMargin(t *testing.T) {
	m := trainToy(t)
	h := heldOutToy()
	m.Calibrate(append(toyExamples(), h...))
	declined := func() int {
		n := 0
		for _, e := range h {
			if e.Label == "oos" && m.Predict(e.Text, 1).OOS {
				n++
			}
		}
		return n
	}
	m.SetThreshold(m.ThresholdForRecall(h, "oos", 0.6))
	plain := declined()
	if plain < 6 {
		t.Fatalf("ThresholdForRecall(0.6) declines %d of 10 oos questions", plain)
	}
	thr := m.ChooseThreshold(h, "oos", 0.6)
	m.SetThreshold(thr)
	// The margin: with 10 examples the Wilson 90 % lower bound reaches
	// 0.6 only when 8 of 10 are declined.
	if got := declined(); got < 8 || got < plain {
		t.Fatalf("ChooseThreshold(0.6) = %v declines %d of 10 oos questions, want >= 8", thr, got)
	}
	if hi := m.ChooseThreshold(h, "oos", 0.95); hi < thr {
		t.Fatalf("a higher recall target gave a lower threshold: %v < %v", hi, thr)
	}
	if z := m.ChooseThreshold(toyExamples()[:5], "oos", 0.6); z != 0 {
		t.Fatalf("no oos examples should give 0, got %v", z)
	}
}

func TestWilsonMargin(t *testing.T) {
	// With 100 held-out oos questions a 60 % target needs 67 declined.
	if lo := wilsonLower(67, 100, 1.2816); lo < 0.6 {
		t.Fatalf("wilsonLower(67,100) = %v", lo)
	}
	if lo := wilsonLower(66, 100, 1.2816); lo >= 0.6 {
		t.Fatalf("wilsonLower(66,100) = %v", lo)
	}
	if lo := wilsonLower(1000, 1000, 1.2816); lo <= 0.99 || lo > 1 {
		t.Fatalf("wilsonLower(1000,1000) = %v", lo)
	}
}

func TestDeclineRules(t *testing.T) {
	m := trainToy(t)
	if m.Decline() != DeclineAgainstReject {
		t.Fatalf("a model with oos examples should decline against the reject class, got %q", m.Decline())
	}
	for _, q := range []string{"where is my card", "tell me a joke", "退款", ""} {
		p := m.Predict(q, 1)
		if p.InScope < 0 || p.InScope > 1 {
			t.Fatalf("InScope %v out of range for %q", p.InScope, q)
		}
		// Without a threshold the reject class declines exactly when it
		// beats the best in-scope label, that is InScope < 0.5.
		if p.OOS != (p.InScope < 0.5) {
			t.Fatalf("%q: OOS %v but InScope %v", q, p.OOS, p.InScope)
		}
	}
	cfg := DefaultConfig()
	cfg.Decline = DeclineTopProb
	mt, err := Train(toyExamples(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p := mt.Predict("where is my card", 1); p.InScope != p.Candidates[0].Prob {
		t.Fatalf("top-probability rule: InScope %v != top prob %v", p.InScope, p.Candidates[0].Prob)
	}
	var in []Example
	for _, e := range toyExamples() {
		if e.Label != "oos" {
			in = append(in, e)
		}
	}
	cfg.Decline = DeclineAgainstReject
	if _, err := Train(in, cfg); err == nil {
		t.Fatal("the reject-class rule without oos examples should be an error")
	}
	cfg.Decline = "nonsense"
	if _, err := Train(toyExamples(), cfg); err == nil {
		t.Fatal("an unknown decline rule should be an error")
	}
	if m2, _ := Train(in, DefaultConfig()); m2.Decline() != DeclineTopProb {
		t.Fatalf("without oos examples the rule should be the top probability, got %q", m2.Decline())
	}
}
