package sentiment

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/bot/text"
)

// The generator of prior/en.tsv. It reads the GoEmotions train split
// (Apache-2.0), keeps the comments whose emotions are all on one side of
// the polarity map below, fits an L2-regularised logistic regression on
// priorFeatures and writes the strongest weights. Run it with
//
//	SWITCHBOARD_DATASETS=/path/to/datasets SWITCHBOARD_GEN_PRIOR=1 \
//	  go test -run TestGeneratePrior ./internal/bot/sentiment/
//
// and then update priorSHA256 (the test prints it). The result depends only
// on the input file and priorGen: plain SGD in a seeded order, float64.

// Emotions of GoEmotions by polarity; the others (neutral, surprise,
// curiosity, confusion, realization, desire) are left out, and so are
// comments labelled with both sides.
var (
	priorPositive = []string{"admiration", "amusement", "approval", "caring", "excitement", "gratitude", "joy", "love", "optimism", "pride", "relief"}
	priorNegative = []string{"anger", "annoyance", "disappointment", "disapproval", "disgust", "embarrassment", "fear", "grief", "nervousness", "remorse", "sadness"}
)

// priorGenOptions are the generator's settings.
type priorGenOptions struct {
	Epochs     int
	Rate       float64
	L2         float64
	MinCount   int     // a key must occur in this many comments
	MaxEntries int     // keep the strongest this many
	MinAbs     float64 // and drop weights below this
	NoBigrams  bool    // research: leave out "stem stem" keys
	NoNegated  bool    // research: leave out "~stem" keys
	NB         float64 // research: > 0 = naive-Bayes log-count ratios with this smoothing instead of regression
}

// priorGen is what prior/en.tsv was generated with (chosen by
// cross-validation on the English review train split, see doc.go).
var priorGen = priorGenOptions{Epochs: 10, Rate: 0.05, L2: 1e-5, MinCount: 3, MaxEntries: 20000, MinAbs: 0.02}

// priorSHA256 is the checksum of the shipped prior/en.tsv.
const priorSHA256 = "346c5e798099fc3d2d9b24071979e86885b8bcd0cf7693a8438a67986e5871de"

type priorDoc struct {
	feats []int32
	neg   bool
}

// readGoEmotions reads a GoEmotions JSON Lines split into polar examples.
func readGoEmotions(path string) ([]string, []bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var texts []string
	var negs []bool
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var row struct {
			Text   string   `json:"text"`
			Labels []string `json:"labels"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		pos, neg := false, false
		for _, l := range row.Labels {
			pos = pos || slices.Contains(priorPositive, l)
			neg = neg || slices.Contains(priorNegative, l)
		}
		if pos == neg {
			continue
		}
		texts = append(texts, row.Text)
		negs = append(negs, neg)
	}
	return texts, negs, sc.Err()
}

// fitPrior learns the prior's weights from polar examples.
func fitPrior(texts []string, negs []bool, o priorGenOptions) map[string]float64 {
	ids := map[string]int32{}
	var keys []string
	var count []int
	docs := make([]priorDoc, len(texts))
	for i, s := range texts {
		var fs []int32
		priorFeatures(text.Normalize(s), func(k string) {
			if o.NoBigrams && strings.Contains(k, " ") || o.NoNegated && k[0] == '~' {
				return
			}
			id, ok := ids[k]
			if !ok {
				id = int32(len(keys))
				ids[k] = id
				keys = append(keys, k)
				count = append(count, 0)
			}
			count[id]++
			fs = append(fs, id)
		})
		docs[i] = priorDoc{fs, negs[i]}
	}
	// rare keys are dropped before fitting: they would only memorise
	for i := range docs {
		docs[i].feats = slices.DeleteFunc(docs[i].feats, func(id int32) bool { return count[id] < o.MinCount })
	}
	w := make([]float64, len(keys))
	var b float64
	if o.NB > 0 {
		o.Epochs = 0
		cn := make([]float64, len(keys))
		var nn, np float64
		for _, d := range docs {
			if d.neg {
				nn++
			} else {
				np++
			}
			for _, f := range d.feats {
				if d.neg {
					cn[f]++
				}
			}
		}
		for f := range w {
			cp := float64(count[f]) - cn[f]
			w[f] = math.Log((cn[f]+o.NB)/(nn+2*o.NB)) - math.Log((cp+o.NB)/(np+2*o.NB))
		}
	}
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	rng := uint64(1)
	steps, t := o.Epochs*len(docs), 0
	for e := 0; e < o.Epochs; e++ {
		for i := len(order) - 1; i > 0; i-- {
			rng = splitmix(rng)
			j := int(rng % uint64(i+1))
			order[i], order[j] = order[j], order[i]
		}
		for _, i := range order {
			d := docs[i]
			z := b
			for _, f := range d.feats {
				z += w[f]
			}
			y := 0.0
			if d.neg {
				y = 1
			}
			g := sigmoid(z) - y
			eta := o.Rate * (1 - float64(t)/float64(steps+1))
			t++
			for _, f := range d.feats {
				w[f] -= eta * (g + o.L2*float64(len(docs))*w[f]/float64(max(count[f], 1)))
			}
			b -= eta * g
		}
	}
	type kw struct {
		k string
		w float64
	}
	var all []kw
	for id, k := range keys {
		if count[id] >= o.MinCount && math.Abs(w[id]) >= o.MinAbs {
			all = append(all, kw{k, math.Round(w[id]*1000) / 1000})
		}
	}
	slices.SortFunc(all, func(a, b kw) int {
		if c := math.Abs(b.w) - math.Abs(a.w); c != 0 {
			if c > 0 {
				return 1
			}
			return -1
		}
		return strings.Compare(a.k, b.k)
	})
	if len(all) > o.MaxEntries {
		all = all[:o.MaxEntries]
	}
	out := make(map[string]float64, len(all))
	for _, e := range all {
		if e.w != 0 {
			out[e.k] = e.w
		}
	}
	return out
}

// formatPrior renders a prior file: a header, then entries sorted by key.
func formatPrior(m map[string]float64, o priorGenOptions, polar int) string {
	var sb strings.Builder
	sb.WriteString("# English polarity prior for internal/bot/sentiment (see NOTICE).\n")
	sb.WriteString("# Generated by prior_gen_test.go from the GoEmotions train split; do not edit.\n")
	fmt.Fprintf(&sb, "# %d polar comments; epochs=%d rate=%g l2=%g min_count=%d max_entries=%d min_abs=%g\n",
		polar, o.Epochs, o.Rate, o.L2, o.MinCount, o.MaxEntries, o.MinAbs)
	sb.WriteString("# WEIGHT<TAB>KEY; KEY is a Porter2 stem, two stems, or ~stem after a negator; weight > 0 = negative.\n")
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&sb, "%s\t%s\n", strconvW(m[k]), k)
	}
	return sb.String()
}

func strconvW(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	if s == "-0.000" {
		s = "0.000"
	}
	return s
}

func TestGeneratePrior(t *testing.T) {
	if os.Getenv("SWITCHBOARD_GEN_PRIOR") == "" {
		t.Skip("SWITCHBOARD_GEN_PRIOR not set")
	}
	dir := datasetsDir(t)
	texts, negs, err := readGoEmotions(filepath.Join(dir, "goemotions_en", "train.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	src := formatPrior(fitPrior(texts, negs, priorGen), priorGen, len(texts))
	if err := os.WriteFile(filepath.Join("prior", "en.tsv"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(src))
	t.Logf("wrote prior/en.tsv: %d bytes, sha256 %s", len(src), hex.EncodeToString(sum[:]))
}
