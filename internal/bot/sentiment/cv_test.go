package sentiment

import (
	"path/filepath"
	"testing"
)

// crossValidate trains on k-1 folds and scores the held-out fold, k times;
// it returns the accuracy over all held-out examples. Folds are fixed by a
// seeded shuffle, so the figure is repeatable.
func crossValidate(t *testing.T, ex []Example, k int, train func([]Example) (Detector, error)) float64 {
	return crossValidateSeed(t, ex, k, 7, train)
}

func crossValidateSeed(t *testing.T, ex []Example, k int, seed uint64, train func([]Example) (Detector, error)) float64 {
	t.Helper()
	idx := make([]int, len(ex))
	for i := range idx {
		idx[i] = i
	}
	rng := seed
	for i := len(idx) - 1; i > 0; i-- {
		rng = splitmix(rng)
		j := int(rng % uint64(i+1))
		idx[i], idx[j] = idx[j], idx[i]
	}
	right := 0
	for f := 0; f < k; f++ {
		var tr, te []Example
		for p, i := range idx {
			if p%k == f {
				te = append(te, ex[i])
			} else {
				tr = append(tr, ex[i])
			}
		}
		d, err := train(tr)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range te {
			if d.Negative(e.Text) == e.Negative {
				right++
			}
		}
	}
	return float64(right) / float64(len(ex))
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	z := x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// TestDatasetsCrossValidation reports 10-fold cross-validated accuracy of
// the trained detector on each train split: the figure used to choose the
// modelling (features, lexicon input, epochs), since the dev splits are
// only for the reported results. Skipped unless SWITCHBOARD_DATASETS is
// set, and in -short mode. (English only: the Chinese sets take about ten
// times longer.)
func TestDatasetsCrossValidation(t *testing.T) {
	dir := datasetsDir(t)
	if testing.Short() {
		t.Skip("-short")
	}
	for _, name := range []string{"uci_sentiment_en"} {
		train := readSplit(t, filepath.Join(dir, name, "train.jsonl"))
		cv := crossValidate(t, train, 10, func(ex []Example) (Detector, error) { return Train(ex) })
		t.Logf("trained %-26s 10-fold cv on train n=%d acc=%.4f", name, len(train), cv)
		if cv < 0.88 {
			t.Errorf("cross-validated accuracy %.4f below 0.88", cv)
		}
	}
}
