// Package assistant is the bot at work in conversations: it keeps one
// decision engine per tenant in memory, built from the knowledge base's
// published entries and rebuilt by itself within seconds of a change; it
// answers the customer messages of the conversations it owns, offers
// choices when unsure, and hands conversations to people (the queue) with
// a recorded reason; and it logs every decision with the customer's rating
// for the "Unanswered questions" review.
//
// The bot never speaks once people own a conversation: the conversation
// service refuses a bot message unless the bot is the owner, in the same
// transaction that would store it.
//
// In a cluster every node keeps its own engines. A change announces itself
// on the bus (subject sb.bot.<tenant>), and each node also compares the
// knowledge base's published version now and then, so a missed notice
// delays a rebuild but never loses it.
package assistant

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"hash/fnv"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bot/llm"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/kb"
	"github.com/switchboard-cs/switchboard/internal/platform/bus"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

//go:embed *.sql
var sqlFS embed.FS

var q = store.MustLoadQueries(sqlFS)

// Queries exposes this package's statements to the store scoping tests.
func Queries() *store.Queries { return q }

// Knowledge is what the bot reads from the knowledge base.
type Knowledge interface {
	Published(ctx context.Context, tenantID string, now time.Time) ([]kb.PublishedEntry, error)
	PublishedVersion(ctx context.Context, tenantID string) (int64, error)
}

// Conversations is what the bot needs from the conversation service.
type Conversations interface {
	Get(ctx context.Context, tenantID, convID string) (conversation.Conversation, error)
	Post(ctx context.Context, tenantID, convID string, m conversation.NewMessage) (conversation.Message, bool, error)
	HandOff(ctx context.Context, tenantID, convID, reason string, priority int) (conversation.Conversation, bool, error)
}

// Channels looks up a channel's bot mode.
type Channels interface {
	Get(ctx context.Context, tenantID, channelID string) (channel.Channel, error)
}

// Options build the bot.
type Options struct {
	DB            *store.DB
	Conversations Conversations
	Knowledge     Knowledge
	Channels      Channels
	Catalog       *i18n.Catalog
	Bus           bus.Bus // nil: this node only
	Log           *slog.Logger
	Now           func() time.Time
	// Workers is the number of goroutines answering (default 4); the
	// messages of one conversation are always answered in order by one.
	Workers int
	// Debounce is how long a rebuild waits for more changes (default 300 ms).
	Debounce time.Duration
	// HTTPClient overrides the client of the LLM provider (tests).
	LLMTimeout time.Duration
}

// Priority given to conversations handed off for negative sentiment.
const PriorityUnhappy = 10

// How often a node compares the published version of a tenant's
// knowledge base with the one its engine was built from, and how old an
// engine may get before it is rebuilt anyway (validity dates).
const (
	versionCheckEvery = 15 * time.Second
	maxEngineAge      = 15 * time.Minute
	queuePerWorker    = 4096
)

// Bot answers customers for every tenant of this node.
type Bot struct {
	o   Options
	db  *store.DB
	log *slog.Logger
	now func() time.Time

	mu      sync.Mutex
	tenants map[string]*tenantBot
	chans   map[string]chanMode // tenant/channel → mode, cached

	jobs   []chan job
	wg     sync.WaitGroup
	stopMu sync.RWMutex
	closed bool
	done   chan struct{}  // closed by Stop: ends the idle sweeper
	bg     sync.WaitGroup // builds and overflow hand-offs, waited for by Stop
	sub    bus.Subscription
}

type chanMode struct {
	mode    channel.BotMode
	fetched time.Time
}

type job struct {
	tenantID string
	conv     conversation.Conversation
	msg      conversation.Message
}

// New returns the bot; call Start before serving and Stop after.
func New(o Options) *Bot {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Debounce <= 0 {
		o.Debounce = 300 * time.Millisecond
	}
	b := &Bot{o: o, db: o.DB, log: o.Log, now: o.Now, tenants: map[string]*tenantBot{}, chans: map[string]chanMode{}}
	return b
}

// Subject is the bus subject announcing that a tenant's bot must be rebuilt.
func Subject(tenantID string) string { return "sb.bot." + tenantID }

// Start starts the answering goroutines and listens for changes made on
// other nodes.
func (b *Bot) Start() error {
	b.jobs = make([]chan job, b.o.Workers)
	for i := range b.jobs {
		ch := make(chan job, queuePerWorker)
		b.jobs[i] = ch
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			for j := range ch {
				b.answer(j)
			}
		}()
	}
	b.done = make(chan struct{})
	go func() {
		tick := time.NewTicker(10 * time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				if n := b.dropIdle(); n > 0 {
					b.log.Info("bot: dropped idle engines", "tenants", n)
				}
			case <-b.done:
				return
			}
		}
	}()
	if b.o.Bus != nil {
		sub, err := b.o.Bus.Subscribe("sb.bot.*", func(subject string, _ []byte) {
			b.markStale(strings.TrimPrefix(subject, "sb.bot."))
		})
		if err != nil {
			return err
		}
		b.sub = sub
	}
	return nil
}

