package routebench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/routing"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

// team is one of the bench tenant's teams and the skills it offers.
type team struct {
	id, name string
	skills   []string
}

type agent struct {
	id    string
	teams []*team
}

// world is the bench tenant as the tool set it up, and what it knows of the
// router's decisions so far.
type world struct {
	cfg    Config
	db     *store.DB
	convs  *conversation.Service
	router *routing.Router
	rng    *rand.Rand
	res    *Result

	tenantID, slug string
	teams          map[string]*team // by name
	agents         []*agent
	byID           map[string]*agent
	contacts       []string
	vip            map[string]bool     // contacts tagged VIP
	slots          map[string][]string // agent → the open conversations they serve
	owner          map[string]string   // open assigned conversation → its agent
	waiting        map[string]bool     // conversations in the queue
	given          map[string]bool     // conversations the router assigned during the run
}

// The teams: skills, the languages they answer in, and which agents are in
// them (by agent number modulo 10; every seventh agent is also in general).
var teamPlan = []struct {
	name   string
	skills []string
	langs  []string
	share  []int // agent numbers modulo 10
}{
	{"general", []string{"general"}, []string{"zh", "en"}, []int{0, 1, 2, 3}},
	{"billing", []string{"billing", "refund"}, []string{"zh"}, []int{4, 5}},
	{"technical", []string{"tech"}, []string{"en", "zh"}, []int{6, 7, 8}},
	{"vip", []string{"vip"}, []string{"zh", "en"}, []int{9}},
}

// batchRows is how many rows one set-up transaction inserts.
const batchRows = 500

func (w *world) setup(ctx context.Context) error {
	w.teams, w.byID = map[string]*team{}, map[string]*agent{}
	w.vip, w.slots, w.owner = map[string]bool{}, map[string][]string{}, map[string]string{}
	w.waiting, w.given = map[string]bool{}, map[string]bool{}
	w.slug = fmt.Sprintf("bench-routing-%08x", rand.Uint32())
	tn, err := tenant.New(w.db).Create(ctx, w.slug, "Routing load test")
	if err != nil {
		return fmt.Errorf("create the bench tenant: %w", err)
	}
	w.tenantID = tn.ID
	accounts := account.New(w.db)
	for _, p := range teamPlan {
		t, err := accounts.CreateTeam(ctx, w.tenantID, p.name, "")
		if err != nil {
			return fmt.Errorf("create team %s: %w", p.name, err)
		}
		w.teams[p.name] = &team{id: t.ID, name: p.name, skills: p.skills}
		if _, err := w.router.PutTeam(ctx, w.tenantID, t.ID, routing.TeamProfile{Skills: p.skills, Languages: p.langs}); err != nil {
			return fmt.Errorf("team %s's routing profile: %w", p.name, err)
		}
	}
	if _, err := w.router.PutSettings(ctx, w.tenantID, routing.Settings{Strategy: routing.LeastBusy,
		DefaultCapacity: w.cfg.Capacity, StickySeconds: 30, AwayAfterSeconds: 3600,
		QueueLimit: min(100000, 2*w.cfg.Waiting), Fallback: routing.Target{TeamID: w.teams["general"].id}}); err != nil {
		return fmt.Errorf("routing settings: %w", err)
	}
	if _, err := w.router.PutRules(ctx, w.tenantID, []routing.Rule{
		{Name: "VIP customers", Enabled: true, When: routing.Conditions{Tags: []string{"vip"}},
			Then: routing.Target{TeamID: w.teams["vip"].id, Priority: 5}},
		{Name: "English", Enabled: true, When: routing.Conditions{Languages: []string{"en"}},
			Then: routing.Target{Skill: "tech", Strategy: routing.RoundRobin}},
		{Name: "Billing pages", Enabled: true, When: routing.Conditions{PageURL: "/billing"},
			Then: routing.Target{TeamID: w.teams["billing"].id, Priority: 1}},
		{Name: "Refunds", Enabled: true, When: routing.Conditions{PageURL: "/refund"},
			Then: routing.Target{Skill: "refund"}},
	}); err != nil {
		return fmt.Errorf("routing rules: %w", err)
	}
	if err := w.setupAgents(ctx); err != nil {
		return err
	}
	if err := w.setupConversations(ctx); err != nil {
		return err
	}
	if err := w.route(ctx); err != nil {
		return err
	}
	if w.db.Dialect() == store.Postgres {
		// A production database has statistics (autovacuum), and PostgreSQL
		// plans by them: gather them once the queue is routed.
		if _, err := w.db.Global().Exec(ctx, q.Get("Analyze")); err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
	}
	return nil
}

