package assistant

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bot/engine"
	"github.com/switchboard-cs/switchboard/internal/bot/llm"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// answerTimeout bounds one answer: waiting for a first build, the LLM,
// storing. buildWait bounds the wait for a tenant's first engine on this
// node: a customer is not kept waiting longer; people take over instead.
const (
	answerTimeout = 20 * time.Second
	buildWait     = 10 * time.Second
	handOffTime   = 5 * time.Second
)

// Button is one choice under a bot message. Pressing it sends Text as the
// customer's message (a "did you mean" question, a quick reply), opens URL,
// or asks for a person (Human).
type Button struct {
	Label string `json:"label"`
	Text  string `json:"text,omitempty"`
	URL   string `json:"url,omitempty"`
	Human bool   `json:"human,omitempty"`
}

// Meta is the structured content of a bot message (conversation.Message.Meta).
type Meta struct {
	Kind       string   `json:"kind"` // the decision: answer, clarify, no_match, handoff, greeting, thanks, goodbye
	Reason     string   `json:"reason,omitempty"`
	DecisionID string   `json:"decision_id,omitempty"`
	EntryID    string   `json:"entry_id,omitempty"`
	HTML       string   `json:"html,omitempty"` // sanitised answer HTML
	Buttons    []Button `json:"buttons,omitempty"`
	Rate       bool     `json:"rate,omitempty"` // the customer may rate this answer
	Cites      []string `json:"cites,omitempty"`
	LLM        bool     `json:"llm,omitempty"`
}

// turnState is what the earlier decisions of a conversation say.
type turnState struct {
	prev   *engine.Turn
	turns  int // bot replies so far
	misses int // unsuccessful turns in a row, newest first
}

func (b *Bot) history(ctx context.Context, tenantID, convID string) (turnState, error) {
	// Enough history to see every limit a tenant may set (small talk in
	// between takes places in it too).
	ds, err := b.recent(ctx, tenantID, convID, MaxTurnsLimit+1)
	if err != nil {
		return turnState{}, err
	}
	var ts turnState
	countingMisses := true
	for i, d := range ds {
		switch d.Kind {
		case engine.KindAnswer, engine.KindClarify, engine.KindNoMatch:
			ts.turns++
		}
		if countingMisses {
			if d.Kind == engine.KindClarify || d.Kind == engine.KindNoMatch {
				ts.misses++
			} else {
				countingMisses = false
			}
		}
		if i == 0 && d.Kind == engine.KindAnswer && d.EntryID != "" {
			ts.prev = &engine.Turn{Question: d.Question, EntryID: d.EntryID}
		}
	}
	return ts, nil
}

// langOf picks the language of the bot's reply: the message's own, else
// the visitor's browser's.
func langOf(detected string, conv conversation.Conversation) i18n.Lang {
	switch detected {
	case "zh":
		return i18n.Chinese
	case "en":
		return i18n.English
	}
	if l, ok := i18n.Parse(conv.Visitor.Language); ok {
		return l
	}
	return i18n.English
}

// answer decides on one customer message and acts on it.
func (b *Bot) answer(j job) {
	ctx, cancel := context.WithTimeout(context.Background(), answerTimeout)
	defer cancel()
	if err := b.turn(ctx, j); err != nil && !errors.Is(err, conversation.ErrNotBotOwned) {
		b.log.Error("bot: answering failed; handing the conversation to people", "conversation", j.conv.ID, "err", err)
		// A fresh deadline: the answer's own may be what ran out.
		hctx, hcancel := context.WithTimeout(context.Background(), handOffTime)
		defer hcancel()
		b.handOff(hctx, j, conversation.ReasonLowConfidence, 0, b.t(langOf("", j.conv), "bot.handoff"))
	}
}

