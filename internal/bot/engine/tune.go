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
	// declined (default 0.75). Choose it above the recall you need: the
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
	return TuneTarget{OOSRecall: 0.67, AnswerPrecision: 0.9, MaxInScopeLoss: 0.002}
}

// Tune chooses a Policy on held-out labelled questions (label = entry id;
// "oos", or a label that is no entry, = should be declined). Decline is the
// lowest threshold on the in-scope score (Decision.InScope) that declines
// the target share of the oos questions, so in-scope accuracy loses as
// little as possible: the in-scope score does not fall when a question is
// merely torn between two close entries. Clarify is then, on the questions
// left, the highest confidence threshold that loses at most MaxInScopeLoss
// of the correctly ranked ones, and never above noOOSClarifyCap (without
// oos questions Decline stays 0 and only this applies). Answer is the
// lowest threshold from Clarify up at which the answered questions are
// right at least AnswerPrecision of the time. Messages the fixed rules
// decline (greeting, request for a person, negative sentiment…) count as
// declined. It never changes the engine.
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
		conf, ins float64
		correct   bool
		oos       bool
	}
	var live []obs // not declined by the fixed rules
	nOOS, fixedOOS := 0, 0
	for _, ex := range dev {
		_, known := e.byID[ex.Label]
		oos := ex.Label == DeclineLabel || !known
		if oos {
			nOOS++
		}
		d := e.Decide(Query{Text: ex.Text, Policy: probe})
		if d.Kind != KindAnswer {
			if oos {
				fixedOOS++
			}
			continue
		}
		live = append(live, obs{conf: d.Confidence, ins: d.InScope, correct: !oos && d.EntryID == ex.Label, oos: oos})
	}

	// Decline: the lowest in-scope score that declines the target share
	// of the oos questions.
	decline := 0.0
	if nOOS > 0 {
		sort.Slice(live, func(a, b int) bool { return live[a].ins < live[b].ins })
		need := int(math.Ceil(target.OOSRecall*float64(nOOS)-1e-9)) - fixedOOS
		if need > 0 {
			k := 0
			for _, o := range live {
				if o.oos {
					k++
					if k == need {
						decline = math.Nextafter(o.ins, 2)
						break
					}
				}
			}
			if k < need {
				decline = 1
			}
		}
		decline = math.Min(1, decline)
		kept := live[:0]
		for _, o := range live {
			if o.ins >= decline {
				kept = append(kept, o)
			}
		}
		live = kept
	}
	sort.Slice(live, func(a, b int) bool { return live[a].conf < live[b].conf })

	// Clarify: only the loss can be measured on what is left: a small
	// share of the right answers, and never above noOOSClarifyCap.
	clarify := 0.0
	nRight := 0
	for _, o := range live {
		if o.correct {
			nRight++
		}
	}
	if nRight > 0 {
		allowed := int(target.MaxInScopeLoss * float64(nRight))
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
	out.Decline = decline
	out.Clarify, out.Answer = clarify, answer
	return out
}
