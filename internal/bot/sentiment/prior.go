package sentiment

import (
	"bufio"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/kljensen/snowball/english"
	"github.com/switchboard-cs/switchboard/internal/bot/text"
)

// priorSrc is the shipped English polarity prior: learnt from the
// GoEmotions corpus (Apache-2.0, see prior/NOTICE) by prior_gen_test.go.
//
//go:embed prior/en.tsv
var priorSrc string

// Prior is a table of English polarity weights over Porter2 stems, stem
// bigrams and negated stems (a logistic model's weights, positive =
// negative sentiment). It knows English sentiment vocabulary far beyond a
// tenant's own examples. Immutable and safe for concurrent use.
type Prior struct {
	w map[string]float32
}

var (
	priorOnce sync.Once
	priorVal  *Prior
	priorErr  error
)

// EnglishPrior returns the shipped English prior, parsed once and shared.
func EnglishPrior() *Prior {
	priorOnce.Do(func() { priorVal, priorErr = parsePrior(priorSrc) })
	if priorErr != nil {
		panic("sentiment: embedded prior: " + priorErr.Error())
	}
	return priorVal
}

// Limits of a prior file.
const (
	maxPriorEntries = 200_000
	maxPriorKey     = 64
)

// parsePrior reads lines "WEIGHT<TAB>KEY"; # starts a comment line.
func parsePrior(src string) (*Prior, error) {
	p := &Prior{w: map[string]float32{}}
	sc := bufio.NewScanner(strings.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		ws, key, ok := strings.Cut(line, "\t")
		if !ok || key == "" || len(key) > maxPriorKey {
			return nil, fmt.Errorf("line %d: want WEIGHT<TAB>KEY", n)
		}
		v, err := strconv.ParseFloat(ws, 32)
		if err != nil {
			return nil, fmt.Errorf("line %d: bad weight %q", n, ws)
		}
		if _, dup := p.w[key]; dup {
			return nil, fmt.Errorf("line %d: duplicate key %q", n, key)
		}
		if len(p.w) >= maxPriorEntries {
			return nil, fmt.Errorf("line %d: more than %d entries", n, maxPriorEntries)
		}
		p.w[key] = float32(v)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// Len is the number of entries.
func (p *Prior) Len() int { return len(p.w) }

// Weight returns the weight of one key (a stem, "stem stem" or "~stem")
// and whether the prior has it.
func (p *Prior) Weight(key string) (float64, bool) {
	v, ok := p.w[key]
	return float64(v), ok
}

// Logit is the prior's evidence that s is negative: the sum of the weights
// of its English features (0 when it has none, e.g. Chinese text), and the
// number of English words seen.
func (p *Prior) Logit(s string) (logit float64, words int) {
	words = priorFeatures(text.Normalize(s), func(k string) {
		logit += float64(p.w[k])
	})
	return logit, words
}

// priorNegator reports whether an English word negates what follows it.
func priorNegator(w string) bool {
	switch w {
	case "not", "no", "never", "none", "nothing", "nobody", "neither", "nor",
		"without", "hardly", "barely", "cannot", "dont", "doesnt", "didnt",
		"isnt", "wasnt", "arent", "werent", "wont", "wouldnt", "cant",
		"couldnt", "shouldnt", "havent", "hasnt", "hadnt", "aint":
		return true
	}
	return strings.HasSuffix(w, "n't")
}

// priorFeatures calls emit with each distinct English feature of a
// normalised text — stems, bigrams of stems within a clause, and "~stem"
// for the stems after a negator up to the end of the clause — and returns
// the number of English words. The generator and the runtime share it, so
// the shipped keys match what is looked up.
func priorFeatures(norm string, emit func(string)) int {
	var ubuf [128]unit
	us := units(norm, ubuf[:0])
	seen := make(map[string]struct{}, 2*len(us))
	once := func(k string) {
		if _, ok := seen[k]; !ok {
			seen[k] = struct{}{}
			emit(k)
		}
	}
	words := 0
	prev := ""
	negated := false
	for _, u := range us {
		if u.kind != uWord {
			prev, negated = "", false
			continue
		}
		tok := strings.ReplaceAll(norm[u.start:u.end], "’", "'")
		if len(tok) > 24 {
			prev = ""
			continue
		}
		words++
		st := english.Stem(tok, false)
		once(st)
		if prev != "" {
			once(prev + " " + st)
		}
		if negated {
			once("~" + st)
		}
		if priorNegator(tok) {
			negated = true
		}
		prev = st
	}
	return words
}
