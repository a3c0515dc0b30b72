package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"", "hello World", "退款與發票", "ＡＢＣ　１２３！", "我的iPhone坏了😡",
	"e\u0000\u0301", "a\u200d\u0301b", "\xff\xfe", "ﬁ①㎏\ufdfa", "  \t\n ",
	"乾隆計畫變徵", "İstanbul ΣΑΣ", "I want my money back for the iPhone 15 Pro",
	strings.Repeat("长", MaxRunes+5),
}

func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", s, n)
		}
		if c := utf8.RuneCountInString(n); c > MaxRunes {
			t.Fatalf("Normalize(%q) has %d runes", s, c)
		}
		if n != strings.TrimSpace(n) || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%q) = %q: whitespace not collapsed", s, n)
		}
		if again := Normalize(n); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, again)
		}
		_ = Detect(s)
	})
}

func FuzzTokenize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, mode uint8) {
		o := Options{Lexicon: testLexicon, Chinese: ChineseMode(mode % 3), KeepStopWords: mode&4 != 0}
		for _, tok := range TokenizeWith(s, o) {
			if tok == "" || !utf8.ValidString(tok) || !hasWordRune(tok) {
				t.Fatalf("TokenizeWith(%q) produced bad token %q", s, tok)
			}
		}
	})
}
