package sentiment

import (
	"unicode"
	"unicode/utf8"
)

// unit is one piece of a normalised message: a Han character, a word of
// letters and digits (apostrophes inside), or a punctuation mark that ends
// a clause.
type unit struct {
	kind       uint8
	start, end int32 // byte offsets in the normalised text
}

const (
	uHan uint8 = iota
	uWord
	uBreak    // , . ; : … and the like
	uBang     // !
	uQuestion // ?
)

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) && !unicode.Is(unicode.Han, r) || unicode.IsDigit(r)
}

// units splits a normalised text. Spaces and symbols are dropped.
func units(s string, dst []unit) []unit {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.Is(unicode.Han, r):
			dst = append(dst, unit{uHan, int32(i), int32(i + size)})
			i += size
		case isWordRune(r):
			j := i + size
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if isWordRune(r2) {
					j += n2
					continue
				}
				// an apostrophe between letters stays in the word
				if r2 == '\'' || r2 == '’' {
					if r3, n3 := utf8.DecodeRuneInString(s[j+n2:]); j+n2 < len(s) && isWordRune(r3) {
						j += n2 + n3
						continue
					}
				}
				break
			}
			dst = append(dst, unit{uWord, int32(i), int32(j)})
			i = j
		case r == '!' || r == '！':
			dst = append(dst, unit{uBang, int32(i), int32(i + size)})
			i += size
		case r == '?' || r == '？':
			dst = append(dst, unit{uQuestion, int32(i), int32(i + size)})
			i += size
		case r == ' ' || r == '\'' || r == '"' || r == '’' || r == '‘' || r == '“' || r == '”' || r == '-' || r == '*':
			i += size
		case unicode.IsPunct(r) || r == '~' || r == '=':
			dst = append(dst, unit{uBreak, int32(i), int32(i + size)})
			i += size
		default:
			i += size // symbols, emoji
		}
	}
	return dst
}
