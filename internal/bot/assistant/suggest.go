package assistant

import (
	"context"
	"errors"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/bot/engine"
	"github.com/switchboard-cs/switchboard/internal/conversation"
)

// Suggestion is one knowledge-base answer offered to an agent.
type Suggestion struct {
	EntryID    string  `json:"entry_id"`
	Question   string  `json:"question"` // the entry's standard question
	Answer     string  `json:"answer"`   // plain text, ready for the composer
	Confidence float64 `json:"confidence"`
}

// Suggestions are the bot's best answers to a customer's question.
type Suggestions struct {
	Question string       `json:"question"` // the customer's message they answer ("" when there is none)
	Items    []Suggestion `json:"items"`    // best first, at most three; never nil
}

// Limits of reply suggestions.
const (
	// SuggestWindow is how many of a conversation's latest messages are
	// searched for the customer's last question.
	SuggestWindow = 50
	// suggestLookBack is how many customer messages, newest first, may be
	// passed over when they ask nothing of the knowledge base ("thanks",
	// "转人工", an emoji) to find the question the agent is answering.
	suggestLookBack = 3
	// suggestFloor is the least confidence of the second and third
	// suggestions (the first needs the tenant's clarify threshold, as
	// when the bot offers choices itself): below it an entry is noise.
	suggestFloor = 0.02
)

// customerQuestions are the customer's public text messages among msgs,
// newest first (at most n).
func customerQuestions(msgs []conversation.Message, n int) []string {
	var out []string
	for i := len(msgs) - 1; i >= 0 && len(out) < n; i-- {
		m := msgs[i]
		if m.SenderType != conversation.SenderContact || m.Private || strings.TrimSpace(m.Body) == "" {
			continue
		}
		out = append(out, m.Body)
	}
	return out
}

// LastQuestion is the text of the customer's last public message among
// msgs (a conversation's messages in seq order), or "".
func LastQuestion(msgs []conversation.Message) string {
	if qs := customerQuestions(msgs, 1); len(qs) > 0 {
		return qs[0]
	}
	return ""
}

// Suggest returns the bot's top three knowledge-base answers to the
// customer's last message among msgs (a conversation's latest messages, in
// seq order), for an agent to insert in a reply. It ranks the published
// entries as the bot does when it answers (engine.Decide with the tenant's
// settings), whether or not the bot takes part in the conversation, and
// offers nothing when the best entry is below the tenant's clarify
// threshold (the bot would not offer it either). A last message that asks
// nothing of the knowledge base (a greeting, thanks, a request for a
// person) gives way to the customer's message before it (up to three
// back). No question, no published knowledge, or an engine still being
// built after the wait give empty items, never an error.
func (b *Bot) Suggest(ctx context.Context, tenantID string, msgs []conversation.Message) (Suggestions, error) {
	qs := customerQuestions(msgs, suggestLookBack)
	out := Suggestions{Items: []Suggestion{}}
	if len(qs) == 0 {
		return out, nil
	}
	out.Question = qs[0]
	wctx, cancel := context.WithTimeout(ctx, buildWait)
	snap, err := b.current(wctx, tenantID)
	cancel()
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return out, nil // the first build is slow: nothing yet, the next call has it
	}
	if err != nil {
		return out, err
	}
	if snap.eng == nil {
		return out, nil
	}
	policy := snap.settings.Policy()
	for _, question := range qs {
		d := snap.eng.Decide(engine.Query{Text: question, Policy: policy})
		if asksNothing(d) {
			continue
		}
		out.Question = question
		if len(d.Candidates) == 0 || d.Candidates[0].Confidence < policy.Clarify {
			return out, nil // the bot itself would offer nothing
		}
		for _, c := range d.Candidates {
			e, ok := snap.entries[c.EntryID]
			if !ok || c.Confidence < suggestFloor {
				continue
			}
			answer := e.AnswerText
			if strings.TrimSpace(answer) == "" {
				answer = e.Question
			}
			out.Items = append(out.Items, Suggestion{EntryID: e.ID, Question: e.Question, Answer: answer, Confidence: c.Confidence})
		}
		return out, nil
	}
	return out, nil
}

// asksNothing reports a decision on a message that is no question for the
// knowledge base: empty, small talk, or only a request for a person.
func asksNothing(d engine.Decision) bool {
	switch d.Kind {
	case engine.KindEmpty, engine.KindGreeting, engine.KindThanks, engine.KindGoodbye:
		return true
	}
	return d.Kind == engine.KindHandoff && d.Reason == engine.ReasonAskedForHuman
}
