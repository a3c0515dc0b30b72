package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/bot/engine"
	"github.com/switchboard-cs/switchboard/internal/bot/llm"
	"github.com/switchboard-cs/switchboard/internal/bot/text"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// Settings are a tenant's bot settings, edited on the admin page.
type Settings struct {
	// Enabled lets the bot answer on channels whose mode gives it the
	// first turn. Off, every conversation goes to people.
	Enabled bool `json:"enabled"`
	// Answer, Clarify and Negative are the decision thresholds (0–1): a
	// calibrated confidence ≥ Answer answers, ≥ Clarify offers the closest
	// three entries, below says so and offers a person; a negativity score
	// ≥ Negative hands off at once with priority.
	Answer   float64 `json:"answer_threshold"`
	Clarify  float64 `json:"clarify_threshold"`
	Negative float64 `json:"negative_threshold"`
	// Decline turns a would-be answer or choice into "no match" when the
	// best entry's in-scope score (its probability against "none of them")
	// is below it; 0 (the default) leaves it to the two thresholds above.
	Decline float64 `json:"decline_threshold"`
	// MaxTurns is how many replies the bot gives in one conversation
	// before it hands off (bot_turn_limit).
	MaxTurns int `json:"max_turns"`
	// MaxMisses is how many unsuccessful turns in a row (no match, or an
	// unresolved "did you mean") hand off (no_match / low_confidence).
	MaxMisses int `json:"max_misses"`
	// Terms (product and brand names) and Synonyms extend the text
	// processing for this tenant.
	Terms    []string   `json:"terms"`
	Synonyms [][]string `json:"synonyms"`
	// LLM optionally phrases answers from the retrieved entries.
	LLM LLMSettings `json:"llm"`
}

// LLMSettings configure the optional answer phrasing (off by default).
type LLMSettings struct {
	Enabled bool   `json:"enabled"`
	BaseURL string `json:"base_url"`
	Model   string `json:"model"`
	APIKey  string `json:"api_key,omitempty"`
}

// Limits of the settings.
const (
	MaxTurnsLimit = 100
	maxTermLen    = 50
)

// DefaultSettings are a tenant's settings until an administrator changes them.
func DefaultSettings() Settings {
	p := engine.DefaultPolicy()
	return Settings{Enabled: true, Answer: p.Answer, Clarify: p.Clarify, Negative: p.Negative, Decline: p.Decline,
		MaxTurns: 10, MaxMisses: 2, Terms: []string{}, Synonyms: [][]string{}}
}

// Policy is the engine policy of these settings.
func (s Settings) Policy() engine.Policy {
	return engine.Policy{Answer: s.Answer, Clarify: s.Clarify, Negative: s.Negative, Decline: s.Decline}
}

// Validate checks the settings and normalises lists in place.
func (s *Settings) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"answer_threshold", s.Answer}, {"clarify_threshold", s.Clarify}, {"negative_threshold", s.Negative}, {"decline_threshold", s.Decline}} {
		if math.IsNaN(f.v) || f.v < 0 || f.v > 1 {
			return apperr.Invalidf(f.name, "out_of_range", "min", 0, "max", 1)
		}
	}
	if s.Clarify > s.Answer {
		return apperr.Invalidf("clarify_threshold", "clarify_above_answer")
	}
	if s.MaxTurns < 1 || s.MaxTurns > MaxTurnsLimit {
		return apperr.Invalidf("max_turns", "out_of_range", "min", 1, "max", MaxTurnsLimit)
	}
	if s.MaxMisses < 1 || s.MaxMisses > MaxTurnsLimit {
		return apperr.Invalidf("max_misses", "out_of_range", "min", 1, "max", MaxTurnsLimit)
	}
	if s.Terms == nil {
		s.Terms = []string{}
	}
	if s.Synonyms == nil {
		s.Synonyms = [][]string{}
	}
	for i, t := range s.Terms {
		t = strings.TrimSpace(t)
		if t == "" || len([]rune(t)) > maxTermLen {
			return apperr.Invalidf(fmt.Sprintf("terms[%d]", i), "invalid_value")
		}
		s.Terms[i] = t
	}
	for i, g := range s.Synonyms {
		if len(g) < 2 {
			return apperr.Invalidf(fmt.Sprintf("synonyms[%d]", i), "synonym_group")
		}
		for j, w := range g {
			w = strings.TrimSpace(w)
			if w == "" || len([]rune(w)) > maxTermLen {
				return apperr.Invalidf(fmt.Sprintf("synonyms[%d][%d]", i, j), "invalid_value")
			}
			g[j] = w
		}
	}
	if _, err := text.NewLexicon(s.Terms, s.Synonyms); err != nil {
		return apperr.Invalidf("terms", "invalid_value").WithCause(err)
	}
	if s.LLM.Enabled {
		if err := s.llmConfig().Validate(); err != nil {
			return apperr.Invalidf("llm", "invalid_llm").WithCause(err)
		}
	}
	return nil
}

func (s Settings) llmConfig() llm.Config {
	return llm.Config{BaseURL: s.LLM.BaseURL, Model: s.LLM.Model, APIKey: s.LLM.APIKey}
}

// Redacted is the settings as shown to people: the LLM key is never sent back.
func (s Settings) Redacted() Settings {
	if s.LLM.APIKey != "" {
		s.LLM.APIKey = ""
	}
	return s
}

// Settings returns a tenant's bot settings (the defaults if never saved).
func (b *Bot) Settings(ctx context.Context, tenantID string) (Settings, error) {
	var raw string
	err := b.db.Tenant(tenantID).QueryRow(ctx, q.Get("GetSettings")).Scan(&raw)
	if errors.Is(err, store.ErrNotFound) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return Settings{}, err
	}
	st := DefaultSettings()
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return Settings{}, fmt.Errorf("assistant: settings of tenant %s: %w", tenantID, err)
	}
	return st, nil
}

// PutSettings validates and stores a tenant's settings. An empty LLM key
// keeps the stored one. The tenant's bot is rebuilt (the tenant
// dictionary may have changed).
func (b *Bot) PutSettings(ctx context.Context, tenantID string, st Settings) (Settings, error) {
	if st.LLM.APIKey == "" {
		old, err := b.Settings(ctx, tenantID)
		if err != nil {
			return Settings{}, err
		}
		// The stored key goes only to the address it was given for: a new
		// base URL needs the key again.
		if old.LLM.BaseURL == st.LLM.BaseURL {
			st.LLM.APIKey = old.LLM.APIKey
		}
	}
	if err := st.Validate(); err != nil {
		return Settings{}, err
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return Settings{}, err
	}
	if _, err := b.db.Tenant(tenantID).Exec(ctx, q.Get("PutSettings"), string(raw), store.Millis(b.now())); err != nil {
		return Settings{}, err
	}
	b.Changed(tenantID)
	return st.Redacted(), nil
}
