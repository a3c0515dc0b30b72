// Package live is the real-time edge: the WebSocket endpoints of the visitor
// widget (/ws/visitor) and of the agent console and integrations
// (/ws/agent), and the hub that fans conversation events out to them.
//
// Every node's hub subscribes to the conversation events of the bus; with
// NATS, an event committed on one node reaches the clients of every node.
// The hub encodes each event once per audience (visitors never see internal
// notes) and queues the same bytes to every client; a client whose queue is
// full is disconnected with a reason, never silently skipped.
package live

import (
	"context"
	"encoding/json"
	"hash/maphash"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lxzan/gws"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/bus"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
)

// Conversations is what the hub needs from the conversation service.
type Conversations interface {
	ReceiveAsync(in conversation.Inbound, done func(conversation.Stored, error)) error
	Get(ctx context.Context, tenantID, convID string) (conversation.Conversation, error)
	Latest(ctx context.Context, tenantID, contactID, channelID string) (conversation.Conversation, error)
	Messages(ctx context.Context, tenantID, convID string, afterSeq int64, limit int) ([]conversation.Message, error)
	MarkRead(ctx context.Context, tenantID, convID string, reader conversation.SenderType, readerID string, seq int64) error
	UpdateVisitor(ctx context.Context, tenantID, convID string, v conversation.VisitorInfo) (conversation.Conversation, error)
	OpenCounts(ctx context.Context, tenantID string) (conversation.Counts, error)
	PublishEphemeral(ctx context.Context, ev conversation.Event) error
	SetLeftMessage(ctx context.Context, tenantID, convID string) (conversation.Conversation, error)
}

// Channels is what the hub needs from the channel service.
type Channels interface {
	ByKey(ctx context.Context, key string) (channel.Channel, error)
	IssueVisitorToken(ctx context.Context, v channel.Visitor) (string, error)
	ParseVisitorToken(ctx context.Context, ch *channel.Channel, token string) (channel.Visitor, error)
}

// Contacts is what the hub needs from the contact service.
type Contacts interface {
	Get(ctx context.Context, tenantID, contactID string) (contact.Contact, error)
	Create(ctx context.Context, tenantID string, in contact.Input) (contact.Contact, error)
	Update(ctx context.Context, tenantID, contactID string, in contact.Input) (contact.Contact, error)
	ByExternalID(ctx context.Context, tenantID, source, externalID string) (contact.Contact, error)
	AddEmail(ctx context.Context, tenantID, contactID, email string) error
}

// Users resolves agent names.
type Users interface {
	GetUser(ctx context.Context, tenantID, userID string) (account.User, error)
}

// Ratings records a visitor's rating of a bot answer; owns reports whether
// a conversation is the visitor's.
type Ratings interface {
	RateAnswer(ctx context.Context, tenantID, decisionID string, up bool, owns func(convID string) bool) error
}

// Authenticator finds the caller of an agent connection (session cookie or token).
type Authenticator interface {
	Authenticate(r *http.Request) (*auth.Principal, error)
}

// Attachments resolves uploaded files named in a message.
type Attachments interface {
	Resolve(ctx context.Context, tenantID, uploader string, ids []string) ([]conversation.Attachment, error)
}

// Options build a hub.
type Options struct {
	Bus           bus.Bus
	Conversations Conversations
	Channels      Channels
	Contacts      Contacts
	Users         Users
	Auth          Authenticator
	Attachments   Attachments
	Ratings       Ratings // nil: ratings are refused
	CSAT          CSAT    // nil: satisfaction ratings are refused
	Catalog       *i18n.Catalog
	Log           *slog.Logger
	// Queue tells waiting visitors their position (nil: it is not shown).
	Queue Queue
	// OnAgentConnect hears that a user's console connected (the router
	// makes them online, or back from automatic away).
	OnAgentConnect func(tenantID, userID string)
	// PingInterval is how often clients are pinged (default 25 s); a client
	// silent for 2.4 times as long is dropped.
	PingInterval time.Duration
}

const shardCount = 64

type connSet map[*conn]struct{}

type shard struct {
	mu       sync.RWMutex
	visitors map[string]connSet // by contact id
	agents   map[string]connSet // by tenant id
}

// Hub routes events to connected clients.
type Hub struct {
	o        Options
	seed     maphash.Seed
	shards   [shardCount]shard
	all      sync.Map // *conn → struct{}
	events   chan []byte
	names    *nameCache
	upgrader *gws.Upgrader
	draining atomic.Bool
	dirty    sync.Map // tenant id → struct{}: inbox counts to recompute
	sub      bus.Subscription
	agentSub bus.Subscription
	queueSub bus.Subscription
	// queueDirty: tenant id → struct{}: waiting visitors' positions to resend
	queueDirty sync.Map
	stop       chan struct{}
	done       sync.WaitGroup
	shutdown   sync.Once

	slowConsumers atomic.Int64
	connections   atomic.Int64
}

