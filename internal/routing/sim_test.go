package routing_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/app"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/routing"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

var ctx = context.Background()

// clock is the routers' settable time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// node is one Switchboard process: its own database pool, conversation
// service and router.
type node struct {
	db     *store.DB
	convs  *conversation.Service
	router *routing.Router
}

// world is a tenant set up for routing: agents in teams with skills, rules.
type world struct {
	t        *testing.T
	tenantID string
	clock    *clock
	nodes    []*node
	accounts *account.Service
	contacts *contact.Service
	agents   []string
	teams    map[string]string // name → id
	custs    []string
	newNode  func() *node
}

// openNode builds a node on a migrated database URL.
func openNode(t *testing.T, dsn string, clk *clock) *node {
	t.Helper()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return buildNode(db, clk)
}

func buildNode(db *store.DB, clk *clock) *node {
	convs := conversation.New(conversation.Options{DB: db, Directory: app.Directory{Accounts: account.New(db), Contacts: contact.New(db)}})
	return &node{db: db, convs: convs, router: routing.New(routing.Options{DB: db, Conversations: convs, Now: clk.Now})}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newWorld sets up a tenant on n nodes sharing one database: 12 agents in
// three teams (billing; technical, answering in English; VIP, with
// business hours and billing as its overflow), 40 customers (every fifth
// tagged VIP) and rules that use them.
func newWorld(t *testing.T, e storetest.Engine, n int) *world {
	t.Helper()
	clk := &clock{now: time.Date(2026, 11, 23, 9, 50, 0, 0, time.UTC)} // a Monday, 17:50 in Shanghai
	dsn := e.URL(t)
	db, err := store.Open(ctx, dsn, store.Options{})
	check(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.Migrate(ctx)
	check(t, err)
	w := &world{t: t, clock: clk, accounts: account.New(db), contacts: contact.New(db), teams: map[string]string{}}
	w.nodes = append(w.nodes, buildNode(db, clk))
	for len(w.nodes) < n {
		w.nodes = append(w.nodes, openNode(t, dsn, clk))
	}
	w.newNode = func() *node { return buildNode(db, clk) }
	tn, err := tenant.New(db).Create(ctx, "sim", "")
	check(t, err)
	w.tenantID = tn.ID
	r := w.nodes[0].router
	for _, name := range []string{"billing", "technical", "vip"} {
		tm, err := w.accounts.CreateTeam(ctx, w.tenantID, name, "")
		check(t, err)
		w.teams[name] = tm.ID
	}
	shanghai := &routing.Hours{TimeZone: "Asia/Shanghai"}
	for d := 1; d <= 5; d++ {
		shanghai.Week = append(shanghai.Week, routing.Interval{Day: d, Open: "09:00", Close: "18:00"})
	}
	_, err = r.PutTeam(ctx, w.tenantID, w.teams["billing"], routing.TeamProfile{Skills: []string{"billing"}, Languages: []string{"zh"}})
	check(t, err)
	_, err = r.PutTeam(ctx, w.tenantID, w.teams["technical"], routing.TeamProfile{Skills: []string{"tech"}, Languages: []string{"en"}, Capacity: 2})
	check(t, err)
	_, err = r.PutTeam(ctx, w.tenantID, w.teams["vip"], routing.TeamProfile{Skills: []string{"vip"}, Capacity: 1, Hours: shanghai})
	check(t, err)
	for i := range 12 {
		u, err := w.accounts.CreateUser(ctx, w.tenantID, account.NewUser{Email: fmt.Sprintf("a%d@sim.test", i),
			Name: fmt.Sprintf("Agent %d", i), Role: account.RoleAgent, Password: "correct horse battery staple"})
		check(t, err)
		w.agents = append(w.agents, u.ID)
		team := []string{"billing", "technical", "vip"}[i%3]
		check(t, w.accounts.AddMember(ctx, w.tenantID, w.teams[team], u.ID))
		if i%4 == 0 { // some agents are in two teams
			check(t, w.accounts.AddMember(ctx, w.tenantID, w.teams["billing"], u.ID))
		}
	}
	for i := range 40 {
		in := contact.Input{}
		if i%5 == 0 {
			in.Tags = []string{"VIP"}
		}
		c, err := w.contacts.Create(ctx, w.tenantID, in)
		check(t, err)
		w.custs = append(w.custs, c.ID)
	}
	_, err = r.PutSettings(ctx, w.tenantID, routing.Settings{Strategy: routing.LeastBusy, DefaultCapacity: 3, StickySeconds: 30,
		AwayAfterSeconds: 60, QueueLimit: 1000})
	check(t, err)
	_, err = r.PutRules(ctx, w.tenantID, []routing.Rule{
		{Name: "VIP", Enabled: true, When: routing.Conditions{Tags: []string{"vip"}},
			Then: routing.Target{TeamID: w.teams["vip"], Priority: 5, OverflowTeamID: w.teams["billing"], OverflowAfterSeconds: 20}},
		{Name: "English", Enabled: true, When: routing.Conditions{Languages: []string{"en"}},
			Then: routing.Target{Skill: "tech", Strategy: routing.RoundRobin}},
		{Name: "Returning", Enabled: true, When: routing.Conditions{ReturningDays: 30},
			Then: routing.Target{TeamID: w.teams["billing"], Strategy: routing.Sticky}},
	})
	check(t, err)
	return w
}

// snapshot is the state the invariants are checked on.
type state struct {
	open    map[string]convRow // open conversations
	load    map[string]int     // agent → open conversations assigned
	online  map[string]bool
	cap     map[string]int // agent → effective capacity
	members map[string][]string
}

type convRow struct {
	id, assignee, owner, team, skill, sticky, overflow string
	stickyUntil, overflowAt                            int64
	routed                                             bool
}

func (w *world) read() state {
	w.t.Helper()
	sc := w.nodes[0].db.Tenant(w.tenantID)
	st := state{open: map[string]convRow{}, load: map[string]int{}, online: map[string]bool{}, cap: map[string]int{}, members: map[string][]string{}}
	rows, err := rawQuery(sc, "OpenConversations")
	check(w.t, err)
	for rows.Next() {
		var c convRow
		check(w.t, rows.Scan(&c.id, &c.assignee, &c.owner, &c.team, &c.skill, &c.sticky, &c.stickyUntil, &c.overflow, &c.overflowAt, &c.routed))
		st.open[c.id] = c
		if c.assignee != "" {
			st.load[c.assignee]++
		}
	}
	rows.Close()
	agents, err := w.nodes[0].router.Agents(ctx, w.tenantID)
	check(w.t, err)
	for _, a := range agents {
		st.online[a.UserID] = a.Status == routing.Online
		st.cap[a.UserID] = a.EffectiveCapacity
		st.members[a.UserID] = a.Teams
	}
	return st
}

// testQueries are the statements only the invariants read.
var testQueries = store.MustLoadQueries(fstest.MapFS{"queries.sql": &fstest.MapFile{Data: []byte(`
-- name: OpenConversations
SELECT id, COALESCE(assignee_id, ''), owner, COALESCE(route_team_id, ''), route_skill, COALESCE(sticky_agent_id, ''),
    COALESCE(sticky_until, 0), COALESCE(overflow_team_id, ''), COALESCE(overflow_at, 0), routed_at IS NOT NULL
FROM conversations WHERE tenant_id = $1 AND status = 'open';
`)}})

func rawQuery(sc store.Scope, name string) (*store.Rows, error) {
	return sc.Query(ctx, testQueries.Get(name))
}

// teamSkills are the skills of the simulated teams (by name).
var teamSkills = map[string]string{"billing": "billing", "technical": "tech", "vip": "vip"}

// capable is the invariants' own reading of who may serve a waiting
// conversation, written independently of the router.
func (w *world) capable(st state, c convRow, agent string, now time.Time) bool {
	if c.sticky != "" && now.UnixMilli() < c.stickyUntil && st.online[c.sticky] {
		if agent != c.sticky {
			return false
		}
	}
	for _, teamID := range st.members[agent] {
		name := ""
		for n, id := range w.teams {
			if id == teamID {
				name = n
			}
		}
		inTarget := c.team == "" || teamID == c.team || (c.overflow == teamID && now.UnixMilli() >= c.overflowAt)
		if !inTarget || (c.skill != "" && teamSkills[name] != c.skill) {
			continue
		}
		if name == "vip" && !shanghaiOpen(now) {
			continue
		}
		return true
	}
	return c.team == "" && c.skill == ""
}

func shanghaiOpen(t time.Time) bool {
	lt := t.In(time.FixedZone("CST", 8*3600))
	return lt.Weekday() >= time.Monday && lt.Weekday() <= time.Friday && lt.Hour() >= 9 && lt.Hour() < 18
}

// TestSimulation drives thousands of random arrivals, hand-offs, closes,
// status and capacity changes, transfers, clock jumps and restarts against
// the router — on SQLite with one node, on PostgreSQL with two nodes
// dispatching at the same time — and checks after every step that no
// conversation went to two agents, that the router never took an agent
// above capacity, and that no conversation waits while a capable online
// agent has a free slot.
func TestSimulation(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			nodes, steps := 1, 2000
			if e.Name == "postgres" {
				nodes, steps = 2, 1500
			}
			simulate(t, newWorld(t, e, nodes), steps, rand.New(rand.NewPCG(42, uint64(len(e.Name)))))
		})
	}
}

