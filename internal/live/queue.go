package live

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/bus"
	"github.com/switchboard-cs/switchboard/internal/platform/validate"
	"github.com/switchboard-cs/switchboard/internal/routing"
)

// The frames of the queue: the server tells a waiting visitor where they
// stand (queue); a visitor nobody can serve leaves a message (leave_message).
const (
	TypeQueue        = "queue"
	TypeLeaveMessage = "leave_message"
)

// Queue tells where waiting conversations stand (the router).
type Queue interface {
	Positions(ctx context.Context, tenantID string, ids ...string) ([]routing.Position, error)
}

// QueueOut is a waiting visitor's place in the queue. Waiting false means
// the conversation no longer waits (an agent has it). LeaveMessage: nobody
// can serve it now (Unavailable says why); the widget offers to leave a
// message with contact details.
type QueueOut struct {
	ConversationID string `json:"conversation_id"`
	Waiting        bool   `json:"waiting"`
	Position       int    `json:"position,omitempty"`
	EtaSeconds     int    `json:"eta_seconds,omitempty"`
	Unavailable    string `json:"unavailable,omitempty"`
	LeaveMessage   bool   `json:"leave_message,omitempty"`
}

// LeaveMessageIn is a message left for the team when nobody could serve the
// visitor live, with how to reach them (an e-mail address or a phone number).
type LeaveMessageIn struct {
	ClientID string `json:"client_id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	Message  string `json:"message"`
}

// QueueSubject is the bus subject that says a tenant's queue changed.
func QueueSubject(tenantID string) string { return "sb.queue." + tenantID }

const queueSubjectAll = "sb.queue.*"

// PublishQueueChanged tells every node's hub that the tenant's queue
// changed, so that waiting visitors learn their new position.
func PublishQueueChanged(ctx context.Context, b bus.Bus, tenantID string) error {
	return b.Publish(ctx, QueueSubject(tenantID), []byte(tenantID))
}

// sendPositions sends the tenant's waiting visitors on this node their
// place in the queue, when it changed (drainLoop, at most once a second).
func (h *Hub) sendPositions(tenantID string) {
	if h.o.Queue == nil {
		return
	}
	var conns []*conn
	ids := map[string]bool{}
	h.all.Range(func(k, _ any) bool {
		c := k.(*conn)
		if c.role == roleVisitor && c.tenantID == tenantID {
			if id := c.current(); id != "" {
				conns = append(conns, c)
				ids[id] = true
			}
		}
		return true
	})
	if len(conns) == 0 {
		return
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pos, err := h.o.Queue.Positions(ctx, tenantID, list...)
	if err != nil {
		h.o.Log.Warn("queue positions", "err", err)
		return
	}
	by := map[string]routing.Position{}
	for _, p := range pos {
		by[p.ConversationID] = p
	}
	for _, c := range conns {
		id := c.current()
		out := QueueOut{ConversationID: id}
		if p, ok := by[id]; ok {
			out = QueueOut{ConversationID: id, Waiting: true, Position: p.Position, EtaSeconds: p.EtaSeconds,
				Unavailable: p.Unavailable, LeaveMessage: p.Unavailable != ""}
		}
		frame := encode(TypeQueue, out)
		c.mu.Lock()
		same := string(frame) == c.lastQueue || (!out.Waiting && c.lastQueue == "")
		if !same {
			c.lastQueue = string(frame)
		}
		c.mu.Unlock()
		if !same {
			c.live(id, 0, frame)
		}
	}
}

func (h *Hub) markQueueDirty(tenantID string) { h.queueDirty.Store(tenantID, struct{}{}) }

// Limits of a left message.
const (
	maxLeftMessage = 2000
)

// visitorLeaveMessage stores a message left by a visitor nobody can serve
// live: their contact details go on the contact, the message into the
// conversation (marked as an offline message), and the conversation is
// marked so that the inbox shows it as one.
func (c *conn) visitorLeaveMessage(st *visitorState, in *LeaveMessageIn) {
	if !c.bucket.take(time.Now()) {
		c.fail(apperr.New(apperr.TooMany, "rate_limited", ""), in.ClientID)
		return
	}
	if in.ClientID == "" {
		c.fail(apperr.Invalidf("client_id", "required"), "")
		return
	}
	msg := strings.TrimSpace(in.Message)
	if msg == "" {
		c.fail(apperr.Invalidf("message", "required"), in.ClientID)
		return
	}
	if len([]rune(msg)) > maxLeftMessage {
		c.fail(apperr.Invalidf("message", "too_long", "max", maxLeftMessage), in.ClientID)
		return
	}
	in.Email, in.Phone = strings.TrimSpace(in.Email), strings.TrimSpace(in.Phone)
	if in.Email == "" && in.Phone == "" {
		c.fail(apperr.Invalidf("email", "contact_required"), in.ClientID)
		return
	}
	ctx, cancel := c.ctx()
	defer cancel()
	var ci contact.Input
	if name := strings.TrimSpace(in.Name); name != "" {
		n, err := validate.Name("name", name, false, 200)
		if err != nil {
			c.fail(err, in.ClientID)
			return
		}
		ci.Name = &n
	}
	if in.Email != "" {
		e, err := validate.Email("email", in.Email)
		if err != nil {
			c.fail(err, in.ClientID)
			return
		}
		in.Email = e
	}
	if in.Phone != "" {
		if len(in.Phone) > 40 || strings.ContainsFunc(in.Phone, func(r rune) bool { return !strings.ContainsRune("0123456789+-() ", r) }) {
			c.fail(apperr.Invalidf("phone", "invalid_value"), in.ClientID)
			return
		}
		cur, err := c.hub.o.Contacts.Get(ctx, c.tenantID, c.contactID)
		if err != nil {
			c.fail(err, in.ClientID)
			return
		}
		phones := append([]string{}, cur.Phones...)
		if !slices.ContainsFunc(phones, func(p string) bool { return strings.EqualFold(p, in.Phone) }) {
			ci.Phones = append(phones, in.Phone)
		}
	}
	if ci.Name != nil || ci.Phones != nil {
		if _, err := c.hub.o.Contacts.Update(ctx, c.tenantID, c.contactID, ci); err != nil {
			c.fail(err, in.ClientID)
			return
		}
	}
	if in.Email != "" {
		if err := c.hub.o.Contacts.AddEmail(ctx, c.tenantID, c.contactID, in.Email); err != nil {
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.Conflict {
				c.fail(err, in.ClientID)
				return
			}
		}
	}
	meta, _ := json.Marshal(map[string]any{"offline_message": map[string]string{"name": strings.TrimSpace(in.Name), "email": in.Email, "phone": in.Phone}})
	nm := conversation.NewMessage{ClientID: in.ClientID, SenderType: conversation.SenderContact, SenderID: c.contactID, Body: msg, Meta: meta}
	c.receiveThen(conversation.Inbound{TenantID: c.tenantID, ChannelID: c.channelID, Channel: channel.KindWeb,
		ContactID: c.contactID, Hint: c.current(), Visitor: st.visitor, Message: nm}, func(s conversation.Stored) {
		ctx, cancel := c.ctx()
		defer cancel()
		if _, err := c.hub.o.Conversations.SetLeftMessage(ctx, c.tenantID, s.Conversation.ID); err != nil {
			c.hub.o.Log.Warn("mark a left message", "err", err)
		}
	})
}
