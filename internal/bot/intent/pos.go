package intent

import (
	"strings"
	"unicode"
)

// TaggedWord is one dictionary word of a Chinese text with its
// part-of-speech tag (the dictionary's tag set: nr person name, ns place
// name, nt organisation, nz other proper noun, t time word, m numeral,
// v verb, n noun, …; "" or "x" when the word is unknown).
type TaggedWord struct {
	Word, Tag string
}

// Tagger cuts a run of Han characters into tagged words. It must be
// deterministic and safe for concurrent use; it is called only for text
// that contains Han characters, so a model of English text never needs
// it (and never loads a dictionary behind it).
type Tagger func(han string) []TaggedWord

// POSFeatures selects the features of the Chinese part-of-speech group
// (bit set; zero means POSDefault).
type POSFeatures uint8

const (
	// POSTags counts each word's tag ("pos:ns").
	POSTags POSFeatures = 1 << iota
	// POSTagBigrams counts adjacent tag pairs, with start and end marks.
	POSTagBigrams
	// POSClassNgrams replaces proper nouns, time words and numerals by
	// their class (北京到上海的火车 → <ns> 到 <ns> 的 火车) and counts the
	// uni- and bigrams of that sequence that contain a class.
	POSClassNgrams
	// POSClassWords also counts the n-grams of the class sequence that
	// contain no class (plain words and word pairs).
	POSClassWords

	// POSDefault is tags, tag bigrams and class n-grams.
	POSDefault = POSTags | POSTagBigrams | POSClassNgrams
)

// maxPOSWords bounds the tagged words used per text.
const maxPOSWords = 256

// wordClass returns the class token that replaces a word with this tag,
// or "" when the word stands for itself.
func wordClass(tag string) string {
	switch {
	case strings.HasPrefix(tag, "nr"):
		return "<nr>"
	case strings.HasPrefix(tag, "ns"):
		return "<ns>"
	case tag == "nt":
		return "<nt>"
	case tag == "nz":
		return "<nz>"
	case tag == "t" || tag == "tg":
		return "<t>"
	case tag == "m" || tag == "mq":
		return "<m>"
	case tag == "eng":
		return "<eng>"
	}
	return ""
}

// posSequence tags normalised text: Han runs go through the tagger, other
// words become numerals ("m") or foreign words ("eng"). It returns nil
// when the text has no Han character, without calling the tagger.
func posSequence(norm string, tag Tagger) []TaggedWord {
	hasHan := false
	for _, r := range norm {
		if unicode.Is(unicode.Han, r) {
			hasHan = true
			break
		}
	}
	if !hasHan || tag == nil {
		return nil
	}
	var out []TaggedWord
	start, han := -1, false
	flush := func(end int) {
		if start < 0 {
			return
		}
		s := norm[start:end]
		switch {
		case han:
			out = append(out, tag(s)...)
		case isDigits(s):
			out = append(out, TaggedWord{s, "m"})
		default:
			out = append(out, TaggedWord{s, "eng"})
		}
		start = -1
	}
	for i, r := range norm {
		if r == ' ' {
			flush(i)
			continue
		}
		h := unicode.Is(unicode.Han, r)
		if start >= 0 && h != han {
			flush(i)
		}
		if start < 0 {
			start, han = i, h
		}
		if len(out) >= maxPOSWords {
			start = -1
			break
		}
	}
	flush(len(norm))
	if len(out) > maxPOSWords {
		out = out[:maxPOSWords]
	}
	return out
}

func isDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

// posFeatures adds the part-of-speech group's hashed features of the
// tagged sequence to m.
func (c FeatureConfig) posFeatures(seq []TaggedWord, m map[uint64]float64) {
	if len(seq) == 0 {
		return
	}
	sel := c.POS
	if sel == 0 {
		sel = POSDefault
	}
	tagOf := func(i int) string {
		if i < 0 || i >= len(seq) {
			return "^$"
		}
		if seq[i].Tag == "" {
			return "x"
		}
		return seq[i].Tag
	}
	base := hashByte(fnvOffset, groupPOS)
	if sel&POSTags != 0 {
		for i := range seq {
			m[hashAdd(hashByte(base, 't'), tagOf(i))]++
		}
	}
	if sel&POSTagBigrams != 0 {
		for i := -1; i < len(seq); i++ {
			h := hashAdd(hashByte(base, 'b'), tagOf(i))
			m[hashAdd(hashByte(h, 0), tagOf(i+1))]++
		}
	}
	if sel&(POSClassNgrams|POSClassWords) != 0 {
		cls := make([]string, len(seq))
		isCls := make([]bool, len(seq))
		for i, w := range seq {
			if k := wordClass(w.Tag); k != "" {
				cls[i], isCls[i] = k, true
			} else {
				cls[i] = w.Word
			}
		}
		keep := func(any bool) bool {
			return any && sel&POSClassNgrams != 0 || !any && sel&POSClassWords != 0
		}
		for i := range cls {
			h := hashAdd(hashByte(base, 'c'), cls[i])
			if keep(isCls[i]) {
				m[h]++
			}
			if i+1 < len(cls) && keep(isCls[i] || isCls[i+1]) {
				m[hashAdd(hashByte(h, 0), cls[i+1])]++
			}
		}
	}
}

// RecommendedPOSWeight is the weight of the part-of-speech group that
// WithPOS sets (see the package documentation for the measurements).
const RecommendedPOSWeight = 0.5

// WithPOS returns c with the Chinese part-of-speech group (POSDefault at
// RecommendedPOSWeight) added to every member, tagged by t. Text without
// Han characters gets no such features and never reaches t, so a model
// of English text is unchanged. A nil t returns c unchanged.
func (c Config) WithPOS(t Tagger) Config {
	if t == nil {
		return c
	}
	c.Members = append([]MemberConfig(nil), c.Members...)
	if len(c.Members) == 0 {
		c.Members = DefaultConfig().Members
	}
	for i := range c.Members {
		f := &c.Members[i].Features
		f.POSWeight, f.POS, f.Tagger = RecommendedPOSWeight, POSDefault, t
	}
	return c
}
