package engine

import "math"

// The combiner turns the evidence about each candidate entry into one
// calibrated distribution. It is a conditional logit with a "none of them"
// alternative:
//
//	P(entry e | q) = exp(w·f(q,e)) / (exp(v·g(q)) + Σ_e' exp(w·f(q,e')))
//	P(none | q)    = exp(v·g(q))   / (same)
//
// f are the candidate features — with the classifier one, its
// log-probability plus a fixed share of retrieval similarity (see knnTie);
// without it the best and second best similarity to one of the entry's
// questions, the similarity to its answer and the square of the best — and g
// the features of "none" (a constant, the classifier's log-probability of
// the reject class, the best similarity to a decline example). The weights
// are fitted by maximum likelihood on held-out questions of the knowledge
// base itself (see Build), where the target of a decline example — or of a
// question whose entry is not among the candidates —
// is "none". The confidence of a decision is the probability of its best
// candidate, so it estimates how often the answer is right.

const (
	nFeat = 5
	nNull = 3
	// logFloor bounds log-probabilities from below.
	logFloor = -12
)

type combiner struct {
	W [nFeat]float64
	V [nNull]float64
}

// defaultCombiner is used when the knowledge base has too few questions to
// fit one: similarity dominates, and "none" ties with a candidate whose best
// question is about half similar.
func defaultCombiner(withClassifier bool) combiner {
	if withClassifier {
		return combiner{W: [nFeat]float64{1}, V: [nNull]float64{-2, 1, 3}}
	}
	return combiner{W: [nFeat]float64{0, 9, 2, 3, 0}, V: [nNull]float64{4.5, 0, 6}}
}

type alt struct {
	f [nFeat]float64
}

type fitExample struct {
	alts   []alt
	g      [nNull]float64
	target int // index into alts, -1 = none
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// probs writes the probabilities of the alternatives into p (len(alts)) and
// returns the probability of "none".
func (c *combiner) probs(alts []alt, g [nNull]float64, p []float64) float64 {
	sn := dot(c.V[:], g[:])
	mx := sn
	for i := range alts {
		p[i] = dot(c.W[:], alts[i].f[:])
		if p[i] > mx {
			mx = p[i]
		}
	}
	z := math.Exp(sn - mx)
	pn := z
	for i := range alts {
		p[i] = math.Exp(p[i] - mx)
		z += p[i]
	}
	for i := range alts {
		p[i] /= z
	}
	return pn / z
}

// fitCombiner maximises the likelihood of the examples with a Gaussian prior
// centred on prior (strength lambda, as if lambda examples spoke for it), by
// full-batch Adam; deterministic.
func fitCombiner(exs []fitExample, prior combiner, lambda float64) combiner {
	if len(exs) == 0 {
		return prior
	}
	const iters = 500
	const nPar = nFeat + nNull
	theta := make([]float64, nPar)
	th0 := make([]float64, nPar)
	copy(theta, prior.W[:])
	copy(theta[nFeat:], prior.V[:])
	copy(th0, theta)
	m := make([]float64, nPar)
	v := make([]float64, nPar)
	grad := make([]float64, nPar)
	var p []float64
	lr := 0.05
	n := float64(len(exs))
	for it := 1; it <= iters; it++ {
		var c combiner
		copy(c.W[:], theta[:nFeat])
		copy(c.V[:], theta[nFeat:])
		clear(grad)
		for _, ex := range exs {
			if cap(p) < len(ex.alts) {
				p = make([]float64, len(ex.alts))
			}
			p = p[:len(ex.alts)]
			pn := c.probs(ex.alts, ex.g, p)
			// d(-log p_target)/dθ = E_p[feature] - feature(target)
			for i, a := range ex.alts {
				for k := 0; k < nFeat; k++ {
					grad[k] += p[i] * a.f[k]
				}
			}
			for k := 0; k < nNull; k++ {
				grad[nFeat+k] += pn * ex.g[k]
			}
			if ex.target >= 0 {
				for k := 0; k < nFeat; k++ {
					grad[k] -= ex.alts[ex.target].f[k]
				}
			} else {
				for k := 0; k < nNull; k++ {
					grad[nFeat+k] -= ex.g[k]
				}
			}
		}
		for k := range grad {
			grad[k] = grad[k]/n + 2*lambda/n*(theta[k]-th0[k])
		}
		b1, b2 := 0.9, 0.999
		for k := range theta {
			m[k] = b1*m[k] + (1-b1)*grad[k]
			v[k] = b2*v[k] + (1-b2)*grad[k]*grad[k]
			mh := m[k] / (1 - math.Pow(b1, float64(it)))
			vh := v[k] / (1 - math.Pow(b2, float64(it)))
			theta[k] -= lr * mh / (math.Sqrt(vh) + 1e-8)
		}
	}
	var c combiner
	copy(c.W[:], theta[:nFeat])
	copy(c.V[:], theta[nFeat:])
	return c
}

// nll is the mean negative log-likelihood of the examples.
func (c *combiner) nll(exs []fitExample) float64 {
	var s float64
	var p []float64
	for _, ex := range exs {
		p = make([]float64, len(ex.alts))
		pn := c.probs(ex.alts, ex.g, p)
		q := pn
		if ex.target >= 0 {
			q = p[ex.target]
		}
		s -= math.Log(math.Max(q, 1e-12))
	}
	return s / math.Max(1, float64(len(exs)))
}
