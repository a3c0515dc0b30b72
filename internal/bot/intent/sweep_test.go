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
	svm := func(f func(*FeatureConfig)) MemberConfig {
		fc := DefaultFeatureConfig()
		f(&fc)
		return MemberConfig{Features: fc, C: 1, Weight: 1}
	}
	lr := func(lambda float64, ep int, f func(*FeatureConfig)) MemberConfig {
		fc := DefaultFeatureConfig()
		f(&fc)
		return MemberConfig{Features: fc, Kind: "softmax", Lambda: lambda, Epochs: ep, Weight: 1}
	}
	ens := func(ms ...MemberConfig) func() Config {
		return func() Config {
			cfg := DefaultConfig()
			cfg.Members = ms
			return cfg
		}
	}
	c26 := func(f *FeatureConfig) { f.CharMinN, f.CharMaxN = 2, 6 }
	c14 := func(f *FeatureConfig) { f.CharMinN, f.CharMaxN = 1, 4 }
	cjk4 := func(f *FeatureConfig) { f.CJKMaxN = 4 }
	em := func(dim, ep int, lr float64) MemberConfig {
		return MemberConfig{Features: DefaultFeatureConfig(), Kind: "embed", Dim: dim, Epochs: ep, LR: lr, Weight: 1}
	}
	vs := []variant{
		{"emb", ens(em(100, 20, 0.5))},
		{"svm+emb.1", ens(svm(id), em(100, 10, 0.1))},
		{"svm+emb.2", ens(svm(id), em(100, 20, 0.2))},
		{"svm+lr+emb.1", ens(svm(id), lr(1e-5, 20, id), em(100, 10, 0.1))},
		{"emb.2", ens(em(100, 20, 0.2))},
		{"emb1", ens(em(100, 20, 1))},
		{"svm+emb", ens(svm(id), em(100, 20, 0.5))},
		{"svm+lr+emb", ens(svm(id), lr(1e-5, 20, id), em(100, 20, 0.5))},
		{"default", DefaultConfig},
		{"svm", ens(svm(id))},
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
		{"lr1e-4", ens(lr(1e-4, 20, id))},
		{"lr3e-5", ens(lr(3e-5, 20, id))},
		{"lr1e-5", ens(lr(1e-5, 20, id))},
		{"lr3e-6", ens(lr(3e-6, 20, id))},
		{"svm+lr3e-5", ens(svm(id), lr(3e-5, 20, id))},
		{"svm+lr1e-5", ens(svm(id), lr(1e-5, 20, id))},
		{"svm+svm26", ens(svm(id), svm(c26))},
		{"svm+svm14", ens(svm(id), svm(c14))},
		{"svm+lr26", ens(svm(id), lr(1e-5, 20, c26))},
		{"svm+lr+svm26", ens(svm(id), lr(1e-5, 20, id), svm(c26))},
		{"cjk4", ens(svm(cjk4))},
		{"cjk4bal", ens(func() MemberConfig { m := svm(cjk4); m.Balanced = true; return m }())},
		{"bal", ens(func() MemberConfig { m := svm(id); m.Balanced = true; return m }())},
		{"cjk4+lr", ens(svm(cjk4), lr(1e-5, 20, cjk4))},
	}
	if sel := os.Getenv("SWITCHBOARD_INTENT_VARIANTS"); sel != "" {
		var keep []variant
		for _, v := range vs {
			if contains(","+sel+",", ","+v.name+",") {
				keep = append(keep, v)
			}
		}
		vs = keep
	}
	only := os.Getenv("SWITCHBOARD_INTENT_SETS")
	for _, name := range []string{"banking77", "clinc150", "smp2017"} {
		if only != "" && !contains(only, name) {
			continue
		}
		s := sets[name]
		for _, v := range vs {
			rec := 0.7
			if os.Getenv("SWITCHBOARD_INTENT_RECALL") == "0.6" {
				rec = 0.6
			}
			r := evaluate(t, s[0], s[1], s[2], v.cfg(), rec)
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
