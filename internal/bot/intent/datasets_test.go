package intent

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bot/dataset"
)

// Research measurements on public data. Skipped unless
// SWITCHBOARD_DATASETS names the datasets folder, e.g.
//
//	SWITCHBOARD_DATASETS=/work/shared/datasets go test -run Datasets -v ./internal/bot/intent/
//
// Only train and dev splits are read.

func datasetsDir(t *testing.T) string {
	dir := os.Getenv("SWITCHBOARD_DATASETS")
	if dir == "" {
		t.Skip("SWITCHBOARD_DATASETS not set")
	}
	return dir
}

func readJSONL(t *testing.T, path string) []Example {
	t.Helper()
	exs, err := dataset.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]Example, len(exs))
	for i, e := range exs {
		out[i] = Example{Text: e.Text, Label: e.Label}
	}
	return out
}

// stratifiedSplit holds out frac of every label (deterministic order).
func stratifiedSplit(all []Example, frac float64, seed uint64) (train, val []Example) {
	by := map[string][]Example{}
	var labels []string
	for _, e := range all {
		if _, ok := by[e.Label]; !ok {
			labels = append(labels, e.Label)
		}
		by[e.Label] = append(by[e.Label], e)
	}
	sort.Strings(labels)
	r := rng{s: seed}
	for _, l := range labels {
		ex := by[l]
		perm := make([]int32, len(ex))
		for i := range perm {
			perm[i] = int32(i)
		}
		r.shuffle(perm)
		nv := int(float64(len(ex))*frac + 0.5)
		for k, i := range perm {
			if k < nv {
				val = append(val, ex[i])
			} else {
				train = append(train, ex[i])
			}
		}
	}
	return train, val
}

type evalResult struct {
	top1, top3, macroF1 float64 // top1/top3 over in-scope dev examples, no rejection
	inScopeAcc          float64 // correct label and not declined
	oosPrec, oosRec     float64
	train               time.Duration
	p50, p99            time.Duration
	heapMB              float64
	temp, threshold     float64
	features            int
}

func heapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// evaluate trains on train, calibrates on cal, picks the OOS threshold for
// oosRecall on cal (if cal has oos examples) and measures on dev.
func evaluate(t *testing.T, train, cal, dev []Example, cfg Config, oosRecall float64) evalResult {
	t.Helper()
	base := heapMB()
	start := time.Now()
	m, err := Train(train, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var r evalResult
	r.train = time.Since(start)
	r.heapMB = heapMB() - base
	for _, mb := range m.members {
		r.features += len(mb.voc.idf)
	}
	r.temp = m.Calibrate(cal)
	if m.oos >= 0 && oosRecall > 0 {
		m.SetThreshold(m.ThresholdForRecall(cal, m.labels[m.oos], oosRecall))
	}
	r.threshold = m.Threshold()
	oosLabel := "oos"
	var nIn, c1, c3, nInOK, nOOS, oosHit, oosCalls int
	lat := make([]time.Duration, 0, len(dev))
	tp, fp, fn := map[string]int{}, map[string]int{}, map[string]int{}
	for _, e := range dev {
		t0 := time.Now()
		p := m.Predict(e.Text, 3)
		lat = append(lat, time.Since(t0))
		if p.OOS {
			oosCalls++
		}
		if e.Label == oosLabel {
			nOOS++
			if p.OOS {
				oosHit++
			}
			if !p.OOS {
				fp[p.Label]++
			}
			continue
		}
		nIn++
		if p.Candidates[0].Label == e.Label {
			c1++
		}
		for _, c := range p.Candidates {
			if c.Label == e.Label {
				c3++
			}
		}
		if !p.OOS && p.Label == e.Label {
			nInOK++
			tp[e.Label]++
		} else {
			fn[e.Label]++
			if !p.OOS {
				fp[p.Label]++
			}
		}
	}
	var f1sum float64
	var nl int
	for _, l := range m.labels {
		if l == oosLabel {
			continue
		}
		nl++
		if d := 2*tp[l] + fp[l] + fn[l]; d > 0 {
			f1sum += 2 * float64(tp[l]) / float64(d)
		}
	}
	r.top1 = float64(c1) / float64(nIn)
	r.top3 = float64(c3) / float64(nIn)
	r.inScopeAcc = float64(nInOK) / float64(nIn)
	r.macroF1 = f1sum / float64(nl)
	if nOOS > 0 {
		r.oosRec = float64(oosHit) / float64(nOOS)
		if oosCalls > 0 {
			r.oosPrec = float64(oosHit) / float64(oosCalls)
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.p50 = lat[len(lat)/2]
	r.p99 = lat[len(lat)*99/100]
	return r
}

func (r evalResult) String() string {
	return fmt.Sprintf("top1 %.2f%% top3 %.2f%% macroF1 %.2f%% in-scope %.2f%% oosP %.1f%% oosR %.1f%% | train %v feats %d heap %.0fMB | p50 %v p99 %v | T %.4f thr %.3f",
		100*r.top1, 100*r.top3, 100*r.macroF1, 100*r.inScopeAcc, 100*r.oosPrec, 100*r.oosRec,
		r.train.Round(time.Millisecond), r.features, r.heapMB, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.temp, r.threshold)
}

func loadSets(t *testing.T) map[string][3][]Example {
	dir := datasetsDir(t)
	sets := map[string][3][]Example{}
	b := readJSONL(t, filepath.Join(dir, "banking77_en", "train.jsonl"))
	btr, bval := stratifiedSplit(b, 0.1, 42)
	sets["banking77"] = [3][]Example{btr, bval, bval}
	ctr := readJSONL(t, filepath.Join(dir, "clinc150_en", "train.jsonl"))
	cdev := readJSONL(t, filepath.Join(dir, "clinc150_en", "dev.jsonl"))
	sets["clinc150"] = [3][]Example{ctr, cdev, cdev}
	str := readJSONL(t, filepath.Join(dir, "smp2017_ecdt_zh", "train.jsonl"))
	sdev := readJSONL(t, filepath.Join(dir, "smp2017_ecdt_zh", "dev.jsonl"))
	sets["smp2017"] = [3][]Example{str, sdev, sdev}
	return sets
}

func TestDatasets(t *testing.T) {
	sets := loadSets(t)
	for _, name := range []string{"banking77", "clinc150", "smp2017"} {
		s := sets[name]
		recalls := []float64{0}
		if name == "clinc150" {
			recalls = []float64{0.6, 0.7, 0.8}
		}
		for _, rec := range recalls {
			r := evaluate(t, s[0], s[1], s[2], DefaultConfig(), rec)
			t.Logf("%-10s dev-oos-recall-target %.1f: %v", name, rec, r)
		}
	}
}
