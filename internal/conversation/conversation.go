// Package conversation holds conversations between a contact and the
// tenant, and their messages. Every message gets the next per-conversation
// sequence number in the transaction that stores it, and a message that
// carries a client message id is stored once however often it is sent.
package conversation

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"regexp"
	"strings"
	"time"

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

// Status is where a conversation stands.
type Status string

// The conversation statuses.
const (
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)

// SenderType says who wrote a message.
type SenderType string

// The kinds of message authors.
const (
	SenderContact     SenderType = "contact"     // the customer
	SenderAgent       SenderType = "agent"       // a user of the tenant
	SenderBot         SenderType = "bot"         // the bot
	SenderSystem      SenderType = "system"      // Switchboard itself
	SenderIntegration SenderType = "integration" // another system, through an API token
)

// Limits on conversations and messages.
const (
	MaxBodyLen     = 10000
	MaxSubjectLen  = 300
	MaxClientIDLen = 64
)

// Conversation is one exchange between a contact and the tenant.
type Conversation struct {
	ID            string     `json:"id"`
	ContactID     string     `json:"contact_id"`
	Channel       string     `json:"channel"`
	Subject       string     `json:"subject"`
	Status        Status     `json:"status"`
	AssigneeID    *string    `json:"assignee_id"`
	TeamID        *string    `json:"team_id"`
	LastSeq       int64      `json:"last_seq"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	LastMessageAt *time.Time `json:"last_message_at"`
	ClosedAt      *time.Time `json:"closed_at"`
}

// Message is one message of a conversation.
type Message struct {
	ID             string     `json:"id"`
	ConversationID string     `json:"conversation_id"`
	Seq            int64      `json:"seq"`
	ClientID       string     `json:"client_id,omitempty"`
	SenderType     SenderType `json:"sender_type"`
	SenderID       string     `json:"sender_id"`
	Private        bool       `json:"private"`
	Body           string     `json:"body"`
	CreatedAt      time.Time  `json:"created_at"`
}

// NewMessage is a message to store.
type NewMessage struct {
	ClientID   string
	SenderType SenderType
	SenderID   string
	Private    bool // an internal note, seen by agents only
	Body       string
}

// NewConversation is a conversation to open, optionally with its first message.
type NewConversation struct {
	ContactID  string
	Channel    string
	Subject    string
	AssigneeID string
	TeamID     string
	Message    *NewMessage
}

// Filter selects conversations in a list.
type Filter struct {
	Status     Status
	AssigneeID string // a user id, or Unassigned
	ContactID  string
}

// Unassigned as Filter.AssigneeID lists conversations nobody is assigned to.
const Unassigned = "-"

// Directory answers whether the things a conversation points to exist in the tenant.
type Directory interface {
	ContactExists(ctx context.Context, tenantID, contactID string) error
	UserExists(ctx context.Context, tenantID, userID string) error
	TeamExists(ctx context.Context, tenantID, teamID string) error
}

// Service manages conversations and messages.
type Service struct {
	db  *store.DB
	dir Directory
	now func() time.Time
}

// New returns the conversation service.
func New(db *store.DB, dir Directory) *Service { return &Service{db: db, dir: dir, now: time.Now} }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

var (
	channelRE  = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)
	clientIDRE = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)
)

func checkMessage(m *NewMessage) error {
	if strings.TrimSpace(m.Body) == "" {
		return apperr.Invalidf("body", "required")
	}
	if _, err := validate.Text("body", m.Body, MaxBodyLen); err != nil {
		return err
	}
	if m.ClientID != "" && !clientIDRE.MatchString(m.ClientID) {
		return apperr.Invalidf("client_id", "invalid_client_id")
	}
	switch m.SenderType {
	case SenderContact, SenderAgent, SenderBot, SenderSystem, SenderIntegration:
	default:
		return apperr.Invalidf("sender_type", "invalid_value")
	}
	if m.Private && m.SenderType == SenderContact {
		return apperr.Invalidf("private", "contact_note")
	}
	return nil
}

// Create opens a conversation, storing its first message in the same transaction.
func (s *Service) Create(ctx context.Context, tenantID string, nc NewConversation) (Conversation, *Message, error) {
	if nc.Channel == "" {
		nc.Channel = "api"
	}
	if !channelRE.MatchString(nc.Channel) {
		return Conversation{}, nil, apperr.Invalidf("channel", "invalid_channel")
	}
	subject, err := validate.Name("subject", nc.Subject, false, MaxSubjectLen)
	if err != nil {
		return Conversation{}, nil, err
	}
	if nc.ContactID == "" {
		return Conversation{}, nil, apperr.Invalidf("contact_id", "required")
	}
	if err := s.dir.ContactExists(ctx, tenantID, nc.ContactID); err != nil {
		return Conversation{}, nil, asField(err, "contact_id")
	}
	if nc.AssigneeID != "" {
		if err := s.dir.UserExists(ctx, tenantID, nc.AssigneeID); err != nil {
			return Conversation{}, nil, asField(err, "assignee_id")
		}
	}
	if nc.TeamID != "" {
		if err := s.dir.TeamExists(ctx, tenantID, nc.TeamID); err != nil {
			return Conversation{}, nil, asField(err, "team_id")
		}
	}
	if nc.Message != nil {
		if err := checkMessage(nc.Message); err != nil {
			return Conversation{}, nil, err
		}
	}
	now := s.stamp()
	c := Conversation{ID: id.New(), ContactID: nc.ContactID, Channel: nc.Channel, Subject: subject, Status: StatusOpen,
		AssigneeID: optional(nc.AssigneeID), TeamID: optional(nc.TeamID), CreatedAt: now, UpdatedAt: now}
	var msg *Message
	err = s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		if _, err := tx.Exec(ctx, q.Get("CreateConversation"), c.ID, c.ContactID, c.Channel, c.Subject, string(c.Status),
			c.AssigneeID, c.TeamID, store.Millis(now)); err != nil {
			return err
		}
		if nc.Message != nil {
			m, _, err := s.append(ctx, tx, c.ID, *nc.Message)
			if err != nil {
				return err
			}
			msg = &m
			c.LastSeq, c.LastMessageAt = m.Seq, &m.CreatedAt
		}
		return nil
	})
	if err != nil {
		return Conversation{}, nil, err
	}
	return c, msg, nil
}

// asField turns "contact not found" into a 422 on the field that named it:
// the request is readable, but what it points to is not there.
func asField(err error, field string) error {
	if e, ok := apperr.As(err); ok && e.Kind == apperr.NotFound {
		return apperr.Invalidf(field, "unknown_reference")
	}
	return err
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func scanConversation(r interface{ Scan(...any) error }) (Conversation, error) {
	var c Conversation
	var status string
	var assignee, team sql.NullString
	var created, updated int64
	var lastMsg, closed sql.NullInt64
	err := r.Scan(&c.ID, &c.ContactID, &c.Channel, &c.Subject, &status, &assignee, &team, &c.LastSeq, &created, &updated, &lastMsg, &closed)
	c.Status, c.CreatedAt, c.UpdatedAt = Status(status), store.Time(created), store.Time(updated)
	if assignee.Valid {
		c.AssigneeID = &assignee.String
	}
	if team.Valid {
		c.TeamID = &team.String
	}
	if lastMsg.Valid {
		t := store.Time(lastMsg.Int64)
		c.LastMessageAt = &t
	}
	if closed.Valid {
		t := store.Time(closed.Int64)
		c.ClosedAt = &t
	}
	return c, err
}

// Get returns one conversation.
func (s *Service) Get(ctx context.Context, tenantID, convID string) (Conversation, error) {
	return s.get(ctx, s.db.Tenant(tenantID), convID)
}

func (s *Service) get(ctx context.Context, sc store.Scope, convID string) (Conversation, error) {
	c, err := scanConversation(sc.QueryRow(ctx, q.Get("GetConversation"), convID))
	if errors.Is(err, store.ErrNotFound) {
		return c, apperr.NotFoundf("conversation")
	}
	return c, err
}

// List returns one page of conversations, newest first.
func (s *Service) List(ctx context.Context, tenantID string, f Filter, p store.Page) ([]Conversation, string, error) {
	p = p.Normalized()
	switch f.Status {
	case "", StatusOpen, StatusClosed:
	default:
		return nil, "", apperr.Invalidf("status", "invalid_value")
	}
	rows, err := s.db.Tenant(tenantID).Query(ctx, q.Get("ListConversations"), p.After, string(f.Status), f.AssigneeID, f.ContactID, p.Limit+1)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []Conversation{}
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := store.NextCursor(out, p.Limit, func(c Conversation) string { return c.ID })
	return out, next, nil
}

// Post stores a message in a conversation and returns it with created =
// false when a message with the same client id was already stored (then the
// stored one is returned and nothing changes). A message from the contact
// reopens a closed conversation.
func (s *Service) Post(ctx context.Context, tenantID, convID string, m NewMessage) (Message, bool, error) {
	if err := checkMessage(&m); err != nil {
		return Message{}, false, err
	}
	var out Message
	var created bool
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		c, err := s.get(ctx, tx, convID)
		if err != nil {
			return err
		}
		out, created, err = s.append(ctx, tx, convID, m)
		if err != nil || !created {
			return err
		}
		if c.Status == StatusClosed && m.SenderType == SenderContact {
			return tx.ExecOne(ctx, q.Get("SetStatus"), convID, string(StatusOpen), nil, store.Millis(out.CreatedAt))
		}
		return nil
	})
	if errors.Is(err, store.ErrConflict) && m.ClientID != "" {
		// Another node stored the same client message between our look-up and our insert.
		existing, ferr := scanMessage(s.db.Tenant(tenantID).QueryRow(ctx, q.Get("MessageByClientID"), convID, m.ClientID))
		return existing, false, ferr
	}
	return out, created, err
}

// append gives the message the next sequence number and stores it, inside tx.
func (s *Service) append(ctx context.Context, tx store.Scope, convID string, m NewMessage) (Message, bool, error) {
	if m.ClientID != "" {
		existing, err := scanMessage(tx.QueryRow(ctx, q.Get("MessageByClientID"), convID, m.ClientID))
		if err == nil {
			return existing, false, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return Message{}, false, err
		}
	}
	now := s.stamp()
	msg := Message{ID: id.New(), ConversationID: convID, ClientID: m.ClientID, SenderType: m.SenderType,
		SenderID: m.SenderID, Private: m.Private, Body: m.Body, CreatedAt: now}
	if err := tx.QueryRow(ctx, q.Get("NextSeq"), convID, store.Millis(now)).Scan(&msg.Seq); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Message{}, false, apperr.NotFoundf("conversation")
		}
		return Message{}, false, err
	}
	_, err := tx.Exec(ctx, q.Get("InsertMessage"), convID, msg.Seq, msg.ID, optional(msg.ClientID), string(msg.SenderType),
		msg.SenderID, msg.Private, msg.Body, store.Millis(now))
	return msg, true, err
}

func scanMessage(r interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var client sql.NullString
	var sender string
	var created int64
	err := r.Scan(&m.ID, &m.ConversationID, &m.Seq, &client, &sender, &m.SenderID, &m.Private, &m.Body, &created)
	m.ClientID, m.SenderType, m.CreatedAt = client.String, SenderType(sender), store.Time(created)
	return m, err
}

// Messages returns up to limit messages with a sequence number above
// afterSeq, in order: what a client that has seen afterSeq is missing.
func (s *Service) Messages(ctx context.Context, tenantID, convID string, afterSeq int64, limit int) ([]Message, error) {
	sc := s.db.Tenant(tenantID)
	if _, err := s.get(ctx, sc, convID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > store.MaxPageSize {
		limit = store.MaxPageSize
	}
	rows, err := sc.Query(ctx, q.Get("ListMessages"), convID, afterSeq, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Assign gives a conversation to a user (assigneeID) and/or team; empty
// strings clear them.
func (s *Service) Assign(ctx context.Context, tenantID, convID, assigneeID, teamID string) (Conversation, error) {
	if assigneeID != "" {
		if err := s.dir.UserExists(ctx, tenantID, assigneeID); err != nil {
			return Conversation{}, asField(err, "assignee_id")
		}
	}
	if teamID != "" {
		if err := s.dir.TeamExists(ctx, tenantID, teamID); err != nil {
			return Conversation{}, asField(err, "team_id")
		}
	}
	sc := s.db.Tenant(tenantID)
	err := sc.ExecOne(ctx, q.Get("SetAssignee"), convID, optional(assigneeID), optional(teamID), store.Millis(s.stamp()))
	if errors.Is(err, store.ErrNotFound) {
		return Conversation{}, apperr.NotFoundf("conversation")
	}
	if err != nil {
		return Conversation{}, err
	}
	return s.get(ctx, sc, convID)
}

// Close closes a conversation; closing a closed one changes nothing.
func (s *Service) Close(ctx context.Context, tenantID, convID string) (Conversation, error) {
	return s.setStatus(ctx, tenantID, convID, StatusClosed)
}

// Reopen opens a closed conversation again.
func (s *Service) Reopen(ctx context.Context, tenantID, convID string) (Conversation, error) {
	return s.setStatus(ctx, tenantID, convID, StatusOpen)
}

func (s *Service) setStatus(ctx context.Context, tenantID, convID string, st Status) (Conversation, error) {
	var out Conversation
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		c, err := s.get(ctx, tx, convID)
		if err != nil {
			return err
		}
		if c.Status == st {
			out = c
			return nil
		}
		now := s.stamp()
		var closed any
		if st == StatusClosed {
			closed = store.Millis(now)
		}
		if err := tx.ExecOne(ctx, q.Get("SetStatus"), convID, string(st), closed, store.Millis(now)); err != nil {
			return err
		}
		out, err = s.get(ctx, tx, convID)
		return err
	})
	return out, err
}
