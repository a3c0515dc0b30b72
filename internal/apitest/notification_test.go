package apitest

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

type notificationOut struct {
	ID             string     `json:"id"`
	Kind           string     `json:"kind"`
	ConversationID string     `json:"conversation_id"`
	MessageID      string     `json:"message_id"`
	ActorID        string     `json:"actor_id"`
	ActorName      string     `json:"actor_name"`
	ContactName    string     `json:"contact_name"`
	Body           string     `json:"body"`
	CreatedAt      time.Time  `json:"created_at"`
	ReadAt         *time.Time `json:"read_at"`
}

type notificationPage struct {
	Items      []notificationOut `json:"items"`
	NextCursor string            `json:"next_cursor"`
	Unread     int               `json:"unread"`
}

type notificationsMarked struct {
	Read   int `json:"read"`
	Unread int `json:"unread"`
}

func notifications(t *testing.T, c *client.Client, query string) notificationPage {
	t.Helper()
	var p notificationPage
	ok(t, "list notifications", func() error { _, err := c.Do(t.Context(), "GET", "/api/v1/notifications"+query, nil, &p); return err }())
	return p
}

// waitNotifications waits until the user has n notifications (the notifier
// works after the note is stored).
func waitNotifications(t *testing.T, c *client.Client, n int) notificationPage {
	t.Helper()
	var p notificationPage
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if p = notifications(t, c, "?limit=200"); len(p.Items) >= n {
			break
		}
	}
	if len(p.Items) != n {
		t.Fatalf("%d notifications, want %d", len(p.Items), n)
	}
	return p
}

