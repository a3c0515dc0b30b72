package intent

import (
	"github.com/switchboard-cs/switchboard/internal/bot/splitmix"
	"math"
	"runtime"
	"sync"
)

// trainOvRSVM trains one L2-regularised, squared-hinge linear SVM per class
// with dual coordinate descent (with shrinking) and returns feature-major
// weights W[f*C+c] and biases b[c]. sw optionally scales the cost per
// example (class balancing). The bias is a regularised feature of
// constant value 1. Classes train in parallel; each class has its own seeded
// generator, so the result does not depend on scheduling.
func trainOvRSVM(xs []sparse, ys []int, sw []float64, nFeat, nClass int, cost float64, maxIter int, seed uint64) ([]float32, []float32) {
	W := make([]float32, nFeat*nClass)
	b := make([]float32, nClass)
	qd := make([]float64, len(xs))
	diag := make([]float64, len(xs))
	for i, x := range xs {
		s := 1.0 // bias feature
		for _, v := range x.val {
			s += float64(v) * float64(v)
		}
		ci := cost
		if sw != nil {
			ci *= sw[i]
		}
		diag[i] = 0.5 / ci
		qd[i] = s + diag[i]
	}
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := make([]float64, nFeat)
			alpha := make([]float64, len(xs))
			index := make([]int32, len(xs))
			for c := range jobs {
				clear(w)
				clear(alpha)
				bias := svmOneClass(xs, ys, c, w, alpha, index, qd, diag, maxIter, seed+uint64(c)*7919)
				for f, v := range w {
					W[f*nClass+c] = float32(v)
				}
				b[c] = float32(bias)
			}
		}()
	}
	for c := range nClass {
		jobs <- c
	}
	close(jobs)
	wg.Wait()
	return W, b
}

func svmOneClass(xs []sparse, ys []int, c int, w, alpha []float64, index []int32, qd, diag []float64, maxIter int, seed uint64) float64 {
	const eps = 0.1
	r := splitmix.New(seed)
	l := len(xs)
	for i := range index {
		index[i] = int32(i)
	}
	var bias float64
	active := l
	pgMaxOld, pgMinOld := math.Inf(1), math.Inf(-1)
	for iter := 0; iter < maxIter; iter++ {
		pgMaxNew, pgMinNew := math.Inf(-1), math.Inf(1)
		splitmix.Shuffle(r, index[:active])
		for s := 0; s < active; s++ {
			i := index[s]
			x := xs[i]
			y := -1.0
			if ys[i] == c {
				y = 1
			}
			g := bias
			for k, j := range x.idx {
				g += w[j] * float64(x.val[k])
			}
			g = y*g - 1 + alpha[i]*diag[i]
			pg := 0.0
			if alpha[i] == 0 {
				if g > pgMaxOld {
					active--
					index[s], index[active] = index[active], index[s]
					s--
					continue
				} else if g < 0 {
					pg = g
				}
			} else {
				pg = g
			}
			pgMaxNew = max(pgMaxNew, pg)
			pgMinNew = min(pgMinNew, pg)
			if math.Abs(pg) > 1e-12 {
				old := alpha[i]
				alpha[i] = max(old-g/qd[i], 0)
				d := (alpha[i] - old) * y
				for k, j := range x.idx {
					w[j] += d * float64(x.val[k])
				}
				bias += d
			}
		}
		if pgMaxNew-pgMinNew <= eps {
			if active == l {
				break
			}
			active = l
			pgMaxOld, pgMinOld = math.Inf(1), math.Inf(-1)
			continue
		}
		pgMaxOld, pgMinOld = pgMaxNew, pgMinNew
		if pgMaxOld <= 0 {
			pgMaxOld = math.Inf(1)
		}
		if pgMinOld >= 0 {
			pgMinOld = math.Inf(-1)
		}
	}
	return bias
}
