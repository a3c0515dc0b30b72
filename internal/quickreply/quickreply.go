// Package quickreply holds canned answers (快捷回复) that agents insert with
// /shortcut: personal, per team, or tenant-wide, with variables.
//
// Who sees and changes what:
//
//   - personal: only its owner sees and changes it;
//   - team: the team's members see it, supervisors and administrators see
//     every team's and are the only ones who change them;
//   - tenant: everyone in the tenant sees it; supervisors and
//     administrators change it.
//
// The caller is described by a Viewer, which the API builds from the
// signed-in user's role and teams (this package does not read accounts).
package quickreply

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/validate"
)

//go:embed *.sql
var sqlFS embed.FS

var q = store.MustLoadQueries(sqlFS)

// Queries exposes this package's statements to the store scoping tests.
func Queries() *store.Queries { return q }

// Limits on quick replies.
const (
	MaxShortcutRunes = 32
	MaxTitleRunes    = 100
	MaxBodyRunes     = 5000
	MaxPerOwner      = 500  // per person, per team, and tenant-wide
	MaxList          = 1000 // largest list answer
	MaxQueryRunes    = 200
)

// Scope says whose a quick reply is.
type Scope string

// The scopes.
const (
	ScopePersonal Scope = "personal" // one user's own
	ScopeTeam     Scope = "team"     // a team's
	ScopeTenant   Scope = "tenant"   // everyone's in the tenant
)

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return s == ScopePersonal || s == ScopeTeam || s == ScopeTenant }

func (s Scope) rank() int {
	switch s {
	case ScopePersonal:
		return 0
	case ScopeTeam:
		return 1
	}
	return 2
}

