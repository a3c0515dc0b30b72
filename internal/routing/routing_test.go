package routing_test

import (
	"encoding/json"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/bus"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/routing"
)

func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != code || (field != "" && e.Field != field) {
		t.Fatalf("got %v, want %s at %q", err, code, field)
	}
}

func sqliteWorld(t *testing.T) *world {
	return newWorld(t, storetest.Engines(t)[0], 1)
}

func TestTeamHoursAreValidated(t *testing.T) {
	w := sqliteWorld(t)
	r, team := w.nodes[0].router, w.teams["billing"]
	cases := []struct {
		name  string
		hours routing.Hours
		code  string
		field string
	}{
		{"unknown time zone", routing.Hours{TimeZone: "Mars/Olympus"}, "unknown_time_zone", "hours.time_zone"},
		{"inverted", routing.Hours{Week: []routing.Interval{{Day: 1, Open: "18:00", Close: "09:00"}}}, "hours_inverted", "hours.week[0].close"},
		{"empty interval", routing.Hours{Week: []routing.Interval{{Day: 1, Open: "09:00", Close: "09:00"}}}, "hours_inverted", "hours.week[0].close"},
		{"overlapping", routing.Hours{Week: []routing.Interval{{Day: 2, Open: "09:00", Close: "12:00"}, {Day: 2, Open: "11:30", Close: "18:00"}}}, "hours_overlap", "hours.week[1]"},
		{"overlapping, sent out of order", routing.Hours{Week: []routing.Interval{{Day: 1, Open: "13:00", Close: "14:00"}, {Day: 2, Open: "09:00", Close: "10:00"}, {Day: 1, Open: "09:00", Close: "13:30"}}}, "hours_overlap", "hours.week[2]"},
		{"bad time", routing.Hours{Week: []routing.Interval{{Day: 1, Open: "9am", Close: "18:00"}}}, "invalid_time", "hours.week[0].open"},
		{"bad day", routing.Hours{Week: []routing.Interval{{Day: 7, Open: "09:00", Close: "18:00"}}}, "invalid_value", "hours.week[0].day"},
		{"bad holiday", routing.Hours{Holidays: []string{"2026-02-30"}}, "invalid_date", "hours.holidays[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := c.hours
			_, err := r.PutTeam(ctx, w.tenantID, team, routing.TeamProfile{Hours: &h})
			wantCode(t, err, c.code, c.field)
		})
	}
	for _, c := range []int{-1, 51} {
		_, err := r.PutTeam(ctx, w.tenantID, team, routing.TeamProfile{Capacity: c})
		wantCode(t, err, "invalid_capacity", "capacity")
	}
	// Adjacent intervals and an overnight split are fine, holidays close the day.
	got, err := r.PutTeam(ctx, w.tenantID, team, routing.TeamProfile{Skills: []string{" Billing ", "billing", "售后"},
		Hours: &routing.Hours{TimeZone: "Asia/Shanghai", Holidays: []string{"2026-10-01"}, Week: []routing.Interval{
			{Day: 4, Open: "13:00", Close: "24:00"}, {Day: 4, Open: "09:00", Close: "13:00"}, {Day: 5, Open: "00:00", Close: "02:00"}}}})
	check(t, err)
	if len(got.Skills) != 2 || got.Skills[0] != "billing" || got.Skills[1] != "售后" {
		t.Fatalf("skills %q", got.Skills)
	}
	h := got.Hours
	for _, c := range []struct {
		at   string
		open bool
	}{
		{"2026-11-26T01:30:00Z", true},  // Thursday 09:30 in Shanghai
		{"2026-11-26T15:59:00Z", true},  // Thursday 23:59
		{"2026-11-26T17:30:00Z", true},  // Friday 01:30
		{"2026-11-26T18:30:00Z", false}, // Friday 02:30
		{"2026-10-01T02:00:00Z", false}, // a Thursday, but a holiday
	} {
		at, _ := time.Parse(time.RFC3339, c.at)
		if h.Open(at) != c.open {
			t.Errorf("open at %s = %v, want %v", c.at, !c.open, c.open)
		}
	}
}