// setupAgents inserts the agents, their team memberships and their online
// states: the rows the account service and a console connecting would write.
func (w *world) setupAgents(ctx context.Context) error {
	// One password hash for all (hashing is slow on purpose); nobody knows it.
	hash, err := account.HashPassword(ctx, id.Secret(24))
	if err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	for i := range w.cfg.Agents {
		a := &agent{id: id.New()}
		for _, p := range teamPlan {
			for _, s := range p.share {
				if i%10 == s || (p.name == "general" && i%7 == 6 && i%10 > 3) {
					a.teams = append(a.teams, w.teams[p.name])
					break
				}
			}
		}
		w.agents = append(w.agents, a)
		w.byID[a.id] = a
	}
	return w.batches(ctx, len(w.agents), func(tx store.Scope, i int) error {
		a := w.agents[i]
		if _, err := tx.Exec(ctx, q.Get("InsertUser"), a.id, fmt.Sprintf("agent%d@%s.invalid", i, w.slug),
			fmt.Sprintf("Agent %d", i+1), hash, now); err != nil {
			return err
		}
		for _, t := range a.teams {
			if _, err := tx.Exec(ctx, q.Get("InsertMember"), t.id, a.id, now); err != nil {
				return err
			}
		}
		// Distinct last assignments, for round robin.
		_, err := tx.Exec(ctx, q.Get("InsertState"), a.id, now, now-int64(w.rng.IntN(3_600_000)))
		return err
	})
}

// setupConversations fills every agent's slots and then the queue.
func (w *world) setupConversations(ctx context.Context) error {
	n := min(5000, max(50, (w.cfg.Agents*w.cfg.Capacity+w.cfg.Waiting)/4))
	now := time.Now().UnixMilli()
	w.contacts = make([]string, n)
	for i := range w.contacts {
		w.contacts[i] = id.New()
		if i%10 == 0 {
			w.vip[w.contacts[i]] = true
		}
	}
	if err := w.batches(ctx, n, func(tx store.Scope, i int) error {
		c := w.contacts[i]
		tags := "[]"
		if w.vip[c] {
			tags = `["VIP"]`
		}
		_, err := tx.Exec(ctx, q.Get("InsertContact"), c, fmt.Sprintf("Customer %d", i+1), now, tags)
		return err
	}); err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	// The past: conversations served and closed over the last 30 days.
	if err := w.batches(ctx, w.cfg.History, func(tx store.Scope, i int) error {
		a := w.agents[w.rng.IntN(len(w.agents))]
		created := now - int64(w.rng.IntN(30*86_400_000))
		_, err := tx.Exec(ctx, q.Get("InsertClosed"), id.New(), w.contact(), a.id, a.teams[0].id, created,
			created+int64(60_000+w.rng.IntN(1_800_000)))
		return err
	}); err != nil {
		return fmt.Errorf("past conversations: %w", err)
	}
	slots := w.cfg.Agents * w.cfg.Capacity
	if err := w.batches(ctx, slots, func(tx store.Scope, i int) error {
		a := w.agents[i/w.cfg.Capacity]
		c := id.New()
		w.slots[a.id] = append(w.slots[a.id], c)
		w.owner[c] = a.id
		_, err := tx.Exec(ctx, q.Get("InsertAssigned"), c, w.contact(), a.id, a.teams[0].id, now-int64(w.rng.IntN(1_800_000)))
		return err
	}); err != nil {
		return fmt.Errorf("assigned conversations: %w", err)
	}
	fmt.Fprintf(w.cfg.Log, "%d agents online, %d conversations assigned, %d closed\n", w.cfg.Agents, slots, w.cfg.History)
	return w.batches(ctx, w.cfg.Waiting, func(tx store.Scope, i int) error {
		c := id.New()
		w.waiting[c] = true
		vis, _ := json.Marshal(w.visitor())
		priority := []int{0, 0, 0, 0, 0, 0, 0, 1, 1, 2}[w.rng.IntN(10)]
		_, err := tx.Exec(ctx, q.Get("InsertWaiting"), c, w.contact(), now-int64(w.rng.IntN(1_800_000)), string(vis), priority)
		return err
	})
}

