package text

import (
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// ChineseMode chooses how runs of Han characters become tokens.
type ChineseMode int

const (
	// ChineseWords cuts Han text into words with the shared dictionary
	// segmenter (dictionary DAG plus an HMM for unknown words): one token
	// per span of text, so a word is counted once. This is the default and
	// suits classification and queries.
	ChineseWords ChineseMode = iota
	// ChineseSearch is search-engine mode: long words are also emitted as
	// the dictionary words inside them (会员卡 → 会员 会员卡). Use it when
	// indexing knowledge-base text, so that a query for 会员 finds an
	// article about 会员卡; it over-counts for classification.
	ChineseSearch
	// ChineseBigrams emits overlapping character bigrams (退款与发票 → 退款
	// 款与 与发 发票) and a single Han character as itself. It needs no
	// dictionary, so it never loads the segmenter: a fallback for tight
	// memory, and what the segmenter modes use if the dictionary fails to
	// load.
	ChineseBigrams
)

// Options adjust Tokenize. The zero value is the default.
type Options struct {
	// Lexicon is the tenant's overlay of custom terms and synonyms; nil
	// means none.
	Lexicon *Lexicon
	// Chinese selects word segmentation (default), search mode or bigrams.
	Chinese ChineseMode
	// KeepStopWords keeps the stop words that are dropped by default.
	KeepStopWords bool
}

// Tokenize splits s into tokens for search and classification, with the
// tenant's lexicon (nil for none) and the default options. See TokenizeWith.
func Tokenize(s string, lex *Lexicon) []string {
	return TokenizeWith(s, Options{Lexicon: lex})
}

// TokenizeWith splits s into tokens:
//
//  1. s is normalised (Normalize), so at most MaxRunes runes are read;
//  2. the lexicon's terms are found by longest match and emitted whole, as
//     their canonical token; they are never stemmed nor dropped as stop
//     words;
//  3. the rest is split by script: Han runs are cut into words (see
//     ChineseMode); runs of letters and digits of other scripts are words
//     (an apostrophe inside an English word stays: "don't");
//     punctuation, symbols, emoji and spaces separate tokens and are
//     dropped;
//  4. stop words are dropped, English words are stemmed (Porter2 /
//     Snowball English: "refunds", "refunded" → "refund"), and every token
//     is mapped to its synonym group's canonical token.
//
// Only a Han run in a segmenter mode loads the shared dictionary. It is safe
// for concurrent use; the result may be empty.
func TokenizeWith(s string, o Options) []string {
	return tokenizeUsing(s, o, shared)
}

func tokenizeUsing(s string, o Options, seg *lazySegmenter) []string {
	n := Normalize(s)
	if n == "" {
		return nil
	}
	t := tokenizer{o: o, seg: seg, out: make([]string, 0, 8+len(n)/4)}
	o.Lexicon.scan(n, t.gap, t.term)
	return t.out
}

type tokenizer struct {
	o   Options
	seg *lazySegmenter
	out []string
}

func (t *tokenizer) term(tok string) { t.out = append(t.out, tok) }

// gap tokenises normalised text that contains no lexicon term.
func (t *tokenizer) gap(s string) {
	start, kind := 0, kindNone
	for i, r := range s {
		k := runeKind(r)
		if k == kindWord && kind == kindWord || k == kindHan && kind == kindHan {
			continue
		}
		if r == '\'' && kind == kindWord {
			// Apostrophe inside a word ("don't"); one at its end is trimmed below.
			continue
		}
		t.run(s[start:i], kind)
		start, kind = i, k
	}
	t.run(s[start:], kind)
}

const (
	kindNone = iota
	kindWord
	kindHan
)

func runeKind(r rune) int {
	switch {
	case r < 0x80:
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || ('A' <= r && r <= 'Z') {
			return kindWord
		}
		return kindNone
	case isCJK(r):
		return kindHan
	case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
		return kindWord
	}
	return kindNone
}

// isCJK reports whether r belongs to a script written without spaces
// between words: Han, plus kana and Hangul, which the dictionary cannot
// cut but bigrams handle well enough.
func isCJK(r rune) bool {
	return r >= 0x2e80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r))
}

func (t *tokenizer) run(s string, kind int) {
	switch kind {
	case kindWord:
		for len(s) > 0 && s[len(s)-1] == '\'' {
			s = s[:len(s)-1]
		}
		if hasWordRune(s) { // not combining marks alone
			t.word(s)
		}
	case kindHan:
		t.han(s)
	}
}

func (t *tokenizer) han(s string) {
	mode := t.o.Chinese
	if mode != ChineseBigrams && !isHanOnly(s) {
		mode = ChineseBigrams // kana or Hangul: the dictionary has no words for them
	}
	if mode != ChineseBigrams {
		if seg := t.seg.get(); seg != nil {
			var words []string
			if mode == ChineseSearch {
				words = seg.CutSearch(s, true)
			} else {
				words = seg.Cut(s, true)
			}
			for _, w := range words {
				if hasWordRune(w) {
					t.word(w)
				}
			}
			return
		}
	}
	// Bigrams.
	if _, size := utf8.DecodeRuneInString(s); size == len(s) {
		t.word(s)
		return
	}
	for i := 0; i < len(s); {
		_, a := utf8.DecodeRuneInString(s[i:])
		if i+a >= len(s) {
			break
		}
		_, b := utf8.DecodeRuneInString(s[i+a:])
		t.word(s[i : i+a+b])
		i += a
	}
}

func isHanOnly(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// word filters, stems and maps one candidate token.
func (t *tokenizer) word(w string) {
	if w == "" || !t.o.KeepStopWords && isStopWord(w) {
		return
	}
	if isASCIIWord(w) && len(w) > 2 {
		w = english.Stem(w, true)
	}
	t.out = append(t.out, t.o.Lexicon.Canonical(w))
}

// isASCIIWord reports whether w is made of ASCII letters (and apostrophes)
// only: the words the English stemmer is meant for.
func isASCIIWord(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !('a' <= c && c <= 'z' || c == '\'') {
			return false
		}
	}
	return true
}
