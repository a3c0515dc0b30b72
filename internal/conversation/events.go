package conversation

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// Event types published on the bus.
const (
	EventMessage      = "message"      // a message was stored
	EventConversation = "conversation" // a conversation was created or changed
	EventTyping       = "typing"       // someone is typing (not stored)
	EventRead         = "read"         // someone read up to a seq (stored, published once)
)

// Event is what the conversation service publishes after a commit. It is a
// plain struct: the live hub and other domains decode it from the bus.
type Event struct {
	Type           string        `json:"type"`
	TenantID       string        `json:"tenant_id"`
	ConversationID string        `json:"conversation_id"`
	Message        *Message      `json:"message,omitempty"`
	Conversation   *Conversation `json:"conversation,omitempty"`
	// Typing and read events:
	SenderType SenderType `json:"sender_type,omitempty"`
	SenderID   string     `json:"sender_id,omitempty"`
	SenderName string     `json:"sender_name,omitempty"`
	On         bool       `json:"on,omitempty"`
	Seq        int64      `json:"seq,omitempty"`
}

// Subject is the bus subject of a tenant's conversation events.
func Subject(tenantID string) string { return "sb.conv." + tenantID }

// SubjectAll matches every tenant's conversation events.
const SubjectAll = "sb.conv.*"

// Publisher is where events go (the bus).
type Publisher interface {
	Publish(ctx context.Context, subject string, data []byte) error
}

type outboxRow struct {
	id       int64
	tenantID string
	subject  string
	payload  []byte
}

// stage prepares events for publishing after the commit. In a cluster it
// also writes them to the outbox inside tx, so that a node dying between
// commit and publish loses no event; on a single node the clients of a
// crashed process reconnect and resume by seq anyway, so the outbox is skipped.
func (s *Service) stage(ctx context.Context, tx store.Scope, evs ...Event) ([]outboxRow, error) {
	now := s.now()
	rows := make([]outboxRow, 0, len(evs))
	for _, ev := range evs {
		b, err := json.Marshal(ev)
		if err != nil {
			return nil, err
		}
		r := outboxRow{tenantID: ev.TenantID, subject: Subject(ev.TenantID), payload: b}
		if !s.outbox {
			rows = append(rows, r)
			continue
		}
		if err := tx.QueryRow(ctx, q.Get("InsertOutbox"), r.subject, string(b), store.Millis(now)).Scan(&r.id); err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// publish sends committed events and removes them from the outbox. A failed
// publish leaves the row for the sweeper.
func (s *Service) publish(ctx context.Context, rows []outboxRow) {
	for _, r := range rows {
		if err := s.pub.Publish(ctx, r.subject, r.payload); err != nil {
			s.log.Warn("publish event; the outbox sweeper will retry", "err", err)
			continue
		}
		if r.id == 0 {
			continue
		}
		if _, err := s.db.Tenant(r.tenantID).Exec(ctx, q.Get("DeleteOutbox"), r.id); err != nil {
			s.log.Warn("delete published event", "err", err)
		}
	}
}

// PublishEphemeral sends an event that is not stored (typing).
func (s *Service) PublishEphemeral(ctx context.Context, ev Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return s.pub.Publish(ctx, Subject(ev.TenantID), b)
}

// SweepOutbox republishes events older than age that are still in the outbox
// (their node died between commit and publish). Subscribers drop what they
// have already seen by seq, so a second copy is harmless.
func (s *Service) SweepOutbox(ctx context.Context, age time.Duration) (int, error) {
	g := s.db.Global()
	rows, err := g.Query(ctx, q.Get("StaleOutbox"), store.Millis(s.now().Add(-age)))
	if err != nil {
		return 0, err
	}
	var stale []outboxRow
	for rows.Next() {
		var r outboxRow
		var payload string
		if err := rows.Scan(&r.id, &r.tenantID, &r.subject, &payload); err != nil {
			rows.Close()
			return 0, err
		}
		r.payload = []byte(payload)
		stale = append(stale, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, r := range stale {
		if err := s.pub.Publish(ctx, r.subject, r.payload); err != nil {
			return n, err
		}
		if _, err := g.Exec(ctx, q.Get("DeleteOutboxGlobal"), r.id); err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		s.log.Info("republished events left in the outbox", "count", n)
	}
	return n, nil
}

// RunSweeper sweeps the outbox every interval until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.SweepOutbox(ctx, 3*interval); err != nil && ctx.Err() == nil {
				s.log.Warn("sweep outbox", "err", err)
			}
		}
	}
}

var discardLog = slog.New(slog.DiscardHandler)
