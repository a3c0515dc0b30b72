package engine

import (
	"fmt"
	"github.com/switchboard-cs/switchboard/internal/bot/splitmix"
	"sort"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bot/dataset"
)

// FromExamples builds a knowledge base the way an import of labelled
// questions does: one FAQ entry per label, in order of first appearance,
// whose first text is the standard question and the others its similar
// questions; texts labelled "oos" make no entry and are returned as decline
// examples.
func FromExamples(exs []dataset.Example) (entries []Entry, decline []string, err error) {
	at := map[string]int{}
	for _, ex := range exs {
		if ex.Label == "" {
			return nil, nil, fmt.Errorf("line %d: empty label", ex.Line)
		}
		if ex.Label == DeclineLabel {
			decline = append(decline, ex.Text)
			continue
		}
		i, ok := at[ex.Label]
		if !ok {
			at[ex.Label] = len(entries)
			entries = append(entries, Entry{ID: ex.Label, Kind: "faq", Question: ex.Text})
			continue
		}
		entries[i].Similar = append(entries[i].Similar, ex.Text)
	}
	if len(entries) == 0 {
		return nil, nil, fmt.Errorf("no in-scope examples (every label is %q)", DeclineLabel)
	}
	return entries, decline, nil
}

// Split holds out frac of every label's examples (at least one of a label
// with two or more, never all of them), chosen by a seeded shuffle, so the
// same file always splits the same way. It returns the rest and the held-out
// part, each in file order.
func Split(exs []dataset.Example, frac float64, seed uint64) (rest, held []dataset.Example) {
	by := map[string][]int{}
	var labels []string
	for i, ex := range exs {
		if _, ok := by[ex.Label]; !ok {
			labels = append(labels, ex.Label)
		}
		by[ex.Label] = append(by[ex.Label], i)
	}
	sort.Strings(labels)
	r := splitmix.New(seed)
	out := make([]bool, len(exs))
	for _, l := range labels {
		idx := by[l]
		if len(idx) < 2 {
			continue
		}
		k := int(float64(len(idx))*frac + 0.5)
		if k < 1 {
			k = 1
		}
		if k >= len(idx) {
			k = len(idx) - 1
		}
		perm := append([]int(nil), idx...)
		splitmix.Shuffle(r, perm)
		for _, i := range perm[:k] {
			out[i] = true
		}
	}
	for i, ex := range exs {
		if out[i] {
			held = append(held, ex)
		} else {
			rest = append(rest, ex)
		}
	}
	return rest, held
}

// Metrics are the figures of the engine on labelled questions.
type Metrics struct {
	N             int     `json:"n"`
	InScope       int     `json:"in_scope"`
	OOS           int     `json:"oos"`
	InScopeAcc    float64 `json:"in_scope_accuracy"` // in-scope, not declined, best candidate right
	Top3Acc       float64 `json:"top3_accuracy"`     // in-scope, not declined, label among the first 3
	MacroF1       float64 `json:"macro_f1"`          // over in-scope labels; prediction = best candidate or "oos" when declined
	OOSPrecision  float64 `json:"oos_precision"`
	OOSRecall     float64 `json:"oos_recall"`
	AnsweredRate  float64 `json:"answered_rate"`
	ClarifiedRate float64 `json:"clarified_rate"`
	HandoffRate   float64 `json:"handoff_rate"` // no_match + handoff
	OtherRate     float64 `json:"other_rate"`   // greeting, thanks, goodbye, empty
	ContextRate   float64 `json:"context_rate"`
	NegativeRate  float64 `json:"negative_rate"` // handed off for negative sentiment
	HumanRate     float64 `json:"human_rate"`    // handed off as a request for a person
	P50ms         float64 `json:"p50_ms"`
	P99ms         float64 `json:"p99_ms"`
}

// Declined reports whether a decision declines the question: no match or
// handoff, and also greeting, thanks, goodbye and empty (the bot does not
// answer from the knowledge base).
func Declined(d Decision) bool {
	return d.Kind != KindAnswer && d.Kind != KindClarify
}

