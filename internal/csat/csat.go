// Package csat holds customer satisfaction ratings (1–5 with a comment)
// given when a conversation closes, per conversation, agent, team and channel.
//
// A customer rates a conversation once it is closed, and may rate it again
// (replacing the first rating) until Window after the close. The rating
// records who served the conversation at that moment: its assignee, team
// and channel. Lists and summaries filter by agent, team, channel and time.
package csat

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/validate"
)

//go:embed *.sql
var sqlFS embed.FS

var q = store.MustLoadQueries(sqlFS)

// Queries exposes this package's statements to the store scoping tests.
func Queries() *store.Queries { return q }

// Limits of a rating.
const (
	MinScore      = 1
	MaxScore      = 5
	MaxCommentLen = 1000
	// Window is how long after the close a conversation may be rated (or
	// its rating changed).
	Window = 24 * time.Hour
)

// The groups a summary may be broken down by.
const (
	GroupAgent   = "agent"
	GroupTeam    = "team"
	GroupChannel = "channel"
)

// Rating is a customer's rating of one conversation. An empty AgentID,
// TeamID or ChannelID means the conversation had none when it was rated;
// the names are those of today (empty when the thing was deleted).
type Rating struct {
	ConversationID string    `json:"conversation_id"`
	Score          int       `json:"score"`
	Comment        string    `json:"comment"`
	AgentID        string    `json:"agent_id"`
	AgentName      string    `json:"agent_name"`
	TeamID         string    `json:"team_id"`
	TeamName       string    `json:"team_name"`
	ChannelID      string    `json:"channel_id"`
	ChannelName    string    `json:"channel_name"`
	ContactID      string    `json:"contact_id"`
	ContactName    string    `json:"contact_name"`
	CreatedAt      time.Time `json:"created_at"` // first rated
	UpdatedAt      time.Time `json:"updated_at"` // last rated
}

// Filter selects ratings; empty fields select everything. From is
// inclusive and To exclusive, on the time of the first rating.
type Filter struct {
	AgentID   string
	TeamID    string
	ChannelID string
	From, To  time.Time
}

// Group is the summary of some ratings: all of them, or those of one agent,
// team or channel (Key is its id, "" for none; Name its name today).
type Group struct {
	Key     string  `json:"key"`
	Name    string  `json:"name"`
	Count   int     `json:"count"`
	Average float64 `json:"average"` // 0 without ratings; two decimals
	// Distribution counts the ratings of each score: [0] is 1 star, [4] 5 stars.
	Distribution [MaxScore]int `json:"distribution"`
}

// Summary is the summary of the filtered ratings in all, and per group
// (largest first) when a group was asked for.
type Summary struct {
	Group string  `json:"group"`
	Total Group   `json:"total"`
	Items []Group `json:"items"`
}

// State is what the customer may see and do about a conversation's rating.
type State struct {
	ConversationID string    `json:"conversation_id"`
	Rated          bool      `json:"rated"`
	Score          int       `json:"score,omitempty"`
	Comment        string    `json:"comment,omitempty"`
	Open           bool      `json:"open"`                // a rating may be given (or changed) now
	OpenUntil      time.Time `json:"open_until,omitzero"` // until when, once closed
}

// Service manages satisfaction ratings.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the satisfaction service.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// SetClock replaces the time source (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// convFacts are what a rating needs to know of its conversation.
type convFacts struct {
	status                     string
	closedAt                   sql.NullInt64
	agent, team, channel, cont sql.NullString
}

func (s *Service) facts(ctx context.Context, sc store.Scope, convID string) (convFacts, error) {
	var f convFacts
	err := sc.QueryRow(ctx, q.Get("ConversationForRating"), convID).Scan(&f.status, &f.closedAt, &f.agent, &f.team, &f.channel, &f.cont)
	if errors.Is(err, store.ErrNotFound) {
		return f, apperr.NotFoundf("conversation")
	}
	return f, err
}

// openUntil is the end of the rating window of a closed conversation (zero
// for an open one).
func (f convFacts) openUntil() time.Time {
	if f.status != "closed" || !f.closedAt.Valid {
		return time.Time{}
	}
	return store.Time(f.closedAt.Int64).Add(Window)
}

// CheckInput validates a score and a comment; it returns the comment as stored.
func CheckInput(score int, comment string) (string, error) {
	if score < MinScore || score > MaxScore {
		return "", apperr.Invalidf("score", "out_of_range", "min", MinScore, "max", MaxScore)
	}
	return validate.Text("comment", strings.TrimSpace(comment), MaxCommentLen)
}

// Rate records the customer's rating of a closed conversation: a score of
// 1–5 and an optional comment of at most 1,000 characters. Rating again
// within Window of the close replaces the rating; an open conversation is
// refused with 409 not_closed, a late rating with 409 rating_closed.
func (s *Service) Rate(ctx context.Context, tenantID, convID string, score int, comment string) (Rating, error) {
	comment, err := CheckInput(score, comment)
	if err != nil {
		return Rating{}, err
	}
	var out Rating
	err = s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		f, err := s.facts(ctx, tx, convID)
		if err != nil {
			return err
		}
		if f.status != "closed" {
			return apperr.New(apperr.Conflict, "not_closed", "conversation_id")
		}
		now := s.stamp()
		if until := f.openUntil(); !until.IsZero() && now.After(until) {
			return apperr.New(apperr.Conflict, "rating_closed", "conversation_id")
		}
		if _, err := tx.Exec(ctx, q.Get("PutRating"), convID, score, comment, f.agent.String, f.team.String, f.channel.String,
			store.Millis(now)); err != nil {
			return err
		}
		out, err = scanRating(tx.QueryRow(ctx, q.Get("GetRating"), convID))
		return err
	})
	return out, err
}

