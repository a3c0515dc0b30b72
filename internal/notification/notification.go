// Package notification holds what an agent is told about: an @mention in an
// internal note, for now.
//
// The conversation service tells Observe about every stored message; a
// private note written by an agent that mentions colleagues ("@李娜 请看一下",
// "@li.na") becomes one notification for each of them, stored and then
// announced live to the consoles they have open. Observe never blocks the
// committer that calls it: notes wait in a bounded queue for one worker, and
// a note that finds the queue full is dropped with a log line.
package notification

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

//go:embed *.sql
var sqlFS embed.FS

var q = store.MustLoadQueries(sqlFS)

// Queries exposes this package's statements to the store scoping tests.
func Queries() *store.Queries { return q }

// KindMention is a notification about an @mention in an internal note.
const KindMention = "mention"

// Limits.
const (
	// MaxExcerpt is how much of the note a notification keeps, in characters.
	MaxExcerpt = 200
	// MaxReadIDs is how many notifications one request may mark as read.
	MaxReadIDs = 500
	// maxPeople bounds the users read to find mentions in one note.
	maxPeople = 10000
	// DefaultQueue is how many notes may wait for the worker.
	DefaultQueue = 1024
	// jobTimeout bounds the work on one note.
	jobTimeout = 10 * time.Second
)

