package text

import (
	"fmt"
	"sort"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// Limits on a Lexicon, so that one tenant's configuration cannot make
// tokenising slow or large.
const (
	MaxLexiconEntries = 50000 // custom terms plus synonym members
	MaxTermRunes      = 64    // longer terms and members are rejected
)

// Lexicon is one tenant's vocabulary overlay: custom terms that are kept
// whole when tokenising (product and brand names, 小米手机, "iPhone 15
// Pro") and synonym groups whose members all become one canonical token
// (退钱 → 退款). It is applied on top of the shared segmenter, never by
// changing it, so building one costs microseconds to a few milliseconds
// and no dictionary reload.
//
// A Lexicon is immutable once built and safe for concurrent use. A nil
// *Lexicon is valid and means "no overlay".
type Lexicon struct {
	// byFirst indexes the phrases matched in the text by their first rune;
	// each list is ordered longest first.
	byFirst map[rune][]lexTerm
	// canon maps a token produced by normal tokenising (a segmenter word,
	// an English stem) to its canonical synonym.
	canon map[string]string
	size  int
}

type lexTerm struct {
	text string // normalised form searched for in normalised text
	out  string // token emitted
	// wordStart and wordEnd mark terms beginning or ending with a letter or
	// digit of a space-separated script; they only match at a word boundary
	// there, so the term "pro" does not match inside "product".
	wordStart, wordEnd bool
}

// NewLexicon builds a Lexicon from custom terms and synonym groups. Every
// term and member is normalised with Normalize. The first member of a
// synonym group is its canonical token; every member is also matched
// whole in the text (so a multi-character member is never split by the
// segmenter), and a single English word member also maps its stem
// ("refunds" finds the group of "refund"). A term or member that is empty
// after normalisation, or has no letter or digit, is ignored. It is an
// error for one member to belong to two groups with different canonical
// tokens, or to exceed MaxTermRunes or MaxLexiconEntries.
func NewLexicon(terms []string, synonyms [][]string) (*Lexicon, error) {
	l := &Lexicon{byFirst: map[rune][]lexTerm{}, canon: map[string]string{}}
	norm := func(raw string) (string, error) {
		t := Normalize(raw)
		if !hasWordRune(t) {
			return "", nil
		}
		if n := utf8.RuneCountInString(t); n > MaxTermRunes {
			return "", fmt.Errorf("text: lexicon term %q is %d characters long, more than %d", raw, n, MaxTermRunes)
		}
		return t, nil
	}
	out := map[string]string{} // normalised phrase → token emitted
	var order []string         // phrases in first-seen order, for determinism
	var stemOf []string        // single English words whose stems map too
	for _, g := range synonyms {
		canonical := ""
		for _, raw := range g {
			m, err := norm(raw)
			if err != nil {
				return nil, err
			}
			if m == "" {
				continue
			}
			if canonical == "" {
				canonical = m
			}
			if prev, ok := out[m]; ok {
				if prev != canonical {
					return nil, fmt.Errorf("text: %q is in two synonym groups (%q and %q)", raw, prev, canonical)
				}
				continue
			}
			out[m] = canonical
			order = append(order, m)
			if m != canonical {
				l.canon[m] = canonical
			}
			if isASCIIWord(m) {
				stemOf = append(stemOf, m)
			}
		}
	}
	for _, raw := range terms {
		t, err := norm(raw)
		if err != nil {
			return nil, err
		}
		if _, ok := out[t]; ok || t == "" {
			continue // already a synonym member: the group's token wins
		}
		out[t] = t
		order = append(order, t)
	}
	if len(order) > MaxLexiconEntries {
		return nil, fmt.Errorf("text: lexicon has %d entries, more than %d", len(order), MaxLexiconEntries)
	}
	l.size = len(order)
	for _, t := range order {
		first, _ := utf8.DecodeRuneInString(t)
		last, _ := utf8.DecodeLastRuneInString(t)
		l.byFirst[first] = append(l.byFirst[first], lexTerm{
			text: t, out: out[t], wordStart: isSpacedWordRune(first), wordEnd: isSpacedWordRune(last),
		})
	}
	for r, ts := range l.byFirst {
		sort.SliceStable(ts, func(i, j int) bool { return len(ts[i].text) > len(ts[j].text) })
		l.byFirst[r] = ts
	}
	// "refunds" stems to "refund": let the stem of a single-word member find
	// its group too, unless that token is itself a member (the first group
	// wins among stems).
	for _, m := range stemOf {
		if st := english.Stem(m, true); st != "" {
			if _, member := out[st]; !member {
				if _, taken := l.canon[st]; !taken && st != out[m] {
					l.canon[st] = out[m]
				}
			}
		}
	}
	return l, nil
}

// MustLexicon is NewLexicon for static configuration; it panics on error.
func MustLexicon(terms []string, synonyms [][]string) *Lexicon {
	l, err := NewLexicon(terms, synonyms)
	if err != nil {
		panic(err)
	}
	return l
}

// Len reports the number of distinct terms and synonym members.
func (l *Lexicon) Len() int {
	if l == nil {
		return 0
	}
	return l.size
}

// Canonical maps a token to its synonym group's canonical token, or
// returns it unchanged.
func (l *Lexicon) Canonical(tok string) string {
	if l == nil {
		return tok
	}
	if c, ok := l.canon[tok]; ok {
		return c
	}
	return tok
}

// scan splits normalised text s into the spans matched by lexicon terms,
// found by longest match from left to right, and the gaps between them:
// gap is called for each non-empty gap and term for each match, in order.
func (l *Lexicon) scan(s string, gap func(string), term func(string)) {
	if l == nil || len(l.byFirst) == 0 {
		gap(s)
		return
	}
	start := 0 // start of the current gap
	prev := rune(-1)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if ts, ok := l.byFirst[r]; ok {
			if t, ok := l.matchAt(s, i, prev, ts); ok {
				if start < i {
					gap(s[start:i])
				}
				term(t.out)
				i += len(t.text)
				start = i
				prev, _ = utf8.DecodeLastRuneInString(t.text)
				continue
			}
		}
		prev = r
		i += size
	}
	if start < len(s) {
		gap(s[start:])
	}
}

func (l *Lexicon) matchAt(s string, i int, prev rune, ts []lexTerm) (lexTerm, bool) {
	for _, t := range ts {
		if len(s)-i < len(t.text) || s[i:i+len(t.text)] != t.text {
			continue
		}
		if t.wordStart && prev >= 0 && isSpacedWordRune(prev) {
			continue
		}
		if end := i + len(t.text); t.wordEnd && end < len(s) {
			if next, _ := utf8.DecodeRuneInString(s[end:]); isSpacedWordRune(next) {
				continue
			}
		}
		return t, true
	}
	return lexTerm{}, false
}

// isSpacedWordRune reports whether r is a letter or digit of a script that
// separates words with spaces (anything but Han, kana and Hangul).
func isSpacedWordRune(r rune) bool {
	if r < 0x80 {
		return ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || ('A' <= r && r <= 'Z')
	}
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !isCJK(r)
}

func hasWordRune(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return true
		}
	}
	return false
}
