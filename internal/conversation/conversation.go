// Package conversation holds conversations between a contact and the
// tenant, and their messages. Every message gets the next per-conversation
// sequence number in the transaction that stores it, and a message that
// carries a client message id is stored once however often it is sent.
package conversation

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"log/slog"
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

// Owner says who is responsible for an open conversation right now. The
// bot speaks only while it is the owner; once people own a conversation
// (waiting in the queue, or with an agent) the bot stays silent.
type Owner string

// The owners of a conversation.
const (
	OwnerBot    Owner = "bot"    // the bot answers
	OwnerQueue  Owner = "queue"  // waiting for an agent
	OwnerAgent  Owner = "agent"  // an agent has it
	OwnerClosed Owner = "closed" // closed
)

// Why the bot handed a conversation to people (Conversation.HandoffReason).
const (
	ReasonLowConfidence = "low_confidence"     // the bot stayed unsure
	ReasonAskedForHuman = "asked_for_human"    // the customer asked for a person
	ReasonNegative      = "negative_sentiment" // the customer is unhappy or angry
	ReasonTurnLimit     = "bot_turn_limit"     // the bot answered too often without resolving
	ReasonNoMatch       = "no_match"           // nothing in the knowledge base matched
	ReasonAgentTookOver = "agent_took_over"    // an agent replied while the bot owned it
)

// HandoffReasons are the reasons the bot may give (ReasonAgentTookOver is
// recorded by the service itself).
var HandoffReasons = []string{ReasonLowConfidence, ReasonAskedForHuman, ReasonNegative, ReasonTurnLimit, ReasonNoMatch}

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
	MaxMetaLen     = 32 << 10
)

// Conversation is one exchange between a contact and the tenant.
type Conversation struct {
	ID             string      `json:"id"`
	ContactID      string      `json:"contact_id"`
	Channel        string      `json:"channel"`
	ChannelID      *string     `json:"channel_id"`
	Subject        string      `json:"subject"`
	Status         Status      `json:"status"`
	AssigneeID     *string     `json:"assignee_id"`
	TeamID         *string     `json:"team_id"`
	LastSeq        int64       `json:"last_seq"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
	LastMessageAt  *time.Time  `json:"last_message_at"`
	ClosedAt       *time.Time  `json:"closed_at"`
	Visitor        VisitorInfo `json:"visitor"`
	ContactReadSeq int64       `json:"contact_read_seq"`
	AgentReadSeq   int64       `json:"agent_read_seq"`
	LastPreview    string      `json:"last_preview"`
	LastSender     SenderType  `json:"last_sender"`
	// Owner is who is responsible now; HandoffReason why the bot gave it
	// to people (empty if it never had it); Priority orders the queue
	// (higher first; the bot raises it for unhappy customers).
	Owner         Owner  `json:"owner"`
	HandoffReason string `json:"handoff_reason"`
	Priority      int    `json:"priority"`
	// LeftMessage: nobody could serve the visitor live and they left a
	// message (留言). QueuedAt is when it started waiting for an agent.
	LeftMessage bool       `json:"left_message"`
	QueuedAt    *time.Time `json:"queued_at"`
}

// VisitorInfo is what the widget tells about the visitor's browser, shown to agents.
type VisitorInfo struct {
	PageURL   string `json:"page_url,omitempty"`
	PageTitle string `json:"page_title,omitempty"`
	Referrer  string `json:"referrer,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
	Language  string `json:"language,omitempty"`
	Origin    string `json:"origin,omitempty"`
}

// Attachment is a file attached to a message (its content is stored by the
// attachment service; the message keeps what is needed to show it).
type Attachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Kind        string `json:"kind"` // "image" or "file"
	URL         string `json:"url"`  // where it is served (an unguessable link)
}

// MaxAttachments per message.
const MaxAttachments = 10