// QuickReply is a canned answer.
type QuickReply struct {
	ID    string `json:"id"`
	Scope Scope  `json:"scope"`
	// TeamID is the team of a team quick reply ("" otherwise).
	TeamID string `json:"team_id"`
	// Shortcut is typed after "/" in the composer: lower-case letters of
	// any script, digits, '_' and '-'.
	Shortcut string `json:"shortcut"`
	Title    string `json:"title"`
	// Body is plain text with variables such as {{customer.name}}.
	Body      string    `json:"body"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// CanEdit says whether the caller may change and delete it.
	CanEdit bool `json:"can_edit"`

	ownerID string
}

// Viewer is who is asking, and so what they see and may change.
type Viewer struct {
	// UserID is the signed-in user; "" for an API token, which has no
	// personal quick replies.
	UserID string
	// TeamIDs are the teams whose quick replies the viewer sees: the
	// user's own teams, or every team of the tenant for an editor.
	TeamIDs []string
	// Editor may create, change and delete team and tenant-wide quick
	// replies: supervisors, administrators and admin-scope API tokens.
	Editor bool
}

func (v Viewer) sees(qr QuickReply) bool {
	switch qr.Scope {
	case ScopePersonal:
		return v.UserID != "" && qr.ownerID == v.UserID
	case ScopeTeam:
		return v.Editor || slices.Contains(v.TeamIDs, qr.ownerID)
	}
	return true
}

func (v Viewer) edits(qr QuickReply) bool {
	if qr.Scope == ScopePersonal {
		return v.UserID != "" && qr.ownerID == v.UserID
	}
	return v.Editor
}

// Input creates a quick reply or changes one; in a change, nil fields stay
// as they are. Scope defaults to personal; team_id names the team of a
// team quick reply.
type Input struct {
	Scope    *Scope
	TeamID   *string
	Shortcut *string
	Title    *string
	Body     *string
}

// Filter narrows a list: Query matches the shortcut, title or body
// (case-insensitive), Scope one scope only; Limit is 1–MaxList (0: MaxList).
type Filter struct {
	Query string
	Scope Scope
	Limit int
}

// Service manages quick replies.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the quick-reply service.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

func scan(r interface{ Scan(...any) error }) (QuickReply, error) {
	var qr QuickReply
	var scope string
	var created, updated int64
	err := r.Scan(&qr.ID, &scope, &qr.ownerID, &qr.Shortcut, &qr.Title, &qr.Body, &qr.CreatedBy, &created, &updated)
	qr.Scope, qr.CreatedAt, qr.UpdatedAt = Scope(scope), store.Time(created), store.Time(updated)
	if qr.Scope == ScopeTeam {
		qr.TeamID = qr.ownerID
	}
	return qr, err
}

func (v Viewer) present(qr QuickReply) QuickReply {
	qr.CanEdit = v.edits(qr)
	return qr
}

// errForbidden refuses a change of a team or tenant-wide quick reply to
// someone who is not an editor.
func errForbidden() error { return apperr.New(apperr.Forbidden, "quickreply_forbidden", "scope") }

// List returns the quick replies the viewer sees — their personal ones,
// their teams' and the tenant-wide ones — sorted by shortcut (then
// personal before team before tenant-wide).
func (s *Service) List(ctx context.Context, tenantID string, v Viewer, f Filter) ([]QuickReply, error) {
	if f.Scope != "" && !f.Scope.Valid() {
		return nil, apperr.Invalidf("scope", "invalid_value")
	}
	if utf8.RuneCountInString(f.Query) > MaxQueryRunes {
		return nil, apperr.Invalidf("q", "too_long", "max", MaxQueryRunes)
	}
	if f.Limit < 0 || f.Limit > MaxList {
		return nil, apperr.New(apperr.BadRequest, "bad_limit", "limit", "max", MaxList)
	}
	if f.Limit == 0 {
		f.Limit = MaxList
	}
	type owner struct {
		scope Scope
		id    string
	}
	var owners []owner
	if v.UserID != "" {
		owners = append(owners, owner{ScopePersonal, v.UserID})
	}
	for _, t := range v.TeamIDs {
		owners = append(owners, owner{ScopeTeam, t})
	}
	owners = append(owners, owner{ScopeTenant, ""})
	needle := strings.ToLower(strings.TrimSpace(f.Query))
	out := []QuickReply{}
	db := s.db.Tenant(tenantID)
	for _, o := range owners {
		if f.Scope != "" && o.scope != f.Scope {
			continue
		}
		rows, err := db.Query(ctx, q.Get("OwnerQuickReplies"), string(o.scope), o.id, MaxPerOwner)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			qr, err := scan(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			if needle == "" || matches(qr, needle) {
				out = append(out, v.present(qr))
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b QuickReply) int {
		return cmp.Or(strings.Compare(a.Shortcut, b.Shortcut), cmp.Compare(a.Scope.rank(), b.Scope.rank()),
			strings.Compare(a.TeamID, b.TeamID), strings.Compare(a.ID, b.ID))
	})
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func matches(qr QuickReply, needle string) bool {
	for _, s := range []string{qr.Shortcut, qr.Title, qr.Body} {
		if strings.Contains(strings.ToLower(s), needle) {
			return true
		}
	}
	return false
}

// Get returns one quick reply the viewer sees; others are not found.
func (s *Service) Get(ctx context.Context, tenantID string, v Viewer, replyID string) (QuickReply, error) {
	qr, err := s.get(ctx, s.db.Tenant(tenantID), v, replyID)
	return v.present(qr), err
}

func (s *Service) get(ctx context.Context, sc store.Scope, v Viewer, replyID string) (QuickReply, error) {
	qr, err := scan(sc.QueryRow(ctx, q.Get("GetQuickReply"), replyID))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !v.sees(qr)) {
		return QuickReply{}, apperr.NotFoundf("quick_reply")
	}
	return qr, err
}

// Create adds a quick reply. Anyone creates personal ones (an API token
// cannot: it is nobody's); team and tenant-wide ones need an editor.
func (s *Service) Create(ctx context.Context, tenantID string, v Viewer, in Input) (QuickReply, error) {
	qr := QuickReply{Scope: ScopePersonal}
	if in.Shortcut == nil {
		in.Shortcut = new(string)
	}
	if in.Body == nil {
		in.Body = new(string)
	}
	if err := apply(&qr, v, in); err != nil {
		return QuickReply{}, err
	}
	now := s.stamp()
	qr.ID, qr.CreatedAt, qr.UpdatedAt = id.New(), now, now
	qr.CreatedBy = v.UserID
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		if err := roomFor(ctx, tx, qr.Scope, qr.ownerID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, q.Get("CreateQuickReply"), qr.ID, string(qr.Scope), qr.ownerID, qr.Shortcut, qr.Title, qr.Body,
			qr.CreatedBy, store.Millis(now))
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return QuickReply{}, apperr.Conflictf("shortcut", err)
	}
	if err != nil {
		return QuickReply{}, err
	}
	return v.present(qr), nil
}

// Update changes a quick reply the viewer may edit. Moving it to another
// scope or team needs the right to create it there.
func (s *Service) Update(ctx context.Context, tenantID string, v Viewer, replyID string, in Input) (QuickReply, error) {
	var out QuickReply
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		qr, err := s.get(ctx, tx, v, replyID)
		if err != nil {
			return err
		}
		if !v.edits(qr) {
			return errForbidden()
		}
		scope, owner := qr.Scope, qr.ownerID
		if err := apply(&qr, v, in); err != nil {
			return err
		}
		if qr.Scope != scope || qr.ownerID != owner {
			if err := roomFor(ctx, tx, qr.Scope, qr.ownerID); err != nil {
				return err
			}
		}
		qr.UpdatedAt = s.stamp()
		if err := tx.ExecOne(ctx, q.Get("UpdateQuickReply"), qr.ID, string(qr.Scope), qr.ownerID, qr.Shortcut, qr.Title, qr.Body,
			store.Millis(qr.UpdatedAt)); err != nil {
			return err
		}
		out = v.present(qr)
		return nil
	})
	if errors.Is(err, store.ErrConflict) {
		return QuickReply{}, apperr.Conflictf("shortcut", err)
	}
	return out, err
}

// Delete removes a quick reply the viewer may edit.
func (s *Service) Delete(ctx context.Context, tenantID string, v Viewer, replyID string) error {
	return s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		qr, err := s.get(ctx, tx, v, replyID)
		if err != nil {
			return err
		}
		if !v.edits(qr) {
			return errForbidden()
		}
		return tx.ExecOne(ctx, q.Get("DeleteQuickReply"), replyID)
	})
}

// roomFor refuses a quick reply over the limit of its owner.
func roomFor(ctx context.Context, tx store.Scope, scope Scope, owner string) error {
	var n int
	if err := tx.QueryRow(ctx, q.Get("CountOwnerQuickReplies"), string(scope), owner).Scan(&n); err != nil {
		return err
	}
	if n >= MaxPerOwner {
		return apperr.Invalidf("scope", "too_many", "max", MaxPerOwner)
	}
	return nil
}

// apply checks the fields given and sets them on qr, with the owner its
// scope implies; it refuses a scope the viewer may not write to.
func apply(qr *QuickReply, v Viewer, in Input) error {
	if in.Scope != nil {
		if !in.Scope.Valid() {
			return apperr.Invalidf("scope", "invalid_value")
		}
		if *in.Scope != qr.Scope {
			qr.Scope, qr.TeamID = *in.Scope, ""
		}
	}
	if in.TeamID != nil {
		qr.TeamID = strings.TrimSpace(*in.TeamID)
	}
	switch qr.Scope {
	case ScopePersonal:
		if v.UserID == "" {
			return apperr.New(apperr.Forbidden, "session_only", "scope")
		}
		if qr.TeamID != "" {
			return apperr.Invalidf("team_id", "invalid_value")
		}
		if qr.ownerID != "" && qr.ownerID != v.UserID {
			return errForbidden() // someone else's: never reached, as it is not seen
		}
		qr.ownerID = v.UserID
	case ScopeTeam:
		if !v.Editor {
			return errForbidden()
		}
		if qr.TeamID == "" {
			return apperr.Invalidf("team_id", "required")
		}
		if !slices.Contains(v.TeamIDs, qr.TeamID) {
			return apperr.Invalidf("team_id", "unknown_reference")
		}
		qr.ownerID = qr.TeamID
	case ScopeTenant:
		if !v.Editor {
			return errForbidden()
		}
		if qr.TeamID != "" {
			return apperr.Invalidf("team_id", "invalid_value")
		}
		qr.ownerID = ""
	}
	var err error
	if in.Shortcut != nil {
		if qr.Shortcut, err = NormalizeShortcut(*in.Shortcut); err != nil {
			return err
		}
	}
	if in.Title != nil {
		if qr.Title, err = validate.Name("title", *in.Title, false, MaxTitleRunes); err != nil {
			return err
		}
	}
	if in.Body != nil {
		if qr.Body, err = checkBody(*in.Body); err != nil {
			return err
		}
	}
	return nil
}

// NormalizeShortcut checks a shortcut and returns its stored form: trimmed,
// without a leading "/", lower-case. It may use letters of any script,
// digits, '_' and '-', at most MaxShortcutRunes of them.
func NormalizeShortcut(s string) (string, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "/")
	if s == "" {
		return "", apperr.Invalidf("shortcut", "required")
	}
	if !utf8.ValidString(s) {
		return "", apperr.Invalidf("shortcut", "invalid_utf8")
	}
	s = strings.ToLower(s)
	if utf8.RuneCountInString(s) > MaxShortcutRunes {
		return "", apperr.Invalidf("shortcut", "too_long", "max", MaxShortcutRunes)
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r) && r != '_' && r != '-' {
			return "", apperr.Invalidf("shortcut", "quickreply_shortcut", "max", MaxShortcutRunes)
		}
	}
	return s, nil
}

func checkBody(body string) (string, error) {
	body, err := validate.Text("body", strings.TrimSpace(body), MaxBodyRunes)
	if err != nil {
		return "", err
	}
	if body == "" {
		return "", apperr.Invalidf("body", "required")
	}
	return body, CheckVariables(body)
}
