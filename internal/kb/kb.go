// Package kb is the knowledge base (知识库) of a tenant: FAQ entries (a
// standard question, similar questions, an answer) and articles, in
// categories that form a tree, with tags, languages and linked
// translations, a review workflow (draft → in_review → published →
// archived), numbered versions with diffs and restore, import and export in
// CSV and JSON Lines, and full-text search in Chinese and English.
//
// Editing never takes an answer away from customers: each entry has a
// working copy (its latest version, with its own status) and a pointer to
// the published snapshot, which stays live until a reviewer approves the new
// working copy. Published returns those live snapshots for the bot;
// OnPublishedChange and PublishedVersion tell it when they change.
package kb

import (
	"context"
	"embed"
	"log/slog"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

//go:embed *.sql
var sqlFS embed.FS

var q = store.MustLoadQueries(sqlFS)

// Queries exposes this package's statements to the store scoping tests.
func Queries() *store.Queries { return q }

// Kind is what sort of entry it is.
type Kind string

// The kinds of entries.
const (
	KindFAQ     Kind = "faq"     // a standard question, similar questions and an answer
	KindArticle Kind = "article" // a title and a longer Markdown body
)

// Status is where an entry's working copy is in the review workflow.
type Status string

// The workflow states.
const (
	StatusDraft     Status = "draft"     // being written; anyone with write access edits it
	StatusInReview  Status = "in_review" // submitted; a reviewer approves or rejects it
	StatusPublished Status = "published" // approved: this version is what customers get
	StatusArchived  Status = "archived"  // withdrawn: customers get nothing from it
)

func (s Status) valid() bool {
	switch s {
	case StatusDraft, StatusInReview, StatusPublished, StatusArchived:
		return true
	}
	return false
}

// Limits on knowledge-base content.
const (
	MaxQuestionRunes = 500
	MaxSimilar       = 200
	MaxAnswerRunes   = 20000
	MaxButtons       = 10
	MaxLinks         = 20
	MaxTags          = 20
	MaxTagRunes      = 40
	MaxKeyRunes      = 100
	MaxNoteRunes     = 500
	MaxCategoryName  = 100
	MaxCategories    = 1000
	MaxCategoryDepth = 8
	MaxURLLength     = 2000
	MaxLabelRunes    = 40
)

// Button is a quick reply shown under an answer: it either sends a text on
// the customer's behalf or opens a URL.
type Button struct {
	Label string `json:"label"`
	Text  string `json:"text,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Link is a related link shown with an answer.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Content is what one version of an entry holds. For an article, Question
// is its title and Answer its body.
type Content struct {
	Kind       Kind       `json:"kind"`
	Language   string     `json:"language"`
	CategoryID string     `json:"category_id"`
	Key        string     `json:"key"`
	Question   string     `json:"question"`
	Similar    []string   `json:"similar"`
	Answer     string     `json:"answer"`
	AnswerHTML string     `json:"answer_html"`
	AnswerText string     `json:"answer_text"`
	Buttons    []Button   `json:"buttons"`
	Links      []Link     `json:"links"`
	Tags       []string   `json:"tags"`
	ValidFrom  *time.Time `json:"valid_from"`
	ValidUntil *time.Time `json:"valid_until"`
}

// Entry is a knowledge-base entry: its working copy and where it stands.
type Entry struct {
	ID string `json:"id"`
	Content
	// CategoryPath names the category and its ancestors, "Shipping/International".
	CategoryPath string `json:"category_path"`
	Status       Status `json:"status"`
	// Version is the number of the working copy; PublishedVersion the one
	// customers are served (0: none). They differ while an edit of a
	// published entry waits for review.
	Version          int64  `json:"version"`
	PublishedVersion int64  `json:"published_version"`
	TranslationGroup string `json:"translation_group"`
	// ReviewComment is the reviewer's reason for the last rejection.
	ReviewComment string    `json:"review_comment"`
	CreatedBy     string    `json:"created_by"`
	UpdatedBy     string    `json:"updated_by"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Live reports whether customers are served a version of the entry (its
// validity dates aside).
func (e Entry) Live() bool { return e.PublishedVersion > 0 && e.Status != StatusArchived }

// Actor is who makes a change: the author recorded in versions, and whether
// they may review (approve, reject, archive, publish).
type Actor struct {
	// ID names the author, "user:<id>" or "token:<id>".
	ID       string
	Reviewer bool
}

// Options build the service.
type Options struct {
	DB *store.DB
	// OnPublishedChange, if set, is called after the commit of any change
	// that alters a tenant's published set.
	OnPublishedChange func(tenantID string)
	Log               *slog.Logger
	Now               func() time.Time
}

// Service manages knowledge bases.
type Service struct {
	db       *store.DB
	onChange func(string)
	log      *slog.Logger
	now      func() time.Time
}

// New returns the knowledge-base service.
func New(o Options) *Service {
	s := &Service{db: o.DB, onChange: o.OnPublishedChange, log: o.Log, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// changed announces a change of the published set, after its commit.
func (s *Service) changed(tenantID string) {
	if s.onChange != nil {
		s.onChange(tenantID)
	}
}

// bump counts a change of the published set, inside its transaction.
func bump(ctx context.Context, tx store.Scope) error {
	_, err := tx.Exec(ctx, q.Get("BumpState"))
	return err
}

// PublishedVersion is a per-tenant counter bumped by every change of the
// published set; 0 before the first. A node compares it with the value it
// built its bot from to notice changes made on other nodes.
func (s *Service) PublishedVersion(ctx context.Context, tenantID string) (int64, error) {
	var v int64
	err := s.db.Tenant(tenantID).QueryRow(ctx, q.Get("GetState")).Scan(&v)
	if err != nil && isNotFound(err) {
		return 0, nil
	}
	return v, err
}

func errReviewer() error { return apperr.New(apperr.Forbidden, "kb_review_required", "") }

func badState(status Status) error {
	return apperr.New(apperr.Conflict, "kb_wrong_status", "status", "status", string(status))
}
