package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bot/dataset"
	"github.com/switchboard-cs/switchboard/internal/bot/text"
)

// Research measurements on the public datasets, the same path as
// "switchboard bot eval" without --dev (the policy is tuned on a slice of
// train). Skipped unless SWITCHBOARD_DATASETS names the datasets folder:
//
//	SWITCHBOARD_DATASETS=/work/shared/datasets go test -run Datasets -v -timeout 30m ./internal/bot/engine/
//
// Only train and dev splits are read; BANKING77 has no dev split, so a
// stratified 10 % of its train file (seed 42) is the test here.
func TestDatasets(t *testing.T) {
	dir := os.Getenv("SWITCHBOARD_DATASETS")
	if dir == "" {
		t.Skip("SWITCHBOARD_DATASETS not set")
	}
	only := os.Getenv("SWITCHBOARD_DATASET")
	for _, name := range []string{"banking77_en", "clinc150_en", "smp2017_ecdt_zh"} {
		if only != "" && only != name {
			continue
		}
		t.Run(name, func(t *testing.T) {
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
			text.Preload()
			base := heapInUse()
			t0 := time.Now()
			e, p, err := BuildTuned(train, nil, Options{Seed: 1}, DefaultTuneTarget())
			if err != nil {
				t.Fatal(err)
			}
			build := time.Since(t0)
			m := Evaluate(e, test, p)
			fmt.Printf("%s: retained heap %.1f MB\n", name, float64(heapInUse()-base)/(1<<20))
			fmt.Printf("%s: build+tune %.1fs policy %+v calib %+v comb %+v\n", name, build.Seconds(), p, e.calib, e.comb)
			fmt.Printf("%s: %+v\n", name, m)
			raw := Evaluate(e, test, Policy{Answer: 0, Clarify: 0, Negative: 1})
			fmt.Printf("%s: no thresholds: top-1 %.4f top-3 %.4f\n", name, raw.InScopeAcc, raw.Top3Acc)
			if e.clf != nil {
				c1, n := 0, 0
				for _, ex := range test {
					if ex.Label == DeclineLabel {
						continue
					}
					n++
					if pr := e.clf.Predict(normalizeForClassifier(ex.Text), 1); len(pr.Candidates) > 0 && pr.Candidates[0].Label == ex.Label {
						c1++
					}
				}
				fmt.Printf("%s: classifier alone top-1 %.4f\n", name, float64(c1)/float64(n))
			}
			// reliability of the confidence on the test texts
			rel := MeasureReliability(e, test)
			fmt.Printf("%s: ECE %.4f\n%s", name, rel.ECE, rel)
			// sweep of the Decline threshold (in-scope score)
			if m.OOS > 0 {
				for _, c := range []float64{0.5, 0.6, 0.7, 0.8, 0.85, 0.9} {
					q := p
					q.Decline = c
					mm := Evaluate(e, test, q)
					fmt.Printf("  decline %.2f: in-scope %.4f oos recall %.4f prec %.4f\n", c, mm.InScopeAcc, mm.OOSRecall, mm.OOSPrecision)
				}
			}
		})
	}
}

// TestDatasetsSentimentHandoff measures how often in-scope questions of the
// training files would be handed off for negative sentiment, per threshold
// (the engine's score: the detector's, raised for explicit anger).
func TestDatasetsSentimentHandoff(t *testing.T) {
	dir := os.Getenv("SWITCHBOARD_DATASETS")
	if dir == "" {
		t.Skip("SWITCHBOARD_DATASETS not set")
	}
	e := &Engine{}
	e.sent = defaultDetector()
	ths := []float64{0.95, 0.98, 0.985, 0.99, 0.995, 0.999}
	for _, name := range []string{"banking77_en", "clinc150_en", "smp2017_ecdt_zh"} {
		exs, err := dataset.ReadFile(filepath.Join(dir, name, "train.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		trip := make([]int, len(ths))
		cue, n := 0, 0
		for _, ex := range exs {
			if ex.Label == DeclineLabel {
				continue
			}
			n++
			c := compact(ex.Text)
			s := e.sentiment(ex.Text, c)
			if angerCue(c) {
				cue++
			}
			for i, th := range ths {
				if s >= th {
					trip[i]++
				}
			}
		}
		fmt.Printf("%s: %d in-scope texts, anger cue %.4f;", name, n, float64(cue)/float64(n))
		for i, th := range ths {
			fmt.Printf(" ≥%.3f %.4f", th, float64(trip[i])/float64(n))
		}
		fmt.Println()
	}
	for _, s := range []string{"你们这什么垃圾服务，气死我了！", "This is ridiculous, worst service ever!!!", "服务太差了，我要投诉", "I am so angry, nobody helps me!", "my card was declined, this is so annoying"} {
		fmt.Printf("  %.4f %s\n", e.sentiment(s, compact(s)), s)
	}
}

// TestDatasetsHumanRequests counts the texts of the training files that the
// request-for-a-person rule would hand off (none of them asks for one).
func TestDatasetsHumanRequests(t *testing.T) {
	dir := os.Getenv("SWITCHBOARD_DATASETS")
	if dir == "" {
		t.Skip("SWITCHBOARD_DATASETS not set")
	}
	for _, name := range []string{"banking77_en", "clinc150_en", "smp2017_ecdt_zh"} {
		exs, err := dataset.ReadFile(filepath.Join(dir, name, "train.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		n, hits, small := 0, 0, 0
		for _, ex := range exs {
			n++
			c := compact(ex.Text)
			if asksForHuman(c) {
				hits++
				fmt.Printf("  %s: %q [%s]\n", name, ex.Text, ex.Label)
			}
			if k, _ := smallTalk(c); k != "" {
				small++
			}
		}
		fmt.Printf("%s: %d texts, request for a person %d, small talk %d\n", name, n, hits, small)
	}
}
