package apitest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/app"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// rateOtherTenant closes tenant B's conversation and has its customer rate
// it, so that the isolation walk can catch a rating shown to tenant A.
func rateOtherTenant(t *testing.T, ctx context.Context, a *app.App, b *otherTenant) {
	t.Helper()
	_, err := a.Conversations.Close(ctx, b.id, b.conv.ID)
	ok(t, "close B's conversation", err)
	_, err = a.CSAT.Rate(ctx, b.id, b.conv.ID, 2, "B's secret complaint")
	ok(t, "B's rating", err)
}

// The shapes of the satisfaction API and frames, as a client reads them.
type (
	csatRating struct {
		ConversationID string    `json:"conversation_id"`
		Score          int       `json:"score"`
		Comment        string    `json:"comment"`
		AgentID        string    `json:"agent_id"`
		AgentName      string    `json:"agent_name"`
		TeamID         string    `json:"team_id"`
		TeamName       string    `json:"team_name"`
		ChannelID      string    `json:"channel_id"`
		ChannelName    string    `json:"channel_name"`
		ContactID      string    `json:"contact_id"`
		ContactName    string    `json:"contact_name"`
		CreatedAt      time.Time `json:"created_at"`
		UpdatedAt      time.Time `json:"updated_at"`
	}
	csatList struct {
		Items      []csatRating `json:"items"`
		NextCursor string       `json:"next_cursor"`
	}
	csatGroup struct {
		Key          string  `json:"key"`
		Name         string  `json:"name"`
		Count        int     `json:"count"`
		Average      float64 `json:"average"`
		Distribution [5]int  `json:"distribution"`
	}
	csatSummary struct {
		Group string      `json:"group"`
		Total csatGroup   `json:"total"`
		Items []csatGroup `json:"items"`
	}
	csatState struct {
		ConversationID string `json:"conversation_id"`
		Rated          bool   `json:"rated"`
		Score          int    `json:"score"`
		Comment        string `json:"comment"`
		Open           bool   `json:"open"`
	}
	csatAck struct {
		ClientID       string    `json:"client_id"`
		ConversationID string    `json:"conversation_id"`
		CSAT           csatState `json:"csat"`
	}
	csatFrameError struct {
		Code     string `json:"code"`
		Message  string `json:"message"`
		ClientID string `json:"client_id"`
		Field    string `json:"field"`
	}
)

// csatVisitor is a widget connection as the tests drive it.
type csatVisitor struct {
	t     *testing.T
	c     *client.LiveConn
	token string
	conv  string
}

func dialCSATVisitor(t *testing.T, ctx context.Context, base, key string, hello map[string]any) (*csatVisitor, client.Frame) {
	t.Helper()
	lc, err := client.DialVisitor(ctx, base, key)
	ok(t, "dial the widget connection", err)
	t.Cleanup(lc.Abort)
	if hello == nil {
		hello = map[string]any{}
	}
	ok(t, "hello", lc.Send("hello", hello))
	f, err := lc.NextOf(ctx, "welcome")
	ok(t, "welcome", err)
	var w struct {
		Token string `json:"token"`
	}
	ok(t, "decode welcome", f.Decode(&w))
	return &csatVisitor{t: t, c: lc, token: w.Token}, f
}

// say sends a message and returns the conversation it went into.
func (v *csatVisitor) say(ctx context.Context, clientID, body string) string {
	v.t.Helper()
	ok(v.t, "send", v.c.Send("message", map[string]any{"client_id": clientID, "body": body}))
	f, err := v.c.NextOf(ctx, "ack")
	ok(v.t, "ack of "+body, err)
	var a struct {
		ConversationID string `json:"conversation_id"`
	}
	ok(v.t, "decode ack", f.Decode(&a))
	v.conv = a.ConversationID
	return a.ConversationID
}

