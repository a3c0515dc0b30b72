// Package routing decides which agent serves which conversation: agents'
// status and capacity, teams' skills, languages and business hours, the
// tenant's ordered routing rules, and the queue.
//
// A conversation waits while its owner is "queue" (the conversation
// package sets that when the bot hands over, when a conversation opens
// without the bot, or is reopened). The router first routes it once — the
// first rule whose conditions hold gives its target team or skill, its
// priority and strategy — and then assigns waiting conversations, highest
// priority first and then longest waiting, to capable online agents with a
// free slot. Every assignment runs in a transaction that holds the tenant's
// routing lock (a row lock on PostgreSQL; SQLite has one writer), re-reads
// the agents' loads, and assigns only a conversation that is still
// waiting: so two nodes never give one conversation to two agents nor an
// agent more than their capacity. The router dispatches when a
// conversation changes (every node hears the conversation events), when an
// agent's status changes, and every half second for what time alone
// changes (sticky waits, overflow, business hours).
package routing

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/bus"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

//go:embed *.sql
var sqlFS embed.FS

var q = store.MustLoadQueries(sqlFS)

// Queries exposes this package's statements to the store scoping tests.
func Queries() *store.Queries { return q }

// Options build a router.
type Options struct {
	DB            *store.DB
	Conversations *conversation.Service
	// Bus carries conversation events from every node; nil: the router
	// dispatches only on its own ticks and calls.
	Bus bus.Bus
	Log *slog.Logger
	// Intents returns the bot's detected knowledge entry and category ids
	// for a conversation (nil: rules on intents never match).
	Intents func(ctx context.Context, tenantID, convID string) []string
	// Connected lists the agents with a console connected to this node, by
	// tenant (nil: nobody; agents are then never made away automatically).
	Connected func() map[string][]string
	// OnQueueChange hears that a tenant's queue changed (to update visitors'
	// positions); OnAgentStatus that an agent's status changed.
	OnQueueChange func(tenantID string)
	OnAgentStatus func(tenantID string, a Agent)
	// Tick is how often time-driven changes are looked at (default 500 ms);
	// Heartbeat how often connected consoles are recorded (default 3 s).
	Tick, Heartbeat time.Duration
	Now             func() time.Time
}

// Router assigns waiting conversations to agents.
type Router struct {
	o       Options
	db      *store.DB
	convs   *conversation.Service
	log     *slog.Logger
	now     func() time.Time
	cache   sync.Map // tenant id → *snapshot
	pending sync.Map // tenant id → struct{}: to dispatch
	wake    chan struct{}
	stop    chan struct{}
	done    sync.WaitGroup
	sub     bus.Subscription
	started bool
	durs    sync.Map // tenant id → durations
}

// New returns a router; call Start to run it and Stop to stop it.
func New(o Options) *Router {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Tick <= 0 {
		o.Tick = 500 * time.Millisecond
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = 3 * time.Second
	}
	return &Router{o: o, db: o.DB, convs: o.Conversations, log: o.Log, now: o.Now,
		wake: make(chan struct{}, 1), stop: make(chan struct{})}
}

// Start subscribes to conversation events and starts the dispatcher and
// the presence loop.
func (r *Router) Start() error {
	if r.o.Bus != nil {
		sub, err := r.o.Bus.Subscribe(conversation.SubjectAll, func(_ string, data []byte) {
			var ev struct {
				Type     string `json:"type"`
				TenantID string `json:"tenant_id"`
			}
			if json.Unmarshal(data, &ev) == nil && ev.Type == conversation.EventConversation && ev.TenantID != "" {
				r.Poke(ev.TenantID)
			}
		})
		if err != nil {
			return err
		}
		r.sub = sub
	}
	r.started = true
	r.done.Add(2)
	go r.loop()
	go r.presenceLoop()
	return nil
}

