package engine

import (
	"math"
	"sort"

	"github.com/switchboard-cs/switchboard/internal/bot/dataset"
)

// DeclineLabel is the label of a labelled question the bot should decline.
const DeclineLabel = "oos"

// TuneTarget says what Tune optimises for.
type TuneTarget struct {
	// OOSRecall is the share of the questions labelled "oos" that must be
	// declined (default 0.7). Choose it above the recall you need: the
	// threshold then keeps a margin when the share or kind of out-of-scope
	// questions differs from the tuning data.
	OOSRecall float64
	// AnswerPrecision is how often an answered question must be right
	// (default 0.9); below that confidence the bot asks "did you mean".
	AnswerPrecision float64
	// MaxInScopeLoss applies when the tuning data has no "oos" question: at
	// most this share of the in-scope questions whose best candidate is
	// right may fall below Clarify (default 0.002).
	MaxInScopeLoss float64
	// Negative is the sentiment threshold to keep (0 = DefaultPolicy's).
	Negative float64
}

// noOOSClarifyCap bounds the Clarify threshold that Tune chooses when the
// tuning data has no out-of-scope question: below it a best candidate is
// right at most about one time in ten (the confidence is calibrated).
const noOOSClarifyCap = 0.1

// DefaultTuneTarget is the target of the evaluation command.
func DefaultTuneTarget() TuneTarget {
	return TuneTarget{OOSRecall: 0.7, AnswerPrecision: 0.9, MaxInScopeLoss: 0.002}
}

// Tune chooses a Policy on held-out labelled questions (label = entry id;
// "oos", or a label that is no entry, = should be declined). Clarify is the
// lowest threshold that declines the target share of the oos questions (so
// it costs the least in-scope accuracy); without oos questions it is the
// highest threshold that loses at most MaxInScopeLoss of the correctly
// ranked ones. Answer is the lowest threshold from Clarify up at which the
// answered questions are right at least AnswerPrecision of the time.
// Messages the fixed rules decline (greeting, request for a person,
// negative sentiment…) count as declined. It never changes the engine.
func (e *Engine) Tune(dev []dataset.Example, target TuneTarget) Policy {
	def := DefaultTuneTarget()
	if target.OOSRecall <= 0 || target.OOSRecall > 1 {
		target.OOSRecall = def.OOSRecall
	}
	if target.AnswerPrecision <= 0 || target.AnswerPrecision > 1 {
		target.AnswerPrecision = def.AnswerPrecision
	}
	if target.MaxInScopeLoss <= 0 || target.MaxInScopeLoss > 1 {
		target.MaxInScopeLoss = def.MaxInScopeLoss
	}
	neg := target.Negative
	if neg <= 0 || neg > 1 {
		neg = DefaultPolicy().Negative
	}
	out := DefaultPolicy()
	out.Negative = neg
	if len(dev) == 0 {
		return out
	}
	probe := Policy{Answer: 0, Clarify: 0, Negative: neg}
	type obs struct {
		conf    float64
		correct bool
		oos     bool
	}
	var live []obs // not declined by the fixed rules
	nOOS, fixedOOS, nIn := 0, 0, 0
	for _, ex := range dev {
		_, known := e.byID[ex.Label]
		oos := ex.Label == DeclineLabel || !known
		if oos {
			nOOS++
		} else {
			nIn++
		}
		d := e.Decide(Query{Text: ex.Text, Policy: probe})
		if d.Kind != KindAnswer {
			if oos {
				fixedOOS++
			}
			continue
		}
		live = append(live, obs{conf: d.Confidence, correct: !oos && d.EntryID == ex.Label, oos: oos})
	}
	sort.Slice(live, func(a, b int) bool { return live[a].conf < live[b].conf })

	clarify := 0.0
	if nOOS > 0 {
		need := int(math.Ceil(target.OOSRecall*float64(nOOS)-1e-9)) - fixedOOS
		if need > 0 {
			k := 0
			for _, o := range live {
				if o.oos {
					k++
					if k == need {
						clarify = math.Nextafter(o.conf, 2)
						break
					}
				}
			}
			if k < need {
				clarify = 1
			}
		}
	} else if nIn > 0 {
		// Without out-of-scope examples only the loss can be measured: a
		// small share, and never above noOOSClarifyCap.
		allowed := int(target.MaxInScopeLoss * float64(nIn))
		k := 0
		for _, o := range live {
			if o.correct {
				if k == allowed {
					clarify = o.conf
					break
				}
				k++
			}
		}
		clarify = math.Min(clarify, noOOSClarifyCap)
	}
	clarify = math.Min(1, clarify)

	// Answer: scan thresholds from the top; precision of {conf ≥ t}.
	answer := 1.0
	right, total := 0, 0
	for i := len(live) - 1; i >= 0; i-- {
		o := live[i]
		if o.conf < clarify {
			break
		}
		total++
		if o.correct {
			right++
		}
		if i > 0 && live[i-1].conf == o.conf {
			continue
		}
		if float64(right) >= target.AnswerPrecision*float64(total) {
			answer = o.conf
		}
	}
	if answer < clarify {
		answer = clarify
	}
	out.Clarify, out.Answer = clarify, answer
	return out
}
