package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bot/engine"
	"github.com/switchboard-cs/switchboard/internal/bot/text"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// CandidateOut is one entry the bot considered.
type CandidateOut struct {
	EntryID    string  `json:"entry_id"`
	Question   string  `json:"question"`
	Confidence float64 `json:"confidence"`
}

// candidatesOf is the engine's candidates as the API shows them (never nil).
func candidatesOf(d engine.Decision) []CandidateOut {
	out := make([]CandidateOut, 0, len(d.Candidates))
	for _, c := range d.Candidates {
		out = append(out, CandidateOut{EntryID: c.EntryID, Question: c.Question, Confidence: c.Confidence})
	}
	return out
}

// Decision is one logged bot decision.
type Decision struct {
	ID             string         `json:"id"`
	ConversationID string         `json:"conversation_id"`
	MessageID      string         `json:"message_id"` // the customer's message
	Question       string         `json:"question"`
	Language       string         `json:"language"`
	Kind           string         `json:"kind"`   // what the bot did
	Reason         string         `json:"reason"` // why it handed off
	EntryID        string         `json:"entry_id"`
	Confidence     float64        `json:"confidence"`
	Candidates     []CandidateOut `json:"candidates"`
	Context        bool           `json:"context"` // the previous question's topic was used
	Negative       bool           `json:"negative"`
	ElapsedUS      int64          `json:"elapsed_us"`
	Rating         int            `json:"rating"` // 1 👍, -1 👎, 0 none
	Resolved       bool           `json:"resolved"`
	CreatedAt      time.Time      `json:"created_at"`
}

func scanDecision(r interface{ Scan(...any) error }) (Decision, error) {
	var d Decision
	var cands string
	var created int64
	err := r.Scan(&d.ID, &d.ConversationID, &d.MessageID, &d.Question, &d.Language, &d.Kind, &d.Reason, &d.EntryID,
		&d.Confidence, &cands, &d.Context, &d.Negative, &d.ElapsedUS, &d.Rating, &d.Resolved, &created)
	if err != nil {
		return d, err
	}
	d.CreatedAt = store.Time(created)
	d.Candidates = []CandidateOut{}
	_ = json.Unmarshal([]byte(cands), &d.Candidates)
	return d, nil
}