func TestCapacityIsValidated(t *testing.T) {
	w := sqliteWorld(t)
	r, agent := w.nodes[0].router, w.agents[0]
	for _, c := range []int{0, -3, 51} {
		_, err := r.SetCapacity(ctx, w.tenantID, agent, &c)
		wantCode(t, err, "invalid_capacity", "capacity")
	}
	two := 2
	a, err := r.SetCapacity(ctx, w.tenantID, agent, &two)
	check(t, err)
	if a.EffectiveCapacity != 2 || a.Capacity == nil || *a.Capacity != 2 {
		t.Fatalf("capacity %+v", a)
	}
	a, err = r.SetCapacity(ctx, w.tenantID, agent, nil)
	check(t, err)
	if a.Capacity != nil || a.EffectiveCapacity != 3 { // agent 0 is in billing (no team default): the tenant's 3
		t.Fatalf("default capacity %+v", a)
	}
	a, err = r.Agent(ctx, w.tenantID, w.agents[1]) // technical: team default 2
	check(t, err)
	if a.EffectiveCapacity != 2 {
		t.Fatalf("team default capacity %+v", a)
	}
	_, err = r.SetStatus(ctx, w.tenantID, agent, "busy")
	wantCode(t, err, "invalid_value", "status")
}

// open creates a waiting conversation for a customer.
func (w *world) open(t *testing.T, customer int, lang string) conversation.Conversation {
	t.Helper()
	c, _, err := w.nodes[0].convs.Create(ctx, w.tenantID, conversation.NewConversation{ContactID: w.custs[customer],
		Visitor: conversation.VisitorInfo{Language: lang, PageURL: "https://shop.example/pricing?plan=pro"}})
	check(t, err)
	return c
}

func (w *world) get(t *testing.T, id string) conversation.Conversation {
	t.Helper()
	c, err := w.nodes[0].convs.Get(ctx, w.tenantID, id)
	check(t, err)
	return c
}

func (w *world) dispatch(t *testing.T) []routing.Assignment {
	t.Helper()
	as, err := w.nodes[0].router.Dispatch(ctx, w.tenantID)
	check(t, err)
	return as
}

func (w *world) online(t *testing.T, agents ...int) {
	t.Helper()
	for _, a := range agents {
		_, err := w.nodes[0].router.SetStatus(ctx, w.tenantID, w.agents[a], routing.Online)
		check(t, err)
	}
}

func TestRulesRouteAndBrokenRulesFallThrough(t *testing.T) {
	w := sqliteWorld(t)
	r := w.nodes[0].router
	// Agents 2 (vip) and 1 (technical) and 3 (billing) online; VIP hours are open at 17:50 Shanghai.
	w.online(t, 1, 2, 3)
	vip := w.open(t, 0, "zh") // customer 0 is VIP
	en := w.open(t, 1, "en")
	w.dispatch(t)
	if got := w.get(t, vip.ID); got.AssigneeID == nil || *got.AssigneeID != w.agents[2] || got.Priority != 5 || *got.TeamID != w.teams["vip"] {
		t.Fatalf("VIP went to %v (team %v, priority %d), want the VIP agent", got.AssigneeID, got.TeamID, got.Priority)
	}
	if got := w.get(t, en.ID); got.AssigneeID == nil || *got.AssigneeID != w.agents[1] {
		t.Fatalf("English went to %v, want the technical agent", got.AssigneeID)
	}
	// A rule to a team that does not exist is refused when saved…
	_, err := r.PutRules(ctx, w.tenantID, []routing.Rule{{Name: "x", Enabled: true, Then: routing.Target{TeamID: "01a1fda4-006a-790e-9f7a-7a08f762821b"}}})
	wantCode(t, err, "unknown_reference", "rules[0].then.team_id")
	_, err = r.PutRules(ctx, w.tenantID, []routing.Rule{{Name: "x", Enabled: true, Then: routing.Target{Skill: "astrology"}}})
	wantCode(t, err, "unknown_reference", "rules[0].then.skill")
	// …and a team deleted later makes the rule broken: shown, and skipped.
	cfg, err := r.Config(ctx, w.tenantID)
	check(t, err)
	cfg.Rules[2].When = routing.Conditions{PageURL: "PRICING"}
	_, err = r.PutRules(ctx, w.tenantID, cfg.Rules)
	check(t, err)
	check(t, w.accounts.DeleteTeam(ctx, w.tenantID, w.teams["vip"]))
	cfg, err = r.Config(ctx, w.tenantID)
	check(t, err)
	if len(cfg.Rules[0].Broken) != 1 || cfg.Rules[0].Broken[0] != "team_id" || len(cfg.Rules[1].Broken) != 0 {
		t.Fatalf("broken marks %+v", cfg.Rules)
	}
	vip2 := w.open(t, 5, "zh") // VIP again: the broken VIP rule is skipped, the page rule routes to billing
	w.dispatch(t)
	if got := w.get(t, vip2.ID); got.AssigneeID == nil || *got.AssigneeID != w.agents[3] || got.Priority != 0 {
		t.Fatalf("after the VIP team was deleted, the VIP customer went to %v (priority %d), want billing's agent by the page rule", got.AssigneeID, got.Priority)
	}
	// A fallback to a deleted team is reported and means anyone.
	_, err = r.PutSettings(ctx, w.tenantID, routing.Settings{DefaultCapacity: 3, AwayAfterSeconds: 60, QueueLimit: 10,
		Fallback: routing.Target{TeamID: w.teams["technical"]}})
	check(t, err)
	check(t, w.accounts.DeleteTeam(ctx, w.tenantID, w.teams["technical"]))
	cfg, err = r.Config(ctx, w.tenantID)
	check(t, err)
	if len(cfg.FallbackBroken) != 1 || len(cfg.Rules[1].Broken) != 1 || cfg.Rules[1].Broken[0] != "skill" {
		t.Fatalf("fallback broken %v, rules %+v", cfg.FallbackBroken, cfg.Rules)
	}
}

