package apitest

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/app"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/quickreply"
)

// quickReply is a quick reply as the API returns it.
type quickReply struct {
	ID       string `json:"id"`
	Scope    string `json:"scope"`
	TeamID   string `json:"team_id"`
	Shortcut string `json:"shortcut"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	CanEdit  bool   `json:"can_edit"`
}

type quickReplyList struct {
	Items []quickReply `json:"items"`
}

func createQuickReply(ctx context.Context, c *client.Client, in map[string]string) (quickReply, error) {
	var out quickReply
	_, err := c.Do(ctx, http.MethodPost, "/api/v1/quick-replies", in, &out)
	return out, err
}

func listQuickReplies(t *testing.T, ctx context.Context, c *client.Client, query string) []string {
	t.Helper()
	var l quickReplyList
	_, err := c.Do(ctx, http.MethodGet, "/api/v1/quick-replies"+query, nil, &l)
	ok(t, "list quick replies"+query, err)
	out := []string{}
	for _, q := range l.Items {
		out = append(out, q.Scope+":"+q.Shortcut)
	}
	return out
}

// quickRepliesOfBoth gives tenant A (through its administrator's session)
// and tenant B (through the services) a quick reply each, for the tenant
// isolation probe, and returns A's id and B's reply.
func quickRepliesOfBoth(t *testing.T, ctx context.Context, session *client.Client, a *app.App, bTenant string) (string, quickreply.QuickReply) {
	t.Helper()
	mine := must[quickReply](t, "A quick reply")(createQuickReply(ctx, session, map[string]string{"shortcut": "a-own", "body": "A's own"}))
	scope := quickreply.ScopeTenant
	b := must[quickreply.QuickReply](t, "B quick reply")(a.QuickReplies.Create(ctx, bTenant, quickreply.Viewer{Editor: true},
		quickreply.Input{Scope: &scope, Shortcut: ptr("tenant-b-secret"), Body: ptr("B's secret answer")}))
	return mine.ID, b
}

// quickReplyUnchanged fails if tenant B's quick reply changed or went.
func quickReplyUnchanged(t *testing.T, ctx context.Context, a *app.App, bTenant string, want quickreply.QuickReply) {
	t.Helper()
	got, err := a.QuickReplies.Get(ctx, bTenant, quickreply.Viewer{Editor: true}, want.ID)
	if err != nil || got.Body != want.Body || got.Shortcut != want.Shortcut || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("tenant A changed tenant B's quick reply: %+v, %v", got, err)
	}
}

// TestQuickReplies follows quick replies through the API the way agents,
// a supervisor and integrations use them: who sees which, who may change
// which, and what bad input gets.
func TestQuickReplies(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		admin := s.Admin(t)
		support := must[*client.Team](t, "team")(admin.CreateTeam(ctx, client.TeamInput{Name: "Support"}))
		sales := must[*client.Team](t, "team")(admin.CreateTeam(ctx, client.TeamInput{Name: "Sales"}))
		ann, annUser := kbAgent(t, s, admin, "ann@example.com")
		bob, bobUser := kbAgent(t, s, admin, "bob@example.com")
		ok(t, "ann joins support", admin.AddTeamMember(ctx, support.ID, annUser.ID))
		ok(t, "bob joins sales", admin.AddTeamMember(ctx, sales.ID, bobUser.ID))
		const suePassword = "supervisor sue passphrase"
		must[*client.User](t, "supervisor")(admin.CreateUser(ctx, client.UserCreate{Email: "sue@example.com", Name: "Sue Lead",
			Role: client.RoleSupervisor, Password: suePassword, MustChangePassword: ptr(false)}))
		sue, _ := s.Login(t, "sue@example.com", suePassword)

		// An agent's own quick reply.
		returns := must[quickReply](t, "ann's reply")(createQuickReply(ctx, ann, map[string]string{
			"shortcut": "/Returns", "title": "Returns", "body": "Hi {{customer.name}}, send it back within 7 days. — {{ agent.name }}"}))
		if returns.Scope != "personal" || returns.Shortcut != "returns" || returns.TeamID != "" || !returns.CanEdit {
			t.Fatalf("created %+v", returns)
		}

		// Agents write only their own.
		for _, in := range []map[string]string{
			{"scope": "team", "team_id": support.ID, "shortcut": "team-try", "body": "x"},
			{"scope": "tenant", "shortcut": "tenant-try", "body": "x"},
		} {
			_, err := createQuickReply(ctx, ann, in)
			if e := wantError(t, "an agent creates a "+in["scope"]+" quick reply", err, http.StatusForbidden, "quickreply_forbidden"); e.Field != "scope" {
				t.Errorf("field %q, want scope", e.Field)
			}
		}

		// A supervisor writes team and tenant-wide ones.
		warranty := must[quickReply](t, "team reply")(createQuickReply(ctx, sue, map[string]string{
			"scope": "team", "team_id": support.ID, "shortcut": "warranty", "title": "保修", "body": "保修期为一年，{{customer.name}}。"}))
		hello := must[quickReply](t, "tenant reply")(createQuickReply(ctx, sue, map[string]string{
			"scope": "tenant", "shortcut": "hello", "body": "您好 {{customer.name}}，我是 {{agent.name}}，很高兴为您服务。"}))
		must[quickReply](t, "sales reply")(createQuickReply(ctx, sue, map[string]string{
			"scope": "team", "team_id": sales.ID, "shortcut": "discount", "body": "Use code SPRING."}))
		if warranty.TeamID != support.ID || hello.Scope != "tenant" {
			t.Fatalf("created %+v and %+v", warranty, hello)
		}

		// Each sees their own, their teams' and the shared ones, by shortcut.
		for _, tc := range []struct {
			who  string
			c    *client.Client
			want []string
		}{
			{"ann", ann, []string{"tenant:hello", "personal:returns", "team:warranty"}},
			{"bob", bob, []string{"team:discount", "tenant:hello"}},
			{"sue", sue, []string{"team:discount", "tenant:hello", "team:warranty"}},
			{"the administrator", admin, []string{"team:discount", "tenant:hello", "team:warranty"}},
		} {
			if got := listQuickReplies(t, ctx, tc.c, ""); !slices.Equal(got, tc.want) {
				t.Errorf("%s sees %v, want %v", tc.who, got, tc.want)
			}
		}
		if got := listQuickReplies(t, ctx, ann, "?q=RET"); !slices.Equal(got, []string{"personal:returns"}) {
			t.Errorf("ann's search for RET finds %v", got)
		}
		if got := listQuickReplies(t, ctx, ann, "?q="+url.QueryEscape("保修")+"&scope=team"); !slices.Equal(got, []string{"team:warranty"}) {
			t.Errorf("ann's search for 保修 in her teams finds %v", got)
		}
		if got := listQuickReplies(t, ctx, ann, "?scope=personal"); !slices.Equal(got, []string{"personal:returns"}) {
			t.Errorf("ann's personal ones are %v", got)
		}

		// Nobody reaches what they do not see; seeing is not changing.
		for _, tc := range []struct {
			who string
			c   *client.Client
			id  string
		}{{"bob, ann's own", bob, returns.ID}, {"sue, ann's own", sue, returns.ID}, {"bob, support's", bob, warranty.ID}} {
			path := "/api/v1/quick-replies/" + tc.id
			_, err := tc.c.Do(ctx, http.MethodGet, path, nil, nil)
			wantError(t, tc.who+": get", err, http.StatusNotFound, "not_found")
			_, err = tc.c.Do(ctx, http.MethodPatch, path, map[string]string{"body": "taken over"}, nil)
			wantError(t, tc.who+": change", err, http.StatusNotFound, "not_found")
			_, err = tc.c.Do(ctx, http.MethodDelete, path, nil, nil)
			wantError(t, tc.who+": delete", err, http.StatusNotFound, "not_found")
		}
		var seen quickReply
		_, err := ann.Do(ctx, http.MethodGet, "/api/v1/quick-replies/"+warranty.ID, nil, &seen)
		ok(t, "ann gets her team's reply", err)
		if seen.CanEdit || seen.Body != warranty.Body {
			t.Errorf("ann sees her team's reply as %+v", seen)
		}
		_, err = ann.Do(ctx, http.MethodPatch, "/api/v1/quick-replies/"+warranty.ID, map[string]string{"body": "changed by ann"}, nil)
		wantError(t, "ann changes her team's reply", err, http.StatusForbidden, "quickreply_forbidden")
		_, err = ann.Do(ctx, http.MethodDelete, "/api/v1/quick-replies/"+hello.ID, nil, nil)
		wantError(t, "ann deletes a shared reply", err, http.StatusForbidden, "quickreply_forbidden")

		// Bad input: a clear error naming the field.
		for _, tc := range []struct {
			name        string
			c           *client.Client
			in          any
			status      int
			code, field string
		}{
			{"an unknown variable", ann, map[string]string{"shortcut": "x1", "body": "Your order {{order.id}}"}, 422, "unknown_variable", "body"},
			{"a shortcut with a space", ann, map[string]string{"shortcut": "two words", "body": "x"}, 422, "quickreply_shortcut", "shortcut"},
			{"a long shortcut", ann, map[string]string{"shortcut": strings.Repeat("a", 33), "body": "x"}, 422, "too_long", "shortcut"},
			{"no body", ann, map[string]string{"shortcut": "x2"}, 422, "required", "body"},
			{"a long body", ann, map[string]string{"shortcut": "x3", "body": strings.Repeat("好", 5001)}, 422, "too_long", "body"},
			{"a long title", ann, map[string]string{"shortcut": "x4", "title": strings.Repeat("t", 101), "body": "x"}, 422, "too_long", "title"},
			{"the same shortcut in any case", ann, map[string]string{"shortcut": "RETURNS", "body": "x"}, 409, "duplicate", "shortcut"},
			{"an unknown scope", sue, map[string]string{"scope": "everyone", "shortcut": "x5", "body": "x"}, 422, "invalid_value", "scope"},
			{"a team that does not exist", sue, map[string]string{"scope": "team", "team_id": annUser.ID, "shortcut": "x6", "body": "x"}, 422, "unknown_reference", "team_id"},
			{"an unknown field", ann, map[string]any{"shortcut": "x7", "body": "x", "owner_id": bobUser.ID}, 400, "unknown_field", "owner_id"},
			{"a number for a shortcut", ann, map[string]any{"shortcut": 7, "body": "x"}, 422, "wrong_type", "shortcut"},
		} {
			_, err := tc.c.Do(ctx, http.MethodPost, "/api/v1/quick-replies", tc.in, nil)
			if e := wantError(t, tc.name, err, tc.status, tc.code); e.Field != tc.field {
				t.Errorf("%s: field %q, want %q", tc.name, e.Field, tc.field)
			}
		}
		for query, code := range map[string]string{"?scope=mine": "invalid_value", "?q=" + strings.Repeat("q", 201): "too_long",
			"?limit=0": "bad_limit", "?limit=1001": "bad_limit"} {
			_, err := ann.Do(ctx, http.MethodGet, "/api/v1/quick-replies"+query, nil, nil)
			if e, isAPI := client.AsError(err); !isAPI || e.Code != code || e.Status/100 != 4 {
				t.Errorf("list%s: %v, want a 4xx %s", query[:min(len(query), 20)], err, code)
			}
		}
		zh := s.Client(client.WithAcceptLanguage("zh-CN"))
		_, err = zh.Login(ctx, client.LoginRequest{Email: "ann@example.com", Password: "knowledge agent passphrase"})
		ok(t, "login in Chinese", err)
		_, err = createQuickReply(ctx, zh, map[string]string{"shortcut": "x8", "body": "{{customer.age}}"})
		if e := wantError(t, "an unknown variable in Chinese", err, 422, "unknown_variable"); !hasHan(e.Message) || !strings.Contains(e.Message, "customer.age") {
			t.Errorf("the message does not name the variable in Chinese: %q", e.Message)
		}
		if got := listQuickReplies(t, ctx, ann, "?scope=personal"); !slices.Equal(got, []string{"personal:returns"}) {
			t.Errorf("refused input created something: %v", got)
		}

		// The owner changes and deletes their own.
		var changed quickReply
		_, err = ann.Do(ctx, http.MethodPatch, "/api/v1/quick-replies/"+returns.ID, map[string]string{"shortcut": "退货", "body": "请在 7 天内寄回。"}, &changed)
		ok(t, "ann changes her reply", err)
		if changed.Shortcut != "退货" || changed.Title != "Returns" || changed.Body != "请在 7 天内寄回。" {
			t.Errorf("changed %+v", changed)
		}
		_, err = ann.Do(ctx, http.MethodDelete, "/api/v1/quick-replies/"+returns.ID, nil, nil)
		ok(t, "ann deletes her reply", err)
		if got := listQuickReplies(t, ctx, ann, "?scope=personal"); len(got) != 0 {
			t.Errorf("after the delete ann has %v", got)
		}

		// API tokens: read lists the shared ones, write cannot make personal
		// or shared ones, admin makes shared ones.
		readToken, _ := s.TokenClient(t, admin, client.ScopeRead)
		writeToken, _ := s.TokenClient(t, admin, client.ScopeWrite)
		adminToken, _ := s.TokenClient(t, admin, client.ScopeAdmin)
		if got := listQuickReplies(t, ctx, readToken, ""); !slices.Equal(got, []string{"tenant:hello"}) {
			t.Errorf("a read token sees %v", got)
		}
		_, err = createQuickReply(ctx, readToken, map[string]string{"scope": "tenant", "shortcut": "rt", "body": "x"})
		wantError(t, "a read token creates", err, http.StatusForbidden, "forbidden")
		_, err = createQuickReply(ctx, writeToken, map[string]string{"shortcut": "wt", "body": "x"})
		wantError(t, "a write token creates a personal reply", err, http.StatusForbidden, "session_only")
		_, err = createQuickReply(ctx, writeToken, map[string]string{"scope": "tenant", "shortcut": "wt", "body": "x"})
		wantError(t, "a write token creates a shared reply", err, http.StatusForbidden, "quickreply_forbidden")
		must[quickReply](t, "an admin token creates a shared reply")(createQuickReply(ctx, adminToken, map[string]string{
			"scope": "tenant", "shortcut": "bye", "body": "Goodbye, {{customer.name}}!"}))
		if got := listQuickReplies(t, ctx, bob, ""); !slices.Equal(got, []string{"tenant:bye", "team:discount", "tenant:hello"}) {
			t.Errorf("bob sees %v", got)
		}
	})
}
