package sentiment

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

func TestDefaultExamples(t *testing.T) {
	d := Default()
	for _, c := range []struct {
		text string
		neg  bool
	}{
		// Chinese
		{"你们的服务太差了，我要投诉！", true},
		{"等了两个小时还没送到，退款！", true},
		{"骗子，垃圾商家", true},
		{"菜都凉了，难吃", true},
		{"态度恶劣，再也不点了", true},
		{"没收到货", true},
		{"很好吃，送餐也快，谢谢", false},
		{"服务很热情，房间干净，下次还来", false},
		{"不错", false},
		{"你好，请问几点营业？", false},
		{"我想查一下订单", false},
		// English
		{"This is the worst service ever, I want a refund now!", true},
		{"What a joke. Totally useless.", true},
		{"The app keeps crashing and nobody answers", true},
		{"It never arrived", true},
		{"Great support, thank you so much!", false},
		{"Works perfectly, highly recommend", false},
		{"Hello, what are your opening hours?", false},
		{"", false},
	} {
		if got := d.Negative(c.text); got != c.neg {
			t.Errorf("Negative(%q) = %v (score %.3f, total %.2f), want %v", c.text, got, d.Score(c.text), d.Total(c.text), c.neg)
		}
	}
}

func TestNegationFlips(t *testing.T) {
	d := Default()
	for _, c := range []struct{ plain, negated string }{
		{"好吃", "不好吃"},
		{"满意", "不满意"},
		{"很热情", "一点都不热情"},
		{"服务专业", "服务不专业"},
		{"干净", "没有很干净"},
		{"good", "not good"},
		{"helpful", "not helpful at all"},
		{"this is a good bargain", "this is not a good bargain"},
		{"i like it", "i don't like it"},
		{"i like it", "i dont like it"},
		{"i like it", "I don’t like it"},
		{"recommended", "never recommended"},
	} {
		p, n := d.Total(c.plain), d.Total(c.negated)
		if !(p > 0 && n < 0) {
			t.Errorf("%q = %.2f, %q = %.2f: negation did not flip a positive", c.plain, p, c.negated, n)
		}
		if d.Negative(c.plain) || !d.Negative(c.negated) {
			t.Errorf("%q / %q: want not negative / negative", c.plain, c.negated)
		}
	}
	// "not bad" is at most mildly positive, never negative.
	for _, s := range []string{"not bad", "味道不差", "没问题"} {
		if d.Negative(s) {
			t.Errorf("%q: negated negative word flagged negative (total %.2f)", s, d.Total(s))
		}
	}
	// double negation
	if d.Total("不是不好") <= d.Total("不好") {
		t.Errorf("不是不好 should be less negative than 不好")
	}
}

func TestIntensifiersAndAnger(t *testing.T) {
	d := Default()
	for _, c := range []struct{ weak, strong string }{
		{"差", "太差"},
		{"慢", "非常慢"},
		{"有点慢", "慢"},
		{"bad", "very bad"},
		{"bad", "extremely bad"},
		{"a bit slow", "slow"},
		{"太慢了", "太慢了！！！"},
		{"this is bad", "this is bad!!!"},
		{"this is bad", "this is BAD AND SLOW"},
		{"为什么还没到", "为什么还没到？？"},
	} {
		w, s := d.Score(c.weak), d.Score(c.strong)
		if !(s > w) {
			t.Errorf("Score(%q) = %.3f not above Score(%q) = %.3f", c.strong, s, c.weak, w)
		}
	}
	// intensifying a positive word makes it more positive
	if !(d.Total("很好") > d.Total("好")) || !(d.Total("very good") > d.Total("good")) {
		t.Error("intensifier did not strengthen a positive word")
	}
}

func TestContrast(t *testing.T) {
	d := Default()
	// what follows but/但是 weighs more than what precedes it
	if !d.Negative("房间不错，但是服务太差") || d.Negative("服务太差，但是房间不错") {
		t.Error("但是 did not shift the weight to the last clause")
	}
	if !d.Negative("The food was good but the service was terrible") {
		t.Error("but did not shift the weight to the last clause")
	}
}

func TestScoreRangeAndThreshold(t *testing.T) {
	d := Default()
	for _, s := range []string{"", "!!!", "垃圾垃圾垃圾垃圾垃圾垃圾垃圾垃圾垃圾", "good good good good good good", string([]byte{0xff, 0xfe})} {
		if sc := d.Score(s); sc < 0 || sc > 1 {
			t.Errorf("Score(%q) = %v out of [0,1]", s, sc)
		}
		if d.Negative(s) != (d.Score(s) >= d.Threshold()) {
			t.Errorf("Negative(%q) disagrees with Score and Threshold", s)
		}
	}
}

func TestTraditionalAndFullWidth(t *testing.T) {
	d := Default()
	for _, s := range []string{"服務態度太差了", "ＷＯＲＳＴ ＳＥＲＶＩＣＥ ＥＶＥＲ"} {
		if !d.Negative(s) {
			t.Errorf("%q not negative (total %.2f)", s, d.Total(s))
		}
	}
}

