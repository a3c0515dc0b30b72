package sentiment

import (
	"errors"
	"math"
	"slices"

	"github.com/kljensen/snowball/english"
	"github.com/switchboard-cs/switchboard/internal/bot/text"
)

// Model is a trained detector: NB-scaled logistic regression on hashed
// features plus two real-valued inputs, the default lexicon's total and the
// English prior's logit. It is immutable and safe for concurrent use.
type Model struct {
	w         []float32 // weight × NB ratio per hashed feature
	bias      float64
	lexW      float64 // weight of lexInput(the default lexicon's Total)
	priorW    float64 // weight of priorInput(the English prior's Logit)
	threshold float64
	lex       *Lexicon
	prior     *Prior
}

// TrainOptions tune Train; the zero value gives the defaults.
type TrainOptions struct {
	Epochs int     // passes of SGD (default 16)
	Rate   float64 // initial learning rate (default 0.5)
	L2     float64 // L2 penalty per example (default 1e-6)
	Alpha  float64 // NB smoothing (default 1)
	Seed   uint64  // shuffling seed (default 1)
}

const hashBits = 20

// lexScale scales the lexicon input: it lets the rule score move the
// decision as much as a handful of strong words, and was chosen by 10-fold
// cross-validation on the English train split (1, 3 and 5 were tried).
const lexScale = 3

// lexInput squashes the default lexicon's Total into (-lexScale, lexScale),
// so that a long rant does not outweigh everything else.
func lexInput(total float64) float64 { return lexScale * math.Tanh(total/3) }

// Train fits a detector on labelled examples with the default options.
func Train(ex []Example) (*Model, error) { return TrainWith(ex, TrainOptions{}) }

// TrainWith fits a detector on labelled examples. Both labels must occur.
// The result depends only on the examples, their order and the options.
func TrainWith(ex []Example, o TrainOptions) (*Model, error) {
	return trainWith(ex, o, EnglishPrior())
}

// priorScale and priorSquash shape the English prior's input; chosen by
// cross-validation on the English train split with the lexicon's (3, 3).
const (
	priorScale  = 3
	priorSquash = 3
)

// priorInput squashes the English prior's logit like lexInput; text
// without English words gets 0, so Chinese scoring is unchanged.
func priorInput(logit float64, words int) float64 {
	if words == 0 {
		return 0
	}
	return priorScale * math.Tanh(logit/priorSquash)
}

