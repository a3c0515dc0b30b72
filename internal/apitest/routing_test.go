package apitest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// What the routing API answers, as an integrator reads it.
type (
	rtTarget struct {
		TeamID               string `json:"team_id,omitempty"`
		Skill                string `json:"skill,omitempty"`
		Priority             int    `json:"priority"`
		Strategy             string `json:"strategy,omitempty"`
		OverflowTeamID       string `json:"overflow_team_id,omitempty"`
		OverflowAfterSeconds int    `json:"overflow_after_seconds,omitempty"`
	}
	rtSettings struct {
		Strategy         string   `json:"strategy"`
		DefaultCapacity  int      `json:"default_capacity"`
		StickySeconds    int      `json:"sticky_seconds"`
		AwayAfterSeconds int      `json:"away_after_seconds"`
		QueueLimit       int      `json:"queue_limit"`
		Fallback         rtTarget `json:"fallback"`
	}
	rtRule struct {
		ID      string         `json:"id,omitempty"`
		Name    string         `json:"name"`
		Enabled bool           `json:"enabled"`
		When    map[string]any `json:"when"`
		Then    rtTarget       `json:"then"`
		Broken  []string       `json:"broken,omitempty"`
	}
	rtConfig struct {
		Settings       rtSettings `json:"settings"`
		FallbackBroken []string   `json:"fallback_broken"`
		Rules          []rtRule   `json:"rules"`
		Skills         []string   `json:"skills"`
	}
	rtHours struct {
		TimeZone string           `json:"time_zone"`
		Week     []map[string]any `json:"week"`
		Holidays []string         `json:"holidays"`
	}
	rtTeam struct {
		TeamID    string   `json:"team_id"`
		Name      string   `json:"name"`
		Skills    []string `json:"skills"`
		Languages []string `json:"languages"`
		Capacity  int      `json:"capacity"`
		Hours     *rtHours `json:"hours"`
		Members   []string `json:"members"`
	}
	rtAgent struct {
		UserID            string   `json:"user_id"`
		Name              string   `json:"name"`
		Status            string   `json:"status"`
		AutoAway          bool     `json:"auto_away"`
		Capacity          *int     `json:"capacity"`
		EffectiveCapacity int      `json:"effective_capacity"`
		Active            int      `json:"active"`
		Teams             []string `json:"teams"`
	}
	rtConv struct {
		ID          string     `json:"id"`
		Status      string     `json:"status"`
		Owner       string     `json:"owner"`
		AssigneeID  *string    `json:"assignee_id"`
		TeamID      *string    `json:"team_id"`
		LeftMessage bool       `json:"left_message"`
		QueuedAt    *time.Time `json:"queued_at"`
	}
	rtPosition struct {
		ConversationID string `json:"conversation_id"`
		Position       int    `json:"position"`
		TeamID         string `json:"team_id"`
		Unavailable    string `json:"unavailable"`
		EtaSeconds     int    `json:"eta_seconds"`
	}
	rtMessage struct {
		Seq        int64  `json:"seq"`
		SenderType string `json:"sender_type"`
		SenderID   string `json:"sender_id"`
		Private    bool   `json:"private"`
		Body       string `json:"body"`
		Meta       struct {
			Transfer *struct {
				FromID  string `json:"from_id"`
				AgentID string `json:"agent_id"`
				TeamID  string `json:"team_id"`
				To      string `json:"to"`
				Note    string `json:"note"`
			} `json:"transfer"`
		} `json:"meta"`
	}
)

// rtDo calls the API and decodes the answer into a T.
func rtDo[T any](t *testing.T, c *client.Client, method, path string, body any) T {
	t.Helper()
	var out T
	if _, err := c.Do(t.Context(), method, path, body, &out); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return out
}