func TestStrategiesStickyAndOverflow(t *testing.T) {
	w := sqliteWorld(t)
	r := w.nodes[0].router
	// Billing agents: 0, 3, 6, 9 (and 4, 8 in two teams). Least busy spreads.
	w.online(t, 0, 3)
	a := w.open(t, 1, "zh")
	b := w.open(t, 2, "zh")
	w.dispatch(t)
	if x, y := w.get(t, a.ID).AssigneeID, w.get(t, b.ID).AssigneeID; x == nil || y == nil || *x == *y {
		t.Fatalf("least busy gave both to %v/%v", x, y)
	}
	// Customer 1 returns: the returning rule is sticky to agent who served them.
	first := *w.get(t, a.ID).AssigneeID
	_, err := w.nodes[0].convs.Close(ctx, w.tenantID, a.ID)
	check(t, err)
	// The first agent is busy to capacity: the returning customer waits for them…
	one := 1
	_, err = r.SetCapacity(ctx, w.tenantID, first, &one)
	check(t, err)
	busy := w.open(t, 3, "zh")
	w.dispatch(t)
	if got := w.get(t, busy.ID).AssigneeID; got == nil {
		t.Fatal("a plain conversation waited")
	}
	ret := w.open(t, 1, "zh")
	w.dispatch(t)
	got := w.get(t, ret.ID)
	firstFull := false
	if ag, _ := r.Agent(ctx, w.tenantID, first); ag.Active >= ag.EffectiveCapacity {
		firstFull = true
	}
	if firstFull {
		if got.Owner != conversation.OwnerQueue {
			t.Fatalf("the returning customer did not wait for their agent: %v", got.AssigneeID)
		}
		// …for the sticky wait, then anyone capable takes it.
		w.clock.Advance(31 * time.Second)
		w.dispatch(t)
		if got = w.get(t, ret.ID); got.AssigneeID == nil || *got.AssigneeID == first {
			t.Fatalf("after the sticky wait the conversation went to %v", got.AssigneeID)
		}
	} else if got.AssigneeID == nil || *got.AssigneeID != first {
		t.Fatalf("the returning customer went to %v, want their agent %s", got.AssigneeID, first)
	}
	// Overflow: VIP agents (2, 5) offline; after 20 s billing agents may take VIP customers.
	vip := w.open(t, 10, "zh")
	w.dispatch(t)
	if got := w.get(t, vip.ID); got.Owner != conversation.OwnerQueue {
		t.Fatalf("a VIP went to %v before the overflow time", got.AssigneeID)
	}
	w.clock.Advance(21 * time.Second)
	_, err = r.SetCapacity(ctx, w.tenantID, w.agents[0], nil)
	check(t, err)
	_, err = r.SetCapacity(ctx, w.tenantID, w.agents[3], nil)
	check(t, err)
	w.dispatch(t)
	if got := w.get(t, vip.ID); got.AssigneeID == nil || *got.TeamID != w.teams["billing"] {
		t.Fatalf("after the overflow time the VIP went to %v (team %v)", got.AssigneeID, got.TeamID)
	}
}

