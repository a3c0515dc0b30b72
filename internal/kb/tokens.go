package kb

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/bot/text"
)

// searchTokens turns text into the space-separated tokens stored in the
// search index: Chinese cut into words in search mode (long words also as
// the words inside them), English stemmed, stop words dropped, every token
// reduced to letters and digits so that both engines' index tokenisers keep
// it whole. Text longer than the tokeniser's window is cut into passages.
func searchTokens(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		for _, chunk := range passages(p, text.MaxRunes-100) {
			for _, t := range indexTokens(chunk) {
				t = cleanToken(t)
				if t == "" {
					continue
				}
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(t)
			}
		}
	}
	return b.String()
}

// queryTokens are the distinct tokens of a search query (at most 48): all
// of them, and the strict set an entry must have every one of. The strict
// set takes Chinese as character bigrams rather than words, because the
// segmenter may cut the query differently from the same words in an entry.
func queryTokens(query string) (all, strict []string) {
	seen := map[string]bool{}
	add := func(list *[]string, seen map[string]bool, t string) {
		t = cleanToken(t)
		if t == "" || seen[t] || len(*list) == 48 {
			return
		}
		seen[t] = true
		*list = append(*list, t)
	}
	strictSeen := map[string]bool{}
	var singles []string // one-character Chinese words
	for _, t := range text.TokenizeWith(query, text.Options{Chinese: text.ChineseSearch}) {
		add(&all, seen, t)
		switch {
		case !strings.ContainsFunc(t, isHan):
			add(&strict, strictSeen, t)
		case utf8.RuneCountInString(t) == 1:
			singles = append(singles, t)
		}
	}
	bigrams := 0
	for _, t := range text.TokenizeWith(query, text.Options{Chinese: text.ChineseBigrams, KeepStopWords: true}) {
		if utf8.RuneCountInString(t) == 2 && strings.ContainsFunc(t, isHan) {
			add(&all, seen, t)
			add(&strict, strictSeen, t)
			bigrams++
		}
	}
	if bigrams == 0 {
		// A lone Chinese character has no bigram; the word is all there is.
		for _, t := range singles {
			add(&strict, strictSeen, t)
		}
	}
	return all, strict
}

// indexTokens are the dictionary words of s (search mode) followed by the
// character bigrams of its Chinese: the segmenter cuts a phrase differently
// in different contexts (退钱 alone, but 我要 退 钱 in a sentence), and the
// bigrams still meet where the words do not.
func indexTokens(s string) []string {
	out := text.TokenizeWith(s, text.Options{Chinese: text.ChineseSearch})
	for _, t := range text.TokenizeWith(s, text.Options{Chinese: text.ChineseBigrams, KeepStopWords: true}) {
		if utf8.RuneCountInString(t) == 2 && strings.ContainsFunc(t, isHan) {
			out = append(out, t)
		}
	}
	return out
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func cleanToken(t string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, t)
}

// passages cuts s into pieces of at most max runes, at a space or line
// break when there is one in the second half of a piece.
func passages(s string, max int) []string {
	if utf8.RuneCountInString(s) <= max {
		return []string{s}
	}
	var out []string
	rs := []rune(s)
	for len(rs) > max {
		cut := max
		for i := max; i > max/2; i-- {
			if unicode.IsSpace(rs[i]) {
				cut = i
				break
			}
		}
		out = append(out, string(rs[:cut]))
		rs = rs[cut:]
	}
	return append(out, string(rs))
}

// indexOf is what an entry's content puts in the search index: questions
// (standard and similar, or the title), tags, and the answer's text.
func indexOf(c *Content) (q, t, a string) {
	return searchTokens(append([]string{c.Question}, c.Similar...)...),
		searchTokens(c.Tags...),
		searchTokens(c.AnswerText)
}

// snippet is a short passage of the entry around the first query term it
// contains: from the answer when it has one, else from the questions.
func snippet(c *Content, terms []string) string {
	const width = 120
	sources := []string{c.AnswerText, c.Question}
	sources = append(sources, c.Similar...)
	for _, src := range sources {
		if src == "" {
			continue
		}
		norm := []rune(strings.ToLower(src))
		best := -1
		for _, t := range terms {
			if i := runeIndex(norm, []rune(t)); i >= 0 && (best < 0 || i < best) {
				best = i
			}
		}
		if best >= 0 {
			return window([]rune(src), best, width)
		}
	}
	return window([]rune(c.AnswerText), 0, width)
}

func runeIndex(hay, needle []rune) int {
	if len(needle) == 0 || len(needle) > len(hay) {
		return -1
	}
	for i := 0; i+len(needle) <= len(hay); i++ {
		match := true
		for j := range needle {
			if hay[i+j] != needle[j] {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

func window(rs []rune, at, width int) string {
	start := at - width/3
	if start < 0 {
		start = 0
	}
	end := start + width
	if end > len(rs) {
		end = len(rs)
	}
	out := strings.Join(strings.Fields(string(rs[start:end])), " ")
	if start > 0 {
		out = "…" + out
	}
	if end < len(rs) {
		out += "…"
	}
	return out
}
