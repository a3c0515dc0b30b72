package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// Inbound is a message on its way in, from any channel.
type Inbound struct {
	TenantID string
	// ConversationID names the conversation. When empty, the message goes to
	// the contact's open conversation on ChannelID, opened if there is none.
	ConversationID string
	ChannelID      string
	// Hint is the conversation the sender believes current (the widget's);
	// used when it is still open, it saves the look-ups.
	Hint      string
	Channel   string // channel kind of a conversation opened here, e.g. "web"
	ContactID string
	Visitor   VisitorInfo
	Message   NewMessage
}

// Stored is the outcome of storing an Inbound message.
type Stored struct {
	Conversation Conversation
	Message      Message
	// Duplicate: a message with the same client id was stored before; it is
	// returned and nothing changed.
	Duplicate bool
	// Opened: a new conversation was opened for this message.
	Opened bool
}

// DefaultMaxBatch is how many messages one group commit stores at most.
const DefaultMaxBatch = 256

// Receive stores a message and returns once it is committed. Messages from
// all callers are committed in groups: one transaction (one fsync) stores
// everything that arrived while the previous one was committing, and each
// caller is answered after that commit.
func (s *Service) Receive(ctx context.Context, in Inbound) (Stored, error) {
	type result struct {
		st  Stored
		err error
	}
	ch := make(chan result, 1)
	if err := s.ReceiveAsync(in, func(st Stored, err error) { ch <- result{st, err} }); err != nil {
		return Stored{}, err
	}
	select {
	case r := <-ch:
		return r.st, r.err
	case <-ctx.Done():
		// The message may still be stored; a retry with the same client id
		// returns it.
		return Stored{}, ctx.Err()
	}
}

// ReceiveAsync queues a message for the next group commit; done is called
// from the committer once it is stored (or failed), in queue order, and must
// not block. Messages of one conversation from one caller keep their order.
func (s *Service) ReceiveAsync(in Inbound, done func(Stored, error)) error {
	if err := CheckMessage(&in.Message); err != nil {
		return err
	}
	if in.TenantID == "" {
		return apperr.New(apperr.Internal, "internal", "").WithCause(errors.New("conversation: message without a tenant"))
	}
	if in.ConversationID == "" && (in.ContactID == "" || in.ChannelID == "") {
		return apperr.Invalidf("conversation_id", "required")
	}
	return s.committers.pick(in).enqueue(&pending{in: in, done: done})
}

// Post stores a message in a conversation (REST API) and returns it with
// created = false when a message with the same client id was already there.
func (s *Service) Post(ctx context.Context, tenantID, convID string, m NewMessage) (Message, bool, error) {
	st, err := s.Receive(ctx, Inbound{TenantID: tenantID, ConversationID: convID, Message: m})
	return st.Message, !st.Duplicate, err
}

type pending struct {
	in   Inbound
	done func(Stored, error)
	st   Stored
	err  error
}

// committer is the one goroutine of a node that stores incoming messages,
// many per transaction.
type committer struct {
	s        *Service
	queue    chan *pending
	max      int
	mu       sync.Mutex
	closed   bool
	finished chan struct{}
	// published outbox rows, deleted in the next transaction
	toDelete []outboxRow
}

var errStopped = errors.New("conversation: the server is shutting down")

// committers are the node's committer goroutines. SQLite has one writer,
// so one committer. On PostgreSQL, round trips rather than the database
// bound one committer, so several run side by side; every message of one
// visitor (by contact) or of one conversation goes to the same one, which
// keeps each sender's order.
type committers []*committer

func newCommitters(s *Service, max, n int) committers {
	cs := make(committers, n)
	for i := range cs {
		cs[i] = newCommitter(s, max)
	}
	return cs
}