// Evaluate sends every text through Decide (no previous turn) with the
// policy and counts. A label that is "oos" or no entry of the engine is an
// out-of-scope question.
func Evaluate(e *Engine, test []dataset.Example, p Policy) Metrics {
	var m Metrics
	m.N = len(test)
	if m.N == 0 {
		return m
	}
	lat := make([]time.Duration, 0, len(test))
	tp, fp, fn := map[string]int{}, map[string]int{}, map[string]int{}
	labels := map[string]bool{}
	var c1, c3, oosCaught, declinedAll, declinedOOS int
	var answered, clarified, handoff, other, ctx, negative, human int
	for _, ex := range test {
		t0 := time.Now()
		d := e.Decide(Query{Text: ex.Text, Policy: p})
		lat = append(lat, time.Since(t0))
		_, known := e.byID[ex.Label]
		oos := ex.Label == DeclineLabel || !known
		dec := Declined(d)
		switch d.Kind {
		case KindAnswer:
			answered++
		case KindClarify:
			clarified++
		case KindNoMatch, KindHandoff:
			handoff++
		default:
			other++
		}
		if d.Context {
			ctx++
		}
		if d.Reason == ReasonNegativeSentiment {
			negative++
		}
		if d.Reason == ReasonAskedForHuman {
			human++
		}
		pred := DeclineLabel
		if !dec && len(d.Candidates) > 0 {
			pred = d.Candidates[0].EntryID
		}
		if dec {
			declinedAll++
		}
		if oos {
			m.OOS++
			if dec {
				oosCaught++
				declinedOOS++
			}
		} else {
			m.InScope++
			labels[ex.Label] = true
			if !dec {
				for i, c := range d.Candidates {
					if c.EntryID == ex.Label {
						if i == 0 {
							c1++
						}
						c3++
						break
					}
				}
			}
		}
		gold := ex.Label
		if oos {
			gold = DeclineLabel
		}
		if pred == gold {
			tp[gold]++
		} else {
			fp[pred]++
			fn[gold]++
		}
	}
	if m.InScope > 0 {
		m.InScopeAcc = float64(c1) / float64(m.InScope)
		m.Top3Acc = float64(c3) / float64(m.InScope)
		var f1 float64
		for l := range labels {
			p, r := ratio(tp[l], tp[l]+fp[l]), ratio(tp[l], tp[l]+fn[l])
			if p+r > 0 {
				f1 += 2 * p * r / (p + r)
			}
		}
		m.MacroF1 = f1 / float64(len(labels))
	}
	m.OOSPrecision = ratio(declinedOOS, declinedAll)
	m.OOSRecall = ratio(oosCaught, m.OOS)
	n := float64(m.N)
	m.AnsweredRate, m.ClarifiedRate = float64(answered)/n, float64(clarified)/n
	m.HandoffRate, m.OtherRate = float64(handoff)/n, float64(other)/n
	m.ContextRate, m.NegativeRate, m.HumanRate = float64(ctx)/n, float64(negative)/n, float64(human)/n
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	m.P50ms = ms(lat[len(lat)/2])
	m.P99ms = ms(lat[min(len(lat)-1, len(lat)*99/100)])
	return m
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// TuneSlice is the share of every label of the training file held out to
// tune the policy when no separate tuning file is given; TuneSeed fixes
// which examples.
// The examples to decline are few (CLINC150 has 100 in train), so a
// larger share of them (OOSTuneSlice) is held out: with a tenth, the
// decline threshold would rest on some ten texts.
const (
	TuneSlice        = 0.1
	OOSTuneSlice     = 0.5
	TuneSeed         = 7
	SliceRecallShift = 0.12
)

// BuildTuned builds an engine from labelled training questions (see
// FromExamples) and chooses its policy with Tune: on dev when it is given;
// otherwise a fixed stratified slice of train (TuneSlice) is held out, an
// engine built on the rest is tuned on it, and the engine is then rebuilt on
// the whole of train, keeping the tuned policy. Test data is never seen.
func BuildTuned(train, dev []dataset.Example, o Options, target TuneTarget) (*Engine, Policy, error) {
	entries, decline, err := FromExamples(train)
	if err != nil {
		return nil, Policy{}, err
	}
	base := o.Decline
	o.Decline = append(append([]string(nil), base...), decline...)
	if len(dev) == 0 {
		rest, held := splitForTuning(train)
		if len(held) > 0 {
			re, rd, err := FromExamples(rest)
			if err != nil {
				return nil, Policy{}, err
			}
			ro := o
			ro.Decline = append(append([]string(nil), base...), rd...)
			tuner, err := Build(re, ro)
			if err != nil {
				return nil, Policy{}, err
			}
			dev = held
			// The tuning engine learnt from half the examples to decline,
			// so it declines less readily than the final engine that learns
			// from all of them: aim lower (measured on CLINC150 train → dev:
			// a slice-tuned target of 0.55 gave 65 % oos recall).
			st := target
			if st.OOSRecall > 0 {
				st.OOSRecall = max(0.05, st.OOSRecall-SliceRecallShift)
			}
			p := tuner.Tune(dev, st)
			e, err := Build(entries, o)
			return e, p, err
		}
	}
	e, err := Build(entries, o)
	if err != nil {
		return nil, Policy{}, err
	}
	return e, e.Tune(dev, target), nil
}

// Reliability compares the confidence of the best candidate with how often
// it is right, in ten bins of confidence, over the questions that reach the
// ranking (the fixed rules and the policy are left out; an out-of-scope
// question is never right).
type Reliability struct {
	Bins [10]struct {
		N          int
		Confidence float64 // mean confidence
		Accuracy   float64 // share right
	}
	ECE float64 // expected calibration error: Σ n_b/N × |accuracy_b − confidence_b|
	N   int
}

// MeasureReliability fills a Reliability from labelled questions.
func MeasureReliability(e *Engine, test []dataset.Example) Reliability {
	var r Reliability
	probe := Policy{Answer: 0, Clarify: 0, Negative: 1}
	for _, ex := range test {
		d := e.Decide(Query{Text: ex.Text, Policy: probe})
		if d.Kind != KindAnswer {
			continue
		}
		b := min(9, int(d.Confidence*10))
		r.Bins[b].N++
		r.Bins[b].Confidence += d.Confidence
		if d.EntryID == ex.Label {
			r.Bins[b].Accuracy++
		}
		r.N++
	}
	for b := range r.Bins {
		if n := float64(r.Bins[b].N); n > 0 {
			r.Bins[b].Confidence /= n
			r.Bins[b].Accuracy /= n
			d := r.Bins[b].Accuracy - r.Bins[b].Confidence
			if d < 0 {
				d = -d
			}
			r.ECE += n / float64(r.N) * d
		}
	}
	return r
}

// String prints one line per non-empty bin.
func (r Reliability) String() string {
	var b strings.Builder
	for i, x := range r.Bins {
		if x.N > 0 {
			fmt.Fprintf(&b, "  %.1f-%.1f  n %5d  confidence %.3f  right %.3f\n", float64(i)/10, float64(i+1)/10, x.N, x.Confidence, x.Accuracy)
		}
	}
	return b.String()
}

// splitForTuning holds out TuneSlice of every in-scope label and
// OOSTuneSlice of the examples to decline.
func splitForTuning(train []dataset.Example) (rest, held []dataset.Example) {
	var in, out []dataset.Example
	for _, ex := range train {
		if ex.Label == DeclineLabel {
			out = append(out, ex)
		} else {
			in = append(in, ex)
		}
	}
	rest, held = Split(in, TuneSlice, TuneSeed)
	r2, h2 := Split(out, OOSTuneSlice, TuneSeed)
	return append(rest, r2...), append(held, h2...)
}