func TestParseLabel(t *testing.T) {
	for s, want := range map[string]bool{"neg": true, "NEG": true, "negative": true, "pos": false, "positive": false} {
		got, err := ParseLabel(s)
		if err != nil || got != want {
			t.Errorf("ParseLabel(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseLabel("neutral"); err == nil {
		t.Error("ParseLabel(neutral) accepted")
	}
}

func TestEvaluate(t *testing.T) {
	d := fixed{neg: map[string]bool{"a": true, "b": true}}
	m := Evaluate(d, []Example{{"a", true}, {"b", false}, {"c", true}, {"d", false}})
	if m.N != 4 || m.TP != 1 || m.FP != 1 || m.FN != 1 || m.TN != 1 || m.Accuracy != 0.5 || m.NegPrecision != 0.5 || m.NegRecall != 0.5 {
		t.Errorf("Evaluate = %+v", m)
	}
}

type fixed struct{ neg map[string]bool }

func (f fixed) Score(s string) float64 {
	if f.neg[s] {
		return 1
	}
	return 0
}
func (f fixed) Negative(s string) bool { return f.neg[s] }
func (f fixed) Threshold() float64     { return 0.5 }

// synthetic builds a small labelled set from templates, so that the
// trained detector is tested without any outside data.
func synthetic() (train, test []Example) {
	negZH := []string{"送餐太慢", "饭菜很难吃", "客服态度恶劣", "东西坏了要退款", "包装漏了", "又送错了"}
	posZH := []string{"送餐很准时", "饭菜真香", "客服很耐心", "东西完好无损", "包装严实", "分量很足"}
	negEN := []string{"delivery was late", "food was cold", "support was rude", "item arrived broken", "package was damaged", "wrong order again"}
	posEN := []string{"delivery was early", "food was tasty", "support was kind", "item arrived intact", "package was neat", "right order as always"}
	pre := []string{"", "今天", "这次", "today ", "this time ", "honestly "}
	add := func(dst []Example, s string, neg bool) []Example { return append(dst, Example{Text: s, Negative: neg}) }
	for i, p := range pre {
		for j := range negZH {
			target := &train
			if (i+j)%5 == 0 {
				target = &test
			}
			*target = add(*target, p+negZH[j], true)
			*target = add(*target, p+posZH[j], false)
			*target = add(*target, p+negEN[j], true)
			*target = add(*target, p+posEN[j], false)
		}
	}
	return train, test
}

func TestTrainSynthetic(t *testing.T) {
	train, test := synthetic()
	m, err := Train(train)
	if err != nil {
		t.Fatal(err)
	}
	if got := Evaluate(m, train).Accuracy; got < 0.99 {
		t.Errorf("training accuracy %.3f", got)
	}
	if got := Evaluate(m, test).Accuracy; got < 0.9 {
		t.Errorf("held-out accuracy %.3f", got)
	}
	// deterministic: the same data gives the same scores
	m2, err := Train(train)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range test {
		if m.Score(e.Text) != m2.Score(e.Text) {
			t.Fatalf("two trainings disagree on %q", e.Text)
		}
	}
	if _, err := Train(train[:1]); err == nil {
		t.Error("training on one class accepted")
	}
	if _, err := Train(nil); err == nil {
		t.Error("training on nothing accepted")
	}
}

func TestConcurrent(t *testing.T) {
	train, test := synthetic()
	m, err := Train(train)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []Detector{Default(), m} {
		want := make([]float64, len(test))
		for i, e := range test {
			want[i] = d.Score(e.Text)
		}
		var wg sync.WaitGroup
		errs := make(chan string, 8)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := 0; r < 20; r++ {
					for i, e := range test {
						if got := d.Score(e.Text); got != want[i] {
							errs <- fmt.Sprintf("%q: %v != %v", e.Text, got, want[i])
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	}
}

func BenchmarkDefault(b *testing.B) {
	d := Default()
	for _, s := range []string{"等了两个小时还没送到，你们的服务太差了，我要投诉！", "This is the worst service ever, I want a refund now!"} {
		b.Run(fmt.Sprint(len(s)), func(b *testing.B) {
			for b.Loop() {
				d.Score(s)
			}
		})
	}
}

func BenchmarkTrained(b *testing.B) {
	train, _ := synthetic()
	m, err := Train(train)
	if err != nil {
		b.Fatal(err)
	}
	s := "等了两个小时还没送到，你们的服务太差了，我要投诉！"
	for b.Loop() {
		m.Score(s)
	}
}

// A tenant's trained detector still knows the sentiment words its few
// examples never contained: the default lexicon's score is one of its
// inputs.
func TestTrainedKnowsUnseenSentimentWords(t *testing.T) {
	train, _ := synthetic()
	m, err := Train(train)
	if err != nil {
		t.Fatal(err)
	}
	if m.lexW >= 0 { // Total < 0 is negative, a high score is negative
		t.Fatalf("lexicon input weight %.3f, want < 0", m.lexW)
	}
	for _, c := range []struct {
		text string
		neg  bool
	}{
		{"atrocious, a complete fiasco", true},
		{"absolutely dreadful and overpriced", true},
		{"superb, flawless, exceeded my expectations", false},
		{"exquisite and well worth it", false},
	} {
		if got := m.Negative(c.text); got != c.neg {
			t.Errorf("Negative(%q) = %v (score %.3f), want %v", c.text, got, m.Score(c.text), c.neg)
		}
	}
}

// English words share a weight with their other forms through the stem:
// a word learnt in one form counts in another.
func TestTrainedSharesStems(t *testing.T) {
	var train []Example
	for _, p := range []string{"", "today ", "again ", "this time ", "honestly ", "well "} {
		train = append(train,
			Example{Text: p + "it glitched", Negative: true},
			Example{Text: p + "it shipped", Negative: false})
	}
	m, err := Train(train)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Negative("glitching") || m.Negative("shipping") {
		t.Errorf("glitching %.3f, shipping %.3f: the stems learnt from glitched/shipped were not used",
			m.Score("glitching"), m.Score("shipping"))
	}
	stem := hashStr(gStem, "glitch")
	for _, w := range []string{"glitch", "glitched", "glitching", "glitches"} {
		if !slices.Contains(m.features(w, nil), stem) {
			t.Errorf("%q lacks the stem feature of glitch", w)
		}
	}
}
