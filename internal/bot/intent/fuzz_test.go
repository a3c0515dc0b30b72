package intent

import (
	"math"
	"testing"
)

// FuzzPredict feeds arbitrary customer text to a trained model: it must
// not panic, probabilities must form a distribution, the in-scope score
// must be a probability and the decision must agree with the threshold.
func FuzzPredict(f *testing.F) {
	for _, s := range []string{"", "where is my card", "退款到账了吗", "ＡＢＣ１２３！", "\x00\xff\xfe", "a'b’c‘d", "🙂🙂", "打开app设置 please"} {
		f.Add(s)
	}
	m, err := Train(toyExamples(), DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	m.Calibrate(append(toyExamples(), heldOutToy()...))
	m.SetThreshold(m.ChooseThreshold(heldOutToy(), "oos", 0.6))
	f.Fuzz(func(t *testing.T, s string) {
		var sum float64
		for _, p := range m.Probabilities(s) {
			if !(p >= 0 && p <= 1) {
				t.Fatalf("probability %v for %q", p, s)
			}
			sum += p
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Fatalf("probabilities of %q sum to %v", s, sum)
		}
		p := m.Predict(s, 3)
		if !(p.InScope >= 0 && p.InScope <= 1) {
			t.Fatalf("InScope %v for %q", p.InScope, s)
		}
		if p.InScope < m.Threshold() && !p.OOS {
			t.Fatalf("%q: InScope %v below threshold %v but not declined", s, p.InScope, m.Threshold())
		}
		if p.OOS != (p.Label == "") || len(p.Candidates) != 3 {
			t.Fatalf("inconsistent prediction for %q: %+v", s, p)
		}
	})
}
