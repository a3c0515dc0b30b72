package engine

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bot/dataset"
)

// Research harness for the ranking: builds one engine per dataset and
// scores the test texts under several ways of combining the classifier
// with retrieval, without rebuilding. Skipped unless SWITCHBOARD_RESEARCH
// names the datasets folder:
//
//	SWITCHBOARD_RESEARCH=/work/shared/datasets go test -run Research -v -timeout 30m ./internal/bot/engine/

type resCand struct {
	en                  int32
	lp                  float64 // classifier log-probability
	best, second, answr float64
}

type resText struct {
	gold  int // entry, -1 = out of scope
	cands []resCand
}

func researchData(t *testing.T, name string) (*Engine, []dataset.Example) {
	dir := os.Getenv("SWITCHBOARD_RESEARCH")
	if dir == "" {
		t.Skip("SWITCHBOARD_RESEARCH not set")
	}
	train, err := dataset.ReadFile(filepath.Join(dir, name, "train.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var test []dataset.Example
	if name == "banking77_en" {
		train, test = Split(train, 0.1, 42)
	} else if test, err = dataset.ReadFile(filepath.Join(dir, name, "dev.jsonl")); err != nil {
		t.Fatal(err)
	}
	entries, decline, err := FromExamples(train)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	e, err := Build(entries, Options{Seed: 1, Decline: decline})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%s: build %.1fs calib %+v comb %+v\n", name, time.Since(t0).Seconds(), e.calib, e.comb)
	return e, test
}

func (e *Engine) researchText(s string) []resCand {
	h := e.pool.Get().(*hits)
	defer func() {
		h.reset()
		e.pool.Put(h)
	}()
	q := e.ix.query(e.an, s)
	e.ix.search(q, nil, h)
	ents := topEntries(h, retrievalK)
	probs := e.clf.Probabilities(normalizeForClassifier(s))
	lp := make([]float64, len(e.entries))
	for i := range lp {
		lp[i] = logFloor
	}
	type lpe struct {
		e int32
		p float64
	}
	var top []lpe
	for l, p := range probs {
		if en := e.clfEntry[l]; en >= 0 {
			lp[en] = math.Max(logFloor, math.Log(p))
			top = append(top, lpe{en, p})
		}
	}
	sort.Slice(top, func(a, b int) bool { return top[a].p > top[b].p })
	for _, x := range top[:min(classifierK, len(top))] {
		found := false
		for _, y := range ents {
			found = found || y == x.e
		}
		if !found {
			ents = append(ents, x.e)
		}
	}
	var out []resCand
	for _, en := range ents {
		out = append(out, resCand{en: en, lp: lp[en], best: float64(h.best[en]), second: float64(h.second[en]), answr: float64(h.answer[en])})
	}
	return out
}

func TestResearchRanking(t *testing.T) {
	for _, name := range []string{"banking77_en", "clinc150_en", "smp2017_ecdt_zh"} {
		if only := os.Getenv("SWITCHBOARD_DATASET"); only != "" && only != name {
			continue
		}
		t.Run(name, func(t *testing.T) {
			e, test := researchData(t, name)
			var rs []resText
			for _, ex := range test {
				g := -1
				if i, ok := e.byID[ex.Label]; ok {
					g = i
				}
				if g < 0 {
					continue
				}
				rs = append(rs, resText{gold: g, cands: e.researchText(ex.Text)})
			}
			acc := func(score func(c resCand, cs []resCand) float64) float64 {
				right := 0
				for _, r := range rs {
					bi, bs := -1, math.Inf(-1)
					for i, c := range r.cands {
						if s := score(c, r.cands); s > bs {
							bi, bs = i, s
						}
					}
					if bi >= 0 && int(r.cands[bi].en) == r.gold {
						right++
					}
				}
				return 100 * float64(right) / float64(len(rs))
			}
			fmt.Printf("%s: %d in-scope texts\n", name, len(rs))
			for _, tie := range []float64{0, 0.25, 0.5, 1, 2, 3, 5} {
				fmt.Printf("  tie %.2f: %.2f  (no answer: %.2f)\n", tie,
					acc(func(c resCand, _ []resCand) float64 { return c.lp + tie*(c.best+0.5*c.answr) }),
					acc(func(c resCand, _ []resCand) float64 { return c.lp + tie*c.best }))
			}
			ptop := func(cs []resCand) float64 {
				m := logFloor * 1.0
				for _, c := range cs {
					m = math.Max(m, c.lp)
				}
				return math.Exp(m)
			}
			for _, g := range []float64{0.5, 0.7, 0.9} {
				for _, tie := range []float64{1, 3, 5} {
					fmt.Printf("  gate p_top<%.1f tie %.0f: %.2f\n", g, tie, acc(func(c resCand, cs []resCand) float64 {
						if ptop(cs) < g {
							return c.lp + tie*(c.best+0.5*c.answr)
						}
						return c.lp
					}))
				}
			}
			fmt.Printf("  retrieval alone (best): %.2f\n", acc(func(c resCand, _ []resCand) float64 { return c.best + 0.5*c.answr }))
		})
	}
}

// TestResearchDecline compares two scores for declining: the confidence
// (probability of the best candidate) and the best candidate against
// "none" alone, p(top) / (p(top) + p(none)), by the in-scope accuracy that
// is left at a given recall of the oos texts.
func TestResearchDecline(t *testing.T) {
	e, test := researchData(t, "clinc150_en")
	for _, tie := range []float64{3, 0.5} {
		e.tie = tie
		type o struct {
			conf, ins  float64
			right, oos bool
		}
		var os []o
		nIn, nOOS := 0, 0
		for _, ex := range test {
			r := e.rankText(ex.Text, nil)
			_, known := e.byID[ex.Label]
			x := o{oos: !known}
			if len(r.p) > 0 {
				x.conf = r.p[0]
				x.ins = r.p[0] / (r.p[0] + r.pNone)
				x.right = known && e.entries[r.ents[0]].ID == ex.Label
			}
			if x.oos {
				nOOS++
			} else {
				nIn++
			}
			os = append(os, x)
		}
		for _, which := range []string{"confidence", "against none"} {
			sc := func(x o) float64 {
				if which == "confidence" {
					return x.conf
				}
				return x.ins
			}
			sort.Slice(os, func(a, b int) bool { return sc(os[a]) < sc(os[b]) })
			for _, rec := range []float64{0.6, 0.7, 0.8, 0.9} {
				need := int(math.Ceil(rec * float64(nOOS)))
				k, th := 0, 0.0
				for _, x := range os {
					if x.oos {
						k++
						if k == need {
							th = math.Nextafter(sc(x), 2)
							break
						}
					}
				}
				right := 0
				for _, x := range os {
					if x.right && sc(x) >= th {
						right++
					}
				}
				fmt.Printf("tie %.1f %s: oos recall %.1f threshold %.3f in-scope %.2f\n", tie, which, rec, th, 100*float64(right)/float64(nIn))
			}
		}
	}
}
