// Package splitmix is the small deterministic random generator (SplitMix64)
// the bot's models train with: the same seed gives the same shuffles and
// initial weights on every machine and Go version, so a knowledge base
// always trains into the same model.
package splitmix

// Rand is a SplitMix64 generator; its zero value is seeded with 0.
type Rand struct{ s uint64 }

// New returns a generator seeded with seed.
func New(seed uint64) *Rand { return &Rand{s: seed} }

// Uint64 returns the next value.
func (r *Rand) Uint64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Intn returns a value in [0, n); n must be positive.
func (r *Rand) Intn(n int) int { return int(r.Uint64() % uint64(n)) }

// Shuffle permutes a in place (Fisher–Yates).
func Shuffle[T any](r *Rand, a []T) {
	for i := len(a) - 1; i > 0; i-- {
		j := r.Intn(i + 1)
		a[i], a[j] = a[j], a[i]
	}
}
