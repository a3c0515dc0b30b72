package intent

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestDatasetsCompare measures configurations on train/dev with the
// protocol of the package documentation (research only; needs
// SWITCHBOARD_DATASETS and SWITCHBOARD_INTENT_COMPARE=name,name,...):
// BANKING77 on two stratified 10 % hold-outs of train (seeds 42 and 7),
// CLINC150 and SMP2017 on dev. CLINC150's decline threshold is cross-fitted:
// dev is split in halves (3 seeds x 2 folds), the model is calibrated and
// the threshold chosen on one half, and in-scope accuracy and oos recall
// are measured on the other.
func TestDatasetsCompare(t *testing.T) {
	sel := os.Getenv("SWITCHBOARD_INTENT_COMPARE")
	if sel == "" {
		t.Skip("SWITCHBOARD_INTENT_COMPARE not set")
	}
	dir := datasetsDir(t)
	vs := compareVariants()
	only := os.Getenv("SWITCHBOARD_INTENT_SETS")
	b := readJSONL(t, filepath.Join(dir, "banking77_en", "train.jsonl"))
	ctr := readJSONL(t, filepath.Join(dir, "clinc150_en", "train.jsonl"))
	cdev := readJSONL(t, filepath.Join(dir, "clinc150_en", "dev.jsonl"))
	str := readJSONL(t, filepath.Join(dir, "smp2017_ecdt_zh", "train.jsonl"))
	sdev := readJSONL(t, filepath.Join(dir, "smp2017_ecdt_zh", "dev.jsonl"))
	for _, name := range strings.Split(sel, ",") {
		mk, ok := vs[name]
		if !ok {
			mk, ok = augVariant(name)
		}
		if !ok {
			mk, ok = posVariant(name)
		}
		if !ok {
			t.Fatalf("unknown variant %q", name)
		}
		var line []string
		if only == "" || strings.Contains(only, "banking") {
			for _, seed := range []uint64{42, 7} {
				tr, val := stratifiedSplit(b, 0.1, seed)
				m, d := trainTimed(t, tr, mk())
				m.Calibrate(val)
				acc, ece := top1ECE(m, val)
				line = append(line, fmt.Sprintf("B%d %.2f (ece %.1f, %.1fs)", seed, 100*acc, 100*ece, d.Seconds()))
			}
		}
		if only == "" || strings.Contains(only, "clinc") {
			m, d := trainTimed(t, ctr, mk())
			m.Calibrate(cdev)
			acc, ece := top1ECE(m, cdev)
			line = append(line, fmt.Sprintf("C top1 %.2f (ece %.1f, %.1fs)", 100*acc, 100*ece, d.Seconds()))
			for _, rec := range []float64{0.6} {
				in, or, inLo, orLo := crossFitOOS(m, cdev, "oos", rec)
				line = append(line, fmt.Sprintf("C@%.1f in %.2f oosR %.1f (worst %.2f/%.1f)", rec, 100*in, 100*or, 100*inLo, 100*orLo))
			}
			if os.Getenv("SWITCHBOARD_INTENT_RULES") != "" {
				for _, r := range ruleCompare(m, cdev, "oos") {
					t.Logf("%-14s %s", name, r)
				}
			}
		}
		if only == "" || strings.Contains(only, "smp") {
			m, d := trainTimed(t, str, mk())
			m.Calibrate(sdev)
			acc, ece := top1ECE(m, sdev)
			line = append(line, fmt.Sprintf("S %.2f (ece %.1f, %.1fs)", 100*acc, 100*ece, d.Seconds()))
		}
		if strings.Contains(only, "smpcv") {
			// SMP2017 train and dev pooled, five stratified 20 % hold-outs:
			// more measured texts than dev alone, to see past its noise.
			pool := append(append([]Example(nil), str...), sdev...)
			var sum float64
			var parts []string
			for _, seed := range []uint64{1, 2, 3, 4, 5} {
				tr, val := stratifiedSplit(pool, 0.2, seed)
				m, _ := trainTimed(t, tr, mk())
				m.Calibrate(val)
				acc, _ := top1ECE(m, val)
				sum += acc
				parts = append(parts, fmt.Sprintf("%.2f", 100*acc))
			}
			line = append(line, fmt.Sprintf("Scv mean %.2f (%s)", 100*sum/5, strings.Join(parts, " ")))
		}
		t.Logf("%-14s %s", name, strings.Join(line, " | "))
	}
}