// rate sends a csat frame and returns the ack, or the error frame.
func (v *csatVisitor) rate(ctx context.Context, convID, clientID string, score int, comment string) (*csatAck, *csatFrameError) {
	v.t.Helper()
	ok(v.t, "send csat", v.c.Send("csat", map[string]any{"conversation_id": convID, "score": score, "comment": comment, "client_id": clientID}))
	f, err := v.c.NextOf(ctx, "ack", "error")
	ok(v.t, "answer to csat", err)
	if f.Type == "error" {
		var e csatFrameError
		ok(v.t, "decode error", f.Decode(&e))
		if e.ClientID != clientID || strings.TrimSpace(e.Message) == "" {
			v.t.Fatalf("error frame %+v: want client_id %q and a message", e, clientID)
		}
		return nil, &e
	}
	var a csatAck
	ok(v.t, "decode ack", f.Decode(&a))
	if a.ClientID != clientID || a.ConversationID != convID {
		v.t.Fatalf("ack %+v is not for %s / %s", a, clientID, convID)
	}
	return &a, nil
}

func (v *csatVisitor) wantRefused(ctx context.Context, convID, clientID string, score int, comment, code, field string) {
	v.t.Helper()
	a, e := v.rate(ctx, convID, clientID, score, comment)
	if e == nil {
		v.t.Fatalf("rating %d %q of %s was accepted (%+v), want error %s", score, comment, convID, a, code)
	}
	if e.Code != code || e.Field != field {
		v.t.Fatalf("rating %d of %s: error %s on %q (%s), want %s on %q", score, convID, e.Code, e.Field, e.Message, code, field)
	}
}

func getJSON[T any](t *testing.T, ctx context.Context, c *client.Client, path string) T {
	t.Helper()
	var v T
	_, err := c.Do(ctx, http.MethodGet, path, nil, &v)
	ok(t, "GET "+path, err)
	return v
}

func wantGetError(t *testing.T, ctx context.Context, c *client.Client, path string, status int, code, field string) {
	t.Helper()
	_, err := c.Do(ctx, http.MethodGet, path, nil, nil)
	e := wantError(t, "GET "+path, err, status, code)
	if e.Field != field {
		t.Fatalf("GET %s: field %q, want %q", path, e.Field, field)
	}
}

func ratingIDs(rs []csatRating) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ConversationID)
	}
	return out
}