// Stop stops listening and waits for the messages being answered.
func (b *Bot) Stop() {
	b.stopMu.Lock()
	if b.closed {
		b.stopMu.Unlock()
		return
	}
	b.closed = true
	if b.done != nil {
		close(b.done)
	}
	for _, ch := range b.jobs {
		close(ch)
	}
	b.stopMu.Unlock()
	if b.sub != nil {
		_ = b.sub.Unsubscribe()
	}
	b.mu.Lock()
	for _, t := range b.tenants {
		t.mu.Lock()
		if t.timer != nil {
			t.timer.Stop()
		}
		t.mu.Unlock()
	}
	b.mu.Unlock()
	b.wg.Wait()
	b.bg.Wait()
}

// Changed is called after a change of a tenant's published knowledge or bot
// settings: this node rebuilds shortly, and the others are told.
func (b *Bot) Changed(tenantID string) {
	b.markStale(tenantID)
	if b.o.Bus != nil {
		if err := b.o.Bus.Publish(context.Background(), Subject(tenantID), nil); err != nil {
			b.log.Warn("bot: announce a knowledge change; other nodes notice within seconds", "err", err)
		}
	}
}

// Owner says who owns a conversation that opens on a channel now: the bot
// when the channel's mode gives it the first turn, the tenant's bot is on
// and its knowledge base has published entries; the queue otherwise.
func (b *Bot) Owner(ctx context.Context, tenantID, channelID string) conversation.Owner {
	if channelID == "" {
		return conversation.OwnerQueue
	}
	mode, ok := b.channelMode(ctx, tenantID, channelID)
	if !ok || !mode.BotFirstAt(b.now()) {
		return conversation.OwnerQueue
	}
	tb := b.tenant(tenantID)
	snap := tb.snapshot()
	if snap == nil {
		// Not built yet on this node: start building (the first answer
		// waits for it) and decide from two quick reads meanwhile.
		b.kick(tenantID)
		st, err := b.Settings(ctx, tenantID)
		if err != nil || !st.Enabled {
			return conversation.OwnerQueue
		}
		var n int
		if err := b.db.Tenant(tenantID).QueryRow(ctx, q.Get("HasPublished")).Scan(&n); err != nil || n == 0 {
			return conversation.OwnerQueue
		}
		return conversation.OwnerBot
	}
	if !snap.settings.Enabled || snap.eng == nil {
		return conversation.OwnerQueue
	}
	return conversation.OwnerBot
}

// channelMode returns a channel's bot mode, cached for a few seconds.
func (b *Bot) channelMode(ctx context.Context, tenantID, channelID string) (channel.BotMode, bool) {
	key := tenantID + "/" + channelID
	b.mu.Lock()
	c, ok := b.chans[key]
	b.mu.Unlock()
	if ok && b.now().Sub(c.fetched) < 10*time.Second {
		return c.mode, true
	}
	if b.o.Channels == nil {
		return channel.BotMode{}, false
	}
	ch, err := b.o.Channels.Get(ctx, tenantID, channelID)
	if err != nil {
		return channel.BotMode{}, false
	}
	b.mu.Lock()
	if len(b.chans) > 100000 {
		clear(b.chans)
	}
	b.chans[key] = chanMode{mode: ch.Settings.Bot, fetched: b.now()}
	b.mu.Unlock()
	return ch.Settings.Bot, true
}

// Observe hears of every stored message (conversation.StoredFunc) and
// queues the customer messages of conversations the bot owns. It never
// blocks: when the bot is overwhelmed, the conversation goes to people.
func (b *Bot) Observe(tenantID string, st conversation.Stored) {
	m := st.Message
	if m.SenderType != conversation.SenderContact || m.Private || st.Conversation.Owner != conversation.OwnerBot {
		return
	}
	b.stopMu.RLock()
	defer b.stopMu.RUnlock()
	if b.closed || len(b.jobs) == 0 {
		return
	}
	h := fnv.New32a()
	h.Write([]byte(st.Conversation.ID))
	j := job{tenantID: tenantID, conv: st.Conversation, msg: m}
	select {
	case b.jobs[int(h.Sum32())%len(b.jobs)] <- j:
	default:
		b.log.Warn("bot: too many messages waiting; handing the conversation to people", "conversation", st.Conversation.ID)
		b.bg.Add(1)
		go func() {
			defer b.bg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), handOffTime)
			defer cancel()
			b.handOff(ctx, j, conversation.ReasonLowConfidence, 0, "")
		}()
	}
}

// errNoKnowledge: the tenant has nothing published.
var errNoKnowledge = errors.New("assistant: no published knowledge")

// llmClient returns the tenant's LLM client, or nil when it is off.
func (b *Bot) llmClient(st Settings) *llm.Client {
	if !st.LLM.Enabled {
		return nil
	}
	cfg := st.llmConfig()
	if b.o.LLMTimeout > 0 {
		cfg.Timeout = b.o.LLMTimeout
	}
	c, err := llm.New(cfg, llm.Options{})
	if err != nil {
		return nil
	}
	return c
}

func marshal(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}
