package intent

import "sort"

func sortUint64(a []uint64) { sort.Slice(a, func(i, j int) bool { return a[i] < a[j] }) }

type sparseSorter struct{ s *sparse }

func (p sparseSorter) Len() int           { return len(p.s.idx) }
func (p sparseSorter) Less(i, j int) bool { return p.s.idx[i] < p.s.idx[j] }
func (p sparseSorter) Swap(i, j int) {
	p.s.idx[i], p.s.idx[j] = p.s.idx[j], p.s.idx[i]
	p.s.val[i], p.s.val[j] = p.s.val[j], p.s.val[i]
}

func sortSparse(s *sparse) { sort.Sort(sparseSorter{s}) }

// rng is a small deterministic generator (splitmix64).
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func (r *rng) shuffle(a []int32) {
	for i := len(a) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		a[i], a[j] = a[j], a[i]
	}
}