// route lets the router route the waiting conversations by the rules (a
// dispatch routes a batch of them; nobody is free to take one).
func (w *world) route(ctx context.Context) error {
	start := time.Now()
	for range w.cfg.Waiting/100 + 10 {
		as, err := w.router.Dispatch(ctx, w.tenantID)
		if err != nil {
			return fmt.Errorf("route the queue: %w", err)
		}
		w.assigned(as)
		st, err := w.read(ctx)
		if err != nil {
			return err
		}
		if st.unrouted == 0 {
			fmt.Fprintf(w.cfg.Log, "%d waiting conversations routed by the rules in %.1f s\n", w.cfg.Waiting, time.Since(start).Seconds())
			return nil
		}
	}
	return fmt.Errorf("the router left waiting conversations unrouted")
}

// batches runs fn for 0…n-1 in transactions of batchRows.
func (w *world) batches(ctx context.Context, n int, fn func(tx store.Scope, i int) error) error {
	for lo := 0; lo < n; lo += batchRows {
		err := w.db.Tenant(w.tenantID).Tx(ctx, func(tx store.Scope) error {
			for i := lo; i < min(n, lo+batchRows); i++ {
				if err := fn(tx, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// contact picks a customer.
func (w *world) contact() string { return w.contacts[w.rng.IntN(len(w.contacts))] }

// visitor makes up a visitor's language and page: a quarter write in
// English, a quarter are on billing or refund pages.
func (w *world) visitor() conversation.VisitorInfo {
	v := conversation.VisitorInfo{Language: []string{"zh", "zh", "zh", "zh-CN", "en", "en", "en", ""}[w.rng.IntN(8)]}
	switch x := w.rng.IntN(100); {
	case x < 15:
		v.PageURL = "https://shop.example.com/billing/invoices"
	case x < 25:
		v.PageURL = "https://shop.example.com/account/refund"
	default:
		v.PageURL = "https://shop.example.com/products/" + fmt.Sprint(x)
	}
	return v
}

// arrive opens a conversation for a customer, through the conversation
// service: it waits in the queue.
func (w *world) arrive(ctx context.Context) error {
	c, _, err := w.convs.Create(ctx, w.tenantID, conversation.NewConversation{ContactID: w.contact(), Visitor: w.visitor()})
	if err != nil {
		return fmt.Errorf("open a conversation: %w", err)
	}
	w.waiting[c.ID] = true
	return nil
}

// free closes one open conversation of a random busy agent.
func (w *world) free(ctx context.Context) error {
	start := w.rng.IntN(len(w.agents))
	for k := range w.agents {
		a := w.agents[(start+k)%len(w.agents)]
		list := w.slots[a.id]
		if len(list) == 0 {
			continue
		}
		i := w.rng.IntN(len(list))
		c := list[i]
		if _, err := w.convs.Close(ctx, w.tenantID, c); err != nil {
			return fmt.Errorf("close a conversation: %w", err)
		}
		w.slots[a.id] = append(list[:i], list[i+1:]...)
		delete(w.owner, c)
		return nil
	}
	return fmt.Errorf("no agent has an open conversation to close")
}

// assigned records what a dispatch assigned, counting what breaks the
// invariants at once: a conversation that was not waiting (given twice),
// an agent above capacity.
func (w *world) assigned(as []routing.Assignment) {
	for _, a := range as {
		w.res.Assigned++
		if !w.waiting[a.ConversationID] || w.given[a.ConversationID] {
			w.res.AssignedTwice++
			continue
		}
		delete(w.waiting, a.ConversationID)
		w.given[a.ConversationID] = true
		w.slots[a.AgentID] = append(w.slots[a.AgentID], a.ConversationID)
		w.owner[a.ConversationID] = a.AgentID
		if len(w.slots[a.AgentID]) > w.cfg.Capacity {
			w.res.OverCapacity++
		}
	}
}

// cleanup removes the bench tenant and everything in it.
func (w *world) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := w.db.Global().Exec(ctx, q.Get("DeleteTenant"), w.tenantID); err != nil {
		fmt.Fprintf(w.cfg.Log, "could not remove the bench tenant %s: %v\n", w.slug, err)
	}
}