func (cs committers) pick(in Inbound) *committer {
	if len(cs) == 1 {
		return cs[0]
	}
	key := in.ConversationID
	if key == "" {
		key = in.ContactID
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return cs[h.Sum32()%uint32(len(cs))]
}

func (cs committers) stop() {
	for _, c := range cs {
		c.stop()
	}
}

func newCommitter(s *Service, max int) *committer {
	if max <= 0 {
		max = DefaultMaxBatch
	}
	c := &committer{s: s, queue: make(chan *pending, 8192), max: max, finished: make(chan struct{})}
	go c.run()
	return c
}

func (c *committer) enqueue(p *pending) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return apperr.New(apperr.Internal, "internal", "").WithCause(errStopped)
	}
	c.queue <- p
	return nil
}

func (c *committer) stop() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.queue)
	}
	c.mu.Unlock()
	<-c.finished
}

func (c *committer) run() {
	defer close(c.finished)
	idle := time.NewTimer(time.Hour)
	defer idle.Stop()
	for {
		var first *pending
		var ok bool
		select {
		case first, ok = <-c.queue:
			if !ok {
				c.flushDeletes()
				return
			}
		case <-idle.C:
			c.flushDeletes()
			continue
		}
		batch := []*pending{first}
	fill:
		for len(batch) < c.max {
			select {
			case p, ok := <-c.queue:
				if !ok {
					break fill
				}
				batch = append(batch, p)
			default:
				break fill
			}
		}
		c.commit(batch)
		idle.Reset(500 * time.Millisecond)
	}
}

// commit stores a batch in one transaction. If the transaction fails as a
// whole (a conflict with another node, a deadlock), each message is retried
// in a transaction of its own, so that one bad message cannot sink the rest.
func (c *committer) commit(batch []*pending) {
	ctx := context.Background()
	s := c.s
	var staged []outboxRow
	deletes := c.toDelete
	err := s.db.Global().Tx(ctx, func(tx store.Scope) error {
		staged = staged[:0]
		for _, r := range deletes {
			if _, err := tx.ForTenant(r.tenantID).Exec(ctx, q.Get("DeleteOutbox"), r.id); err != nil {
				return err
			}
		}
		for _, p := range batch {
			p.st, p.err = Stored{}, nil
			st, evs, err := s.storeOne(ctx, tx.ForTenant(p.in.TenantID), p.in)
			if err != nil {
				if _, user := apperr.As(err); user {
					p.err = err
					continue
				}
				return err
			}
			p.st = st
			rows, err := s.stage(ctx, tx.ForTenant(p.in.TenantID), evs...)
			if err != nil {
				return err
			}
			staged = append(staged, rows...)
		}
		return nil
	})
	if err != nil {
		if len(batch) > 1 {
			for _, p := range batch {
				c.commit([]*pending{p})
			}
			return
		}
		if errors.Is(err, store.ErrConflict) {
			err = apperr.New(apperr.Conflict, "already_open", "").WithCause(err)
		}
		batch[0].err = err
		batch[0].done(Stored{}, err)
		return
	}
	c.toDelete = c.toDelete[:0]
	for _, p := range batch {
		p.done(p.st, p.err)
		if p.err == nil && !p.st.Duplicate && s.observer != nil {
			s.observer(p.in.TenantID, p.st)
		}
	}
	for _, r := range staged {
		if err := s.pub.Publish(ctx, r.subject, r.payload); err != nil {
			s.log.Warn("publish event; the outbox sweeper will retry", "err", err)
			continue
		}
		if r.id != 0 {
			c.toDelete = append(c.toDelete, r)
		}
	}
}

