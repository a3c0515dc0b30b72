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
