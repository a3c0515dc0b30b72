package sentiment

import (
	"path/filepath"
	"testing"
)

// TestDatasetsPriorAblation measures what the English prior adds: 10-fold
// cross-validated accuracy on the English train split, averaged over four
// fold assignments, with the shipped prior and with an empty one. Skipped
// unless SWITCHBOARD_DATASETS is set, and in -short mode (about a minute).
func TestDatasetsPriorAblation(t *testing.T) {
	dir := datasetsDir(t)
	if testing.Short() {
		t.Skip("-short")
	}
	train := readSplit(t, filepath.Join(dir, "uci_sentiment_en", "train.jsonl"))
	cv := func(p *Prior) float64 {
		acc := 0.0
		seeds := []uint64{7, 11, 13, 17}
		for _, seed := range seeds {
			acc += crossValidateSeed(t, train, 10, seed, func(ex []Example) (Detector, error) {
				return trainWith(ex, TrainOptions{}, p)
			})
		}
		return acc / float64(len(seeds))
	}
	with, without := cv(EnglishPrior()), cv(&Prior{w: map[string]float32{}})
	t.Logf("uci_sentiment_en 10-fold cv (4 fold seeds): with prior %.4f, without %.4f", with, without)
	if with <= without {
		t.Errorf("the prior does not help: %.4f with, %.4f without", with, without)
	}
}