// Stop stops the loops and waits for them.
func (r *Router) Stop() {
	if !r.started {
		return
	}
	r.started = false
	if r.sub != nil {
		_ = r.sub.Unsubscribe()
	}
	close(r.stop)
	r.done.Wait()
}

// Poke asks for a dispatch of the tenant's queue soon (coalesced).
func (r *Router) Poke(tenantID string) {
	r.pending.Store(tenantID, struct{}{})
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *Router) loop() {
	defer r.done.Done()
	t := time.NewTicker(r.o.Tick)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-r.wake:
		case <-t.C:
			r.pokeWaiting()
		}
		r.pending.Range(func(k, _ any) bool {
			r.pending.Delete(k)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if _, err := r.Dispatch(ctx, k.(string)); err != nil {
				r.log.Warn("dispatch the queue", "tenant", k, "err", err)
			}
			cancel()
			return true
		})
	}
}

// pokeWaiting asks for a dispatch of every tenant with waiting conversations
// (sticky waits and overflow expire, business hours open, restarts).
func (r *Router) pokeWaiting() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, t := range r.tenants(ctx, "TenantsWaiting") {
		r.pending.Store(t, struct{}{})
	}
}

func (r *Router) tenants(ctx context.Context, query string) []string {
	rows, err := r.db.Global().Query(ctx, q.Get(query))
	if err != nil {
		r.log.Warn("list tenants", "err", err)
		return nil
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if rows.Scan(&t) == nil {
			out = append(out, t)
		}
	}
	return out
}

// Assignment is one conversation given to an agent by a dispatch.
type Assignment struct {
	ConversationID string
	AgentID        string
}

// freeAgent is an online agent with a free slot, during a dispatch.
type freeAgent struct {
	id       string
	load     int
	capacity int
	last     int64
}

// waiting is a conversation in the queue, as a dispatch reads it.
type waiting struct {
	id          string
	priority    int
	queuedAt    int64
	routed      bool
	teamID      string
	skill       string
	strategy    string
	language    string // the customer's, preferred among the agents' teams' languages
	stickyAgent string
	stickyUntil int64
	overflowTo  string
	overflowAt  int64
}

// maxScan bounds how many waiting conversations one dispatch looks at;
// firstScan is its first page (the head of the queue).
const (
	maxScan   = 5000
	firstScan = 100
	// maxGroups: with the free agents in at most this many teams, only the
	// queues they may serve are read.
	maxGroups = 8
)