// flushDeletes removes published outbox rows when no batch came to carry them.
func (c *committer) flushDeletes() {
	if len(c.toDelete) == 0 {
		return
	}
	ctx := context.Background()
	err := c.s.db.Global().Tx(ctx, func(tx store.Scope) error {
		for _, r := range c.toDelete {
			if _, err := tx.ForTenant(r.tenantID).Exec(ctx, q.Get("DeleteOutbox"), r.id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		c.s.log.Warn("delete published events", "err", err)
		return
	}
	c.toDelete = c.toDelete[:0]
}

// storeOne stores one message inside the batch transaction and returns the
// events that announce it.
func (s *Service) storeOne(ctx context.Context, tx store.Scope, in Inbound) (Stored, []Event, error) {
	if in.ConversationID == "" && in.Hint != "" {
		// The widget's current conversation, if it is still open: one
		// conditional update instead of the look-ups below.
		msg, after, created, err := s.appendMessage(ctx, tx, in.Hint, in.Message, &openFor{in.ContactID, in.ChannelID})
		switch {
		case err == nil && !created:
			conv, err := s.get(ctx, tx, in.Hint)
			if err == nil && (conv.ContactID != in.ContactID || deref(conv.ChannelID) != in.ChannelID) {
				// Never answer with another visitor's message, even if a
				// hint were ever wrong.
				return Stored{}, nil, apperr.NotFoundf("conversation")
			}
			return Stored{Conversation: conv, Message: msg, Duplicate: true}, nil, err
		case err == nil:
			return Stored{Conversation: after, Message: msg}, []Event{{Type: EventMessage, TenantID: in.TenantID,
				ConversationID: after.ID, Message: &msg, Conversation: &after}}, nil
		case !errors.Is(err, errNotOpen):
			return Stored{}, nil, err
		}
	}
	var conv Conversation
	var err error
	opened := false
	if in.ConversationID != "" {
		if conv, err = s.get(ctx, tx, in.ConversationID); err != nil {
			return Stored{}, nil, err
		}
	} else {
		// A retried visitor message may belong to the latest conversation,
		// even if it was closed since.
		if in.Message.ClientID != "" {
			latest, err := scanConversation(tx.QueryRow(ctx, q.Get("LatestConversationFor"), in.ContactID, in.ChannelID))
			if err == nil {
				if m, err := scanMessage(tx.QueryRow(ctx, q.Get("MessageByClientID"), latest.ID, in.Message.ClientID)); err == nil {
					return Stored{Conversation: latest, Message: m, Duplicate: true}, nil, nil
				} else if !errors.Is(err, store.ErrNotFound) {
					return Stored{}, nil, err
				}
			} else if !errors.Is(err, store.ErrNotFound) {
				return Stored{}, nil, err
			}
		}
		conv, err = scanConversation(tx.QueryRow(ctx, q.Get("OpenConversationFor"), in.ContactID, in.ChannelID))
		if errors.Is(err, store.ErrNotFound) {
			kind := in.Channel
			if kind == "" {
				kind = "web"
			}
			// The contact may have been deleted while its widget was open:
			// refuse this message alone instead of failing the whole batch
			// on the foreign key.
			if err := s.dir.ContactExists(ctx, in.TenantID, in.ContactID); err != nil {
				return Stored{}, nil, err
			}
			conv, err = s.insertConversation(ctx, tx, in.TenantID, NewConversation{ContactID: in.ContactID, Channel: kind,
				ChannelID: in.ChannelID, Visitor: in.Visitor}, "")
			opened = true
		}
		if err != nil {
			return Stored{}, nil, err
		}
	}
	msg, after, created, err := s.appendMessage(ctx, tx, conv.ID, in.Message, nil)
	if err != nil {
		return Stored{}, nil, err
	}
	if !created {
		return Stored{Conversation: conv, Message: msg, Duplicate: true}, nil, nil
	}
	var evs []Event
	if after.Status == StatusClosed && in.Message.SenderType == SenderContact {
		now := s.stamp()
		owner := s.openOwner(ctx, in.TenantID, deref(after.ChannelID), deref(after.AssigneeID))
		if err := tx.ExecOne(ctx, q.Get("SetStatus"), conv.ID, string(StatusOpen), nil, store.Millis(now), string(owner)); err != nil {
			return Stored{}, nil, err
		}
		after.Status, after.ClosedAt, after.UpdatedAt, after.Owner = StatusOpen, nil, now, owner
		evs = append(evs, Event{Type: EventConversation, TenantID: in.TenantID, ConversationID: conv.ID, Conversation: &after})
	}
	if opened || (len(evs) == 0 && conv.Owner != after.Owner && after.Status == StatusOpen) {
		// Opened, or taken over from the bot by an agent's reply.
		evs = append(evs, Event{Type: EventConversation, TenantID: in.TenantID, ConversationID: conv.ID, Conversation: &after})
	}
	evs = append(evs, Event{Type: EventMessage, TenantID: in.TenantID, ConversationID: conv.ID, Message: &msg, Conversation: &after})
	return Stored{Conversation: after, Message: msg, Opened: opened}, evs, nil
}

// openFor restricts appendMessage to a conversation that is open and
// belongs to this contact and channel.
type openFor struct{ contactID, channelID string }

// errNotOpen: the hinted conversation is closed, or not the contact's.
var errNotOpen = errors.New("conversation: not the open conversation")

// appendMessage gives the message the next sequence number and stores it,
// inside tx; created is false when the client id was already stored.
func (s *Service) appendMessage(ctx context.Context, tx store.Scope, convID string, m NewMessage, only *openFor) (Message, Conversation, bool, error) {
	if m.ClientID != "" {
		existing, err := scanMessage(tx.QueryRow(ctx, q.Get("MessageByClientID"), convID, m.ClientID))
		if err == nil {
			return existing, Conversation{}, false, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return Message{}, Conversation{}, false, err
		}
	}
	now := s.stamp()
	msg := Message{ID: id.New(), ConversationID: convID, ClientID: m.ClientID, SenderType: m.SenderType,
		SenderID: m.SenderID, Private: m.Private, Body: m.Body, Attachments: m.Attachments, Meta: m.Meta, CreatedAt: now}
	if msg.Attachments == nil {
		msg.Attachments = []Attachment{}
	}
	var row *store.Row
	switch {
	case only != nil && !m.Private:
		row = tx.QueryRow(ctx, q.Get("NextSeqIfOpen"), convID, store.Millis(now), previewOf(msg), string(m.SenderType),
			only.contactID, only.channelID)
	case m.Private:
		// A note changes neither the preview nor who wrote last.
		row = tx.QueryRow(ctx, q.Get("NextSeqNote"), convID, store.Millis(now))
	case m.SenderType == SenderBot:
		row = tx.QueryRow(ctx, q.Get("NextSeqBot"), convID, store.Millis(now), previewOf(msg), string(m.SenderType))
	case m.SenderType == SenderAgent:
		row = tx.QueryRow(ctx, q.Get("NextSeqAgent"), convID, store.Millis(now), previewOf(msg), string(m.SenderType), m.SenderID)
	default:
		row = tx.QueryRow(ctx, q.Get("NextSeq"), convID, store.Millis(now), previewOf(msg), string(m.SenderType))
	}
	conv, err := scanConversation(row)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) && only != nil {
			return Message{}, Conversation{}, false, errNotOpen
		}
		if errors.Is(err, store.ErrNotFound) && m.SenderType == SenderBot && !m.Private {
			// The conversation exists (it was read before) but people own it now.
			return Message{}, Conversation{}, false, ErrNotBotOwned
		}
		if errors.Is(err, store.ErrNotFound) {
			return Message{}, Conversation{}, false, apperr.NotFoundf("conversation")
		}
		return Message{}, Conversation{}, false, err
	}
	msg.Seq = conv.LastSeq
	atts := "[]"
	if len(msg.Attachments) > 0 {
		b, err := json.Marshal(msg.Attachments)
		if err != nil {
			return Message{}, Conversation{}, false, err
		}
		atts = string(b)
	}
	_, err = tx.Exec(ctx, q.Get("InsertMessage"), convID, msg.Seq, msg.ID, optional(msg.ClientID), string(msg.SenderType),
		msg.SenderID, msg.Private, msg.Body, store.Millis(now), atts, string(msg.Meta))
	return msg, conv, true, err
}

// ErrNotBotOwned refuses a bot message in a conversation that people own.
var ErrNotBotOwned = apperr.New(apperr.Conflict, "not_bot_owned", "")

// previewOf is the one line shown in inbox lists.
func previewOf(m Message) string {
	p := strings.Join(strings.Fields(m.Body), " ")
	if p == "" && len(m.Attachments) > 0 {
		p = "📎 " + m.Attachments[0].Name
	}
	if utf8.RuneCountInString(p) > 140 {
		p = string([]rune(p)[:140]) + "…"
	}
	return p
}