// rtRefused requires the call to fail with status, code and field, with a
// message in the caller's language.
func rtRefused(t *testing.T, c *client.Client, zh bool, method, path string, body any, status int, code, field string) {
	t.Helper()
	what := method + " " + path + " " + asJSON(t, body)
	_, err := c.Do(t.Context(), method, path, body, nil)
	e := wantError(t, what, err, status, code)
	if e.Field != field {
		t.Errorf("%s: field %q, want %q", what, e.Field, field)
	}
	if strings.Contains(e.Message, "err.") {
		t.Errorf("%s: untranslated message %q", what, e.Message)
	}
	if zh && !hasHan(e.Message) {
		t.Errorf("%s: the Chinese message is %q", what, e.Message)
	}
}

// rtUser creates a user who can sign in at once, and signs them in.
func rtUser(t *testing.T, s *Server, admin *client.Client, email, name, role string) (*client.Client, string) {
	t.Helper()
	const pw = "a long routing passphrase"
	u := must[*client.User](t, "create "+email)(admin.CreateUser(t.Context(), client.UserCreate{Email: email, Name: name, Role: role,
		Password: pw, MustChangePassword: ptr(false)}))
	c, _ := s.Login(t, email, pw)
	return c, u.ID
}

// waitConv polls a conversation until ok says it is as wanted.
func waitConv(t *testing.T, c *client.Client, id, what string, ok func(rtConv) bool) rtConv {
	t.Helper()
	var cv rtConv
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		cv = rtDo[rtConv](t, c, "GET", "/api/v1/conversations/"+id, nil)
		if ok(cv) {
			return cv
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: the conversation is %+v", what, cv)
	return cv
}

func assignedTo(who string) func(rtConv) bool {
	return func(c rtConv) bool { return c.AssigneeID != nil && *c.AssigneeID == who && c.Owner == "agent" }
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// vipConversation opens a conversation (as an integration would, without
// an assignee: it waits in the queue) for a new customer tagged VIP.
func vipConversation(t *testing.T, c *client.Client, name string) string {
	t.Helper()
	ctx := t.Context()
	ct := must[*client.Contact](t, "contact "+name)(c.CreateContact(ctx, client.ContactInput{Name: ptr(name)}))
	rtDo[json.RawMessage](t, c, "POST", "/api/v1/contacts/"+ct.ID+"/tags", map[string]string{"tag": "VIP"})
	cv := must[*client.ConversationCreated](t, "conversation of "+name)(c.CreateConversation(ctx, client.ConversationCreate{ContactID: ct.ID,
		Message: &client.MessageCreate{Body: "我的订单还没有发货 / my order has not shipped", Author: "contact"}}))
	return cv.Conversation.ID
}

// TestRoutingConfiguration drives the routing settings, rules and teams as
// an administrator would, with every kind of bad input refused with a field
// and a reason in both languages; then deletes a team a rule points to: the
// rule shows as broken, a conversation that waited for that team goes to
// anyone, and a new one is routed by the fallback.
func TestRoutingConfiguration(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		admin := s.Admin(t)
		zh := s.Admin(t, client.WithAcceptLanguage("zh-CN"))
		shop, _ := s.TokenClient(t, admin, client.ScopeWrite)
		vipTeam := must[*client.Team](t, "VIP team")(admin.CreateTeam(ctx, client.TeamInput{Name: "VIP desk"}))
		support := must[*client.Team](t, "support team")(admin.CreateTeam(ctx, client.TeamInput{Name: "Support"}))
		mia, miaID := rtUser(t, s, admin, "mia@example.com", "Mia Chen", client.RoleAgent)
		li, liID := rtUser(t, s, admin, "li@example.com", "Li Lei", client.RoleAgent)
		ok(t, "Mia in Support", admin.AddTeamMember(ctx, support.ID, miaID))
		ok(t, "Li in VIP", admin.AddTeamMember(ctx, vipTeam.ID, liID))

		// Until saved, the settings are the defaults and there are no rules.
		cfg := rtDo[rtConfig](t, mia, "GET", "/api/v1/routing", nil)
		if cfg.Settings.Strategy != "least_busy" || cfg.Settings.DefaultCapacity != 3 || cfg.Settings.QueueLimit != 100 ||
			len(cfg.Rules) != 0 || cfg.Skills == nil || len(cfg.FallbackBroken) != 0 {
			t.Fatalf("default routing config: %+v", cfg)
		}
		good := rtSettings{Strategy: "least_busy", DefaultCapacity: 3, StickySeconds: 30, AwayAfterSeconds: 60, QueueLimit: 100,
			Fallback: rtTarget{TeamID: support.ID}}
		// Only administrators change routing.
		_, err := mia.Do(ctx, "PUT", "/api/v1/routing/settings", good, nil)
		wantError(t, "agent PUT settings", err, http.StatusForbidden, "forbidden")

		with := func(f func(*rtSettings)) rtSettings { s := good; f(&s); return s }
		for _, c := range []*client.Client{admin, zh} {
			isZh := c == zh
			for _, b := range []struct {
				body        any
				code, field string
			}{
				{with(func(s *rtSettings) { s.DefaultCapacity = 0 }), "invalid_capacity", "default_capacity"},
				{with(func(s *rtSettings) { s.DefaultCapacity = -2 }), "invalid_capacity", "default_capacity"},
				{with(func(s *rtSettings) { s.DefaultCapacity = 51 }), "invalid_capacity", "default_capacity"},
				{with(func(s *rtSettings) { s.Strategy = "fastest" }), "invalid_value", "strategy"},
				{with(func(s *rtSettings) { s.AwayAfterSeconds = 5 }), "out_of_range", "away_after_seconds"},
				{with(func(s *rtSettings) { s.QueueLimit = 0 }), "out_of_range", "queue_limit"},
				{with(func(s *rtSettings) { s.Fallback.TeamID = "0190f0f0-0000-7000-8000-000000000000" }), "unknown_reference", "fallback.team_id"},
				{with(func(s *rtSettings) { s.Fallback.Skill = "astrology" }), "unknown_reference", "fallback.skill"},
				{with(func(s *rtSettings) { s.Fallback.Priority = 101 }), "out_of_range", "fallback.priority"},
			} {
				rtRefused(t, c, isZh, "PUT", "/api/v1/routing/settings", b.body, http.StatusUnprocessableEntity, b.code, b.field)
			}
		}
		cfg = rtDo[rtConfig](t, admin, "PUT", "/api/v1/routing/settings", good)
		if cfg.Settings.Fallback.TeamID != support.ID {
			t.Fatalf("saved settings: %+v", cfg.Settings)
		}

		// Teams: skills, languages, capacity and business hours, checked.
		week := func(iv ...[3]any) []map[string]any {
			out := []map[string]any{}
			for _, x := range iv {
				out = append(out, map[string]any{"day": x[0], "open": x[1], "close": x[2]})
			}
			return out
		}
		profile := func(h *rtHours, capacity int) map[string]any {
			return map[string]any{"skills": []string{"VIP", "after-sales"}, "languages": []string{"zh", "en"}, "capacity": capacity, "hours": h}
		}
		teamPath := "/api/v1/routing/teams/" + vipTeam.ID
		for _, c := range []*client.Client{admin, zh} {
			isZh := c == zh
			for _, b := range []struct {
				body        any
				code, field string
			}{
				{profile(&rtHours{TimeZone: "Asia/Shanghai", Week: week([3]any{1, "18:00", "09:00"})}, 2), "hours_inverted", "hours.week[0].close"},
				{profile(&rtHours{TimeZone: "Asia/Shanghai", Week: week([3]any{1, "09:00", "09:00"})}, 2), "hours_inverted", "hours.week[0].close"},
				{profile(&rtHours{TimeZone: "Asia/Shanghai", Week: week([3]any{1, "09:00", "12:00"}, [3]any{1, "11:30", "18:00"})}, 2), "hours_overlap", "hours.week[1]"},
				{profile(&rtHours{TimeZone: "Mars/Olympus_Mons", Week: week([3]any{1, "09:00", "18:00"})}, 2), "unknown_time_zone", "hours.time_zone"},
				{profile(&rtHours{TimeZone: "Asia/Shanghai", Week: week([3]any{1, "25:00", "26:00"})}, 2), "invalid_time", "hours.week[0].open"},
				{profile(&rtHours{TimeZone: "Asia/Shanghai", Week: week([3]any{7, "09:00", "18:00"})}, 2), "invalid_value", "hours.week[0].day"},
				{profile(&rtHours{TimeZone: "Asia/Shanghai", Holidays: []string{"2026-02-30"}}, 2), "invalid_date", "hours.holidays[0]"},
				{profile(nil, -1), "invalid_capacity", "capacity"},
				{profile(nil, 51), "invalid_capacity", "capacity"},
				{map[string]any{"skills": []string{"has space"}}, "invalid_value", "skills[0]"},
			} {
				rtRefused(t, c, isZh, "PUT", teamPath, b.body, http.StatusUnprocessableEntity, b.code, b.field)
			}
		}
		rtRefused(t, admin, false, "PUT", "/api/v1/routing/teams/0190f0f0-0000-7000-8000-000000000000", profile(nil, 2), http.StatusNotFound, "not_found", "")
		_, err = mia.Do(ctx, "PUT", teamPath, profile(nil, 2), nil)
		wantError(t, "agent PUT team", err, http.StatusForbidden, "forbidden")

		hours := &rtHours{TimeZone: "Asia/Shanghai", Week: week([3]any{2, "13:00", "18:00"}, [3]any{1, "09:00", "12:00"}, [3]any{1, "12:00", "18:00"}),
			Holidays: []string{"2026-10-01", "2026-05-01"}}
		vip := rtDo[rtTeam](t, admin, "PUT", teamPath, profile(hours, 2))
		if !slices.Equal(vip.Skills, []string{"vip", "after-sales"}) || vip.Capacity != 2 || vip.Hours == nil ||
			!slices.Equal(vip.Hours.Holidays, []string{"2026-05-01", "2026-10-01"}) || len(vip.Hours.Week) != 3 || vip.Hours.Week[0]["open"] != "09:00" ||
			!slices.Equal(vip.Members, []string{liID}) {
			t.Fatalf("saved team: %+v", vip)
		}
		// The team is always open for the rest of the test.
		rtDo[rtTeam](t, admin, "PUT", teamPath, profile(nil, 0))
		teams := rtDo[struct{ Items []rtTeam }](t, li, "GET", "/api/v1/routing/teams", nil).Items
		if len(teams) != 2 || teams[0].Name != "Support" || teams[1].Name != "VIP desk" || !slices.Equal(teams[1].Skills, []string{"vip", "after-sales"}) {
			t.Fatalf("teams: %+v", teams)
		}

		// Rules: they must point to teams and skills that exist.
		vipRule := rtRule{Name: "VIP customers", Enabled: true, When: map[string]any{"tags": []string{"VIP"}}, Then: rtTarget{TeamID: vipTeam.ID, Priority: 5}}
		rules := func(r ...rtRule) map[string]any { return map[string]any{"rules": r} }
		for _, c := range []*client.Client{admin, zh} {
			isZh := c == zh
			for _, b := range []struct {
				body        any
				code, field string
			}{
				{rules(vipRule, rtRule{Name: "Nowhere", Enabled: true, Then: rtTarget{TeamID: "0190f0f0-0000-7000-8000-000000000000"}}), "unknown_reference", "rules[1].then.team_id"},
				{rules(rtRule{Name: "Astrology", Enabled: true, Then: rtTarget{Skill: "astrology"}}), "unknown_reference", "rules[0].then.skill"},
				{rules(rtRule{Name: " ", Enabled: true}), "required", "rules[0].name"},
				{rules(rtRule{Name: "Bad hours", Enabled: true, When: map[string]any{"hours": rtHours{TimeZone: "Nowhere/Atlantis"}}}), "unknown_time_zone", "rules[0].when.hours.time_zone"},
				{rules(rtRule{Name: "Bad days", Enabled: true, When: map[string]any{"returning_days": -1}}), "out_of_range", "rules[0].when.returning_days"},
				{rules(rtRule{Name: "Bad overflow", Enabled: true, Then: rtTarget{OverflowTeamID: "0190f0f0-0000-7000-8000-000000000000"}}), "unknown_reference", "rules[0].then.overflow_team_id"},
			} {
				rtRefused(t, c, isZh, "PUT", "/api/v1/routing/rules", b.body, http.StatusUnprocessableEntity, b.code, b.field)
			}
		}
		cfg = rtDo[rtConfig](t, admin, "PUT", "/api/v1/routing/rules", rules(vipRule))
		if len(cfg.Rules) != 1 || cfg.Rules[0].ID == "" || len(cfg.Rules[0].Broken) != 0 || !slices.Contains(cfg.Skills, "vip") {
			t.Fatalf("saved rules: %+v", cfg)
		}

		// A VIP customer arrives while nobody is online: the rule sends the
		// conversation to the VIP desk, where it waits.
		first := vipConversation(t, shop, "王芳")
		var queue []rtPosition
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			queue = rtDo[struct{ Items []rtPosition }](t, mia, "GET", "/api/v1/queue", nil).Items
			if len(queue) == 1 && queue[0].TeamID == vipTeam.ID {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if len(queue) != 1 || queue[0].ConversationID != first || queue[0].TeamID != vipTeam.ID || queue[0].Position != 1 ||
			queue[0].Unavailable != "nobody_online" || queue[0].EtaSeconds <= 0 {
			t.Fatalf("the queue: %+v", queue)
		}

		// The VIP desk is deleted: the rule is shown broken, the waiting
		// conversation goes to anyone, and routing falls through to the
		// fallback for new ones.
		ok(t, "delete the VIP desk", admin.DeleteTeam(ctx, vipTeam.ID))
		cfg = rtDo[rtConfig](t, li, "GET", "/api/v1/routing", nil)
		if len(cfg.Rules) != 1 || !slices.Equal(cfg.Rules[0].Broken, []string{"team_id"}) || len(cfg.FallbackBroken) != 0 {
			t.Fatalf("after deleting the team: %+v", cfg)
		}
		rtDo[rtAgent](t, mia, "PUT", "/api/v1/agents/me/status", map[string]string{"status": "online"})
		waitConv(t, admin, first, "the conversation whose team was deleted", assignedTo(miaID))

		rtDo[rtAgent](t, li, "PUT", "/api/v1/agents/me/status", map[string]string{"status": "online"})
		second := vipConversation(t, shop, "Wang Wei")
		// Li is less busy, but the fallback wants the Support team: Mia.
		cv := waitConv(t, admin, second, "the VIP conversation after its rule broke", assignedTo(miaID))
		if str(cv.TeamID) != support.ID {
			t.Errorf("routed by the fallback, the conversation's team is %q, want Support", str(cv.TeamID))
		}

		// A fallback pointing to a team deleted later is broken too, and
		// then anyone may take what no rule matches.
		other := must[*client.Team](t, "night team")(admin.CreateTeam(ctx, client.TeamInput{Name: "Night shift"}))
		rtDo[rtConfig](t, admin, "PUT", "/api/v1/routing/settings", with(func(s *rtSettings) { s.Fallback.TeamID = other.ID }))
		ok(t, "delete the night team", admin.DeleteTeam(ctx, other.ID))
		cfg = rtDo[rtConfig](t, admin, "GET", "/api/v1/routing", nil)
		if !slices.Equal(cfg.FallbackBroken, []string{"team_id"}) {
			t.Fatalf("fallback to a deleted team: %+v", cfg)
		}
		third := vipConversation(t, shop, "Zhao Lei")
		waitConv(t, admin, third, "a conversation under a broken fallback", assignedTo(liID))
	})
}

// TestAgentStatusCapacityAndTransfer: agents set their own status (never a
// colleague's), administrators set capacities (1–50 or the default), and a
// transfer reaches only an online agent with a free slot — or goes back to
// the queue for a team, with a note the receiver sees.
func TestAgentStatusCapacityAndTransfer(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		admin := s.Admin(t)
		zh := s.Admin(t, client.WithAcceptLanguage("zh-CN"))
		token, _ := s.TokenClient(t, admin, client.ScopeWrite)
		mia, miaID := rtUser(t, s, admin, "mia@example.com", "Mia Chen", client.RoleAgent)
		li, liID := rtUser(t, s, admin, "li@example.com", "Li Lei", client.RoleAgent)
		_, zoeID := rtUser(t, s, admin, "zoe@example.com", "Zoe Wu", client.RoleAgent)
		sup, _ := rtUser(t, s, admin, "sam@example.com", "Sam Sun", client.RoleSupervisor)
		billing := must[*client.Team](t, "billing team")(admin.CreateTeam(ctx, client.TeamInput{Name: "Billing"}))
		ok(t, "Zoe in Billing", admin.AddTeamMember(ctx, billing.ID, zoeID))

		// An agent who never opened the console is offline.
		me := rtDo[rtAgent](t, mia, "GET", "/api/v1/agents/me", nil)
		if me.UserID != miaID || me.Name != "Mia Chen" || me.Status != "offline" || me.Capacity != nil || me.EffectiveCapacity != 3 || me.Active != 0 {
			t.Fatalf("Mia at first: %+v", me)
		}
		me = rtDo[rtAgent](t, mia, "PUT", "/api/v1/agents/me/status", map[string]string{"status": "online"})
		if me.Status != "online" || me.AutoAway {
			t.Fatalf("Mia online: %+v", me)
		}
		rtRefused(t, mia, false, "PUT", "/api/v1/agents/me/status", map[string]string{"status": "busy"}, http.StatusUnprocessableEntity, "invalid_value", "status")
		rtRefused(t, zh, true, "PUT", "/api/v1/agents/me/status", map[string]string{"status": "busy"}, http.StatusUnprocessableEntity, "invalid_value", "status")
		// Not a colleague's status — unless a supervisor or an administrator.
		_, err := mia.Do(ctx, "PUT", "/api/v1/agents/"+liID+"/status", map[string]string{"status": "online"}, nil)
		wantError(t, "an agent sets a colleague's status", err, http.StatusForbidden, "forbidden")
		if got := rtDo[rtAgent](t, mia, "PUT", "/api/v1/agents/"+miaID+"/status", map[string]string{"status": "online"}); got.Status != "online" {
			t.Fatalf("Mia through her own id: %+v", got)
		}
		if got := rtDo[rtAgent](t, sup, "PUT", "/api/v1/agents/"+liID+"/status", map[string]string{"status": "away"}); got.Status != "away" {
			t.Fatalf("the supervisor set Li away: %+v", got)
		}
		// A token is not an agent: it has no status of its own.
		_, err = token.Do(ctx, "GET", "/api/v1/agents/me", nil, nil)
		wantError(t, "a token's own status", err, http.StatusForbidden, "users_only")
		rtRefused(t, zh, true, "PUT", "/api/v1/agents/0190f0f0-0000-7000-8000-000000000000/status", map[string]string{"status": "online"}, http.StatusNotFound, "not_found", "")

		// Capacity: 1–50, or null for the team's or tenant's default.
		capPath := "/api/v1/agents/" + liID + "/capacity"
		for _, bad := range []int{0, -1, 51} {
			rtRefused(t, admin, false, "PUT", capPath, map[string]any{"capacity": bad}, http.StatusUnprocessableEntity, "invalid_capacity", "capacity")
			rtRefused(t, zh, true, "PUT", capPath, map[string]any{"capacity": bad}, http.StatusUnprocessableEntity, "invalid_capacity", "capacity")
		}
		_, err = li.Do(ctx, "PUT", capPath, map[string]any{"capacity": 5}, nil)
		wantError(t, "an agent sets a capacity", err, http.StatusForbidden, "forbidden")
		if a := rtDo[rtAgent](t, admin, "PUT", capPath, map[string]any{"capacity": 1}); a.Capacity == nil || *a.Capacity != 1 || a.EffectiveCapacity != 1 {
			t.Fatalf("Li with capacity 1: %+v", a)
		}

		// A customer's conversation goes to Mia, the only one online.
		ct := must[*client.Contact](t, "contact")(admin.CreateContact(ctx, client.ContactInput{Name: ptr("刘洋")}))
		open := func(body string) string {
			cv := must[*client.ConversationCreated](t, "conversation")(token.CreateConversation(ctx, client.ConversationCreate{ContactID: ct.ID,
				Message: &client.MessageCreate{Body: body, Author: "contact"}}))
			return cv.Conversation.ID
		}
		conv := open("发票开错了 / the invoice is wrong")
		waitConv(t, admin, conv, "the first conversation", assignedTo(miaID))
		agents := rtDo[struct{ Items []rtAgent }](t, li, "GET", "/api/v1/agents", nil).Items
		byID := map[string]rtAgent{}
		for _, a := range agents {
			byID[a.UserID] = a
		}
		if len(agents) != 5 || byID[miaID].Active != 1 || byID[miaID].Status != "online" || byID[liID].Status != "away" || byID[zoeID].Status != "offline" ||
			!slices.Equal(byID[zoeID].Teams, []string{billing.ID}) {
			t.Fatalf("the agents: %+v", agents)
		}

		transfer := func(c *client.Client, id string, body any) (rtConv, error) {
			var out rtConv
			_, err := c.Do(ctx, "POST", "/api/v1/conversations/"+id+"/transfer", body, &out)
			return out, err
		}
		tp := "/api/v1/conversations/" + conv + "/transfer"
		// Refused transfers, each with its reason.
		for _, c := range []*client.Client{mia, zh} {
			isZh := c == zh
			rtRefused(t, c, isZh, "POST", tp, map[string]string{"agent_id": zoeID, "note": "please"}, http.StatusConflict, "agent_offline", "agent_id")
			rtRefused(t, c, isZh, "POST", tp, map[string]string{"agent_id": liID}, http.StatusConflict, "agent_away", "agent_id")
			rtRefused(t, c, isZh, "POST", tp, map[string]string{"agent_id": miaID}, http.StatusUnprocessableEntity, "already_assigned", "agent_id")
			rtRefused(t, c, isZh, "POST", tp, map[string]string{"note": "to nobody"}, http.StatusUnprocessableEntity, "agent_or_team", "agent_id")
			rtRefused(t, c, isZh, "POST", tp, map[string]string{"agent_id": liID, "team_id": billing.ID}, http.StatusUnprocessableEntity, "agent_or_team", "agent_id")
			rtRefused(t, c, isZh, "POST", tp, map[string]string{"team_id": "0190f0f0-0000-7000-8000-000000000000"}, http.StatusUnprocessableEntity, "unknown_reference", "team_id")
			rtRefused(t, c, isZh, "POST", tp, map[string]string{"agent_id": liID, "note": strings.Repeat("长", 1001)}, http.StatusUnprocessableEntity, "too_long", "note")
		}
		if cv := rtDo[rtConv](t, admin, "GET", "/api/v1/conversations/"+conv, nil); str(cv.AssigneeID) != miaID {
			t.Fatalf("a refused transfer moved the conversation: %+v", cv)
		}

		// Li comes online with one slot: the transfer reaches her; a second
		// conversation cannot, she is full.
		rtDo[rtAgent](t, li, "PUT", "/api/v1/agents/me/status", map[string]string{"status": "online"})
		got, err := transfer(mia, conv, map[string]string{"agent_id": liID, "note": "客户要重开发票 — wants the invoice reissued"})
		ok(t, "transfer to Li", err)
		if str(got.AssigneeID) != liID || got.Owner != "agent" {
			t.Fatalf("after the transfer to Li: %+v", got)
		}
		second := open("还有一个问题 / one more question")
		waitConv(t, admin, second, "the second conversation", assignedTo(miaID))
		rtRefused(t, mia, false, "POST", "/api/v1/conversations/"+second+"/transfer", map[string]string{"agent_id": liID}, http.StatusConflict, "agent_at_capacity", "agent_id")

		// Back to the queue for Billing (nobody of it is online): it waits
		// for that team, with the note for whoever takes it.
		got, err = transfer(mia, second, map[string]string{"team_id": billing.ID, "note": "Refund over ¥500"})
		ok(t, "transfer to Billing", err)
		if got.Owner != "queue" || got.AssigneeID != nil || str(got.TeamID) != billing.ID || got.QueuedAt == nil {
			t.Fatalf("after the transfer to Billing: %+v", got)
		}
		msgs := rtDo[struct{ Items []rtMessage }](t, admin, "GET", "/api/v1/conversations/"+second+"/messages", nil).Items
		last := msgs[len(msgs)-1]
		if !last.Private || last.SenderID != miaID || last.Meta.Transfer == nil || last.Meta.Transfer.TeamID != billing.ID ||
			last.Meta.Transfer.To != "Billing" || last.Meta.Transfer.Note != "Refund over ¥500" || last.Body != "⇄ Billing: Refund over ¥500" {
			t.Fatalf("the transfer note: %+v", last)
		}
		queue := rtDo[struct{ Items []rtPosition }](t, li, "GET", "/api/v1/queue", nil).Items
		if len(queue) != 1 || queue[0].ConversationID != second || queue[0].TeamID != billing.ID || queue[0].Unavailable != "nobody_online" {
			t.Fatalf("the queue after the transfer: %+v", queue)
		}
		// Mia is online with free slots, but not in Billing: it waits for Zoe.
		time.Sleep(700 * time.Millisecond)
		if cv := rtDo[rtConv](t, admin, "GET", "/api/v1/conversations/"+second, nil); cv.Owner != "queue" {
			t.Fatalf("the conversation for Billing went elsewhere: %+v", cv)
		}
		zoe, _ := s.Login(t, "zoe@example.com", "a long routing passphrase")
		rtDo[rtAgent](t, zoe, "PUT", "/api/v1/agents/me/status", map[string]string{"status": "online"})
		waitConv(t, admin, second, "the conversation for Billing", assignedTo(zoeID))
		seen := rtDo[struct{ Items []rtMessage }](t, zoe, "GET", "/api/v1/conversations/"+second+"/messages", nil).Items
		if !slices.ContainsFunc(seen, func(m rtMessage) bool { return m.Meta.Transfer != nil && m.Meta.Transfer.Note == "Refund over ¥500" }) {
			t.Fatal("Zoe does not see the transfer note")
		}

		// A token transfers too (the note is then the system's); a closed
		// conversation cannot be transferred.
		got, err = transfer(token, second, map[string]string{"agent_id": miaID})
		ok(t, "a token transfers", err)
		if str(got.AssigneeID) != miaID {
			t.Fatalf("after the token's transfer: %+v", got)
		}
		must[*client.Conversation](t, "close")(admin.CloseConversation(ctx, second))
		rtRefused(t, mia, false, "POST", "/api/v1/conversations/"+second+"/transfer", map[string]string{"agent_id": zoeID}, http.StatusConflict, "conversation_closed", "")
		rtRefused(t, mia, false, "POST", "/api/v1/conversations/0190f0f0-0000-7000-8000-000000000000/transfer", map[string]string{"agent_id": zoeID},
			http.StatusNotFound, "not_found", "")
	})
}
