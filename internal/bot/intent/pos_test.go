package intent

import (
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"
)

// toyDict is a small tagged dictionary for the fake tagger.
var toyDict = map[string]string{
	"北京": "ns", "上海": "ns", "广州": "ns", "深圳": "ns", "杭州": "ns", "南京": "ns",
	"周杰伦": "nr", "王菲": "nr", "林俊杰": "nr", "刘德华": "nr", "张学友": "nr",
	"明天": "t", "今天": "t", "火车": "n", "到": "v", "的": "uj", "歌": "n",
}

// toyTagger cuts by longest match in toyDict; other characters are
// single untagged words. calls counts its uses.
func toyTagger(calls *atomic.Int64) Tagger {
	return func(han string) []TaggedWord {
		if calls != nil {
			calls.Add(1)
		}
		var out []TaggedWord
		for len(han) > 0 {
			n, tag := 0, ""
			for w, tg := range toyDict {
				if len(w) > n && strings.HasPrefix(han, w) {
					n, tag = len(w), tg
				}
			}
			if n == 0 {
				_, n = utf8.DecodeRuneInString(han)
			}
			out = append(out, TaggedWord{han[:n], tag})
			han = han[n:]
		}
		return out
	}
}

func TestPOSSequenceTagsHanAndOtherWords(t *testing.T) {
	got := posSequence(Normalize("明天北京到上海的G12火车"), toyTagger(nil))
	want := []TaggedWord{{"明天", "t"}, {"北京", "ns"}, {"到", "v"}, {"上海", "ns"}, {"的", "uj"}, {"g12", "eng"}, {"火车", "n"}}
	if len(got) != len(want) {
		t.Fatalf("posSequence = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("posSequence = %v, want %v", got, want)
		}
	}
	if seq := posSequence(Normalize("3 tickets to boston"), toyTagger(nil)); seq != nil {
		t.Fatalf("text without Han got tags %v", seq)
	}
	long := strings.Repeat("北京 ", 1000)
	if n := len(posSequence(long, toyTagger(nil))); n != maxPOSWords {
		t.Fatalf("%d tagged words for a long text, want the bound %d", n, maxPOSWords)
	}
}

// Word classes carry a proper noun the training texts never contained:
// the place and singer names below share no character with the training
// names, so only their tags can tell the labels apart.
func TestPOSClassesGeneraliseToUnseenNames(t *testing.T) {
	var ex []Example
	for _, s := range []string{"北京", "上海", "广州", "深圳"} {
		ex = append(ex, Example{Text: s, Label: "map"})
	}
	for _, s := range []string{"周杰伦", "王菲", "林俊杰", "张学友"} {
		ex = append(ex, Example{Text: s, Label: "music"})
	}
	cfg := DefaultConfig().WithPOS(toyTagger(nil))
	m, err := Train(ex, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{"杭州": "map", "南京": "map", "刘德华": "music"} {
		if got := m.Predict(q, 1).Candidates[0].Label; got != want {
			t.Errorf("%s → %s, want %s", q, got, want)
		}
	}
	// Determinism: a second training gives the same probabilities.
	m2, err := Train(ex, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"杭州", "刘德华", "明天的歌"} {
		p1, p2 := m.Probabilities(q), m2.Probabilities(q)
		for i := range p1 {
			if p1[i] != p2[i] {
				t.Fatalf("%s: probabilities differ between two trainings: %v vs %v", q, p1, p2)
			}
		}
	}
}

// English text never reaches the tagger, and a model of English text is
// the same with or without the part-of-speech group.
func TestPOSLeavesEnglishUnchanged(t *testing.T) {
	var english []Example
	for _, e := range toyExamples() {
		if e.Label != "退款" {
			english = append(english, e)
		}
	}
	var calls atomic.Int64
	plain, err := Train(english, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	tagged, err := Train(english, DefaultConfig().WithPOS(toyTagger(&calls)))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"where is my card", "refund please", "i forgot my pin"} {
		a, b := plain.Probabilities(q), tagged.Probabilities(q)
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				t.Fatalf("%q: probabilities changed with the part-of-speech group: %v vs %v", q, a, b)
			}
		}
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("tagger called %d times for English text", n)
	}
	tagged.Predict("我要退款", 1)
	if calls.Load() == 0 {
		t.Fatal("tagger not called for Chinese text")
	}
}

func TestPOSConfigErrors(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Members[0].Features.POSWeight = 0.5
	if _, err := Train(toyExamples(), cfg); err == nil {
		t.Fatal("POSWeight without a Tagger was accepted")
	}
	cfg = DefaultConfig().WithPOS(toyTagger(nil))
	cfg.Members[1].Features.POSWeight = -1
	if _, err := Train(toyExamples(), cfg); err == nil {
		t.Fatal("negative POSWeight was accepted")
	}
	if c := DefaultConfig().WithPOS(nil); c.Members[0].Features.POSWeight != 0 {
		t.Fatal("WithPOS(nil) turned the group on")
	}
	base := DefaultConfig()
	_ = base.WithPOS(toyTagger(nil))
	if base.Members[0].Features.Tagger != nil {
		t.Fatal("WithPOS changed the receiver's members")
	}
}

// FuzzPOSSequence: arbitrary text must tag without panic, within the
// bound, in text order, and only Han text may reach the tagger.
func FuzzPOSSequence(f *testing.F) {
	for _, s := range []string{"", "北京到上海的火车", "明天3点 call me", "ＡＢＣ１２３！北京", "\x00\xff\xfe", "🙂北京🙂", strings.Repeat("歌 ", 300)} {
		f.Add(s)
	}
	tagger := toyTagger(nil)
	f.Fuzz(func(t *testing.T, s string) {
		norm := Normalize(s)
		guard := func(han string) []TaggedWord {
			for _, r := range han {
				if r == ' ' || !isCJK(r) {
					t.Fatalf("tagger got non-Han text %q", han)
				}
			}
			return tagger(han)
		}
		seq := posSequence(norm, guard)
		if len(seq) > maxPOSWords {
			t.Fatalf("%d words, bound %d", len(seq), maxPOSWords)
		}
		rest := norm
		for _, w := range seq {
			i := strings.Index(rest, w.Word)
			if w.Word == "" || i < 0 {
				t.Fatalf("word %q not found in order in %q", w.Word, norm)
			}
			rest = rest[i+len(w.Word):]
		}
		var fc FeatureConfig
		m := map[uint64]float64{}
		fc.posFeatures(seq, m)
		if len(seq) > 0 && len(m) == 0 {
			t.Fatalf("no features for %v", seq)
		}
	})
}
