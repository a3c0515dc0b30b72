// Package workspace holds the tenant's settings for the agent's workspace
// (close summaries, the response-time target) and close summaries (会话小结).
//
// A close summary is a category from the tenant's list and a resolution
// note, recorded when an agent closes a conversation. The tenant decides
// whether it is required. Close validates the summary against the
// settings, closes the conversation through the conversation service and
// then stores the summary: a close that fails stores nothing, and a
// summary that fails to store after a successful close is reported as an
// error, so that the caller retries (closing a closed conversation again
// changes nothing and stores the summary).
package workspace

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/validate"
)

//go:embed *.sql
var sqlFS embed.FS

var q = store.MustLoadQueries(sqlFS)

// Queries exposes this package's statements to the store scoping tests.
func Queries() *store.Queries { return q }

// Limits of the settings and of a summary.
const (
	MaxCategories     = 50
	MaxCategoryLen    = 60
	MaxNoteLen        = 2000
	MinResponseTarget = 10    // seconds
	MaxResponseTarget = 86400 // seconds (a day)
	// DefaultResponseTarget is the target until an administrator sets one.
	DefaultResponseTarget = 120
)

// Settings are a tenant's workspace settings, edited on the admin page.
type Settings struct {
	// SummaryCategories are the categories an agent picks from when
	// closing a conversation, in the order shown.
	SummaryCategories []string `json:"summary_categories"`
	// SummaryRequired refuses a close without a summary: a category (or,
	// when the list is empty, a note).
	SummaryRequired bool `json:"summary_required"`
	// ResponseTargetSeconds is how soon a customer's message should be
	// answered; the console colours its waiting timer against it.
	ResponseTargetSeconds int `json:"response_target_seconds"`
}

// DefaultSettings are a tenant's settings until an administrator saves them.
func DefaultSettings() Settings {
	return Settings{SummaryCategories: []string{}, ResponseTargetSeconds: DefaultResponseTarget}
}

// Validate checks the settings and trims the categories in place. Errors
// name the field at fault, e.g. "summary_categories[3]".
func (s *Settings) Validate() error {
	if s.SummaryCategories == nil {
		s.SummaryCategories = []string{}
	}
	if len(s.SummaryCategories) > MaxCategories {
		return apperr.Invalidf("summary_categories", "too_many", "max", MaxCategories)
	}
	seen := make(map[string]bool, len(s.SummaryCategories))
	for i, c := range s.SummaryCategories {
		field := fmt.Sprintf("summary_categories[%d]", i)
		c, err := validate.Name(field, c, true, MaxCategoryLen)
		if err != nil {
			return err
		}
		k := strings.ToLower(c)
		if seen[k] {
			return &apperr.Error{Kind: apperr.Invalid, Code: "repeated_value", Field: field, Key: "workspace.err.repeated_category",
				Args: []any{"category", c}}
		}
		seen[k] = true
		s.SummaryCategories[i] = c
	}
	if s.ResponseTargetSeconds < MinResponseTarget || s.ResponseTargetSeconds > MaxResponseTarget {
		return apperr.Invalidf("response_target_seconds", "out_of_range", "min", MinResponseTarget, "max", MaxResponseTarget)
	}
	return nil
}

// category returns the list's spelling of c, matched without regard to
// case, and whether the list has it.
func (s Settings) category(c string) (string, bool) {
	for _, x := range s.SummaryCategories {
		if strings.ToLower(x) == strings.ToLower(c) {
			return x, true
		}
	}
	return "", false
}

// SummaryInput is what an agent writes when closing a conversation.
type SummaryInput struct {
	Category string `json:"category"`
	Note     string `json:"note"`
}

// Empty reports whether nothing was written.
func (in SummaryInput) Empty() bool {
	return strings.TrimSpace(in.Category) == "" && strings.TrimSpace(in.Note) == ""
}