func scanRating(r interface{ Scan(...any) error }) (Rating, error) {
	var x Rating
	var created, updated int64
	err := r.Scan(&x.ConversationID, &x.Score, &x.Comment, &x.AgentID, &x.AgentName, &x.TeamID, &x.TeamName,
		&x.ChannelID, &x.ChannelName, &x.ContactID, &x.ContactName, &created, &updated)
	x.CreatedAt, x.UpdatedAt = store.Time(created), store.Time(updated)
	return x, err
}

// ForConversation returns the rating of a conversation (404 without one).
func (s *Service) ForConversation(ctx context.Context, tenantID, convID string) (Rating, error) {
	r, err := scanRating(s.db.Tenant(tenantID).QueryRow(ctx, q.Get("GetRating"), convID))
	if errors.Is(err, store.ErrNotFound) {
		return r, apperr.NotFoundf("csat_rating")
	}
	return r, err
}

// StateOf says whether a conversation is rated and whether the customer may
// rate it now (404 for an unknown conversation).
func (s *Service) StateOf(ctx context.Context, tenantID, convID string) (State, error) {
	sc := s.db.Tenant(tenantID)
	f, err := s.facts(ctx, sc, convID)
	if err != nil {
		return State{}, err
	}
	st := State{ConversationID: convID, OpenUntil: f.openUntil()}
	st.Open = !st.OpenUntil.IsZero() && !s.stamp().After(st.OpenUntil)
	r, err := scanRating(sc.QueryRow(ctx, q.Get("GetRating"), convID))
	switch {
	case err == nil:
		st.Rated, st.Score, st.Comment = true, r.Score, r.Comment
	case !errors.Is(err, store.ErrNotFound):
		return State{}, err
	}
	return st, nil
}

// ratingCursor is the position of a rating in the newest-first order.
func ratingCursor(r Rating) string {
	return strconv.FormatInt(store.Millis(r.CreatedAt), 10) + ":" + r.ConversationID
}

func parseCursor(after string) (int64, string, error) {
	if after == "" {
		return 0, "", nil
	}
	ms, convID, ok := strings.Cut(after, ":")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || n <= 0 || convID == "" {
		return 0, "", apperr.New(apperr.BadRequest, "bad_cursor", "cursor")
	}
	return n, convID, nil
}

func (f Filter) check() error {
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return apperr.Invalidf("to", "csat_bad_range")
	}
	return nil
}

// List returns one page of ratings, newest first.
func (s *Service) List(ctx context.Context, tenantID string, f Filter, p store.Page) ([]Rating, string, error) {
	p = p.Normalized()
	if err := f.check(); err != nil {
		return nil, "", err
	}
	afterMS, afterID, err := parseCursor(p.After)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.db.Tenant(tenantID).Query(ctx, q.Get("ListRatings"), afterMS, afterID, f.AgentID, f.TeamID, f.ChannelID,
		store.Millis(f.From), store.Millis(f.To), p.Limit+1)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []Rating{}
	for rows.Next() {
		r, err := scanRating(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := store.NextCursor(out, p.Limit, ratingCursor)
	return out, next, nil
}

// Summarize counts and averages the filtered ratings, in all and per agent,
// team or channel (group "" for the total only).
func (s *Service) Summarize(ctx context.Context, tenantID, group string, f Filter) (Summary, error) {
	name := ""
	switch group {
	case "":
	case GroupAgent:
		name = "SummaryByAgent"
	case GroupTeam:
		name = "SummaryByTeam"
	case GroupChannel:
		name = "SummaryByChannel"
	default:
		return Summary{}, apperr.Invalidf("group", "invalid_value")
	}
	if err := f.check(); err != nil {
		return Summary{}, err
	}
	sc := s.db.Tenant(tenantID)
	args := []any{f.AgentID, f.TeamID, f.ChannelID, store.Millis(f.From), store.Millis(f.To)}
	out := Summary{Group: group, Items: []Group{}}
	total, err := s.groups(ctx, sc, "SummaryTotal", args)
	if err != nil {
		return out, err
	}
	out.Total = total[0]
	if name != "" {
		if out.Items, err = s.groups(ctx, sc, name, args); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (s *Service) groups(ctx context.Context, sc store.Scope, name string, args []any) ([]Group, error) {
	rows, err := sc.Query(ctx, q.Get(name), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Group{}
	for rows.Next() {
		var g Group
		var count, sum int64
		var d [MaxScore]int64
		if err := rows.Scan(&g.Key, &g.Name, &count, &sum, &d[0], &d[1], &d[2], &d[3], &d[4]); err != nil {
			return nil, err
		}
		g.Count = int(count)
		for i, n := range d {
			g.Distribution[i] = int(n)
		}
		if count > 0 {
			g.Average = math.Round(float64(sum)/float64(count)*100) / 100
		}
		out = append(out, g)
	}
	return out, rows.Err()
}