func simulate(t *testing.T, w *world, steps int, rng *rand.Rand) {
	episodes := map[string]int{} // conversation → times it entered the queue and was not yet assigned
	counts := map[string]int{}
	assignments := 0
	for step := range steps {
		before := w.read()
		op := w.step(rng, before, episodes)
		counts[op]++
		// Every node dispatches at once, as after an event each hears; then
		// once more, which must find nothing left to do.
		var mu sync.Mutex
		var got []routing.Assignment
		var wg sync.WaitGroup
		for _, n := range w.nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				as, err := n.router.Dispatch(ctx, w.tenantID)
				if err != nil {
					t.Errorf("step %d (%s): dispatch: %v", step, op, err)
				}
				mu.Lock()
				got = append(got, as...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		for _, a := range got {
			if episodes[a.ConversationID] == 0 {
				t.Fatalf("step %d (%s): conversation %s was assigned to %s without waiting (twice?)", step, op, a.ConversationID, a.AgentID)
			}
			episodes[a.ConversationID]--
		}
		after := w.read()
		now := w.clock.Now()
		for _, a := range got {
			c := after.open[a.ConversationID]
			if c.id == "" {
				continue
			}
			if c.assignee != a.AgentID {
				t.Fatalf("step %d (%s): %s was assigned to %s but has %q", step, op, a.ConversationID, a.AgentID, c.assignee)
			}
			if !after.online[a.AgentID] || !w.capable(after, c, a.AgentID, now) {
				t.Fatalf("step %d (%s): %s (team %q skill %q) went to %s, who may not serve it", step, op, c.id, c.team, c.skill, a.AgentID)
			}
		}
		assignments += len(got)
		for agent, n := range after.load {
			if n > after.cap[agent] && n > before.load[agent] {
				t.Fatalf("step %d (%s): agent %s has %d conversations, capacity %d (had %d)", step, op, agent, n, after.cap[agent], before.load[agent])
			}
		}
		for _, c := range after.open {
			if c.owner != "queue" {
				continue
			}
			if !c.routed {
				t.Fatalf("step %d (%s): conversation %s waits unrouted", step, op, c.id)
			}
			for _, agent := range w.agents {
				if after.online[agent] && after.load[agent] < after.cap[agent] && w.capable(after, c, agent, now) {
					t.Fatalf("step %d (%s): conversation %s (team %q skill %q) waits while %s is online with %d/%d",
						step, op, c.id, c.team, c.skill, agent, after.load[agent], after.cap[agent])
				}
			}
		}
	}
	t.Logf("%d steps, %d assignments: %v", steps, assignments, counts)
	if assignments < steps/10 {
		t.Errorf("only %d assignments in %d steps", assignments, steps)
	}
	for _, op := range []string{"arrive", "handoff", "close", "status", "transfer-agent", "transfer-team", "restart", "capacity", "time"} {
		if counts[op] == 0 {
			t.Errorf("the simulation never did %s", op)
		}
	}
}

// step makes one random change and names it.
func (w *world) step(rng *rand.Rand, st state, episodes map[string]int) string {
	t := w.t
	n := w.nodes[rng.IntN(len(w.nodes))]
	var open, assigned []string
	for id, c := range st.open {
		open = append(open, id)
		if c.assignee != "" {
			assigned = append(assigned, id)
		}
	}
	slices.Sort(open)
	slices.Sort(assigned)
	switch x := rng.IntN(100); {
	case x < 22 && len(open) < 150:
		lang := []string{"zh", "en", "zh-CN", ""}[rng.IntN(4)]
		c, _, err := n.convs.Create(ctx, w.tenantID, conversation.NewConversation{ContactID: w.custs[rng.IntN(len(w.custs))],
			Visitor: conversation.VisitorInfo{Language: lang}})
		check(t, err)
		episodes[c.ID]++
		return "arrive"
	case x < 30 && len(open) < 150:
		// The bot hands an unhappy customer over, with priority.
		bot := conversation.New(conversation.Options{DB: n.db, Directory: app.Directory{Accounts: w.accounts, Contacts: w.contacts}})
		defer bot.Shutdown()
		bot.SetOwners(func(context.Context, string, string) conversation.Owner { return conversation.OwnerBot })
		c, _, err := bot.Create(ctx, w.tenantID, conversation.NewConversation{ContactID: w.custs[rng.IntN(len(w.custs))]})
		check(t, err)
		if c.Owner != conversation.OwnerBot {
			t.Fatalf("the bot does not own %s", c.ID)
		}
		_, moved, err := bot.HandOff(ctx, w.tenantID, c.ID, conversation.ReasonNegative, 10)
		check(t, err)
		if !moved {
			t.Fatal("hand-off did not move the conversation to the queue")
		}
		episodes[c.ID]++
		return "handoff"
	case x < 48 && len(assigned) > 0:
		_, err := n.convs.Close(ctx, w.tenantID, assigned[rng.IntN(len(assigned))])
		check(t, err)
		return "close"
	case x < 68:
		s := []routing.Status{routing.Online, routing.Online, routing.Online, routing.Away, routing.Offline}[rng.IntN(5)]
		_, err := n.router.SetStatus(ctx, w.tenantID, w.agents[rng.IntN(len(w.agents))], s)
		check(t, err)
		return "status"
	case x < 76 && len(assigned) > 0:
		conv := assigned[rng.IntN(len(assigned))]
		_, err := n.router.Transfer(ctx, w.tenantID, conv, "", routing.Transfer{AgentID: w.agents[rng.IntN(len(w.agents))], Note: "please take over"})
		if e, ok := apperr.As(err); err != nil && (!ok || (e.Code != "agent_offline" && e.Code != "agent_away" && e.Code != "agent_at_capacity" && e.Code != "already_assigned")) {
			t.Fatalf("transfer to an agent: %v", err)
		}
		return "transfer-agent"
	case x < 82 && len(assigned) > 0:
		conv := assigned[rng.IntN(len(assigned))]
		names := []string{"billing", "technical", "vip"}
		_, err := n.router.Transfer(ctx, w.tenantID, conv, "", routing.Transfer{TeamID: w.teams[names[rng.IntN(3)]], Note: "for your team"})
		check(t, err)
		episodes[conv]++
		return "transfer-team"
	case x < 86:
		// A node restarts: a new router (and conversation service) on its database.
		i := rng.IntN(len(w.nodes))
		w.nodes[i] = buildNode(w.nodes[i].db, w.clock)
		return "restart"
	case x < 92:
		var c *int
		if v := rng.IntN(4); v > 0 {
			c = &v
		}
		_, err := n.router.SetCapacity(ctx, w.tenantID, w.agents[rng.IntN(len(w.agents))], c)
		check(t, err)
		return "capacity"
	default:
		w.clock.Advance(time.Duration(rng.IntN(40)) * time.Second)
		return "time"
	}
}