// Summary is the close summary of a conversation.
type Summary struct {
	ConversationID string `json:"conversation_id"`
	Category       string `json:"category"`
	Note           string `json:"note"`
	// AgentID is the user who closed the conversation with this summary
	// ("" when an API token closed it).
	AgentID   string    `json:"agent_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Conversations is what the workspace needs of the conversation service.
type Conversations interface {
	Get(ctx context.Context, tenantID, convID string) (conversation.Conversation, error)
	Close(ctx context.Context, tenantID, convID string) (conversation.Conversation, error)
}

// Service manages workspace settings and close summaries.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the workspace service.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// SetClock replaces the time source (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) stamp() int64 { return store.Millis(s.now().UTC()) }

// Settings returns a tenant's settings (the defaults if never saved).
func (s *Service) Settings(ctx context.Context, tenantID string) (Settings, error) {
	var raw string
	err := s.db.Tenant(tenantID).QueryRow(ctx, q.Get("GetSettings")).Scan(&raw)
	if errors.Is(err, store.ErrNotFound) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return Settings{}, err
	}
	st := DefaultSettings()
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return Settings{}, fmt.Errorf("workspace: settings of tenant %s: %w", tenantID, err)
	}
	if st.SummaryCategories == nil {
		st.SummaryCategories = []string{}
	}
	return st, nil
}

// PutSettings validates and stores a tenant's settings, replacing them whole.
func (s *Service) PutSettings(ctx context.Context, tenantID string, st Settings) (Settings, error) {
	st.SummaryCategories = append([]string(nil), st.SummaryCategories...)
	if err := st.Validate(); err != nil {
		return Settings{}, err
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return Settings{}, err
	}
	if _, err := s.db.Tenant(tenantID).Exec(ctx, q.Get("PutSettings"), string(raw), s.stamp()); err != nil {
		return Settings{}, err
	}
	return st, nil
}

// CheckSummary validates a summary against the settings and returns it
// normalised: the category in the list's spelling, the note trimmed.
func CheckSummary(st Settings, in SummaryInput) (SummaryInput, error) {
	cat, err := validate.Name("category", in.Category, false, MaxCategoryLen)
	if err != nil {
		return in, err
	}
	note, err := validate.Text("note", strings.TrimSpace(in.Note), MaxNoteLen)
	if err != nil {
		return in, err
	}
	if cat != "" {
		known, ok := st.category(cat)
		if !ok {
			return in, &apperr.Error{Kind: apperr.Invalid, Code: "unknown_category", Field: "category",
				Key: "workspace.err.unknown_category", Args: []any{"category", cat}}
		}
		cat = known
	}
	if st.SummaryRequired {
		switch {
		case len(st.SummaryCategories) > 0 && cat == "":
			return in, &apperr.Error{Kind: apperr.Invalid, Code: "summary_required", Field: "category", Key: "workspace.err.summary_required"}
		case len(st.SummaryCategories) == 0 && note == "":
			return in, &apperr.Error{Kind: apperr.Invalid, Code: "summary_required", Field: "note", Key: "workspace.err.summary_note_required"}
		}
	}
	return SummaryInput{Category: cat, Note: note}, nil
}

// Close closes a conversation with a summary written by agentID ("" for an
// API token). The summary is checked against the tenant's settings first
// (a required summary that is missing: 422 summary_required; a category
// not in the list: 422 unknown_category); then the conversation is closed;
// then the summary is stored, replacing an earlier one. An empty summary
// stores nothing, and an empty close of a conversation that is already
// closed changes nothing, whatever the settings say.
func (s *Service) Close(ctx context.Context, convs Conversations, tenantID, convID, agentID string, in SummaryInput) (conversation.Conversation, error) {
	c, err := convs.Get(ctx, tenantID, convID)
	if err != nil {
		return conversation.Conversation{}, err
	}
	if in.Empty() && c.Status == conversation.StatusClosed {
		return c, nil
	}
	st, err := s.Settings(ctx, tenantID)
	if err != nil {
		return conversation.Conversation{}, err
	}
	sum, err := CheckSummary(st, in)
	if err != nil {
		return conversation.Conversation{}, err
	}
	c, err = convs.Close(ctx, tenantID, convID)
	if err != nil {
		return conversation.Conversation{}, err
	}
	if sum.Empty() {
		return c, nil
	}
	if _, err := s.db.Tenant(tenantID).Exec(ctx, q.Get("PutSummary"), convID, sum.Category, sum.Note, agentID, s.stamp()); err != nil {
		if errors.Is(err, store.ErrConflict) {
			// The conversation was deleted in between.
			return conversation.Conversation{}, apperr.NotFoundf("conversation")
		}
		return conversation.Conversation{}, fmt.Errorf("workspace: store the summary of %s: %w", convID, err)
	}
	return c, nil
}

// Summary returns a conversation's close summary; a conversation closed
// without one (or still open) has none: 404.
func (s *Service) Summary(ctx context.Context, tenantID, convID string) (Summary, error) {
	var out Summary
	var created, updated int64
	err := s.db.Tenant(tenantID).QueryRow(ctx, q.Get("GetSummary"), convID).
		Scan(&out.ConversationID, &out.Category, &out.Note, &out.AgentID, &created, &updated)
	if errors.Is(err, store.ErrNotFound) {
		return Summary{}, &apperr.Error{Kind: apperr.NotFound, Code: "not_found", Key: "workspace.err.no_summary"}
	}
	if err != nil {
		return Summary{}, err
	}
	out.CreatedAt, out.UpdatedAt = store.Time(created), store.Time(updated)
	return out, nil
}