// New builds a hub and subscribes it to the bus.
func New(o Options) (*Hub, error) {
	if o.PingInterval <= 0 {
		o.PingInterval = 25 * time.Second
	}
	h := &Hub{o: o, seed: maphash.MakeSeed(), events: make(chan []byte, 1<<16), stop: make(chan struct{})}
	for i := range h.shards {
		h.shards[i].visitors = map[string]connSet{}
		h.shards[i].agents = map[string]connSet{}
	}
	h.names = newNameCache(o.Users, o.Contacts)
	h.upgrader = gws.NewUpgrader(&handler{h: h}, &gws.ServerOption{
		// Frames up to 1 MiB are read and, when over MaxFrameBytes, refused
		// with an error event on a connection that stays open; beyond that
		// gws closes the connection (1009).
		ReadMaxPayloadSize: 1 << 20,
		ReadBufferSize:     2048,
		CheckUtf8Enabled:   true,
		HandshakeTimeout:   5 * time.Second,
		NewSession:         func() gws.SessionStorage { return &slot{} },
		Recovery: func(l gws.Logger) {
			if e := recover(); e != nil {
				o.Log.Error("websocket handler panic", "panic", e)
			}
		},
	})
	sub, err := o.Bus.Subscribe(conversation.SubjectAll, func(_ string, data []byte) {
		b := make([]byte, len(data))
		copy(b, data)
		h.events <- b
	})
	if err != nil {
		return nil, err
	}
	h.sub = sub
	if h.agentSub, err = o.Bus.Subscribe(agentSubjectAll, func(_ string, data []byte) { h.onAgentEvent(data) }); err != nil {
		_ = sub.Unsubscribe()
		return nil, err
	}
	if h.queueSub, err = o.Bus.Subscribe(queueSubjectAll, func(_ string, data []byte) { h.markQueueDirty(string(data)) }); err != nil {
		_ = sub.Unsubscribe()
		_ = h.agentSub.Unsubscribe()
		return nil, err
	}
	h.done.Add(4)
	// Waiting visitors learn their position at most once a second.
	go h.drainLoop(time.Second, &h.queueDirty, h.sendPositions)
	go h.dispatchLoop()
	go h.drainLoop(250*time.Millisecond, &h.dirty, h.sendCountsIfAgents)
	go h.pingLoop()
	return h, nil
}

// Stats are the hub's gauges, for metrics and the load tool.
type Stats struct {
	Connections   int64
	SlowConsumers int64
}

// Stats reports the hub's current figures.
func (h *Hub) Stats() Stats {
	return Stats{Connections: h.connections.Load(), SlowConsumers: h.slowConsumers.Load()}
}

func (h *Hub) shardOf(key string) *shard {
	return &h.shards[maphash.String(h.seed, key)%shardCount]
}

func (h *Hub) register(c *conn) {
	if c.role == roleVisitor {
		s := h.shardOf(c.contactID)
		s.mu.Lock()
		set := s.visitors[c.contactID]
		if set == nil {
			set = connSet{}
			s.visitors[c.contactID] = set
		}
		set[c] = struct{}{}
		s.mu.Unlock()
		return
	}
	s := h.shardOf(c.tenantID)
	s.mu.Lock()
	set := s.agents[c.tenantID]
	if set == nil {
		set = connSet{}
		s.agents[c.tenantID] = set
	}
	set[c] = struct{}{}
	s.mu.Unlock()
}

func (h *Hub) unregister(c *conn) {
	key, isVisitor := c.tenantID, c.role == roleVisitor
	if isVisitor {
		key = c.contactID
	}
	if key == "" {
		return
	}
	s := h.shardOf(key)
	s.mu.Lock()
	m := s.agents
	if isVisitor {
		m = s.visitors
	}
	if set := m[key]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(m, key)
		}
	}
	s.mu.Unlock()
}

// each calls fn for every registered client under key.
func (h *Hub) each(visitors bool, key string, fn func(*conn)) {
	s := h.shardOf(key)
	s.mu.RLock()
	m := s.agents
	if visitors {
		m = s.visitors
	}
	set := m[key]
	list := make([]*conn, 0, len(set))
	for c := range set {
		list = append(list, c)
	}
	s.mu.RUnlock()
	for _, c := range list {
		fn(c)
	}
}

