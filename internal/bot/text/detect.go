package text

import "unicode"

// Language codes returned by Detect.
const (
	LangChinese = "zh"    // mostly Han characters
	LangEnglish = "en"    // Latin letters (any Latin-script language), no real Han share
	LangMixed   = "mixed" // a real share of both
	LangOther   = "other" // mostly letters of other scripts (kana, Hangul, Cyrillic, ...)
	LangNone    = ""      // no letters at all: empty, digits, punctuation, emoji
)

// Detect guesses the language of s by counting letters per script in its
// first MaxRunes runes; it allocates nothing and needs no model.
//
// A Han character carries about as much as a short word, so each counts
// three times as much as a Latin letter (kana and Hangul likewise count
// three). With h = 3×Han and l = Latin letters, the text is "zh" when
// h/(h+l) ≥ 0.6 (so 我的iPhone坏了 is Chinese), "en" when the Han share is
// at most 0.1, and "mixed" between. When other scripts outweigh Han and
// Latin together the answer is "other"; with no letters at all it is "".
// Digits, punctuation, symbols and emoji are ignored. "en" means
// Latin-script: French or German text is also reported as "en".
func Detect(s string) string {
	var han, latin, other, n int
	for _, r := range s {
		if n++; n > MaxRunes {
			break
		}
		switch {
		case r < 0x80:
			if ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
				latin++
			}
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Latin, r):
			latin++
		case unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r), unicode.Is(unicode.Hangul, r):
			other += 3
		case unicode.IsLetter(r):
			other++
		}
	}
	h := 3 * han
	switch {
	case h+latin+other == 0:
		return LangNone
	case other > h+latin:
		return LangOther
	case h*10 >= (h+latin)*6:
		return LangChinese
	case h*10 <= h+latin:
		return LangEnglish
	default:
		return LangMixed
	}
}