func TestTransfers(t *testing.T) {
	w := sqliteWorld(t)
	r := w.nodes[0].router
	w.online(t, 0, 3)
	c := w.open(t, 1, "zh")
	w.dispatch(t)
	from := *w.get(t, c.ID).AssigneeID
	to := w.agents[3]
	if from == to {
		to = w.agents[0]
	}
	_, err := r.Transfer(ctx, w.tenantID, c.ID, from, routing.Transfer{AgentID: w.agents[6]})
	wantCode(t, err, "agent_offline", "agent_id")
	_, err = r.SetStatus(ctx, w.tenantID, w.agents[6], routing.Away)
	check(t, err)
	_, err = r.Transfer(ctx, w.tenantID, c.ID, from, routing.Transfer{AgentID: w.agents[6]})
	wantCode(t, err, "agent_away", "agent_id")
	_, err = r.Transfer(ctx, w.tenantID, c.ID, from, routing.Transfer{AgentID: from})
	wantCode(t, err, "already_assigned", "agent_id")
	_, err = r.Transfer(ctx, w.tenantID, c.ID, from, routing.Transfer{})
	wantCode(t, err, "agent_or_team", "agent_id")
	one := 1
	_, err = r.SetCapacity(ctx, w.tenantID, to, &one)
	check(t, err)
	w.open(t, 2, "zh")
	w.dispatch(t) // fills `to`
	_, err = r.Transfer(ctx, w.tenantID, c.ID, from, routing.Transfer{AgentID: to})
	wantCode(t, err, "agent_at_capacity", "agent_id")
	_, err = r.SetCapacity(ctx, w.tenantID, to, nil)
	check(t, err)
	got, err := r.Transfer(ctx, w.tenantID, c.ID, from, routing.Transfer{AgentID: to, Note: "客户要退款，订单 123"})
	check(t, err)
	if got.AssigneeID == nil || *got.AssigneeID != to {
		t.Fatalf("transferred to %v", got.AssigneeID)
	}
	msgs, err := w.nodes[0].convs.Messages(ctx, w.tenantID, c.ID, 0, 50)
	check(t, err)
	last := msgs[len(msgs)-1]
	var meta routing.TransferMeta
	_ = json.Unmarshal(last.Meta, &meta)
	if !last.Private || meta.Transfer.Note != "客户要退款，订单 123" || meta.Transfer.AgentID != to || last.SenderID != from {
		t.Fatalf("transfer note %+v", last)
	}
	// To a team: back in the queue for that team, keeping its place.
	queued := *w.get(t, c.ID).QueuedAt
	got, err = r.Transfer(ctx, w.tenantID, c.ID, to, routing.Transfer{TeamID: w.teams["vip"], Note: "VIP please"})
	check(t, err)
	if got.Owner != conversation.OwnerQueue || got.AssigneeID != nil || *got.TeamID != w.teams["vip"] || !got.QueuedAt.Equal(queued) {
		t.Fatalf("after a transfer to a team: %+v", got)
	}
	_, err = w.nodes[0].convs.Close(ctx, w.tenantID, c.ID)
	check(t, err)
	_, err = r.Transfer(ctx, w.tenantID, c.ID, to, routing.Transfer{TeamID: w.teams["vip"]})
	wantCode(t, err, "conversation_closed", "")
}

func TestQueuePositions(t *testing.T) {
	w := sqliteWorld(t)
	r := w.nodes[0].router
	a := w.open(t, 1, "zh")
	b := w.open(t, 2, "zh")
	w.dispatch(t)
	ps, err := r.Positions(ctx, w.tenantID)
	check(t, err)
	if len(ps) != 2 || ps[0].ConversationID != a.ID || ps[0].Position != 1 || ps[1].Position != 2 || ps[1].Unavailable != routing.NobodyOnline {
		t.Fatalf("positions with nobody online %+v", ps)
	}
	if ps[1].EtaSeconds <= ps[0].EtaSeconds {
		t.Fatalf("the second waits no longer than the first: %+v", ps)
	}
	// An agent online but busy: waiting, and someone can serve.
	one := 1
	_, err = r.SetCapacity(ctx, w.tenantID, w.agents[0], &one)
	check(t, err)
	w.online(t, 0)
	w.dispatch(t)
	ps, err = r.Positions(ctx, w.tenantID, b.ID)
	check(t, err)
	if len(ps) != 1 || ps[0].Position != 1 || ps[0].Unavailable != "" {
		t.Fatalf("b after a was taken %+v", ps)
	}
	// Beyond the queue limit.
	_, err = r.PutSettings(ctx, w.tenantID, routing.Settings{DefaultCapacity: 1, AwayAfterSeconds: 60, QueueLimit: 1})
	check(t, err)
	w.open(t, 3, "zh")
	ps, err = r.Positions(ctx, w.tenantID)
	check(t, err)
	if len(ps) != 2 || ps[0].Unavailable != "" || ps[1].Unavailable != routing.QueueFull {
		t.Fatalf("queue over its limit %+v", ps)
	}
	// A VIP customer outside the VIP team's hours (18:00 in Shanghai).
	w.clock.Advance(15 * time.Minute)
	vip := w.open(t, 0, "zh")
	w.dispatch(t)
	ps, err = r.Positions(ctx, w.tenantID, vip.ID)
	check(t, err)
	if len(ps) != 1 || ps[0].Unavailable != routing.OutsideHours {
		t.Fatalf("VIP outside hours %+v", ps)
	}
}

