package intent

import (
	"errors"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/bot/splitmix"
)

// AugmentConfig adds noisy copies of the training texts, made from the
// texts themselves (no outside data): words are deleted at random (every
// CJK character is a word, so Chinese loses single characters) and
// adjacent words swapped. The vocabulary is built from the original texts
// only, so the copies add no features and the model is as large as
// without them; they only cost training time. The zero value disables it.
type AugmentConfig struct {
	// Copies is the number of noisy copies per training example (at most
	// 8). A copy equal to its original is left out.
	Copies int
	// DropProb is the probability of deleting each token (at least one
	// token is kept); SwapProb the probability of one adjacent swap.
	DropProb, SwapProb float64
	// Weight is the example weight of a copy (the originals weigh 1);
	// zero means 0.5.
	Weight float64
	// Kind limits the copies to the members of one kind ("svm", "embed"
	// or "softmax"); empty means every member.
	Kind string
	// Seed of the deterministic generator; zero uses Config.Seed.
	Seed uint64
}

const maxAugmentCopies = 8

func (a AugmentConfig) validate() error {
	switch {
	case a.Copies < 0 || a.Copies > maxAugmentCopies:
		return errors.New("intent: augment copies must be in 0..8")
	case a.DropProb < 0 || a.DropProb >= 1 || a.SwapProb < 0 || a.SwapProb > 1:
		return errors.New("intent: augment probabilities must be in [0, 1)")
	case a.Weight < 0:
		return errors.New("intent: augment weight must not be negative")
	case a.Kind != "" && a.Kind != "svm" && a.Kind != "embed" && a.Kind != "softmax":
		return errors.New("intent: unknown augment member kind " + a.Kind)
	}
	return nil
}

// appliesTo reports whether members of the given kind train on the copies.
func (a AugmentConfig) appliesTo(kind string) bool {
	if a.Copies == 0 {
		return false
	}
	if kind == "" {
		kind = "svm"
	}
	return a.Kind == "" || a.Kind == kind
}

// augmented is a set of noisy copies with the index of their originals.
type augmented struct {
	texts  []string
	origin []int
	weight float64
}

// augmentTexts makes up to a.Copies noisy copies of every text,
// deterministically for a given seed.
func augmentTexts(texts []string, a AugmentConfig, seed uint64) augmented {
	out := augmented{weight: a.Weight}
	if out.weight == 0 {
		out.weight = 0.5
	}
	if a.Seed != 0 {
		seed = a.Seed
	}
	r := splitmix.New(seed ^ 0x5eed_a0c1)
	keep := make([]string, 0, 32)
	for i, t := range texts {
		toks := tokenize(Normalize(t))
		if len(toks) < 2 {
			continue
		}
		seen := map[string]bool{}
		for range a.Copies {
			keep = keep[:0]
			for _, tk := range toks {
				if a.DropProb > 0 && uniform(r) < a.DropProb {
					continue
				}
				keep = append(keep, tk.s)
			}
			if len(keep) == 0 {
				keep = append(keep, toks[r.Intn(len(toks))].s)
			}
			if len(keep) >= 2 && a.SwapProb > 0 && uniform(r) < a.SwapProb {
				k := r.Intn(len(keep) - 1)
				keep[k], keep[k+1] = keep[k+1], keep[k]
			}
			if len(keep) == len(toks) && sameTokens(keep, toks) {
				continue
			}
			s := strings.Join(keep, " ")
			if seen[s] {
				continue
			}
			seen[s] = true
			out.texts = append(out.texts, s)
			out.origin = append(out.origin, i)
		}
	}
	return out
}

func sameTokens(a []string, toks []token) bool {
	for i := range a {
		if a[i] != toks[i].s {
			return false
		}
	}
	return true
}

// uniform returns a value in [0, 1).
func uniform(r *splitmix.Rand) float64 { return float64(r.Uint64()>>11) / (1 << 53) }

// withCopies appends the copies' feature vectors, labels and weights to
// those of the originals. A copy weighs aug.weight times its original.
func withCopies(voc *vocab, xs []sparse, ys []int, sw []float64, aug augmented) ([]sparse, []int, []float64) {
	n := len(xs)
	xa := make([]sparse, n, n+len(aug.texts))
	copy(xa, xs)
	ya := make([]int, n, n+len(aug.texts))
	copy(ya, ys)
	wa := make([]float64, n, n+len(aug.texts))
	for i := range wa {
		wa[i] = 1
		if sw != nil {
			wa[i] = sw[i]
		}
	}
	for k, t := range aug.texts {
		x := voc.transform(t)
		if len(x.idx) == 0 {
			continue
		}
		o := aug.origin[k]
		xa = append(xa, x)
		ya = append(ya, ys[o])
		wa = append(wa, wa[o]*aug.weight)
	}
	return xa, ya, wa
}