func trainTimed(t *testing.T, tr []Example, cfg Config) (*Model, time.Duration) {
	t.Helper()
	start := time.Now()
	m, err := Train(tr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m, time.Since(start)
}

// top1ECE returns the top-1 accuracy over in-scope examples (no decline)
// and the expected calibration error (15 equal-width bins) of the most
// probable label over all labels, reject class included.
func top1ECE(m *Model, dev []Example) (acc, ece float64) {
	var n, ok int
	const bins = 15
	var cnt, conf, hit [bins]float64
	for _, e := range dev {
		p := m.Probabilities(e.Text)
		best := 0
		for c := range p {
			if p[c] > p[best] {
				best = c
			}
		}
		k := min(int(p[best]*bins), bins-1)
		cnt[k]++
		conf[k] += p[best]
		if m.labels[best] == e.Label {
			hit[k]++
		}
		if e.Label == "oos" {
			continue
		}
		n++
		if m.Predict(e.Text, 1).Candidates[0].Label == e.Label {
			ok++
		}
	}
	for k := range bins {
		ece += math.Abs(conf[k]-hit[k]) / float64(len(dev))
	}
	return float64(ok) / float64(n), ece
}

// crossFitOOS splits dev in stratified halves (3 seeds), calibrates and
// chooses the decline threshold on one half and measures the other; it
// returns the mean in-scope accuracy and oos recall and the worst fold.
func crossFitOOS(m *Model, dev []Example, oosLabel string, minRecall float64) (in, rec, inLo, recLo float64) {
	inLo, recLo = 1, 1
	saved, savedT := m.Threshold(), m.temp
	savedM := make([]float64, len(m.members))
	for i := range m.members {
		savedM[i] = m.members[i].temp
	}
	defer func() {
		m.SetThreshold(saved)
		m.temp = savedT
		for i := range m.members {
			m.members[i].temp = savedM[i]
		}
	}()
	n := 0
	for _, seed := range []uint64{1, 2, 3} {
		a, b := stratifiedSplit(dev, 0.5, seed)
		for _, f := range [][2][]Example{{a, b}, {b, a}} {
			m.Calibrate(f[0])
			m.SetThreshold(m.ChooseThreshold(f[0], oosLabel, minRecall))
			i, r := inScopeAndRecall(m, f[1], oosLabel)
			in += i
			rec += r
			inLo = min(inLo, i)
			recLo = min(recLo, r)
			n++
		}
	}
	return in / float64(n), rec / float64(n), inLo, recLo
}

func inScopeAndRecall(m *Model, dev []Example, oosLabel string) (in, rec float64) {
	var nIn, okIn, nOOS, okOOS int
	for _, e := range dev {
		p := m.Predict(e.Text, 1)
		if e.Label == oosLabel {
			nOOS++
			if p.OOS {
				okOOS++
			}
			continue
		}
		nIn++
		if !p.OOS && p.Label == e.Label {
			okIn++
		}
	}
	return float64(okIn) / float64(nIn), float64(okOOS) / float64(max(nOOS, 1))
}

// compareVariants names the configurations TestDatasetsCompare can run.
func compareVariants() map[string]func() Config {
	vs := map[string]func() Config{"default": DefaultConfig}
	mod := func(f func(*Config)) func() Config {
		return func() Config {
			cfg := DefaultConfig()
			f(&cfg)
			return cfg
		}
	}
	vs["knn.5"] = mod(func(c *Config) { c.Members[0].KNNWeight = 0.5 })
	vs["embw2"] = mod(func(c *Config) { c.Members[1].Weight = 2 })
	vs["svmw2"] = mod(func(c *Config) { c.Members[0].Weight = 2 })
	vs["embep30"] = mod(func(c *Config) { c.Members[1].Epochs = 30 })
	vs["embep30lr.2"] = mod(func(c *Config) { c.Members[1].Epochs = 30; c.Members[1].LR = 0.2 })
	vs["knn1"] = mod(func(c *Config) { c.Members[0].KNNWeight = 1 })
	vs["C.5"] = mod(func(c *Config) { c.Members[0].C = 0.5 })
	vs["C2"] = mod(func(c *Config) { c.Members[0].C = 2 })
	vs["cjk2"] = mod(func(c *Config) { c.Members[0].Features.CJKMaxN = 2; c.Members[1].Features.CJKMaxN = 2 })
	vs["svm"] = mod(func(c *Config) { c.Members = c.Members[:1] })
	vs["emb"] = mod(func(c *Config) { c.Members = c.Members[1:] })
	vs["lr+emb"] = mod(func(c *Config) {
		c.Members[0] = MemberConfig{Features: DefaultFeatureConfig(), Kind: "softmax", Lambda: 1e-5, Epochs: 20, Weight: 1}
	})
	vs["svm+svmword+emb"] = mod(func(c *Config) {
		w := c.Members[0]
		w.Features.CharMaxN = 0
		c.Members = append(c.Members, w)
	})
	return vs
}

// declineRule scores a probability vector: lower means more likely out of
// scope. top is the best in-scope label.
type declineRule struct {
	name string
	f    func(p []float64, top, second, oos int) float64
}

var declineRules = []declineRule{
	{"top", func(p []float64, top, second, oos int) float64 { return p[top] }},
	{"margin", func(p []float64, top, second, oos int) float64 { return p[top] - p[second] }},
	{"1-oos", func(p []float64, top, second, oos int) float64 { return 1 - p[oos] }},
	{"top-oos", func(p []float64, top, second, oos int) float64 { return p[top] - p[oos] }},
	{"logtop/oos", func(p []float64, top, second, oos int) float64 { return math.Log(p[top]) - math.Log(p[oos]) }},
}

// ruleCompare cross-fits every decline rule like crossFitOOS, at several
// recall targets, and returns one line per rule.
func ruleCompare(m *Model, dev []Example, oosLabel string) []string {
	type fold struct {
		a, b   [][]float64
		ay, by []string
	}
	var folds []fold
	probs := func(ex []Example) ([][]float64, []string) {
		var ps [][]float64
		var ys []string
		for _, e := range ex {
			ps = append(ps, m.Probabilities(e.Text))
			ys = append(ys, e.Label)
		}
		return ps, ys
	}
	for _, seed := range []uint64{1, 2, 3} {
		a, b := stratifiedSplit(dev, 0.5, seed)
		for _, f := range [][2][]Example{{a, b}, {b, a}} {
			m.Calibrate(f[0])
			var fd fold
			fd.a, fd.ay = probs(f[0])
			fd.b, fd.by = probs(f[1])
			folds = append(folds, fd)
		}
	}
	m.Calibrate(dev)
	oos := m.oos
	score := func(r declineRule, p []float64) (float64, int, bool) {
		top, second := -1, -1
		for c := range p {
			if c == oos {
				continue
			}
			if top < 0 || p[c] > p[top] {
				top, second = c, top
			} else if second < 0 || p[c] > p[second] {
				second = c
			}
		}
		return r.f(p, top, second, oos), top, p[oos] > p[top]
	}
	var out []string
	for _, r := range declineRules {
		line := r.name
		for _, rec := range []float64{0.6, 0.7} {
			var sumIn, sumRec float64
			minIn, minRec := 1.0, 1.0
			for _, fd := range folds {
				// choose on a
				var ss []float64
				n, rej := 0, 0
				for i, p := range fd.a {
					if fd.ay[i] != oosLabel {
						continue
					}
					n++
					s, _, r := score(r, p)
					if r {
						rej++
						continue
					}
					ss = append(ss, s)
				}
				k := n
				for j := int(math.Ceil(rec * float64(n))); j <= n; j++ {
					if wilsonLower(j, n, 1.2816) >= rec {
						k = j
						break
					}
				}
				sort.Float64s(ss)
				need := k - rej
				thr := math.Inf(-1)
				if need > 0 && need < len(ss) {
					thr = (ss[need-1] + ss[need]) / 2
				} else if need >= len(ss) && len(ss) > 0 {
					thr = math.Nextafter(ss[len(ss)-1], math.Inf(1))
				}
				var nIn, okIn, nO, okO int
				for i, p := range fd.b {
					s, top, rj := score(r, p)
					decl := rj || s < thr
					if fd.by[i] == oosLabel {
						nO++
						if decl {
							okO++
						}
						continue
					}
					nIn++
					if !decl && m.labels[top] == fd.by[i] {
						okIn++
					}
				}
				in, rc := float64(okIn)/float64(nIn), float64(okO)/float64(nO)
				sumIn += in
				sumRec += rc
				minIn, minRec = min(minIn, in), min(minRec, rc)
			}
			nf := float64(len(folds))
			line += fmt.Sprintf(" | @%.1f in %.2f oosR %.1f (worst %.2f/%.1f)", rec, 100*sumIn/nf, 100*sumRec/nf, 100*minIn, 100*minRec)
		}
		out = append(out, line)
	}
	return out
}

// augVariant parses "aug/c=2:p=0.1:s=0.3:w=0.5:k=svm:e=10:m=0.5" into the default
// configuration with that augmentation (c copies, p drop probability, s
// swap probability, w copy weight, k member kind, e embedding epochs, m embedding mixup
// share).
func augVariant(name string) (func() Config, bool) {
	spec, ok := strings.CutPrefix(name, "aug/")
	if !ok {
		return nil, false
	}
	return func() Config {
		cfg := DefaultConfig()
		for _, kv := range strings.Split(spec, ":") {
			k, v, _ := strings.Cut(kv, "=")
			var f float64
			fmt.Sscan(v, &f)
			switch k {
			case "c":
				cfg.Augment.Copies = int(f)
			case "p":
				cfg.Augment.DropProb = f
			case "s":
				cfg.Augment.SwapProb = f
			case "w":
				cfg.Augment.Weight = f
			case "k":
				cfg.Augment.Kind = v
			case "e":
				cfg.Members[1].Epochs = int(f)
			case "m":
				cfg.Members[1].Mixup = f
			}
		}
		return cfg
	}, true
}