func (b *Bot) turn(ctx context.Context, j job) error {
	wctx, wcancel := context.WithTimeout(ctx, buildWait)
	snap, err := b.current(wctx, j.tenantID)
	wcancel()
	if err != nil {
		return err
	}
	lang := langOf("", j.conv)
	if snap.eng == nil || !snap.settings.Enabled {
		// Nothing to answer from (or the bot was switched off since).
		b.handOff(ctx, j, conversation.ReasonNoMatch, 0, b.t(lang, "bot.handoff"))
		return nil
	}
	ts, err := b.history(ctx, j.tenantID, j.conv.ID)
	if err != nil {
		return err
	}
	st := snap.settings
	d := snap.eng.Decide(engine.Query{Text: j.msg.Body, Prev: ts.prev, Policy: st.Policy()})
	lang = langOf(d.Language, j.conv)
	if d.Kind == engine.KindEmpty {
		return nil // an emoji or a bare attachment: nothing to answer
	}
	act := d
	switch {
	case d.Kind == engine.KindAnswer && ts.turns >= st.MaxTurns:
		act.Kind, act.Reason = engine.KindHandoff, conversation.ReasonTurnLimit
	case d.Kind == engine.KindClarify && ts.misses >= st.MaxMisses:
		act.Kind, act.Reason = engine.KindHandoff, conversation.ReasonLowConfidence
	case d.Kind == engine.KindNoMatch && ts.misses >= st.MaxMisses:
		act.Kind, act.Reason = engine.KindHandoff, conversation.ReasonNoMatch
	}
	decisionID := id.New()
	meta := Meta{Kind: act.Kind, Reason: act.Reason, DecisionID: decisionID}
	var body string
	switch act.Kind {
	case engine.KindAnswer:
		e := snap.entries[act.EntryID]
		body, meta.EntryID, meta.HTML, meta.Rate = e.AnswerText, e.ID, e.AnswerHTML, true
		for _, bt := range e.Buttons {
			meta.Buttons = append(meta.Buttons, Button{Label: bt.Label, Text: bt.Text, URL: bt.URL})
		}
		if c := b.llmClient(st); c != nil {
			srcs := []llm.Source{}
			for _, cand := range act.Candidates {
				if ce, ok := snap.entries[cand.EntryID]; ok {
					srcs = append(srcs, llm.Source{EntryID: ce.ID, Question: ce.Question, Answer: ce.AnswerText, Language: ce.Language})
				}
			}
			text, cites, used := llm.PhraseOrFallback(ctx, c, j.msg.Body, string(lang), srcs)
			if used {
				body, meta.HTML, meta.Cites, meta.LLM = text, "", cites, true
			}
		}
		if strings.TrimSpace(body) == "" {
			body = e.Question
		}
	case engine.KindClarify:
		var lines []string
		for i, c := range act.Candidates {
			lines = append(lines, fmt.Sprintf("%d. %s", i+1, c.Question))
			meta.Buttons = append(meta.Buttons, Button{Label: c.Question, Text: c.Question})
		}
		meta.Buttons = append(meta.Buttons, Button{Label: b.t(lang, "bot.human_button"), Text: b.t(lang, "bot.human_text"), Human: true})
		body = b.t(lang, "bot.clarify") + "\n" + strings.Join(lines, "\n")
	case engine.KindNoMatch:
		meta.Buttons = []Button{{Label: b.t(lang, "bot.human_button"), Text: b.t(lang, "bot.human_text"), Human: true}}
		body = b.t(lang, "bot.no_match")
	case engine.KindGreeting, engine.KindThanks, engine.KindGoodbye:
		body = b.t(lang, "bot."+act.Kind)
	case engine.KindHandoff:
		body = b.t(lang, "bot.handoff")
		if act.Reason == conversation.ReasonNegative {
			body = b.t(lang, "bot.handoff_negative")
		}
	default:
		return fmt.Errorf("assistant: unknown decision %q", act.Kind)
	}
	if err := b.logDecision(ctx, j, decisionID, d, act); err != nil {
		return err
	}
	if act.Kind == engine.KindHandoff {
		priority := 0
		if act.Reason == conversation.ReasonNegative {
			priority = PriorityUnhappy
		}
		b.handOffWith(ctx, j, act.Reason, priority, body, meta, b.note(lang, act, d))
		return nil
	}
	_, _, err = b.o.Conversations.Post(ctx, j.tenantID, j.conv.ID, conversation.NewMessage{
		ClientID: "bot-" + decisionID, SenderType: conversation.SenderBot, Body: body, Meta: marshal(meta)})
	return err
}