func trainWith(ex []Example, o TrainOptions, prior *Prior) (*Model, error) {
	if o.Epochs <= 0 {
		o.Epochs = 16
	}
	if o.Rate <= 0 {
		o.Rate = 0.5
	}
	if o.L2 < 0 {
		o.L2 = 0
	} else if o.L2 == 0 {
		o.L2 = 1e-6
	}
	if o.Alpha <= 0 {
		o.Alpha = 1
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	var nNeg, nPos int
	for _, e := range ex {
		if e.Negative {
			nNeg++
		} else {
			nPos++
		}
	}
	if nNeg == 0 || nPos == 0 {
		return nil, errors.New("sentiment: training needs both negative and positive examples")
	}
	m := &Model{threshold: 0.5, lex: Default(), prior: prior}
	const dim = 1 << hashBits
	docs := make([][]uint32, len(ex))
	lexIn := make([]float64, len(ex))
	priIn := make([]float64, len(ex))
	cNeg := make([]float32, dim)
	cPos := make([]float32, dim)
	for i, e := range ex {
		docs[i] = m.features(e.Text, nil)
		lexIn[i] = lexInput(m.lex.Total(e.Text))
		priIn[i] = priorInput(m.prior.Logit(e.Text))
		c := cPos
		if e.Negative {
			c = cNeg
		}
		for _, f := range docs[i] {
			c[f]++
		}
	}
	// r = log of the ratio of the feature's document rates in the two
	// classes, so that rare but one-sided features start strong.
	r := make([]float32, dim)
	ln, lp := math.Log(float64(nNeg)+2*o.Alpha), math.Log(float64(nPos)+2*o.Alpha)
	for f := range r {
		if cNeg[f] == 0 && cPos[f] == 0 {
			continue
		}
		r[f] = float32(math.Log(float64(cNeg[f])+o.Alpha) - ln - math.Log(float64(cPos[f])+o.Alpha) + lp)
	}
	w := make([]float64, dim)
	var b, lw, pw float64
	order := make([]int, len(ex))
	for i := range order {
		order[i] = i
	}
	rng := o.Seed
	steps := o.Epochs * len(ex)
	t := 0
	for epoch := 0; epoch < o.Epochs; epoch++ {
		for i := len(order) - 1; i > 0; i-- { // seeded shuffle (splitmix64)
			rng += 0x9e3779b97f4a7c15
			z := rng
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
			z = (z ^ (z >> 27)) * 0x94d049bb133111eb
			z ^= z >> 31
			j := int(z % uint64(i+1))
			order[i], order[j] = order[j], order[i]
		}
		for _, i := range order {
			fs := docs[i]
			norm := 1 / math.Sqrt(float64(len(fs))+1)
			z := b + lw*lexIn[i] + pw*priIn[i]
			for _, f := range fs {
				z += w[f] * float64(r[f]) * norm
			}
			y := 0.0
			if ex[i].Negative {
				y = 1
			}
			g := sigmoid(z) - y
			eta := o.Rate * (1 - float64(t)/float64(steps+1))
			t++
			for _, f := range fs {
				x := float64(r[f]) * norm
				w[f] -= eta * (g*x + o.L2*w[f])
			}
			b -= eta * g * 0.1
			lw -= eta * (g*lexIn[i] + o.L2*lw)
			pw -= eta * (g*priIn[i] + o.L2*pw)
		}
	}
	m.w = make([]float32, dim)
	for f := range w {
		m.w[f] = float32(w[f]) * r[f]
	}
	m.bias = b
	m.lexW = lw
	m.priorW = pw
	return m, nil
}

// Threshold is the score from which a message is negative.
func (m *Model) Threshold() float64 { return m.threshold }

// Negative reports whether the message reads as negative.
func (m *Model) Negative(s string) bool { return m.Score(s) >= m.threshold }

// Score returns the negativity of s in [0, 1].
func (m *Model) Score(s string) float64 {
	var buf [256]uint32
	fs := m.features(s, buf[:0])
	norm := 1 / math.Sqrt(float64(len(fs))+1)
	z := m.bias + m.lexW*lexInput(m.lex.Total(s)) + m.priorW*priorInput(m.prior.Logit(s))
	for _, f := range fs {
		z += float64(m.w[f]) * norm
	}
	return sigmoid(z)
}

// Feature groups, mixed into the hash so that equal strings of different
// groups do not collide on purpose.
const (
	gHan1 = iota + 1
	gHan2
	gHan3
	gWord
	gWord2
	gNotWord
	gChar
	gPunct
	gLex
	gStem
)

func hashStr[T string | []byte](g uint64, s T) uint32 {
	h := uint64(14695981039346656037) ^ (g * 0x9e3779b97f4a7c15)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 29
	return uint32(h & (1<<hashBits - 1))
}

func hash2(g uint64, a, b string) uint32 {
	h := uint64(14695981039346656037) ^ (g * 0x9e3779b97f4a7c15)
	for i := 0; i < len(a); i++ {
		h ^= uint64(a[i])
		h *= 1099511628211
	}
	h ^= ' '
	h *= 1099511628211
	for i := 0; i < len(b); i++ {
		h ^= uint64(b[i])
		h *= 1099511628211
	}
	h ^= h >> 29
	return uint32(h & (1<<hashBits - 1))
}

// features returns the sorted, distinct hashed features of a message: Han
// character 1–3-grams; English words, their stems, word bigrams, the stems
// of the words after a negator up to the end of the clause, character
// 3–5-grams inside words; clause marks; the lexicon's total in buckets.
func (m *Model) features(s string, dst []uint32) []uint32 {
	norm := text.Normalize(s)
	var ubuf [128]unit
	us := units(norm, ubuf[:0])
	prevWord := ""
	negated := false
	for i, u := range us {
		tok := norm[u.start:u.end]
		switch u.kind {
		case uHan:
			dst = append(dst, hashStr(gHan1, tok))
			if i+1 < len(us) && us[i+1].kind == uHan && us[i+1].start == u.end {
				dst = append(dst, hashStr(gHan2, norm[u.start:us[i+1].end]))
				if i+2 < len(us) && us[i+2].kind == uHan && us[i+2].start == us[i+1].end {
					dst = append(dst, hashStr(gHan3, norm[u.start:us[i+2].end]))
				}
			}
			prevWord = ""
		case uWord:
			// the word as written and its English stem (Porter2), so that
			// "disappoint", "disappointing" and "disappointed" share a weight
			st := english.Stem(tok, false)
			dst = append(dst, hashStr(gWord, tok))
			dst = append(dst, hashStr(gStem, st))
			if prevWord != "" {
				dst = append(dst, hash2(gWord2, prevWord, tok))
			}
			if negated {
				dst = append(dst, hashStr(gNotWord, st))
			}
			if e, ok := m.lex.terms[tok]; ok && e.kind == kindNegator {
				negated = true
			}
			dst = charGrams(dst, tok)
			prevWord = tok
		default:
			dst = append(dst, hashStr(gPunct, tok))
			prevWord, negated = "", false
		}
	}
	// the default lexicon's verdict, in buckets
	t := m.lex.Total(s)
	bucket := int(math.Round(math.Max(-6, math.Min(6, t))))
	dst = append(dst, hashStr(gLex, string(rune('m'+bucket))))
	if t < 0 {
		dst = append(dst, hashStr(gLex, "neg"))
	} else if t > 0 {
		dst = append(dst, hashStr(gLex, "pos"))
	}
	slices.Sort(dst)
	return slices.Compact(dst)
}

// charGrams adds the 3- to 5-byte grams of the word padded with spaces.
func charGrams(dst []uint32, w string) []uint32 {
	if len(w) > 30 {
		return dst
	}
	var buf [32]byte
	p := append(append(append(buf[:0], ' '), w...), ' ')
	for n := 3; n <= 5; n++ {
		for i := 0; i+n <= len(p); i++ {
			dst = append(dst, hashStr(gChar+uint64(n)*16, p[i:i+n]))
		}
	}
	return dst
}
