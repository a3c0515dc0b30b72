package sentiment

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Detector scores how negative (unhappy, angry) a customer message is.
// Implementations are immutable after construction and safe for
// concurrent use.
type Detector interface {
	// Score returns the negativity of text in [0, 1]; 0.5 is undecided.
	Score(text string) float64
	// Negative reports whether Score(text) reaches the threshold.
	Negative(text string) bool
	// Threshold is the score from which a message counts as negative.
	Threshold() float64
}

// Example is one labelled message.
type Example struct {
	Text     string
	Negative bool
}

// ParseLabel reads a label: "neg"/"negative" or "pos"/"positive" (any
// case).
func ParseLabel(s string) (negative bool, err error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "neg", "negative":
		return true, nil
	case "pos", "positive":
		return false, nil
	}
	return false, fmt.Errorf("label %q is neither pos nor neg", s)
}

// Metrics are the figures of a detector on labelled examples.
type Metrics struct {
	N            int     `json:"n"`
	Accuracy     float64 `json:"accuracy"`
	NegPrecision float64 `json:"neg_precision"`
	NegRecall    float64 `json:"neg_recall"`
	NegF1        float64 `json:"neg_f1"`
	TP           int     `json:"tp"` // negative, flagged
	FP           int     `json:"fp"` // positive, flagged
	FN           int     `json:"fn"` // negative, missed
	TN           int     `json:"tn"` // positive, not flagged
	P50ms        float64 `json:"p50_ms"`
	P99ms        float64 `json:"p99_ms"`
}

// Evaluate runs d over the examples and counts hits and misses; it also
// times every call to Negative.
func Evaluate(d Detector, ex []Example) Metrics {
	var m Metrics
	m.N = len(ex)
	lat := make([]time.Duration, len(ex))
	for i, e := range ex {
		start := time.Now()
		got := d.Negative(e.Text)
		lat[i] = time.Since(start)
		switch {
		case got && e.Negative:
			m.TP++
		case got && !e.Negative:
			m.FP++
		case !got && e.Negative:
			m.FN++
		default:
			m.TN++
		}
	}
	if m.N > 0 {
		m.Accuracy = float64(m.TP+m.TN) / float64(m.N)
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		m.P50ms = ms(lat[(len(lat)-1)/2])
		m.P99ms = ms(lat[min(len(lat)-1, len(lat)*99/100)])
	}
	if m.TP+m.FP > 0 {
		m.NegPrecision = float64(m.TP) / float64(m.TP+m.FP)
	}
	if m.TP+m.FN > 0 {
		m.NegRecall = float64(m.TP) / float64(m.TP+m.FN)
	}
	if m.NegPrecision+m.NegRecall > 0 {
		m.NegF1 = 2 * m.NegPrecision * m.NegRecall / (m.NegPrecision + m.NegRecall)
	}
	return m
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Nanoseconds())/1e3) / 1e3 }

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
