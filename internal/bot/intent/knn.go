package intent

// exemplars is an inverted index over the training vectors of one member,
// used to add a nearest-example similarity per class to the linear scores.
type exemplars struct {
	post  [][]posting // by feature
	label []int32     // by example
	n     int
}

type posting struct {
	ex  int32
	val float32
}

func buildExemplars(xs []sparse, ys []int, nFeat int) *exemplars {
	e := &exemplars{post: make([][]posting, nFeat), label: make([]int32, len(xs)), n: len(xs)}
	for i, x := range xs {
		e.label[i] = int32(ys[i])
		for k, j := range x.idx {
			e.post[j] = append(e.post[j], posting{int32(i), x.val[k]})
		}
	}
	return e
}

// maxSim writes, per class, the best cosine similarity between x and a
// training example of that class (vectors are unit length per group).
func (e *exemplars) maxSim(x sparse, norm float64, out []float64, acc []float32) {
	clear(acc)
	for k, j := range x.idx {
		v := x.val[k]
		for _, p := range e.post[j] {
			acc[p.ex] += v * p.val
		}
	}
	clear(out)
	for i, s := range acc {
		if c := e.label[i]; float64(s)/norm > out[c] {
			out[c] = float64(s) / norm
		}
	}
}