// TestNotifications follows @mentions through the API: a note mentioning
// two agents by name and by e-mail gives each one notification with who,
// where and what; the list is the caller's own, newest first, with the
// unread count; marking read by id or all; tokens and bad input are refused.
func TestNotifications(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		admin := s.Admin(t)
		me := must[*client.Me](t, "me")(admin.Me(ctx))
		const pw = "an agent's long passphrase"
		login := func(email, name string) *client.Client {
			must[*client.User](t, "agent")(admin.CreateUser(ctx, client.UserCreate{Email: email, Name: name,
				Role: client.RoleAgent, Password: pw, MustChangePassword: ptr(false)}))
			c, _ := s.Login(t, email, pw)
			return c
		}
		lina := login("li.na@example.com", "Li Na")
		wang := login("wang.wei@example.com", "王伟")
		ct := must[*client.Contact](t, "contact")(admin.CreateContact(ctx, client.ContactInput{Name: ptr("陈小姐")}))
		conv := must[*client.ConversationCreated](t, "conversation")(admin.CreateConversation(ctx, client.ConversationCreate{
			ContactID: ct.ID, Message: &client.MessageCreate{Body: "我要退款"}})).Conversation

		// Nothing yet.
		if p := notifications(t, lina, ""); len(p.Items) != 0 || p.Unread != 0 || p.NextCursor != "" {
			t.Fatalf("a new agent's notifications: %+v", p)
		}

		note := must[*client.Message](t, "note")(func() (*client.Message, error) {
			m, _, err := admin.PostMessage(ctx, conv.ID, client.MessageCreate{Body: "@Li Na 和 @wang.wei 请看一下", Private: true})
			return m, err
		}())
		p := waitNotifications(t, lina, 1)
		n := p.Items[0]
		if p.Unread != 1 || n.Kind != "mention" || n.ConversationID != conv.ID || n.MessageID != note.ID || n.ActorID != me.User.ID ||
			n.ActorName != me.User.Name || n.ContactName != "陈小姐" || n.Body != "@Li Na 和 @wang.wei 请看一下" || n.ReadAt != nil || n.CreatedAt.IsZero() {
			t.Errorf("Li Na's notification: %+v (unread %d)", n, p.Unread)
		}
		pw2 := waitNotifications(t, wang, 1)
		if pw2.Items[0].ID == n.ID || pw2.Items[0].MessageID != note.ID {
			t.Errorf("王伟's notification: %+v", pw2.Items[0])
		}
		// The author is not told about their own note, and a public reply
		// mentions nobody.
		must[*client.Message](t, "reply")(func() (*client.Message, error) {
			m, _, err := admin.PostMessage(ctx, conv.ID, client.MessageCreate{Body: "@Li Na 这是回复"})
			return m, err
		}())
		if p := notifications(t, admin, ""); len(p.Items) != 0 {
			t.Errorf("the author got %d notifications", len(p.Items))
		}

		// A user marks only their own.
		var marked notificationsMarked
		_, err := wang.Do(ctx, "POST", "/api/v1/notifications/read", map[string]any{"ids": []string{n.ID}}, &marked)
		ok(t, "王伟 marks Li Na's", err)
		if marked.Read != 0 || marked.Unread != 1 || notifications(t, lina, "").Unread != 1 {
			t.Errorf("王伟 marked Li Na's notification: %+v", marked)
		}
		_, err = lina.Do(ctx, "POST", "/api/v1/notifications/read", map[string]any{"ids": []string{n.ID}}, &marked)
		ok(t, "Li Na marks hers", err)
		if marked.Read != 1 || marked.Unread != 0 {
			t.Errorf("Li Na marked her notification: %+v", marked)
		}
		if p := notifications(t, lina, ""); p.Unread != 0 || p.Items[0].ReadAt == nil {
			t.Errorf("after reading: %+v", p)
		}

		// Pages, newest first; the unread count covers every page.
		var want []string
		for i := range 3 {
			m := must[*client.Message](t, "note")(func() (*client.Message, error) {
				m, _, err := wang.PostMessage(ctx, conv.ID, client.MessageCreate{Body: "@li.na 第" + string(rune('1'+i)) + "条", Private: true})
				return m, err
			}())
			want = append(want, m.ID)
			waitNotifications(t, lina, 2+i)
		}
		want = append(want, note.ID)
		slices.Reverse(want[:3])
		var got []string
		cursor := ""
		for range 5 {
			q := "?limit=3"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			p := notifications(t, lina, q)
			if p.Unread != 3 {
				t.Errorf("page %q: unread %d, want 3", q, p.Unread)
			}
			for _, it := range p.Items {
				got = append(got, it.MessageID)
				if it.ActorName == "" {
					t.Errorf("notification without its author's name: %+v", it)
				}
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("Li Na's notifications by message: %v, want newest first %v", got, want)
		}
		_, err = lina.Do(ctx, "POST", "/api/v1/notifications/read", map[string]any{"all": true}, &marked)
		ok(t, "all read", err)
		if marked.Read != 3 || marked.Unread != 0 {
			t.Errorf("all read: %+v", marked)
		}

		// Tokens have no notifications of their own.
		tok, _ := s.TokenClient(t, admin, client.ScopeAdmin)
		_, err = tok.Do(ctx, "GET", "/api/v1/notifications", nil, nil)
		wantError(t, "a token lists notifications", err, http.StatusForbidden, "session_only")
		_, err = tok.Do(ctx, "POST", "/api/v1/notifications/read", map[string]any{"all": true}, nil)
		wantError(t, "a token marks notifications", err, http.StatusForbidden, "session_only")

		// Bad input: a clear error on a field, nothing changed.
		many := make([]string, 501)
		for i := range many {
			many[i] = id.New()
		}
		for _, b := range []struct {
			body        any
			status      int
			code, field string
		}{
			{map[string]any{}, 422, "required", "ids"},
			{map[string]any{"ids": []string{}}, 422, "required", "ids"},
			{map[string]any{"ids": []string{"../etc"}}, 422, "invalid_id", "ids"},
			{map[string]any{"ids": many}, 422, "too_many", "ids"},
			{map[string]any{"ids": []string{n.ID}, "all": true}, 422, "invalid_value", "all"},
			{map[string]any{"all": "yes"}, 422, "wrong_type", "all"},
			{map[string]any{"everything": true}, 400, "unknown_field", "everything"},
		} {
			_, err := lina.Do(ctx, "POST", "/api/v1/notifications/read", b.body, nil)
			ce, isAPI := client.AsError(err)
			if !isAPI || ce.Status != b.status || (b.code != "" && ce.Code != b.code) || ce.Field != b.field || strings.TrimSpace(ce.Message) == "" {
				t.Errorf("%s: got %v, want %d %s on %q", asJSON(t, b.body), err, b.status, b.code, b.field)
			}
		}
		_, err = lina.Do(ctx, "GET", "/api/v1/notifications?cursor=!!", nil, nil)
		wantError(t, "a bad cursor", err, http.StatusBadRequest, "bad_cursor")
		_, err = lina.Do(ctx, "GET", "/api/v1/notifications?limit=1000", nil, nil)
		wantError(t, "a big page", err, http.StatusBadRequest, "bad_limit")
	})
}