// TestSatisfactionRatings walks the whole life of ratings as people meet it:
// visitors rate their closed conversations in the widget (and only theirs,
// only closed, only within a day), find their rating again when they come
// back, and agents, supervisors, administrators and tokens read the lists
// and summaries, agents only their own.
func TestSatisfactionRatings(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		csatClock := &Clock{}
		s.App.CSAT.SetClock(csatClock.Now)
		admin := s.Admin(t)

		const pw = "satisfied customer phrase"
		ann := must[*client.User](t, "agent Ann")(admin.CreateUser(ctx, client.UserCreate{Email: "ann@example.com", Name: "Ann Agent",
			Role: client.RoleAgent, Password: pw, MustChangePassword: ptr(false)}))
		bo := must[*client.User](t, "agent Bo")(admin.CreateUser(ctx, client.UserCreate{Email: "bo@example.com", Name: "Bo Agent",
			Role: client.RoleAgent, Password: pw, MustChangePassword: ptr(false)}))
		must[*client.User](t, "supervisor Sue")(admin.CreateUser(ctx, client.UserCreate{Email: "sue@example.com", Name: "Sue Supervisor",
			Role: client.RoleSupervisor, Password: pw, MustChangePassword: ptr(false)}))
		team := must[*client.Team](t, "team")(admin.CreateTeam(ctx, client.TeamInput{Name: "售后 After-sales"}))
		ch := must[*client.Channel](t, "channel")(admin.CreateChannel(ctx, client.ChannelInput{Name: "Shop site"}))
		annC, _ := s.Login(t, "ann@example.com", pw)
		sue, _ := s.Login(t, "sue@example.com", pw)
		reader, _ := s.TokenClient(t, admin, client.ScopeRead)

		// Visitor 1 chats; Ann of the after-sales team serves them.
		v1, _ := dialCSATVisitor(t, ctx, s.URL, ch.Key, map[string]any{"name": "王伟"})
		conv1 := v1.say(ctx, "v1-1", "我的订单还没到")
		must[*client.Conversation](t, "assign to Ann")(admin.Assign(ctx, conv1, client.AssignRequest{AssigneeID: &ann.ID, TeamID: &team.ID}))

		// An open conversation cannot be rated yet.
		v1.wantRefused(ctx, conv1, "r-open", 4, "", "not_closed", "conversation_id")
		must[*client.Conversation](t, "close")(admin.CloseConversation(ctx, conv1))

		// Bad input: clear errors on the field, nothing stored.
		v1.wantRefused(ctx, conv1, "r-0", 0, "", "out_of_range", "score")
		v1.wantRefused(ctx, conv1, "r-6", 6, "", "out_of_range", "score")
		v1.wantRefused(ctx, conv1, "r-long", 4, strings.Repeat("好", 1001), "too_long", "comment")
		v1.wantRefused(ctx, conv1, "r-ctl", 4, "bad\x00byte", "control_chars", "comment")
		v1.wantRefused(ctx, "not-an-id", "r-id", 4, "", "not_found", "")
		if got := getJSON[csatList](t, ctx, admin, "/api/v1/csat/ratings"); len(got.Items) != 0 {
			t.Fatalf("refused ratings were stored: %+v", got.Items)
		}

		// The visitor rates 4 stars, then changes their mind: 5 stars replace it.
		a, _ := v1.rate(ctx, conv1, "r-4", 4, "  很好，谢谢  ")
		if a == nil || !a.CSAT.Rated || a.CSAT.Score != 4 || a.CSAT.Comment != "很好，谢谢" || !a.CSAT.Open {
			t.Fatalf("first rating: ack %+v", a)
		}
		a, _ = v1.rate(ctx, conv1, "r-5", 5, "Quick and kind — 非常满意")
		if a == nil || a.CSAT.Score != 5 || a.CSAT.Comment != "Quick and kind — 非常满意" {
			t.Fatalf("second rating: ack %+v", a)
		}

		// Another visitor cannot rate (or learn about) visitor 1's conversation.
		v2, _ := dialCSATVisitor(t, ctx, s.URL, ch.Key, nil)
		v2.wantRefused(ctx, conv1, "r-x", 1, "", "not_found", "")

		// Coming back, visitor 1 is told the rating they gave.
		back, _ := dialCSATVisitor(t, ctx, s.URL, ch.Key, map[string]any{"token": v1.token, "conversation_id": conv1})
		f, err := back.c.NextOf(ctx, "csat")
		ok(t, "csat state after hello", err)
		var st csatState
		ok(t, "decode csat state", f.Decode(&st))
		if st.ConversationID != conv1 || !st.Rated || st.Score != 5 || st.Comment != "Quick and kind — 非常满意" || !st.Open {
			t.Fatalf("state after coming back: %+v", st)
		}

		// Visitor 2 is served by Bo (no team) and is unhappy.
		conv2 := v2.say(ctx, "v2-1", "Where is my refund?")
		must[*client.Conversation](t, "assign to Bo")(admin.Assign(ctx, conv2, client.AssignRequest{AssigneeID: &bo.ID}))
		must[*client.Conversation](t, "close")(admin.CloseConversation(ctx, conv2))
		if a, _ := v2.rate(ctx, conv2, "r-2", 2, "Too slow"); a == nil || a.CSAT.Score != 2 {
			t.Fatalf("visitor 2's rating: %+v", a)
		}

		// Everyone but agents sees every rating, newest first, with names.
		for _, who := range []struct {
			name string
			c    *client.Client
		}{{"admin", admin}, {"supervisor", sue}, {"read token", reader}} {
			got := getJSON[csatList](t, ctx, who.c, "/api/v1/csat/ratings")
			if ids := ratingIDs(got.Items); fmt.Sprint(ids) != fmt.Sprint([]string{conv2, conv1}) || got.NextCursor != "" {
				t.Fatalf("%s sees ratings %v (next %q), want [%s %s]", who.name, ids, got.NextCursor, conv2, conv1)
			}
		}
		r1 := getJSON[csatRating](t, ctx, admin, "/api/v1/conversations/"+conv1+"/csat")
		if r1.Score != 5 || r1.AgentID != ann.ID || r1.AgentName != "Ann Agent" || r1.TeamID != team.ID || r1.TeamName != "售后 After-sales" ||
			r1.ChannelID != ch.ID || r1.ChannelName != "Shop site" || r1.ContactName != "王伟" || r1.UpdatedAt.Before(r1.CreatedAt) {
			t.Fatalf("conversation 1's rating: %+v", r1)
		}

		// Pages of one, then the filters.
		p1 := getJSON[csatList](t, ctx, admin, "/api/v1/csat/ratings?limit=1")
		p2 := getJSON[csatList](t, ctx, admin, "/api/v1/csat/ratings?limit=1&cursor="+url.QueryEscape(p1.NextCursor))
		if len(p1.Items) != 1 || p1.Items[0].ConversationID != conv2 || p1.NextCursor == "" || len(p2.Items) != 1 || p2.Items[0].ConversationID != conv1 || p2.NextCursor != "" {
			t.Fatalf("pages: %v (%q), %v (%q)", ratingIDs(p1.Items), p1.NextCursor, ratingIDs(p2.Items), p2.NextCursor)
		}
		today := time.Now().UTC().Format(time.DateOnly)
		tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
		yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
		for q, want := range map[string][]string{
			"agent_id=" + ann.ID:             {conv1},
			"team_id=" + team.ID:             {conv1},
			"channel_id=" + ch.ID:            {conv2, conv1},
			"from=" + today + "&to=" + today: {conv2, conv1},
			"from=" + tomorrow:               {},
			"to=" + yesterday:                {},
			"from=" + url.QueryEscape(time.Now().Add(-time.Hour).Format(time.RFC3339)): {conv2, conv1},
		} {
			got := getJSON[csatList](t, ctx, admin, "/api/v1/csat/ratings?"+q)
			if fmt.Sprint(ratingIDs(got.Items)) != fmt.Sprint(want) {
				t.Errorf("ratings?%s = %v, want %v", q, ratingIDs(got.Items), want)
			}
		}

		// Summaries: in all, per agent and per team.
		sum := getJSON[csatSummary](t, ctx, sue, "/api/v1/csat/summary?group=agent")
		if sum.Total.Count != 2 || sum.Total.Average != 3.5 || sum.Total.Distribution != [5]int{0, 1, 0, 0, 1} || len(sum.Items) != 2 {
			t.Fatalf("summary per agent: %+v", sum)
		}
		byKey := map[string]csatGroup{}
		for _, g := range sum.Items {
			byKey[g.Key] = g
		}
		if g := byKey[ann.ID]; g.Name != "Ann Agent" || g.Count != 1 || g.Average != 5 || g.Distribution != [5]int{0, 0, 0, 0, 1} {
			t.Errorf("Ann's summary: %+v", g)
		}
		if g := byKey[bo.ID]; g.Name != "Bo Agent" || g.Count != 1 || g.Average != 2 {
			t.Errorf("Bo's summary: %+v", g)
		}
		teams := getJSON[csatSummary](t, ctx, admin, "/api/v1/csat/summary?group=team")
		if len(teams.Items) != 2 || teams.Group != "team" {
			t.Fatalf("summary per team: %+v", teams)
		}
		for _, g := range teams.Items {
			if (g.Key == team.ID) != (g.Name == "售后 After-sales") || (g.Key == "" && g.Average != 2) {
				t.Errorf("team group %+v", g)
			}
		}
		chans := getJSON[csatSummary](t, ctx, admin, "/api/v1/csat/summary?group=channel")
		if len(chans.Items) != 1 || chans.Items[0].Key != ch.ID || chans.Items[0].Name != "Shop site" || chans.Items[0].Count != 2 {
			t.Fatalf("summary per channel: %+v", chans)
		}
		if total := getJSON[csatSummary](t, ctx, admin, "/api/v1/csat/summary"); total.Total.Count != 2 || len(total.Items) != 0 {
			t.Fatalf("total summary: %+v", total)
		}

		// An agent sees their own ratings only, and may not ask for others'.
		own := getJSON[csatList](t, ctx, annC, "/api/v1/csat/ratings")
		if fmt.Sprint(ratingIDs(own.Items)) != fmt.Sprint([]string{conv1}) {
			t.Fatalf("Ann sees %v, want only her own %s", ratingIDs(own.Items), conv1)
		}
		if mine := getJSON[csatSummary](t, ctx, annC, "/api/v1/csat/summary?group=agent"); mine.Total.Count != 1 || len(mine.Items) != 1 || mine.Items[0].Key != ann.ID {
			t.Fatalf("Ann's summary: %+v", mine)
		}
		getJSON[csatRating](t, ctx, annC, "/api/v1/conversations/"+conv1+"/csat")
		wantGetError(t, ctx, annC, "/api/v1/csat/ratings?agent_id="+bo.ID, http.StatusForbidden, "forbidden", "agent_id")
		wantGetError(t, ctx, annC, "/api/v1/csat/summary?agent_id="+bo.ID, http.StatusForbidden, "forbidden", "agent_id")
		wantGetError(t, ctx, annC, "/api/v1/conversations/"+conv2+"/csat", http.StatusForbidden, "forbidden", "")

		// Bad queries get a clear 4xx on the parameter.
		wantGetError(t, ctx, admin, "/api/v1/csat/ratings?agent_id=ann", http.StatusUnprocessableEntity, "invalid_id", "agent_id")
		wantGetError(t, ctx, admin, "/api/v1/csat/ratings?team_id=1", http.StatusUnprocessableEntity, "invalid_id", "team_id")
		wantGetError(t, ctx, admin, "/api/v1/csat/ratings?from=yesterday", http.StatusUnprocessableEntity, "csat_invalid_time", "from")
		wantGetError(t, ctx, admin, "/api/v1/csat/ratings?from="+today+"&to="+yesterday, http.StatusUnprocessableEntity, "csat_bad_range", "to")
		wantGetError(t, ctx, admin, "/api/v1/csat/ratings?cursor=%21%21", http.StatusBadRequest, "bad_cursor", "cursor")
		wantGetError(t, ctx, admin, "/api/v1/csat/ratings?cursor=bm9wZQ", http.StatusBadRequest, "bad_cursor", "cursor")
		wantGetError(t, ctx, admin, "/api/v1/csat/ratings?limit=500", http.StatusBadRequest, "bad_limit", "limit")
		wantGetError(t, ctx, admin, "/api/v1/csat/summary?group=planet", http.StatusUnprocessableEntity, "invalid_value", "group")
		openConv := must[*client.ConversationCreated](t, "open conversation")(admin.CreateConversation(ctx, client.ConversationCreate{
			ContactID: must[*client.Contact](t, "contact")(admin.CreateContact(ctx, client.ContactInput{Name: ptr("Unrated")})).ID,
			Message:   &client.MessageCreate{Body: "hello"}})).Conversation
		wantGetError(t, ctx, admin, "/api/v1/conversations/"+openConv.ID+"/csat", http.StatusNotFound, "not_found", "")

		// A day after the close, rating is over: the visitor is told so.
		csatClock.Advance(24*time.Hour + time.Minute)
		v1.wantRefused(ctx, conv1, "r-late", 3, "", "rating_closed", "conversation_id")
		late, _ := dialCSATVisitor(t, ctx, s.URL, ch.Key, map[string]any{"token": v1.token, "conversation_id": conv1})
		f, err = late.c.NextOf(ctx, "csat")
		ok(t, "csat state a day later", err)
		ok(t, "decode", f.Decode(&st))
		if !st.Rated || st.Score != 5 || st.Open {
			t.Fatalf("state a day later: %+v", st)
		}
		if r := getJSON[csatRating](t, ctx, admin, "/api/v1/conversations/"+conv1+"/csat"); r.Score != 5 {
			t.Fatalf("the late rating changed the stored one: %+v", r)
		}
	})
}
