package text

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxRunes bounds the work done on one input: Normalize, Detect and
// Tokenize look at the first MaxRunes runes only, and Normalize never
// returns more than MaxRunes runes. Customer messages and knowledge-base
// questions are far shorter; longer documents are meant to be split into
// passages before they reach this package.
const MaxRunes = 2000

// Normalize folds s into the canonical form used for matching:
//
//   - only the first MaxRunes runes of s are read; invalid UTF-8 bytes are
//     dropped;
//   - control and format characters (C0/C1 controls, zero-width joiners,
//     byte-order marks, bidi marks) are removed, except that tabs, newlines
//     and other control whitespace count as spaces;
//   - Unicode NFKC compatibility folding: full-width letters, digits and
//     punctuation become their ASCII forms (Ａ１！ → A1!), the ideographic
//     space becomes a space, half-width katakana become full-width,
//     ligatures and circled or squared forms are expanded (ﬁ → fi, ① → 1,
//     ㎏ → kg), CJK compatibility ideographs map to unified ones;
//   - lower case;
//   - runs of whitespace collapse to one ASCII space, with none at either
//     end;
//   - traditional Chinese is converted to simplified, by phrase where a
//     phrase needs it (乾隆 keeps 乾) and otherwise character by character
//     (退款與發票 → 退款与发票).
//
// The result is valid UTF-8, at most MaxRunes runes long, and Normalize is
// idempotent: Normalize(Normalize(s)) == Normalize(s). It is safe for
// concurrent use.
func Normalize(s string) string {
	if s == "" {
		return ""
	}
	// Fast path: short printable ASCII that is already lower case and
	// single-spaced is returned unchanged without allocating.
	if isNormalASCII(s) {
		return s
	}
	out := foldPass(norm.NFKC.String(stripControls(s)))
	// Removing characters or changing case can, rarely, produce a string
	// that NFKC would change again (a combining mark that met a new base
	// character, a lower-case form with a compatibility decomposition).
	// Repeat until the result is stable so that Normalize is idempotent.
	for i := 0; i < 4 && !norm.NFKC.IsNormalString(out); i++ {
		out = foldPass(norm.NFKC.String(out))
	}
	return out
}

// isNormalASCII reports whether s is already in normal form and contains
// only ASCII, so that Normalize can return it as it is.
func isNormalASCII(s string) bool {
	if len(s) > MaxRunes {
		return false
	}
	prevSpace := true // no leading space
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case c < 0x21 || c >= 0x7f || ('A' <= c && c <= 'Z'):
			return false
		default:
			prevSpace = false
		}
	}
	return !prevSpace // no trailing space
}

// stripControls keeps the first MaxRunes runes of s, drops invalid UTF-8,
// control and format characters, and turns control whitespace into spaces.
func stripControls(s string) string {
	var b strings.Builder
	b.Grow(min(len(s), MaxRunes*utf8.UTFMax))
	n := 0
	for i, r := range s {
		if n >= MaxRunes {
			break
		}
		n++
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				continue // invalid byte
			}
		}
		switch {
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r),
			unicode.Is(unicode.Cs, r), unicode.Is(unicode.Co, r),
			r == utf8.RuneError:
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldPass lower-cases, collapses whitespace, converts traditional to
// simplified Chinese and caps the length at MaxRunes runes.
func foldPass(s string) string {
	rs := make([]rune, 0, min(len(s), MaxRunes+1))
	space := true // suppress leading spaces
	hasHan := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				rs = append(rs, ' ')
				space = true
			}
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		space = false
		switch {
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		case r >= 0x2e80 && r <= 0xa4cf, r >= 0xac00 && r <= 0xd7a3, r >= 0xf900 && r <= 0xfaff, r >= 0x20000:
			hasHan = true // CJK, kana, Hangul: no case to fold
		case r >= 0x80:
			r = unicode.ToLower(r)
		}
		rs = append(rs, r)
		if len(rs) > MaxRunes {
			break
		}
	}
	if hasHan {
		rs = toSimplified(rs)
	}
	if len(rs) > MaxRunes {
		rs = rs[:MaxRunes]
	}
	for len(rs) > 0 && rs[len(rs)-1] == ' ' {
		rs = rs[:len(rs)-1]
	}
	return string(rs)
}

// Traditional → simplified tables. They are derived from the OpenCC
// project's TSCharacters and TSPhrases dictionaries (Apache License 2.0,
// copyright the OpenCC authors); see the headers of t2s_chars.txt and
// t2s_phrases.txt for what was changed. About 4,100 characters and 300
// phrases, 37 KB embedded, parsed on first use in well under a millisecond.
var (
	//go:embed t2s_chars.txt
	t2sCharsData string
	//go:embed t2s_phrases.txt
	t2sPhrasesData string

	t2sOnce    sync.Once
	t2sChars   map[rune]rune
	t2sPhrases map[rune][]phrase // by first rune, longest first
)

type phrase struct {
	from, to []rune
}

func loadT2S() {
	t2sChars = make(map[rune]rune, 4200)
	for _, line := range strings.Split(t2sCharsData, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		rs := []rune(line)
		if len(rs) == 2 {
			t2sChars[rs[0]] = rs[1]
		}
	}
	t2sPhrases = make(map[rune][]phrase, 300)
	for _, line := range strings.Split(t2sPhrasesData, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		from, to, ok := strings.Cut(line, "\t")
		p := phrase{[]rune(from), []rune(to)}
		if !ok || len(p.from) == 0 || len(p.from) != len(p.to) {
			continue
		}
		t2sPhrases[p.from[0]] = append(t2sPhrases[p.from[0]], p)
	}
	for _, ps := range t2sPhrases {
		// longest first; stable order for equal lengths comes from the file
		for i := 1; i < len(ps); i++ {
			for j := i; j > 0 && len(ps[j].from) > len(ps[j-1].from); j-- {
				ps[j], ps[j-1] = ps[j-1], ps[j]
			}
		}
	}
}

// toSimplified converts rs in place (every table entry maps one rune to
// one rune) and returns it.
func toSimplified(rs []rune) []rune {
	t2sOnce.Do(loadT2S)
	for i := 0; i < len(rs); {
		if ps, ok := t2sPhrases[rs[i]]; ok {
			matched := false
			for _, p := range ps {
				if hasRunePrefix(rs[i:], p.from) {
					copy(rs[i:], p.to)
					i += len(p.to)
					matched = true
					break
				}
			}
			if matched {
				continue
			}
		}
		if r, ok := t2sChars[rs[i]]; ok {
			rs[i] = r
		}
		i++
	}
	return rs
}

func hasRunePrefix(rs, prefix []rune) bool {
	if len(rs) < len(prefix) {
		return false
	}
	for i, r := range prefix {
		if rs[i] != r {
			return false
		}
	}
	return true
}
