package engine

import (
	"fmt"
	"math"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bot/text"
)

// Policy turns a ranking into a decision.
type Policy struct {
	Answer   float64 // confidence ≥ Answer → answer (0..1)
	Clarify  float64 // Clarify ≤ confidence < Answer → "Did you mean" top-3; below → no match (offer a human)
	Negative float64 // sentiment score ≥ Negative → hand off with priority (0..1; 1 disables)
	// Decline: an in-scope score (Decision.InScope) below it → no match,
	// whatever the confidence (0..1; 0 disables). The in-scope score
	// weighs the best candidate against "none of them" alone, so a
	// question torn between two close entries is not declined for that;
	// Tune sets it from out-of-scope examples.
	Decline float64
}

// DefaultPolicy answers when the calibrated confidence is at least 0.6
// (right about 60 % of the time or better), offers the top three from 0.25,
// and hands off messages whose negativity score reaches 0.995 (see the package
// documentation for how that was chosen).
func DefaultPolicy() Policy {
	return Policy{Answer: 0.6, Clarify: 0.25, Negative: defaultNegative}
}

// defaultNegative is the sentiment handoff threshold of DefaultPolicy.
const defaultNegative = 0.995

// angerScore is the least sentiment score of a message with an explicit
// sign of anger (angerCue) that the detector reads as negative.
const angerScore = 0.999

// sentiment is the detector's score of the message, raised to angerScore
// when the message is negative and shows anger in so many words.
func (e *Engine) sentiment(msg, c string) float64 {
	s := clamp01(e.sent.Score(msg))
	if s >= e.sent.Threshold() && s < angerScore && angerCue(c) {
		s = angerScore
	}
	return s
}

// Validate reports a policy whose values are out of range or whose Clarify
// is above its Answer.
func (p Policy) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"Answer", p.Answer}, {"Clarify", p.Clarify}, {"Negative", p.Negative}, {"Decline", p.Decline}} {
		if math.IsNaN(f.v) || f.v < 0 || f.v > 1 {
			return fmt.Errorf("engine: policy %s = %v, want a value from 0 to 1", f.name, f.v)
		}
	}
	if p.Clarify > p.Answer {
		return fmt.Errorf("engine: policy Clarify %v is above Answer %v; want Clarify ≤ Answer", p.Clarify, p.Answer)
	}
	return nil
}

// Turn is the previous customer question and the entry it was answered with.
type Turn struct {
	Question string
	EntryID  string
}

// Query is one customer message to decide on. The zero Policy means
// DefaultPolicy(); a policy that does not validate is replaced by it too
// (check it with Validate where it is configured).
type Query struct {
	Text   string
	Prev   *Turn
	Policy Policy
}

// Candidate is one entry the message may be about.
type Candidate struct {
	EntryID    string
	Question   string
	Confidence float64
}

// Decision is what the bot does with a message.
type Decision struct {
	Kind       string      // "answer", "clarify", "no_match", "handoff", "greeting", "thanks", "goodbye", "empty"
	Reason     string      // for handoff/no_match: "asked_for_human", "negative_sentiment", "no_match", "low_confidence"
	EntryID    string      // answer: the entry
	Candidates []Candidate // best first, up to 3 (always filled when anything matched, also on handoff, so agents see them)
	Confidence float64     // calibrated confidence of the best candidate, 0..1
	// InScope is the best candidate's probability against "none of them"
	// alone, p(best) / (p(best) + p(none)), 0..1 (0 with no candidate);
	// Policy.Decline applies to it.
	InScope   float64
	Negative  bool
	Sentiment float64
	Language  string // text.Detect of the question
	Context   bool   // the previous turn's topic was used (follow-up)
	Elapsed   time.Duration
}

// contextMargin is how much more confident the question with its previous
// turn must be, when the message has no follow-up cue, to be taken instead
// of the message alone.
const contextMargin = 0.1