// recent returns a conversation's latest decisions, newest first.
func (b *Bot) recent(ctx context.Context, tenantID, convID string, limit int) ([]Decision, error) {
	rows, err := b.db.Tenant(tenantID).Query(ctx, q.Get("RecentDecisions"), convID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Decision{}
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Decisions returns the bot's decisions in a conversation, oldest first:
// what agents see of why the bot answered or handed off.
func (b *Bot) Decisions(ctx context.Context, tenantID, convID string) ([]Decision, error) {
	ds, err := b.recent(ctx, tenantID, convID, 200)
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(ds)-1; i < j; i, j = i+1, j-1 {
		ds[i], ds[j] = ds[j], ds[i]
	}
	return ds, nil
}

// Rate records a customer's 👍 (up) or 👎 on a bot answer in one of their
// own conversations (owns reports whether the conversation is theirs).
func (b *Bot) Rate(ctx context.Context, tenantID, decisionID string, up bool, owns func(convID string) bool) (Decision, error) {
	d, err := scanDecision(b.db.Tenant(tenantID).QueryRow(ctx, q.Get("GetDecision"), decisionID))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (owns == nil || !owns(d.ConversationID))) {
		return Decision{}, apperr.NotFoundf("decision")
	}
	if err != nil {
		return Decision{}, err
	}
	if d.Kind != engine.KindAnswer {
		return Decision{}, apperr.Invalidf("decision_id", "not_an_answer")
	}
	d.Rating = -1
	if up {
		d.Rating = 1
	}
	if err := b.db.Tenant(tenantID).ExecOne(ctx, q.Get("RateDecision"), decisionID, d.Rating); err != nil {
		return Decision{}, err
	}
	return d, nil
}

// Group is a set of similar questions the bot could not answer well.
type Group struct {
	Question    string         `json:"question"` // the most frequent wording
	Language    string         `json:"language"` // the most frequent detected language ("zh", "en", …)
	Count       int            `json:"count"`
	Questions   []string       `json:"questions"` // distinct wordings, most frequent first (≤ 20)
	DecisionIDs []string       `json:"decision_ids"`
	Downvotes   int            `json:"downvotes"`
	Suggested   []CandidateOut `json:"suggested"` // entries the bot thought closest
	LastAt      time.Time      `json:"last_at"`
}

// Limits of the unanswered review.
const (
	reviewWindow    = 2000 // latest unresolved decisions looked at
	groupSimilarity = 0.5  // token overlap (Jaccard) that joins a group
	maxGroupWords   = 20
)

// Unanswered groups the latest unresolved questions that the bot declined,
// was unsure about, or that customers rated 👎, by similarity (shared
// tokens after normalisation, segmentation and synonyms), largest group first.
func (b *Bot) Unanswered(ctx context.Context, tenantID string) ([]Group, error) {
	rows, err := b.db.Tenant(tenantID).Query(ctx, q.Get("ReviewDecisions"), false, reviewWindow)
	if err != nil {
		return nil, err
	}
	var ds []Decision
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		ds = append(ds, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	lex := (*text.Lexicon)(nil)
	if snap := b.tenant(tenantID).snapshot(); snap != nil {
		if l, err := text.NewLexicon(snap.settings.Terms, snap.settings.Synonyms); err == nil {
			lex = l
		}
	}
	type cluster struct {
		g      Group
		tokens map[string]bool
		counts map[string]int
		langs  map[string]int
		sugg   map[string]CandidateOut
	}
	var cs []*cluster
	for _, d := range ds {
		toks := map[string]bool{}
		for _, t := range text.Tokenize(d.Question, lex) {
			toks[t] = true
		}
		var best *cluster
		bestSim := 0.0
		for _, c := range cs {
			if s := jaccard(toks, c.tokens); s > bestSim {
				best, bestSim = c, s
			}
		}
		if best == nil || bestSim < groupSimilarity {
			best = &cluster{tokens: toks, counts: map[string]int{}, langs: map[string]int{}, sugg: map[string]CandidateOut{}}
			best.g.LastAt = d.CreatedAt
			cs = append(cs, best)
		}
		best.g.Count++
		best.g.DecisionIDs = append(best.g.DecisionIDs, d.ID)
		best.counts[d.Question]++
		best.langs[d.Language]++
		if d.Rating < 0 {
			best.g.Downvotes++
		}
		for _, c := range d.Candidates {
			if o, ok := best.sugg[c.EntryID]; !ok || c.Confidence > o.Confidence {
				best.sugg[c.EntryID] = c
			}
		}
	}
	out := make([]Group, 0, len(cs))
	for _, c := range cs {
		words := make([]string, 0, len(c.counts))
		for w := range c.counts {
			words = append(words, w)
		}
		sort.Slice(words, func(i, j int) bool {
			if c.counts[words[i]] != c.counts[words[j]] {
				return c.counts[words[i]] > c.counts[words[j]]
			}
			return words[i] < words[j]
		})
		if len(words) > maxGroupWords {
			words = words[:maxGroupWords]
		}
		c.g.Question, c.g.Questions = words[0], words
		for l, n := range c.langs {
			if n > c.langs[c.g.Language] || (n == c.langs[c.g.Language] && l < c.g.Language) {
				c.g.Language = l
			}
		}
		for _, s := range c.sugg {
			c.g.Suggested = append(c.g.Suggested, s)
		}
		sort.Slice(c.g.Suggested, func(i, j int) bool { return c.g.Suggested[i].Confidence > c.g.Suggested[j].Confidence })
		if len(c.g.Suggested) > 3 {
			c.g.Suggested = c.g.Suggested[:3]
		}
		if c.g.Suggested == nil {
			c.g.Suggested = []CandidateOut{}
		}
		out = append(out, c.g)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out, nil
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for t := range a {
		if b[t] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// Resolve marks decisions as dealt with (they leave the unanswered list).
func (b *Bot) Resolve(ctx context.Context, tenantID string, decisionIDs []string) (int, error) {
	n := 0
	err := b.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		for _, id := range decisionIDs {
			k, err := tx.Exec(ctx, q.Get("ResolveDecision"), id, true)
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	return n, err
}

// TryResult is the bot's decision on a question typed by an administrator.
type TryResult struct {
	Kind       string         `json:"kind"`
	Reason     string         `json:"reason"`
	EntryID    string         `json:"entry_id"`
	Answer     string         `json:"answer"`
	Confidence float64        `json:"confidence"`
	Candidates []CandidateOut `json:"candidates"`
	Context    bool           `json:"context"`
	Negative   bool           `json:"negative"`
	Sentiment  float64        `json:"sentiment"`
	Language   string         `json:"language"`
	ElapsedUS  int64          `json:"elapsed_us"`
}

// Try decides on a question without a conversation (the admin page's test box).
func (b *Bot) Try(ctx context.Context, tenantID, question string, prev *engine.Turn) (TryResult, error) {
	snap, err := b.current(ctx, tenantID)
	if err != nil {
		return TryResult{}, err
	}
	if snap.eng == nil {
		return TryResult{Kind: engine.KindNoMatch, Reason: engine.ReasonNoMatch, Candidates: []CandidateOut{}}, nil
	}
	d := snap.eng.Decide(engine.Query{Text: question, Prev: prev, Policy: snap.settings.Policy()})
	r := TryResult{Kind: d.Kind, Reason: d.Reason, EntryID: d.EntryID, Confidence: d.Confidence, Context: d.Context,
		Negative: d.Negative, Sentiment: d.Sentiment, Language: d.Language, ElapsedUS: d.Elapsed.Microseconds(),
		Candidates: candidatesOf(d)}
	if d.Kind == engine.KindAnswer {
		r.Answer = snap.entries[d.EntryID].AnswerText
	}
	return r, nil
}

// RateAnswer records a customer's rating from the widget (live.Ratings).
// After a 👎 the bot, if it still owns the conversation, offers a person.
func (b *Bot) RateAnswer(ctx context.Context, tenantID, decisionID string, up bool, owns func(convID string) bool) error {
	d, err := b.Rate(ctx, tenantID, decisionID, up, owns)
	if err != nil || up {
		return err
	}
	conv, err := b.o.Conversations.Get(ctx, tenantID, d.ConversationID)
	if err != nil || conv.Owner != conversation.OwnerBot {
		return err
	}
	lang := langOf(d.Language, conv)
	_, _, err = b.o.Conversations.Post(ctx, tenantID, conv.ID, conversation.NewMessage{
		ClientID: "bot-rate-" + decisionID, SenderType: conversation.SenderBot, Body: b.t(lang, "bot.rate_down"),
		Meta: marshal(Meta{Kind: "rate_down", Buttons: []Button{{Label: b.t(lang, "bot.human_button"), Text: b.t(lang, "bot.human_text"), Human: true}}})})
	if errors.Is(err, conversation.ErrNotBotOwned) {
		return nil
	}
	return err
}