func (h *Hub) hasAgents(tenantID string) bool {
	s := h.shardOf(tenantID)
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.agents[tenantID]) > 0
}

// dispatchLoop fans every bus event out; it runs in one goroutine so that
// events keep their order.
func (h *Hub) dispatchLoop() {
	defer h.done.Done()
	for {
		select {
		case <-h.stop:
			return
		case b := <-h.events:
			var ev conversation.Event
			if err := json.Unmarshal(b, &ev); err != nil {
				h.o.Log.Warn("undecodable event on the bus", "err", err)
				continue
			}
			h.dispatch(&ev)
		}
	}
}

func (h *Hub) dispatch(ev *conversation.Event) {
	ctx := context.Background()
	switch ev.Type {
	case conversation.EventMessage:
		if ev.Message == nil || ev.Conversation == nil {
			return
		}
		m, cv := ev.Message, ev.Conversation
		out := MessageOut{ConversationID: cv.ID, Seq: m.Seq, ID: m.ID, ClientID: m.ClientID, SenderType: m.SenderType,
			SenderID: m.SenderID, Private: m.Private, Body: m.Body, Attachments: m.Attachments, Meta: m.Meta, CreatedAt: m.CreatedAt}
		if out.Attachments == nil {
			out.Attachments = []conversation.Attachment{}
		}
		out.SenderName = h.senderName(ctx, ev.TenantID, m)
		if h.hasAgents(ev.TenantID) {
			agentFrame := encode(TypeMessage, out)
			h.each(false, ev.TenantID, func(c *conn) { c.live(cv.ID, m.Seq, agentFrame) })
			if cv.Status != conversation.StatusOpen || m.SenderType == conversation.SenderContact {
				h.markDirty(ev.TenantID)
			}
		}
		if !m.Private && cv.ChannelID != nil {
			vis := out
			vis.SenderID = "" // agents' user ids stay inside
			if m.SenderType != conversation.SenderContact {
				vis.ClientID = ""
			}
			h.toVisitors(cv, m.Seq, encode(TypeMessage, vis))
		}
	case conversation.EventConversation:
		if ev.Conversation == nil {
			return
		}
		cv := ev.Conversation
		assignee := ""
		if cv.AssigneeID != nil {
			assignee = h.names.user(ctx, ev.TenantID, *cv.AssigneeID)
		}
		if h.hasAgents(ev.TenantID) {
			frame := encode(TypeConversation, AgentConversation{Conversation: *cv,
				ContactName: h.names.contact(ctx, ev.TenantID, cv.ContactID), AssigneeName: assignee})
			h.each(false, ev.TenantID, func(c *conn) { c.live(cv.ID, 0, frame) })
			h.markDirty(ev.TenantID)
		}
		// Taken, closed or reopened: waiting visitors' positions may have moved.
		h.markQueueDirty(ev.TenantID)
		if cv.ChannelID != nil {
			h.toVisitors(cv, 0, encode(TypeConversation, VisitorConversation{ID: cv.ID, Status: string(cv.Status),
				AssigneeName: assignee, LastSeq: cv.LastSeq}))
		}
	case conversation.EventTyping:
		out := TypingOut{ConversationID: ev.ConversationID, SenderType: ev.SenderType, On: ev.On, Name: ev.SenderName}
		if ev.SenderType == conversation.SenderContact {
			frame := encode(TypeTyping, out)
			h.each(false, ev.TenantID, func(c *conn) { c.live(ev.ConversationID, 0, frame) })
			return
		}
		out.SenderID = ev.SenderID
		agentFrame := encode(TypeTyping, out)
		h.each(false, ev.TenantID, func(c *conn) {
			if c.principal == nil || c.principal.UserID != ev.SenderID {
				c.live(ev.ConversationID, 0, agentFrame)
			}
		})
		out.SenderID = ""
		h.toVisitorsOf(ev.TenantID, ev.ConversationID, encode(TypeTyping, out))
	case conversation.EventRead:
		out := ReadOut{ConversationID: ev.ConversationID, Reader: ev.SenderType, Seq: ev.Seq}
		frame := encode(TypeRead, out)
		h.each(false, ev.TenantID, func(c *conn) { c.live(ev.ConversationID, 0, frame) })
		if ev.SenderType != conversation.SenderContact {
			h.toVisitorsOf(ev.TenantID, ev.ConversationID, frame)
		}
	}
}