// Notification is one thing a user is told about.
type Notification struct {
	ID             string `json:"id"`
	Kind           string `json:"kind"` // "mention"
	ConversationID string `json:"conversation_id"`
	MessageID      string `json:"message_id"`
	// ActorID is who caused it (the author of the note); ActorName their
	// name now, "" once they are deleted.
	ActorID   string `json:"actor_id"`
	ActorName string `json:"actor_name"`
	// ContactName is the customer of the conversation ("" when unnamed or
	// when the conversation is gone).
	ContactName string `json:"contact_name"`
	// Body is the beginning of the note (at most MaxExcerpt characters).
	Body      string     `json:"body"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// PublishFunc announces a new notification to the consoles of its user on
// every node.
type PublishFunc func(ctx context.Context, tenantID, userID string, n Notification) error

// Options configure the worker started by Start.
type Options struct {
	Publish PublishFunc // nil: notifications are only stored
	Log     *slog.Logger
	Queue   int // notes that may wait; 0 means DefaultQueue
}

// Service manages notifications.
type Service struct {
	db  *store.DB
	now func() time.Time

	mu      sync.RWMutex // guards the fields below against Stop
	o       Options
	queue   chan job
	stopped bool
	done    chan struct{}
}

type job struct {
	tenantID string
	msg      conversation.Message
}

// New returns the notification service. It stores and lists notifications
// at once; Start starts the worker that turns observed notes into them.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Start starts the worker; call it once, before the conversation service
// hears messages. Stop ends it.
func (s *Service) Start(o Options) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Queue <= 0 {
		o.Queue = DefaultQueue
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queue != nil || s.stopped {
		return
	}
	s.o = o
	s.queue = make(chan job, o.Queue)
	s.done = make(chan struct{})
	go s.work(s.queue, s.done)
}

// Stop stops taking notes, finishes the ones already queued and returns.
func (s *Service) Stop() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	queue, done := s.queue, s.done
	if queue != nil {
		close(queue)
	}
	s.mu.Unlock()
	if done != nil {
		<-done
	}
}

// Observe hears of a stored message (a conversation.StoredFunc). A private
// note of an agent with an "@" in it is queued for the worker; everything
// else is ignored at once. It never blocks: when the queue is full, the note
// is dropped with a log line.
func (s *Service) Observe(tenantID string, st conversation.Stored) {
	m := st.Message
	if !m.Private || m.SenderType != conversation.SenderAgent || m.SenderID == "" || !strings.ContainsAny(m.Body, "@＠") {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.queue == nil || s.stopped {
		return
	}
	select {
	case s.queue <- job{tenantID: tenantID, msg: m}:
	default:
		s.o.Log.Warn("notifications: too many notes waiting; the mentions of this note are dropped",
			"tenant", tenantID, "conversation", m.ConversationID, "message", m.ID)
	}
}

func (s *Service) work(queue <-chan job, done chan<- struct{}) {
	defer close(done)
	for j := range queue {
		s.handle(j)
	}
}

func (s *Service) handle(j job) {
	ctx, cancel := context.WithTimeout(context.Background(), jobTimeout)
	defer cancel()
	ns, err := s.FromNote(ctx, j.tenantID, j.msg)
	if err != nil {
		s.o.Log.Warn("notifications: store the mentions of a note", "tenant", j.tenantID, "message", j.msg.ID, "err", err)
		return
	}
	if s.o.Publish == nil {
		return
	}
	for _, n := range ns {
		if err := s.o.Publish(ctx, j.tenantID, n.UserID, n.Notification); err != nil {
			s.o.Log.Warn("notifications: announce a notification; it is shown at the next reload",
				"tenant", j.tenantID, "notification", n.ID, "err", err)
		}
	}
}

// Created is a notification just stored, with the user it is for.
type Created struct {
	Notification
	UserID string `json:"user_id"`
}

// FromNote stores a notification for every active user a private note of
// an agent mentions, except its author, and returns them. Any other message
// gives none.
func (s *Service) FromNote(ctx context.Context, tenantID string, m conversation.Message) ([]Created, error) {
	if !m.Private || m.SenderType != conversation.SenderAgent || m.SenderID == "" {
		return nil, nil
	}
	sc := s.db.Tenant(tenantID)
	people, err := s.people(ctx, sc)
	if err != nil {
		return nil, err
	}
	var actor string
	for _, p := range people {
		if p.ID == m.SenderID {
			actor = p.Name
			break
		}
	}
	var to []string
	for _, uid := range NewDirectory(people).Mentions(m.Body) {
		if uid != m.SenderID {
			to = append(to, uid)
		}
	}
	if len(to) == 0 {
		return nil, nil
	}
	var contactName string
	if err := sc.QueryRow(ctx, q.Get("ContactName"), m.ConversationID).Scan(&contactName); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	now := s.stamp()
	body := Excerpt(m.Body)
	out := make([]Created, 0, len(to))
	err = sc.Tx(ctx, func(tx store.Scope) error {
		for _, uid := range to {
			n := Notification{ID: id.New(), Kind: KindMention, ConversationID: m.ConversationID, MessageID: m.ID,
				ActorID: m.SenderID, ActorName: actor, ContactName: contactName, Body: body, CreatedAt: now}
			if _, err := tx.Exec(ctx, q.Get("CreateNotification"), n.ID, uid, n.Kind, n.ConversationID, n.MessageID,
				n.ActorID, n.Body, store.Millis(now)); err != nil {
				return err
			}
			out = append(out, Created{Notification: n, UserID: uid})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Excerpt is the beginning of a note kept in a notification: trimmed, at
// most MaxExcerpt characters.
func Excerpt(body string) string {
	body = strings.TrimSpace(body)
	if utf8.RuneCountInString(body) <= MaxExcerpt {
		return body
	}
	return string([]rune(body)[:MaxExcerpt])
}

func (s *Service) people(ctx context.Context, sc store.Scope) ([]Person, error) {
	rows, err := sc.Query(ctx, q.Get("ActivePeople"), false, maxPeople)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.Name, &p.Email); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// List returns a user's notifications, newest first, one page at a time.
func (s *Service) List(ctx context.Context, tenantID, userID string, p store.Page) ([]Notification, string, error) {
	p = p.Normalized()
	rows, err := s.db.Tenant(tenantID).Query(ctx, q.Get("ListNotifications"), userID, p.After, p.Limit+1)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		var created int64
		var read sql.NullInt64
		if err := rows.Scan(&n.ID, &n.Kind, &n.ConversationID, &n.MessageID, &n.ActorID, &n.ActorName, &n.ContactName,
			&n.Body, &created, &read); err != nil {
			return nil, "", err
		}
		n.CreatedAt = store.Time(created)
		if read.Valid {
			t := store.Time(read.Int64)
			n.ReadAt = &t
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := store.NextCursor(out, p.Limit, func(n Notification) string { return n.ID })
	return out, next, nil
}

// Unread counts a user's unread notifications.
func (s *Service) Unread(ctx context.Context, tenantID, userID string) (int, error) {
	var n int
	err := s.db.Tenant(tenantID).QueryRow(ctx, q.Get("CountUnread"), userID).Scan(&n)
	return n, err
}

// MarkRead marks some of a user's notifications as read and returns how
// many were unread. Ids of anything else (another user's notifications,
// another tenant's) change nothing.
func (s *Service) MarkRead(ctx context.Context, tenantID, userID string, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, apperr.Invalidf("ids", "required")
	}
	if len(ids) > MaxReadIDs {
		return 0, apperr.Invalidf("ids", "too_many", "max", MaxReadIDs)
	}
	for _, x := range ids {
		if !id.Valid(x) {
			return 0, apperr.Invalidf("ids", "invalid_id")
		}
	}
	now := store.Millis(s.stamp())
	total := 0
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		total = 0
		for _, x := range ids {
			n, err := tx.Exec(ctx, q.Get("MarkRead"), userID, x, now)
			if err != nil {
				return err
			}
			total += int(n)
		}
		return nil
	})
	return total, err
}

// MarkAllRead marks every notification of a user as read and returns how
// many were unread.
func (s *Service) MarkAllRead(ctx context.Context, tenantID, userID string) (int, error) {
	n, err := s.db.Tenant(tenantID).Exec(ctx, q.Get("MarkAllRead"), userID, store.Millis(s.stamp()))
	return int(n), err
}
