package intent

import (
	"reflect"
	"strings"
	"testing"
)

func TestAugmentCopiesAreNoisyAndRepeatable(t *testing.T) {
	texts := []string{"my new card has still not arrived", "我的退款什么时候到账", "hi"}
	a := AugmentConfig{Copies: 3, DropProb: 0.2, SwapProb: 0.5}
	got := augmentTexts(texts, a, 1)
	if again := augmentTexts(texts, a, 1); !reflect.DeepEqual(got, again) {
		t.Fatalf("same seed, different copies:\n%q\n%q", got.texts, again.texts)
	}
	if len(got.texts) == 0 || len(got.texts) > 6 {
		t.Fatalf("want 1..6 copies of the two long texts, got %q", got.texts)
	}
	for k, c := range got.texts {
		o := got.origin[k]
		if o == 2 {
			t.Fatalf("a one-word text was copied: %q", c)
		}
		orig := tokenize(Normalize(texts[o]))
		toks := tokenize(c)
		if len(toks) == 0 || len(toks) > len(orig) {
			t.Fatalf("copy %q of %q: %d tokens", c, texts[o], len(toks))
		}
		if strings.Join(strings.Fields(c), "") == strings.Join(strings.Fields(Normalize(texts[o])), "") && len(toks) == len(orig) {
			t.Fatalf("copy %q equals its original", c)
		}
		// every token of the copy comes from the original
		have := map[string]int{}
		for _, tk := range orig {
			have[tk.s]++
		}
		for _, tk := range toks {
			if have[tk.s] == 0 {
				t.Fatalf("copy %q has token %q not in %q", c, tk.s, texts[o])
			}
			have[tk.s]--
		}
	}
	if other := augmentTexts(texts, AugmentConfig{Copies: 3, DropProb: 0.2, SwapProb: 0.5, Seed: 99}, 1); reflect.DeepEqual(got.texts, other.texts) {
		t.Fatalf("a different seed gave the same copies %q", got.texts)
	}
}

func TestAugmentKeepsVocabularyAndAccuracy(t *testing.T) {
	plain := trainToy(t)
	cfg := DefaultConfig()
	cfg.Augment = AugmentConfig{Copies: 2, DropProb: 0.2, SwapProb: 0.3}
	m, err := Train(toyExamples(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.members {
		if a, b := len(m.members[i].voc.idf), len(plain.members[i].voc.idf); a != b {
			t.Fatalf("member %d: %d features with copies, %d without", i, a, b)
		}
	}
	if reflect.DeepEqual(m.members[0].w, plain.members[0].w) {
		t.Fatal("the copies did not change the SVM")
	}
	svmOnly := cfg
	svmOnly.Augment.Kind = "svm"
	m2, err := Train(toyExamples(), svmOnly)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m2.members[1].emb, plain.members[1].emb) || reflect.DeepEqual(m2.members[0].w, plain.members[0].w) {
		t.Fatal("Kind svm must change the SVM only")
	}
	for q, want := range map[string]string{"card not arrived": "card_arrival", "reset the pin": "reset_pin", "退款没到账": "退款"} {
		if p := m.Predict(q, 1); p.Label != want {
			t.Errorf("Predict(%q) = %+v, want %s", q, p, want)
		}
	}
	for _, bad := range []AugmentConfig{{Copies: -1}, {Copies: 9}, {Copies: 1, DropProb: 1}, {Copies: 1, Weight: -1}, {Copies: 1, Kind: "knn"}} {
		c := DefaultConfig()
		c.Augment = bad
		if _, err := Train(toyExamples(), c); err == nil {
			t.Errorf("Train with %+v: want an error", bad)
		}
	}
}

func TestMixupChangesOnlyTheEmbeddingMember(t *testing.T) {
	plain := trainToy(t)
	cfg := DefaultConfig()
	cfg.Members[1].Mixup = 0.5
	m, err := Train(toyExamples(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Train(toyExamples(), cfg)
	if !reflect.DeepEqual(m.members[1].emb, again.members[1].emb) {
		t.Fatal("mixup training is not repeatable")
	}
	if reflect.DeepEqual(m.members[1].emb, plain.members[1].emb) || !reflect.DeepEqual(m.members[0].w, plain.members[0].w) {
		t.Fatal("mixup must change the embedding member and nothing else")
	}
	if p := m.Predict("my card has still not arrived", 1); p.Label != "card_arrival" {
		t.Fatalf("with mixup: %+v", p)
	}
}

// FuzzAugment: copies of arbitrary text must only reuse the text's own
// tokens, never more of them, and never equal the text.
func FuzzAugment(f *testing.F) {
	for _, s := range []string{"", "where is my card", "退款到账了吗", "ＡＢＣ１２３！", "\x00\xff\xfe", "a b", "打开app设置 please"} {
		f.Add(s, uint64(1))
	}
	f.Fuzz(func(t *testing.T, s string, seed uint64) {
		orig := tokenize(Normalize(s))
		got := augmentTexts([]string{s}, AugmentConfig{Copies: 4, DropProb: 0.3, SwapProb: 0.5}, seed)
		if len(got.texts) > 4 || (len(orig) < 2 && len(got.texts) > 0) {
			t.Fatalf("%q: %d copies from %d tokens", s, len(got.texts), len(orig))
		}
		for _, c := range got.texts {
			toks := tokenize(Normalize(c))
			have := map[string]int{}
			for _, tk := range orig {
				have[tk.s]++
			}
			for _, tk := range toks {
				if have[tk.s] == 0 {
					t.Fatalf("copy %q of %q has foreign token %q", c, s, tk.s)
				}
				have[tk.s]--
			}
			if len(toks) == 0 || len(toks) > len(orig) || (len(toks) == len(orig) && strings.Join(strings.Fields(Normalize(c)), " ") == strings.Join(strings.Fields(Normalize(s)), " ")) {
				t.Fatalf("copy %q of %q: %d tokens", c, s, len(toks))
			}
		}
	})
}