// Message is one message of a conversation.
type Message struct {
	ID             string       `json:"id"`
	ConversationID string       `json:"conversation_id"`
	Seq            int64        `json:"seq"`
	ClientID       string       `json:"client_id,omitempty"`
	SenderType     SenderType   `json:"sender_type"`
	SenderID       string       `json:"sender_id"`
	Private        bool         `json:"private"`
	Body           string       `json:"body"`
	Attachments    []Attachment `json:"attachments"`
	// Meta is structured content for rich clients (a bot answer's HTML,
	// buttons, rating handle), or absent; Body is always the plain text.
	Meta      json.RawMessage `json:"meta,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
}

// NewMessage is a message to store.
type NewMessage struct {
	ClientID    string
	SenderType  SenderType
	SenderID    string
	Private     bool // an internal note, seen by agents only
	Body        string
	Attachments []Attachment
	Meta        json.RawMessage // a JSON object, ≤ MaxMetaLen bytes
}

// NewConversation is a conversation to open, optionally with its first message.
type NewConversation struct {
	ContactID  string
	Channel    string
	ChannelID  string
	Subject    string
	AssigneeID string
	TeamID     string
	Visitor    VisitorInfo
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

// Options configure the service.
type Options struct {
	DB        *store.DB
	Directory Directory
	Publisher Publisher // nil: events go nowhere (administrative commands)
	Log       *slog.Logger
	// MaxBatch bounds how many messages one commit stores (group commit).
	MaxBatch int
	// Outbox writes every event to the outbox table in the transaction that
	// stores what it announces (needed when several nodes share the bus).
	Outbox bool
}

// OwnerFunc says who owns a conversation that opens on a channel now:
// OwnerBot when the bot should answer first, anything else for the queue.
// It is called inside the storing transaction and must be quick (a cache).
type OwnerFunc func(ctx context.Context, tenantID, channelID string) Owner

// StoredFunc hears of every newly stored message after its commit, on the
// node that stored it. It is called from the committer and must not block.
type StoredFunc func(tenantID string, st Stored)

// Service manages conversations and messages.
type Service struct {
	db         *store.DB
	dir        Directory
	pub        Publisher
	log        *slog.Logger
	now        func() time.Time
	committers committers
	outbox     bool
	owners     OwnerFunc
	observer   StoredFunc
}

type nopPublisher struct{}

func (nopPublisher) Publish(context.Context, string, []byte) error { return nil }

// New returns the conversation service. Call Shutdown to stop its committer.
func New(o Options) *Service {
	s := &Service{db: o.DB, dir: o.Directory, pub: o.Publisher, log: o.Log, now: time.Now, outbox: o.Outbox}
	if s.pub == nil {
		s.pub = nopPublisher{}
	}
	if s.log == nil {
		s.log = discardLog
	}
	n := 1
	if o.DB.Dialect() == store.Postgres {
		n = 4
	}
	s.committers = newCommitters(s, o.MaxBatch, n)
	return s
}

// SetPublisher sets where events go, and whether they also go through the
// outbox (a bus shared by several nodes); call it before serving.
func (s *Service) SetPublisher(p Publisher, outbox bool) { s.pub, s.outbox = p, outbox }

// SetOwners sets who owns conversations as they open (default: the queue);
// call it before serving.
func (s *Service) SetOwners(f OwnerFunc) { s.owners = f }

// SetObserver sets who hears of newly stored messages (the bot); call it
// before serving.
func (s *Service) SetObserver(f StoredFunc) { s.observer = f }

// Shutdown stops the committer after the messages already queued are stored.
func (s *Service) Shutdown() { s.committers.stop() }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

var (
	channelRE  = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)
	clientIDRE = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)
)

// CheckMessage validates a message before it is queued for storing.
func CheckMessage(m *NewMessage) error {
	if strings.TrimSpace(m.Body) == "" && len(m.Attachments) == 0 {
		return apperr.Invalidf("body", "required")
	}
	if _, err := validate.Text("body", m.Body, MaxBodyLen); err != nil {
		return err
	}
	if m.ClientID != "" && !clientIDRE.MatchString(m.ClientID) {
		return apperr.Invalidf("client_id", "invalid_client_id")
	}
	if len(m.Attachments) > MaxAttachments {
		return apperr.Invalidf("attachments", "too_many", "max", MaxAttachments)
	}
	switch m.SenderType {
	case SenderContact, SenderAgent, SenderBot, SenderSystem, SenderIntegration:
	default:
		return apperr.Invalidf("sender_type", "invalid_value")
	}
	if m.Private && m.SenderType == SenderContact {
		return apperr.Invalidf("private", "contact_note")
	}
	if len(m.Meta) > 0 {
		if len(m.Meta) > MaxMetaLen {
			return apperr.Invalidf("meta", "too_long", "max", MaxMetaLen)
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(m.Meta, &obj) != nil {
			return apperr.Invalidf("meta", "invalid_value")
		}
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
		if err := CheckMessage(nc.Message); err != nil {
			return Conversation{}, nil, err
		}
	}
	var c Conversation
	var msg *Message
	var staged []outboxRow
	err = s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		var err error
		c, err = s.insertConversation(ctx, tx, tenantID, nc, subject)
		if err != nil {
			return err
		}
		evs := []Event{}
		if nc.Message != nil {
			m, conv, _, err := s.appendMessage(ctx, tx, c.ID, *nc.Message, nil)
			if err != nil {
				return err
			}
			msg, c = &m, conv
			evs = append(evs, Event{Type: EventMessage, TenantID: tenantID, ConversationID: c.ID, Message: msg, Conversation: &c})
		}
		evs = append([]Event{{Type: EventConversation, TenantID: tenantID, ConversationID: c.ID, Conversation: &c}}, evs...)
		staged, err = s.stage(ctx, tx, evs...)
		return err
	})
	if err != nil {
		return Conversation{}, nil, err
	}
	s.publish(ctx, staged)
	return c, msg, nil
}

func (s *Service) insertConversation(ctx context.Context, tx store.Scope, tenantID string, nc NewConversation, subject string) (Conversation, error) {
	now := s.stamp()
	c := Conversation{ID: id.New(), ContactID: nc.ContactID, Channel: nc.Channel, ChannelID: optional(nc.ChannelID),
		Subject: subject, Status: StatusOpen, AssigneeID: optional(nc.AssigneeID), TeamID: optional(nc.TeamID),
		CreatedAt: now, UpdatedAt: now, Visitor: nc.Visitor, Owner: s.openOwner(ctx, tenantID, nc.ChannelID, nc.AssigneeID)}
	vis, _ := json.Marshal(c.Visitor)
	_, err := tx.Exec(ctx, q.Get("CreateConversation"), c.ID, c.ContactID, c.Channel, c.ChannelID, c.Subject,
		string(c.Status), c.AssigneeID, c.TeamID, store.Millis(now), string(vis), string(c.Owner))
	return c, err
}

// openOwner is the owner of a conversation that opens (or reopens) now.
func (s *Service) openOwner(ctx context.Context, tenantID, channelID, assigneeID string) Owner {
	if assigneeID != "" {
		return OwnerAgent
	}
	if s.owners != nil {
		if o := s.owners(ctx, tenantID, channelID); o == OwnerBot {
			return o
		}
	}
	return OwnerQueue
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
	var status, visitor, lastSender, owner string
	var channelID, assignee, team sql.NullString
	var created, updated int64
	var lastMsg, closed, queued sql.NullInt64
	err := r.Scan(&c.ID, &c.ContactID, &c.Channel, &channelID, &c.Subject, &status, &assignee, &team, &c.LastSeq,
		&created, &updated, &lastMsg, &closed, &visitor, &c.ContactReadSeq, &c.AgentReadSeq, &c.LastPreview, &lastSender,
		&owner, &c.HandoffReason, &c.Priority, &c.LeftMessage, &queued)
	if err != nil {
		return c, err
	}
	c.Status, c.CreatedAt, c.UpdatedAt, c.LastSender = Status(status), store.Time(created), store.Time(updated), SenderType(lastSender)
	c.ChannelID, c.AssigneeID, c.TeamID = nullable(channelID), nullable(assignee), nullable(team)
	c.Owner = Owner(owner)
	if lastMsg.Valid {
		t := store.Time(lastMsg.Int64)
		c.LastMessageAt = &t
	}
	if closed.Valid {
		t := store.Time(closed.Int64)
		c.ClosedAt = &t
	}
	if queued.Valid {
		t := store.Time(queued.Int64)
		c.QueuedAt = &t
	}
	_ = json.Unmarshal([]byte(visitor), &c.Visitor)
	return c, nil
}

func nullable(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
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

// Latest returns the contact's most recent conversation on a channel (open
// or closed), for a returning visitor.
func (s *Service) Latest(ctx context.Context, tenantID, contactID, channelID string) (Conversation, error) {
	c, err := scanConversation(s.db.Tenant(tenantID).QueryRow(ctx, q.Get("LatestConversationFor"), contactID, channelID))
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

func scanMessage(r interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var client sql.NullString
	var sender, atts, meta string
	var created int64
	err := r.Scan(&m.ID, &m.ConversationID, &m.Seq, &client, &sender, &m.SenderID, &m.Private, &m.Body, &created, &atts, &meta)
	if meta != "" {
		m.Meta = json.RawMessage(meta)
	}
	m.ClientID, m.SenderType, m.CreatedAt = client.String, SenderType(sender), store.Time(created)
	m.Attachments = []Attachment{}
	if err == nil && atts != "" && atts != "[]" {
		_ = json.Unmarshal([]byte(atts), &m.Attachments)
	}
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

// change runs fn on a conversation in a transaction and publishes the
// conversation event that announces the result.
func (s *Service) change(ctx context.Context, tenantID, convID string, fn func(tx store.Scope, c *Conversation) (bool, error)) (Conversation, error) {
	var out Conversation
	var staged []outboxRow
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		c, err := s.get(ctx, tx, convID)
		if err != nil {
			return err
		}
		changed, err := fn(tx, &c)
		if err != nil || !changed {
			out = c
			return err
		}
		if out, err = s.get(ctx, tx, convID); err != nil {
			return err
		}
		staged, err = s.stage(ctx, tx, Event{Type: EventConversation, TenantID: tenantID, ConversationID: convID, Conversation: &out})
		return err
	})
	if err != nil {
		return Conversation{}, err
	}
	s.publish(ctx, staged)
	return out, nil
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
	return s.change(ctx, tenantID, convID, func(tx store.Scope, c *Conversation) (bool, error) {
		if deref(c.AssigneeID) == assigneeID && deref(c.TeamID) == teamID {
			return false, nil
		}
		return true, tx.ExecOne(ctx, q.Get("SetAssignee"), convID, optional(assigneeID), optional(teamID), store.Millis(s.stamp()))
	})
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
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
	c, err := s.change(ctx, tenantID, convID, func(tx store.Scope, c *Conversation) (bool, error) {
		if c.Status == st {
			return false, nil
		}
		now := s.stamp()
		var closed any
		if st == StatusClosed {
			closed = store.Millis(now)
		}
		// Reopened by a person: people own it (the queue, or its assignee).
		return true, tx.ExecOne(ctx, q.Get("SetStatus"), convID, string(st), closed, store.Millis(now), string(OwnerQueue))
	})
	if errors.Is(err, store.ErrConflict) {
		// Reopening while the visitor already has another open conversation
		// on the channel.
		return c, apperr.New(apperr.Conflict, "already_open", "")
	}
	return c, err
}

// UpdateVisitor records where the visitor is now (page, browser, language).
func (s *Service) UpdateVisitor(ctx context.Context, tenantID, convID string, v VisitorInfo) (Conversation, error) {
	return s.change(ctx, tenantID, convID, func(tx store.Scope, c *Conversation) (bool, error) {
		if c.Visitor == v {
			return false, nil
		}
		b, _ := json.Marshal(v)
		return true, tx.ExecOne(ctx, q.Get("SetVisitor"), convID, string(b))
	})
}

// MarkRead records that the contact (or the agents) have read up to seq, and
// tells everyone watching. Reading backwards changes nothing.
func (s *Service) MarkRead(ctx context.Context, tenantID, convID string, reader SenderType, readerID string, seq int64) error {
	name := "MarkAgentRead"
	if reader == SenderContact {
		name = "MarkContactRead"
	}
	n, err := s.db.Tenant(tenantID).Exec(ctx, q.Get(name), convID, seq)
	if err != nil || n == 0 {
		return err
	}
	return s.PublishEphemeral(ctx, Event{Type: EventRead, TenantID: tenantID, ConversationID: convID, SenderType: reader, SenderID: readerID, Seq: seq})
}

// Counts are the open conversations of a tenant: unassigned, per assignee, all.
type Counts struct {
	Unassigned int
	ByAssignee map[string]int
	Open       int
}

// OpenCounts counts a tenant's open conversations for the inbox tabs.
func (s *Service) OpenCounts(ctx context.Context, tenantID string) (Counts, error) {
	c := Counts{ByAssignee: map[string]int{}}
	rows, err := s.db.Tenant(tenantID).Query(ctx, q.Get("OpenCounts"))
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var who sql.NullString
		var n int
		if err := rows.Scan(&who, &n); err != nil {
			return c, err
		}
		c.Open += n
		if who.Valid {
			c.ByAssignee[who.String] += n
		} else {
			c.Unassigned += n
		}
	}
	return c, rows.Err()
}

// HandOff gives an open conversation the bot owns to people (the queue),
// recording why and with what priority. It reports false, changing
// nothing, when the bot does not own the conversation (any more).
func (s *Service) HandOff(ctx context.Context, tenantID, convID, reason string, priority int) (Conversation, bool, error) {
	if !validReason(reason) {
		return Conversation{}, false, apperr.Invalidf("reason", "invalid_value")
	}
	moved := false
	c, err := s.change(ctx, tenantID, convID, func(tx store.Scope, c *Conversation) (bool, error) {
		if c.Status != StatusOpen || c.Owner != OwnerBot {
			return false, nil
		}
		moved = true
		return true, tx.ExecOne(ctx, q.Get("HandOff"), convID, reason, priority, store.Millis(s.stamp()))
	})
	return c, moved, err
}

func validReason(r string) bool {
	for _, x := range HandoffReasons {
		if r == x {
			return true
		}
	}
	return false
}