// truncate cuts s to at most text.MaxRunes runes (every later step reads
// no more anyway; this bounds the work of the rules too).
func truncate(s string) string {
	n := 0
	for i := range s {
		if n == text.MaxRunes {
			return s[:i]
		}
		n++
	}
	return s
}

// Decide decides how to answer one message: fixed rules first (empty,
// request for a person, greeting, thanks, goodbye), then the ranking of
// the knowledge base (with the previous turn for a follow-up), the
// sentiment handoff, and the policy's thresholds.
func (e *Engine) Decide(q Query) Decision {
	start := time.Now()
	p := q.Policy
	if p == (Policy{}) || p.Validate() != nil {
		p = DefaultPolicy()
	}
	msg := truncate(q.Text)
	d := Decision{Language: text.Detect(msg)}
	if !hasContent(msg) {
		d.Kind = KindEmpty
		d.Elapsed = time.Since(start)
		return d
	}
	c := compact(msg)
	human := asksForHuman(c)
	question := msg
	if !human {
		kind, rest := smallTalk(c)
		if kind != "" {
			// A knowledge base that has its own entry for this ("hello",
			// "thank you") answers with it; otherwise the built-in reply.
			d.Kind = kind
			if r := e.rankText(msg, nil); len(r.ents) > 0 && clamp01(r.confidence()) >= p.Answer {
				en := e.entries[r.ents[0]]
				d.Kind, d.EntryID, d.Confidence = KindAnswer, en.ID, clamp01(r.confidence())
				for i := 0; i < len(r.ents) && i < 3; i++ {
					c := e.entries[r.ents[i]]
					d.Candidates = append(d.Candidates, Candidate{EntryID: c.ID, Question: c.Question, Confidence: clamp01(r.p[i])})
				}
			}
			d.Elapsed = time.Since(start)
			return d
		}
		if rest != "" {
			question = rest
			c = compact(rest)
		}
	}
	d.Sentiment = e.sentiment(msg, c)
	d.Negative = p.Negative < 1 && d.Sentiment >= p.Negative

	r := e.rankText(question, nil)
	if q.Prev != nil && hasContent(q.Prev.Question) && !human {
		cue := followUpCue(c)
		if cue || r.confidence() < p.Answer {
			// the message first: if the two together are too long, the
			// previous question is what gets cut (text.MaxRunes)
			joint := e.rankText(question+" \n "+truncate(q.Prev.Question), nil)
			cr := withContext(r, joint)
			margin := contextMargin
			if cue {
				margin = 0
			}
			if cr.confidence() > r.confidence()+margin {
				r = cr
				d.Context = true
			}
		}
	}
	for i := 0; i < len(r.ents) && i < 3; i++ {
		en := e.entries[r.ents[i]]
		d.Candidates = append(d.Candidates, Candidate{EntryID: en.ID, Question: en.Question, Confidence: clamp01(r.p[i])})
	}
	d.Confidence = clamp01(r.confidence())
	d.InScope = clamp01(r.inScope())
	switch {
	case human:
		d.Kind, d.Reason = KindHandoff, ReasonAskedForHuman
	case d.Negative:
		d.Kind, d.Reason = KindHandoff, ReasonNegativeSentiment
	case len(d.Candidates) == 0:
		d.Kind, d.Reason = KindNoMatch, ReasonNoMatch
	case d.InScope < p.Decline:
		d.Kind, d.Reason = KindNoMatch, ReasonLowConfidence
	case d.Confidence >= p.Answer:
		d.Kind, d.EntryID = KindAnswer, d.Candidates[0].EntryID
	case d.Confidence >= p.Clarify:
		d.Kind = KindClarify
	default:
		d.Kind, d.Reason = KindNoMatch, ReasonLowConfidence
	}
	d.Elapsed = time.Since(start)
	return d
}

func clamp01(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return 0
	case x > 1:
		return 1
	}
	return x
}
