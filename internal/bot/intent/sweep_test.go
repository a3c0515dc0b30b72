package intent

import (
	"os"
	"testing"
)

// TestDatasetsSweep compares configurations on train/dev (research only;
// needs SWITCHBOARD_DATASETS and SWITCHBOARD_INTENT_SWEEP=1).
func TestDatasetsSweep(t *testing.T) {
	if os.Getenv("SWITCHBOARD_INTENT_SWEEP") == "" {
		t.Skip("SWITCHBOARD_INTENT_SWEEP not set")
	}
	sets := loadSets(t)
	type variant struct {
		name string
		cfg  func() Config
	}
	mk := func(c float64, f func(*FeatureConfig)) func() Config {
		return func() Config {
			cfg := DefaultConfig()
			cfg.Members[0].C = c
			f(&cfg.Members[0].Features)
			return cfg
		}
	}
	id := func(*FeatureConfig) {}
	knn := func(c, k float64) func() Config {
		return func() Config {
			cfg := DefaultConfig()
			cfg.Members[0].C = c
			cfg.Members[0].KNNWeight = k
			return cfg
		}
	}
	vs := []variant{
		{"default", DefaultConfig},
		{"C0.3", mk(0.3, id)},
		{"C3", mk(3, id)},
		{"w3", mk(1, func(f *FeatureConfig) { f.WordMaxN = 3 })},
		{"char1-5", mk(1, func(f *FeatureConfig) { f.CharMinN = 1 })},
		{"cw0.5", mk(1, func(f *FeatureConfig) { f.CharWeight = 0.5 })},
		{"nochar", mk(1, func(f *FeatureConfig) { f.CharMaxN = 0 })},
		{"knn0.5", knn(1, 0.5)},
		{"knn1", knn(1, 1)},
		{"knn2", knn(1, 2)},
		{"C0.5knn1", knn(0.5, 1)},
	}
	only := os.Getenv("SWITCHBOARD_INTENT_SETS")
	for _, name := range []string{"banking77", "clinc150", "smp2017"} {
		if only != "" && !contains(only, name) {
			continue
		}
		s := sets[name]
		for _, v := range vs {
			r := evaluate(t, s[0], s[1], s[2], v.cfg(), 0.7)
			t.Logf("%-10s %-10s %v", name, v.name, r)
		}
	}
}

func contains(list, s string) bool {
	for i := 0; i+len(s) <= len(list); i++ {
		if list[i:i+len(s)] == s {
			return true
		}
	}
	return false
}