// TestRouterRunsByItself checks the running router: a conversation that
// starts waiting is assigned without anyone calling Dispatch, an agent
// whose console goes away becomes away after the tenant's time, and back
// online when it returns.
func TestRouterRunsByItself(t *testing.T) {
	w := sqliteWorld(t)
	n := w.nodes[0]
	b := bus.NewMemory()
	var mu sync.Mutex
	connected := map[string][]string{}
	statuses := make(chan routing.Agent, 16)
	r := routing.New(routing.Options{DB: n.db, Conversations: n.convs, Bus: b, Now: w.clock.Now,
		Tick: 50 * time.Millisecond, Heartbeat: 20 * time.Millisecond,
		Connected: func() map[string][]string {
			mu.Lock()
			defer mu.Unlock()
			return maps.Clone(connected)
		},
		OnAgentStatus: func(_ string, a routing.Agent) { statuses <- a }})
	n.convs.SetPublisher(b, false)
	check(t, r.Start())
	defer r.Stop()
	agent := w.agents[0]
	r.AgentConnected(w.tenantID, agent) // a first console: still offline until they choose
	if a, _ := r.Agent(ctx, w.tenantID, agent); a.Status != routing.Offline {
		t.Fatalf("a new agent's first connection made them %s", a.Status)
	}
	_, err := r.SetStatus(ctx, w.tenantID, agent, routing.Online)
	check(t, err)
	if a := <-statuses; a.UserID != agent || a.Status != routing.Online {
		t.Fatalf("going online gave %+v", a)
	}
	c := w.open(t, 1, "zh")
	deadline := time.Now().Add(time.Second)
	for w.get(t, c.ID).AssigneeID == nil {
		if time.Now().After(deadline) {
			t.Fatal("a waiting conversation was not assigned within a second while an agent was free")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The console disconnects (nobody connected), 61 s pass: away.
	w.clock.Advance(61 * time.Second)
	select {
	case a := <-statuses:
		if a.Status != routing.Away || !a.AutoAway {
			t.Fatalf("after the console went: %+v", a)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the agent did not become away")
	}
	r.AgentConnected(w.tenantID, agent)
	if a := <-statuses; a.Status != routing.Online || a.AutoAway {
		t.Fatalf("back: %+v", a)
	}
	// While connected, heartbeats keep them online however long it lasts.
	mu.Lock()
	connected[w.tenantID] = []string{agent}
	mu.Unlock()
	time.Sleep(60 * time.Millisecond)
	w.clock.Advance(10 * time.Minute)
	time.Sleep(100 * time.Millisecond)
	if a, _ := r.Agent(ctx, w.tenantID, agent); a.Status != routing.Online {
		t.Fatalf("a connected agent became %s", a.Status)
	}
}

// TestTeamLanguagesArePreferred: among the agents who may take a
// conversation, those whose team answers in the customer's language come
// first, even when another agent is less busy.
func TestTeamLanguagesArePreferred(t *testing.T) {
	w := sqliteWorld(t)
	// Agent 1 is technical (en), agent 3 billing (zh); agent 3 already has a conversation.
	w.online(t, 3)
	first := w.open(t, 2, "")
	w.dispatch(t)
	if got := w.get(t, first.ID).AssigneeID; got == nil || *got != w.agents[3] {
		t.Fatalf("the first conversation went to %v", got)
	}
	w.online(t, 1)
	zh := w.open(t, 3, "zh-CN") // no rule matches: the fallback lets anyone take it
	w.dispatch(t)
	if got := w.get(t, zh.ID).AssigneeID; got == nil || *got != w.agents[3] {
		t.Fatalf("a Chinese-speaking customer went to %v, not to the agent whose team answers in 中文", got)
	}
	none := w.open(t, 4, "")
	w.dispatch(t)
	if got := w.get(t, none.ID).AssigneeID; got == nil || *got != w.agents[1] {
		t.Fatalf("without a language the least busy agent should take it, got %v", got)
	}
}
