package intent

import (
	"math"
	"unicode"
)

// FeatureConfig selects the sparse text features.
type FeatureConfig struct {
	// WordMaxN is the longest word n-gram (over tokens that are not CJK).
	WordMaxN int
	// CJKMaxN is the longest n-gram over runs of CJK characters (each
	// CJK character is a token, so these are character n-grams).
	CJKMaxN int
	// CharMinN..CharMaxN are character n-grams inside each non-CJK word,
	// padded with a space on both sides. CharMaxN == 0 disables them.
	CharMinN, CharMaxN int
	// CharWeight scales the character group relative to the word group
	// (each group is L2-normalised separately first).
	CharWeight float64
	// MinDF drops features seen in fewer training texts.
	MinDF int
	// POSWeight scales the Chinese part-of-speech group (see POSFeatures),
	// built only for text with Han characters; zero disables it. It needs
	// Tagger.
	POSWeight float64
	// POS selects that group's features; zero means POSDefault.
	POS POSFeatures
	// Tagger cuts and tags Chinese text for the part-of-speech group.
	Tagger Tagger
}

// DefaultFeatureConfig works for English and Chinese alike.
func DefaultFeatureConfig() FeatureConfig {
	return FeatureConfig{WordMaxN: 2, CJKMaxN: 3, CharMinN: 2, CharMaxN: 5, CharWeight: 1, MinDF: 1}
}

const (
	groupWord = 1
	groupChar = 2
	groupPOS  = 3
)

// Normalize folds full-width forms to half-width, lower-cases, drops
// apostrophes and turns every other non letter/digit into a space.
func Normalize(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		if r == '\'' || r == '’' || r == '‘' {
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, unicode.ToLower(r))
		} else {
			out = append(out, ' ')
		}
	}
	return string(out)
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

type token struct {
	s   string
	cjk bool
}

// tokenize splits normalised text into words and single CJK characters.
func tokenize(norm string) []token {
	var toks []token
	start := -1
	for i, r := range norm {
		if r == ' ' || isCJK(r) {
			if start >= 0 {
				toks = append(toks, token{s: norm[start:i]})
				start = -1
			}
			if r != ' ' {
				toks = append(toks, token{s: string(r), cjk: true})
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		toks = append(toks, token{s: norm[start:]})
	}
	return toks
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func hashByte(h uint64, b byte) uint64 {
	h ^= uint64(b)
	return h * fnvPrime
}

// rawFeatures returns hashed feature keys with their counts, per group.
func (c FeatureConfig) rawFeatures(text string) (word, char, pos map[uint64]float64) {
	norm := Normalize(text)
	toks := tokenize(norm)
	word = make(map[uint64]float64, len(toks)*3)
	char = make(map[uint64]float64, len(toks)*12)
	maxN := max(c.WordMaxN, c.CJKMaxN)
	for i := range toks {
		h := hashByte(fnvOffset, groupWord)
		allCJK, anyCJK := true, false
		for n := 1; n <= maxN && i+n <= len(toks); n++ {
			t := toks[i+n-1]
			allCJK = allCJK && t.cjk
			anyCJK = anyCJK || t.cjk
			if n > 1 {
				h = hashByte(h, 0)
			}
			h = hashAdd(h, t.s)
			if (allCJK && n <= c.CJKMaxN) || (!anyCJK && n <= c.WordMaxN) || (anyCJK && !allCJK && n <= min(c.WordMaxN, c.CJKMaxN)) {
				word[h]++
			}
		}
	}
	if c.CharMaxN > 0 {
		for _, t := range toks {
			if t.cjk {
				continue
			}
			rs := make([]rune, 0, len(t.s)+2)
			rs = append(rs, ' ')
			rs = append(rs, []rune(t.s)...)
			rs = append(rs, ' ')
			for i := range rs {
				h := hashByte(fnvOffset, groupChar)
				for n := 1; n <= c.CharMaxN && i+n <= len(rs); n++ {
					h = hashAdd(h, string(rs[i+n-1]))
					if n >= c.CharMinN && !(n == 1 && rs[i] == ' ') {
						char[h]++
					}
				}
			}
		}
	}
	if c.POSWeight > 0 && c.Tagger != nil {
		if seq := posSequence(norm, c.Tagger); len(seq) > 0 {
			pos = make(map[uint64]float64, 3*len(seq))
			c.posFeatures(seq, pos)
		}
	}
	return word, char, pos
}

// vocab maps hashed features to columns and holds their IDF weights.
type vocab struct {
	cfg   FeatureConfig
	index map[uint64]int32
	idf   []float32
	group []uint8
}

func buildVocab(cfg FeatureConfig, texts []string) *vocab {
	type stat struct {
		df    int
		group uint8
	}
	df := make(map[uint64]*stat)
	for _, t := range texts {
		w, c, p := cfg.rawFeatures(t)
		for h := range p {
			if s := df[h]; s != nil {
				s.df++
			} else {
				df[h] = &stat{1, groupPOS}
			}
		}
		for h := range w {
			if s := df[h]; s != nil {
				s.df++
			} else {
				df[h] = &stat{1, groupWord}
			}
		}
		for h := range c {
			if s := df[h]; s != nil {
				s.df++
			} else {
				df[h] = &stat{1, groupChar}
			}
		}
	}
	// Deterministic column order: sort keys.
	keys := make([]uint64, 0, len(df))
	for h, s := range df {
		if s.df >= max(cfg.MinDF, 1) {
			keys = append(keys, h)
		}
	}
	sortUint64(keys)
	v := &vocab{cfg: cfg, index: make(map[uint64]int32, len(keys)), idf: make([]float32, len(keys)), group: make([]uint8, len(keys))}
	n := float64(len(texts))
	for i, h := range keys {
		s := df[h]
		v.index[h] = int32(i)
		v.idf[i] = float32(math.Log((1+n)/(1+float64(s.df))) + 1)
		v.group[i] = s.group
	}
	return v
}

// sparse is a feature vector with unique column indices.
type sparse struct {
	idx []int32
	val []float32
}

func (v *vocab) transform(text string) sparse {
	w, c, p := v.cfg.rawFeatures(text)
	var out sparse
	add := func(m map[uint64]float64, weight float64) {
		start := len(out.idx)
		var ss float64
		for h, tf := range m {
			j, ok := v.index[h]
			if !ok {
				continue
			}
			x := (1 + math.Log(tf)) * float64(v.idf[j])
			out.idx = append(out.idx, j)
			out.val = append(out.val, float32(x))
			ss += x * x
		}
		if ss > 0 {
			s := weight / math.Sqrt(ss)
			for k := start; k < len(out.val); k++ {
				out.val[k] = float32(float64(out.val[k]) * s)
			}
		}
	}
	add(w, 1)
	if v.cfg.CharMaxN > 0 && v.cfg.CharWeight > 0 {
		add(c, v.cfg.CharWeight)
	}
	if len(p) > 0 {
		add(p, v.cfg.POSWeight)
	}
	// Sort by column for cache-friendly, deterministic arithmetic.
	sortSparse(&out)
	return out
}