// Dispatch routes the tenant's new waiting conversations, then assigns
// waiting conversations to capable online agents with free slots until
// none is left; it returns the assignments made.
func (r *Router) Dispatch(ctx context.Context, tenantID string) ([]Assignment, error) {
	if err := r.routeNew(ctx, tenantID); err != nil {
		return nil, err
	}
	snap, err := r.snapshot(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	// Most ticks find every agent busy (or none online): find that out
	// with reads alone, without taking the lock. The agents found free are
	// the candidates, whose state is read again under the lock.
	online, cand, err := r.candidates(ctx, r.db.Tenant(tenantID), snap)
	if err != nil || len(cand) == 0 {
		return nil, err
	}
	var st conversation.Staged
	var out []Assignment
	err = r.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		st, out = conversation.Staged{}, nil
		if _, err := tx.Exec(ctx, q.Get("Lock")); err != nil {
			return err
		}
		free, err := r.recheck(ctx, tx, snap, cand)
		if err != nil || len(free) == 0 {
			return err
		}
		now := r.now()
		// consider offers w to the free agents; done: nobody is free any more.
		consider := func(w *waiting) (done bool, err error) {
			if !w.routed {
				return false, nil
			}
			a := snap.choose(w, free, online, now, r.strategy(snap, w))
			if a == nil {
				return false, nil
			}
			ok, err := r.assign(ctx, tx, snap, w, a, now, &st)
			if err != nil || !ok {
				return false, err
			}
			out = append(out, Assignment{ConversationID: w.id, AgentID: a.id})
			if a.load >= a.capacity {
				free = slices.DeleteFunc(free, func(x *freeAgent) bool { return x == a })
			}
			return len(free) == 0, nil
		}
		if teams := snap.teamsOf(free); len(teams) <= maxGroups {
			// Few free agents (the usual case: one just freed a slot): read
			// only the queues they may serve — their teams', the one of no
			// team, and what overflowed to their teams — merged in queue
			// order, by pages of growing size.
			seen := map[string]bool{}
			for page := firstScan; ; page = min(2*page, maxScan) {
				queue, full, err := readServable(ctx, tx, snap.teamsOf(free), now, page)
				if err != nil {
					return err
				}
				for i := range queue {
					if w := &queue[i]; !seen[w.id] {
						seen[w.id] = true
						if done, err := consider(w); err != nil || done {
							return err
						}
					}
				}
				if !full || page >= maxScan {
					return nil
				}
			}
		}
		// Many free agents: the whole queue by pages of growing size.
		// Assigned conversations leave the queue, so the next page starts at
		// what was read minus what was taken (under the routing lock only
		// this transaction assigns; a conversation that arrives or leaves
		// meanwhile may shift a page, and its own event dispatches again).
		read := 0
		for page := firstScan; read < maxScan; page = min(2*page, maxScan-read) {
			queue, err := readQueuePage(ctx, tx, read-len(out), page)
			if err != nil {
				return err
			}
			read += len(queue)
			for i := range queue {
				if done, err := consider(&queue[i]); err != nil || done {
					return err
				}
			}
			if len(queue) < page {
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.convs.PublishStaged(ctx, st)
	if len(out) > 0 && r.o.OnQueueChange != nil {
		r.o.OnQueueChange(tenantID)
	}
	return out, nil
}

func (r *Router) strategy(snap *snapshot, w *waiting) string {
	if w.strategy != "" {
		return w.strategy
	}
	return snap.settings.Strategy
}

// assign gives w to a inside tx.
func (r *Router) assign(ctx context.Context, tx store.Scope, snap *snapshot, w *waiting, a *freeAgent, now time.Time, st *conversation.Staged) (bool, error) {
	team := snap.assignedTeam(w, a.id, now)
	_, ok, err := r.convs.AssignQueuedTx(ctx, tx, w.id, a.id, team, st)
	if err != nil || !ok {
		return false, err
	}
	ms := now.UnixMilli()
	if _, err := tx.Exec(ctx, q.Get("Touch"), a.id, ms); err != nil {
		return false, err
	}
	a.load++
	a.last = ms
	return true, nil
}

// candidates reads the online agents and, among them, those with a free
// slot.
func (r *Router) candidates(ctx context.Context, sc store.Scope, snap *snapshot) (online, free []*freeAgent, err error) {
	rows, err := sc.Query(ctx, q.Get("OnlineLoads"))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		a := &freeAgent{}
		var capacity sql.NullInt64
		if err := rows.Scan(&a.id, &capacity, &a.last, &a.load); err != nil {
			return nil, nil, err
		}
		if _, ok := snap.users[a.id]; !ok {
			continue
		}
		a.capacity = snap.capacity(a.id, capacity)
		online = append(online, a)
		if a.load < a.capacity {
			free = append(free, a)
		}
	}
	return online, free, rows.Err()
}

// maxRecheck is how many candidates are re-read one by one under the lock;
// beyond, every agent is read again.
const maxRecheck = 16

// recheck reads the candidates' state again inside the locked transaction
// (a router on another node may have given them conversations since, or
// they went away) and returns those still online with a free slot.
func (r *Router) recheck(ctx context.Context, tx store.Scope, snap *snapshot, cand []*freeAgent) ([]*freeAgent, error) {
	if len(cand) > maxRecheck {
		_, free, err := r.candidates(ctx, tx, snap)
		return free, err
	}
	var free []*freeAgent
	for _, c := range cand {
		var status string
		var capacity sql.NullInt64
		a := &freeAgent{id: c.id}
		err := tx.QueryRow(ctx, q.Get("AgentSlot"), c.id).Scan(&status, &capacity, &a.last, &a.load)
		if errors.Is(err, errNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		a.capacity = snap.capacity(a.id, capacity)
		if Status(status) == Online && a.load < a.capacity {
			free = append(free, a)
		}
	}
	return free, nil
}

// online reads the online agents that exist and are enabled, with their
// capacities.
func (r *Router) online(ctx context.Context, sc store.Scope, snap *snapshot) ([]*freeAgent, error) {
	rows, err := sc.Query(ctx, q.Get("OnlineStates"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*freeAgent
	for rows.Next() {
		var a freeAgent
		var capacity sql.NullInt64
		if err := rows.Scan(&a.id, &capacity, &a.last); err != nil {
			return nil, err
		}
		if _, ok := snap.users[a.id]; !ok {
			continue
		}
		a.capacity = snap.capacity(a.id, capacity)
		out = append(out, &a)
	}
	return out, rows.Err()
}

func loads(ctx context.Context, sc store.Scope) (map[string]int, error) {
	rows, err := sc.Query(ctx, q.Get("Loads"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var who string
		var n int
		if err := rows.Scan(&who, &n); err != nil {
			return nil, err
		}
		out[who] = n
	}
	return out, rows.Err()
}

func readQueue(ctx context.Context, sc store.Scope, limit int) ([]waiting, error) {
	return scanQueue(sc.Query(ctx, q.Get("Waiting"), limit))
}

// readServable reads, in queue order, the first limit waiting
// conversations of each queue agents of these teams may serve: each team's,
// the one of no team, and those that have overflowed to one of the teams.
// full reports whether some queue had more.
func readServable(ctx context.Context, sc store.Scope, teams []string, now time.Time, limit int) ([]waiting, bool, error) {
	out, err := scanQueue(sc.Query(ctx, q.Get("WaitingForAnyTeam"), limit))
	if err != nil {
		return nil, false, err
	}
	full := len(out) == limit
	for _, t := range teams {
		for _, qq := range []struct {
			name string
			args []any
		}{{"WaitingForTeam", []any{t, limit}}, {"WaitingOverflowTo", []any{t, now.UnixMilli(), limit}}} {
			part, err := scanQueue(sc.Query(ctx, q.Get(qq.name), qq.args...))
			if err != nil {
				return nil, false, err
			}
			full = full || len(part) == limit
			out = append(out, part...)
		}
	}
	slices.SortFunc(out, func(a, b waiting) int {
		if a.priority != b.priority {
			return b.priority - a.priority
		}
		if a.queuedAt != b.queuedAt {
			return cmp.Compare(a.queuedAt, b.queuedAt)
		}
		return strings.Compare(a.id, b.id)
	})
	return out, full, nil
}

// readQueuePage reads limit waiting conversations from the offset-th on.
func readQueuePage(ctx context.Context, sc store.Scope, offset, limit int) ([]waiting, error) {
	return scanQueue(sc.Query(ctx, q.Get("WaitingPage"), limit, offset))
}

func scanQueue(rows *store.Rows, err error) ([]waiting, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []waiting
	for rows.Next() {
		var w waiting
		var routed, stickyUntil, overflowAt sql.NullInt64
		var team, sticky, overflow sql.NullString
		if err := rows.Scan(&w.id, &w.priority, &w.queuedAt, &routed, &team, &w.skill, &w.strategy, &w.language, &sticky, &stickyUntil,
			&overflow, &overflowAt); err != nil {
			return nil, err
		}
		w.routed = routed.Valid
		w.teamID, w.stickyAgent, w.overflowTo = team.String, sticky.String, overflow.String
		w.stickyUntil, w.overflowAt = stickyUntil.Int64, overflowAt.Int64
		out = append(out, w)
	}
	return out, rows.Err()
}

// errNotFound is store.ErrNotFound, for readability.
var errNotFound = store.ErrNotFound
