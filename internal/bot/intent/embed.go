package intent

import (
	"math"

	"github.com/switchboard-cs/switchboard/internal/bot/splitmix"
)

// lowRank is a fastText-style classifier over a member's sparse features:
// every feature (word n-gram or character n-gram) has a dense embedding,
// the question is the feature-weighted sum of its embeddings (the TF-IDF
// vector is unit length per group, so this is a weighted average), and a
// softmax layer maps it to the labels. The rank bottleneck shares strength
// between features, which a linear model on the same features cannot.
type lowRank struct {
	dim int
	emb []float32 // emb[f*dim+k]
	out []float32 // out[c*dim+k]
	b   []float32
}

// trainLowRank fits the embeddings and the output layer jointly with SGD
// (learning rate decaying linearly to zero, seeded init and shuffles, one
// thread, so deterministic). With mix > 0 that share of the steps is
// followed by a mixup step on the example blended with a random other one
// (weights lam and 1-lam, lam uniform; the target blended alike).
func trainLowRank(xs []sparse, ys []int, sw []float64, nFeat, nClass, dim, epochs int, lr0, mix float64, seed uint64) *lowRank {
	r := splitmix.New(seed)
	emb := make([]float64, nFeat*dim)
	for i := range emb {
		emb[i] = (float64(r.Uint64()>>11)/(1<<53)*2 - 1) / float64(dim)
	}
	out := make([]float64, nClass*dim)
	b := make([]float64, nClass)
	h := make([]float64, dim)
	gh := make([]float64, dim)
	z := make([]float64, nClass)
	order := make([]int32, len(xs))
	for i := range order {
		order[i] = int32(i)
	}
	total := float64(epochs * len(xs))
	step := 0.0
	// mixStep trains on the mixture lam*x_i + (1-lam)*x_j with the target
	// lam*y_i + (1-lam)*y_j (lam 1 is an ordinary step).
	mixStep := func(i, j int, lam, lr float64) {
		clear(h)
		for _, p := range [2]struct {
			k int
			c float64
		}{{i, lam}, {j, 1 - lam}} {
			if p.c == 0 {
				continue
			}
			x := xs[p.k]
			for k, f := range x.idx {
				xv := p.c * float64(x.val[k])
				e := emb[int(f)*dim : int(f)*dim+dim]
				for d, v := range e {
					h[d] += xv * v
				}
			}
		}
		mx := math.Inf(-1)
		for c := range z {
			s := b[c]
			o := out[c*dim : c*dim+dim]
			for d, v := range o {
				s += v * h[d]
			}
			z[c] = s
			mx = max(mx, s)
		}
		var sum float64
		for c := range z {
			z[c] = math.Exp(z[c] - mx)
			sum += z[c]
		}
		clear(gh)
		for c := range z {
			g := z[c] / sum
			if c == ys[i] {
				g -= lam
			}
			if c == ys[j] && lam != 1 {
				g -= 1 - lam
			}
			if math.Abs(g) < 1e-7 {
				continue
			}
			g *= lr
			b[c] -= g
			o := out[c*dim : c*dim+dim]
			for d := range o {
				gh[d] += g * o[d]
				o[d] -= g * h[d]
			}
		}
		for _, p := range [2]struct {
			k int
			c float64
		}{{i, lam}, {j, 1 - lam}} {
			if p.c == 0 {
				continue
			}
			x := xs[p.k]
			for k, f := range x.idx {
				xv := p.c * float64(x.val[k])
				e := emb[int(f)*dim : int(f)*dim+dim]
				for d := range e {
					e[d] -= xv * gh[d]
				}
			}
		}
	}
	mr := splitmix.New(seed ^ 0x3a1c_5eed)
	for range epochs {
		splitmix.Shuffle(r, order)
		for _, i32 := range order {
			i := int(i32)
			lr := lr0 * (1 - step/total)
			step++
			if sw != nil {
				lr *= sw[i]
			}
			mixStep(i, i, 1, lr)
			if mix > 0 && uniform(mr) < mix {
				j := mr.Intn(len(xs))
				lam := uniform(mr)
				mixStep(i, j, lam, lr)
			}
		}
	}
	m := &lowRank{dim: dim, emb: make([]float32, len(emb)), out: make([]float32, len(out)), b: make([]float32, nClass)}
	for i, v := range emb {
		m.emb[i] = float32(v)
	}
	for i, v := range out {
		m.out[i] = float32(v)
	}
	for i, v := range b {
		m.b[i] = float32(v)
	}
	return m
}

// addScores adds wt times the label logits of x to out.
func (m *lowRank) addScores(x sparse, wt float64, out []float64) {
	h := make([]float64, m.dim)
	for k, j := range x.idx {
		xv := float64(x.val[k])
		e := m.emb[int(j)*m.dim : int(j)*m.dim+m.dim]
		for d, v := range e {
			h[d] += xv * float64(v)
		}
	}
	for c := range m.b {
		s := float64(m.b[c])
		o := m.out[c*m.dim : c*m.dim+m.dim]
		for d, v := range o {
			s += float64(v) * h[d]
		}
		out[c] += wt * s
	}
}