// note is the internal note that tells agents why the bot handed off and
// what it had found.
func (b *Bot) note(lang i18n.Lang, act, d engine.Decision) string {
	var s strings.Builder
	s.WriteString(b.t(lang, "bot.note."+act.Reason))
	if d.Negative || act.Reason == conversation.ReasonNegative {
		s.WriteString(" ")
		s.WriteString(b.t(lang, "bot.note_sentiment", "score", fmt.Sprintf("%.2f", d.Sentiment)))
	}
	if len(d.Candidates) > 0 {
		s.WriteString("\n")
		s.WriteString(b.t(lang, "bot.note_candidates"))
		for _, c := range d.Candidates {
			fmt.Fprintf(&s, "\n• %s (%.0f%%)", c.Question, c.Confidence*100)
		}
	}
	return s.String()
}

// handOff gives the conversation to people with a short message to the
// customer (if any) and a note to agents.
func (b *Bot) handOff(ctx context.Context, j job, reason string, priority int, body string) {
	lang := langOf("", j.conv)
	meta := Meta{Kind: engine.KindHandoff, Reason: reason}
	b.handOffWith(ctx, j, reason, priority, body, meta, b.t(lang, "bot.note."+reason))
}

func (b *Bot) handOffWith(ctx context.Context, j job, reason string, priority int, body string, meta Meta, note string) {
	if body != "" {
		_, _, err := b.o.Conversations.Post(ctx, j.tenantID, j.conv.ID, conversation.NewMessage{
			SenderType: conversation.SenderBot, Body: body, Meta: marshal(meta)})
		if errors.Is(err, conversation.ErrNotBotOwned) {
			return // people took it meanwhile
		}
		if err != nil {
			b.log.Warn("bot: hand-off message not stored", "conversation", j.conv.ID, "err", err)
		}
	}
	_, moved, err := b.o.Conversations.HandOff(ctx, j.tenantID, j.conv.ID, reason, priority)
	if err != nil {
		b.log.Error("bot: hand-off failed", "conversation", j.conv.ID, "err", err)
		return
	}
	if moved && note != "" {
		if _, _, err := b.o.Conversations.Post(ctx, j.tenantID, j.conv.ID, conversation.NewMessage{
			SenderType: conversation.SenderSystem, Private: true, Body: note,
			Meta: marshal(Meta{Kind: "handoff_note", Reason: reason})}); err != nil {
			b.log.Warn("bot: hand-off note not stored", "conversation", j.conv.ID, "err", err)
		}
	}
}

func (b *Bot) t(l i18n.Lang, key string, args ...any) string {
	if b.o.Catalog == nil {
		return key
	}
	return b.o.Catalog.T(l, key, args...)
}

// logDecision records a decision: the engine's view (d) and what the bot did (act).
func (b *Bot) logDecision(ctx context.Context, j job, decisionID string, d, act engine.Decision) error {
	question := j.msg.Body
	if r := []rune(question); len(r) > 2000 {
		question = string(r[:2000])
	}
	_, err := b.db.Tenant(j.tenantID).Exec(ctx, q.Get("InsertDecision"), decisionID, j.conv.ID, j.msg.ID, question, d.Language,
		act.Kind, act.Reason, act.EntryID, d.Confidence, string(marshal(candidatesOf(d))), d.Context, d.Negative,
		d.Elapsed.Microseconds(), store.Millis(b.now()))
	return err
}