// toVisitors sends a frame (of message seq, or 0) to the visitor's open
// widgets on the conversation's channel, moving them to this conversation if
// it is newer.
func (h *Hub) toVisitors(cv *conversation.Conversation, seq int64, frame []byte) {
	h.each(true, cv.ContactID, func(c *conn) {
		if c.channelID != *cv.ChannelID {
			return
		}
		c.mu.Lock()
		if c.convID == "" || c.convID < cv.ID { // ids sort by creation time
			c.convID = cv.ID
		}
		mine := c.convID == cv.ID
		c.mu.Unlock()
		if mine {
			c.live(cv.ID, seq, frame)
		}
	})
}

// toVisitorsOf sends an ephemeral frame (typing, read) to the visitors of a
// conversation; the contact is looked up by the visitors' current conversation.
func (h *Hub) toVisitorsOf(tenantID, convID string, frame []byte) {
	contactID := h.names.contactOf(context.Background(), h.o.Conversations, tenantID, convID)
	if contactID == "" {
		return
	}
	h.each(true, contactID, func(c *conn) {
		c.mu.Lock()
		mine := c.convID == convID
		c.mu.Unlock()
		if mine {
			c.live(convID, 0, frame)
		}
	})
}

func (h *Hub) senderName(ctx context.Context, tenantID string, m *conversation.Message) string {
	switch m.SenderType {
	case conversation.SenderAgent:
		return h.names.user(ctx, tenantID, m.SenderID)
	case conversation.SenderBot:
		return "bot"
	}
	return ""
}

func (h *Hub) markDirty(tenantID string) { h.dirty.Store(tenantID, struct{}{}) }

// drainLoop calls fn, every period until the hub stops, for each tenant
// marked in dirty since the last time (and unmarks it): work that a burst
// of events asks for once.
func (h *Hub) drainLoop(period time.Duration, dirty *sync.Map, fn func(tenantID string)) {
	defer h.done.Done()
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		dirty.Range(func(k, _ any) bool {
			dirty.Delete(k)
			fn(k.(string))
			return true
		})
	}
}

// sendCountsIfAgents sends the tenant's inbox counts to its agents on this
// node, if there are any: the counts loop recomputes them at most four
// times a second for tenants whose conversations changed.
func (h *Hub) sendCountsIfAgents(tenantID string) {
	if h.hasAgents(tenantID) {
		h.sendCounts(tenantID, nil)
	}
}

// sendCounts sends inbox counts to the tenant's agents (or to only one).
func (h *Hub) sendCounts(tenantID string, only *conn) {
	counts, err := h.o.Conversations.OpenCounts(context.Background(), tenantID)
	if err != nil {
		h.o.Log.Warn("inbox counts", "err", err)
		return
	}
	send := func(c *conn) {
		mine := 0
		if c.principal != nil {
			mine = counts.ByAssignee[c.principal.UserID]
		}
		c.live("", 0, encode(TypeCounts, CountsOut{Unassigned: counts.Unassigned, Mine: mine, Open: counts.Open}))
	}
	if only != nil {
		send(only)
		return
	}
	h.each(false, tenantID, send)
}

// pingLoop pings every client and drops the ones that went silent.
func (h *Hub) pingLoop() {
	defer h.done.Done()
	t := time.NewTicker(h.o.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		deadline := time.Now().Add(-h.o.PingInterval * 12 / 5).UnixNano()
		h.all.Range(func(k, _ any) bool {
			c := k.(*conn)
			if c.lastSeen.Load() < deadline {
				_ = c.ws.NetConn().Close()
				return true
			}
			c.ping()
			return true
		})
	}
}

// Shutdown tells every client to reconnect elsewhere (bye "shutdown", close
// 1012) and waits, until ctx ends, for them to go.
func (h *Hub) Shutdown(ctx context.Context) {
	h.shutdown.Do(func() { h.drain(ctx) })
}

func (h *Hub) drain(ctx context.Context) {
	h.draining.Store(true)
	h.all.Range(func(k, _ any) bool {
		k.(*conn).closeWith(CloseServiceRestart, "shutdown")
		return true
	})
	for h.connections.Load() > 0 {
		select {
		case <-ctx.Done():
			h.all.Range(func(k, _ any) bool {
				_ = k.(*conn).ws.NetConn().Close()
				return true
			})
			goto stopped
		case <-time.After(20 * time.Millisecond):
		}
	}
stopped:
	if h.sub != nil {
		_ = h.sub.Unsubscribe()
	}
	if h.agentSub != nil {
		_ = h.agentSub.Unsubscribe()
	}
	if h.queueSub != nil {
		_ = h.queueSub.Unsubscribe()
	}
	close(h.stop)
	h.done.Wait()
}
