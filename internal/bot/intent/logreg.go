package intent

import (
	"math"

	"github.com/switchboard-cs/switchboard/internal/bot/splitmix"
)

// trainSoftmax fits a multinomial logistic regression (softmax, L2 on the
// weights, unregularised biases) with plain SGD over seeded shuffles and
// returns feature-major weights W[f*C+c] and biases b[c]. The L2 shrinkage
// is applied lazily through a global scale so a step touches only the
// example's active features. lambda is per example (the objective is the
// mean log-loss plus lambda/2 |W|^2). sw optionally weights examples.
func trainSoftmax(xs []sparse, ys []int, sw []float64, nFeat, nClass int, lambda float64, epochs int, seed uint64) ([]float32, []float32) {
	v := make([]float64, nFeat*nClass) // W = scale * v
	b := make([]float64, nClass)
	scale := 1.0
	z := make([]float64, nClass)
	order := make([]int32, len(xs))
	for i := range order {
		order[i] = int32(i)
	}
	r := splitmix.New(seed)
	const eta0 = 0.5
	t := 0.0
	for range epochs {
		splitmix.Shuffle(r, order)
		for _, i := range order {
			x := xs[i]
			eta := eta0 / (1 + eta0*lambda*t)
			t++
			for c := range z {
				z[c] = 0
			}
			for k, j := range x.idx {
				xv := float64(x.val[k])
				row := v[int(j)*nClass : int(j)*nClass+nClass]
				for c, w := range row {
					z[c] += xv * w
				}
			}
			mx := math.Inf(-1)
			for c := range z {
				z[c] = z[c]*scale + b[c]
				mx = max(mx, z[c])
			}
			var sum float64
			for c := range z {
				z[c] = math.Exp(z[c] - mx)
				sum += z[c]
			}
			wi := 1.0
			if sw != nil {
				wi = sw[i]
			}
			for c := range z {
				g := z[c] / sum
				if c == ys[i] {
					g--
				}
				z[c] = g * eta * wi
				b[c] -= z[c]
			}
			scale *= 1 - eta*lambda
			inv := 1 / scale
			for k, j := range x.idx {
				xv := float64(x.val[k]) * inv
				row := v[int(j)*nClass : int(j)*nClass+nClass]
				for c, g := range z {
					row[c] -= g * xv
				}
			}
			if scale < 1e-6 {
				for f := range v {
					v[f] *= scale
				}
				scale = 1
			}
		}
	}
	W := make([]float32, len(v))
	for f, w := range v {
		W[f] = float32(w * scale)
	}
	bb := make([]float32, nClass)
	for c, x := range b {
		bb[c] = float32(x)
	}
	return W, bb
}
