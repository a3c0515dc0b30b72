package apitest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/httpapi"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// TestFirstDay is the "done when" flow: a fresh install's administrator
// signs in with the printed one-time password, must choose their own before
// anything else, then sets up an agent, a team and an API token; an
// integration with that token records a customer and their conversation,
// and retries and catch-up reads behave as a mobile app needs.
func TestFirstDay(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e, OneTimeAdmin())
		if !strings.Contains(s.Output, AdminEmail) {
			t.Fatalf("the first start should print the administrator's address, printed:\n%s", s.Output)
		}

		admin, me := s.Login(t, s.AdminEmail, s.AdminPassword)
		if !me.MustChangePassword || me.User == nil || !me.User.MustChangePassword || me.User.Role != client.RoleAdmin {
			t.Fatalf("a one-time password must be changed first: %+v", me)
		}
		if me.CSRFToken == "" || me.Tenant.Slug != "default" {
			t.Fatalf("login should describe the session: %+v", me)
		}

		// Until the password is changed, everything but the own account answers 403.
		for _, rt := range s.App.API.Routes() {
			if rt.Access == httpapi.Public || rt.Access == httpapi.Authenticated {
				continue
			}
			var body any
			if rt.In != nil {
				body = map[string]any{}
			}
			_, err := admin.Do(ctx, rt.Method, anyIDs(rt.Path), body, nil)
			wantError(t, rt.Pattern(), err, http.StatusForbidden, "password_change_required")
		}
		_, _, err := admin.ListUsers(ctx, client.ListOptions{})
		wantError(t, "list users before the change", err, http.StatusForbidden, "password_change_required")
		if _, err := admin.Me(ctx); err != nil {
			t.Fatalf("me must work before the change: %v", err)
		}
		if _, err := admin.MySessions(ctx); err != nil {
			t.Fatalf("my sessions must work before the change: %v", err)
		}

		// Wrong attempts at the change are refused and change nothing.
		const newPassword = "lantern orchard velvet 42"
		for _, tc := range []struct {
			name, current, next string
			code, field         string
		}{
			{"wrong current password", "not the one-time password", newPassword, "wrong_password", "current_password"},
			{"too short", s.AdminPassword, "short pw", "password_too_short", "new_password"},
			{"too common", s.AdminPassword, "password123456", "password_common", "new_password"},
			{"unchanged", s.AdminPassword, s.AdminPassword, "password_unchanged", "new_password"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := admin.ChangePassword(ctx, tc.current, tc.next)
				e := wantError(t, tc.name, err, http.StatusUnprocessableEntity, tc.code)
				if e.Field != tc.field {
					t.Errorf("field %q, want %q", e.Field, tc.field)
				}
			})
		}
		_, _, err = admin.ListUsers(ctx, client.ListOptions{})
		wantError(t, "list users after refused changes", err, http.StatusForbidden, "password_change_required")

		ok(t, "change password", admin.ChangePassword(ctx, s.AdminPassword, newPassword))
		me = must[*client.Me](t, "me after the change")(admin.Me(ctx))
		if me.MustChangePassword {
			t.Fatal("the password was changed, yet it must still be changed")
		}
		_, err = s.Client().Login(ctx, client.LoginRequest{Email: s.AdminEmail, Password: s.AdminPassword})
		wantError(t, "login with the spent one-time password", err, http.StatusUnauthorized, "bad_credentials")

		// The administrator sets up an agent, a team and an API token.
		agent := must[*client.User](t, "create agent")(admin.CreateUser(ctx, client.UserCreate{
			Email: "New.Agent@Example.com", Name: "New Agent", Role: client.RoleAgent, Password: "first day at work 2024"}))
		if agent.Email != "new.agent@example.com" || !agent.MustChangePassword || agent.Role != client.RoleAgent {
			t.Fatalf("new agent: %+v", agent)
		}
		team := must[*client.Team](t, "create team")(admin.CreateTeam(ctx, client.TeamInput{Name: "After-sales", Description: "Returns and repairs"}))
		ok(t, "add member", admin.AddTeamMember(ctx, team.ID, agent.ID))
		ok(t, "add member twice", admin.AddTeamMember(ctx, team.ID, agent.ID))
		members := must[[]client.User](t, "members")(admin.TeamMembers(ctx, team.ID))
		if len(members) != 1 || members[0].ID != agent.ID {
			t.Fatalf("team members %+v, want only the agent", members)
		}
		tok := must[*client.TokenCreated](t, "create token")(admin.CreateToken(ctx, client.TokenCreate{Name: "web shop", Scope: client.ScopeWrite}))
		if !strings.HasPrefix(tok.Secret, "sbt_") || !strings.HasPrefix(tok.Secret, tok.Prefix) || tok.Scope != client.ScopeWrite {
			t.Fatalf("new token: %+v", tok)
		}

		// The integration records a customer and their first message.
		shop := client.New(s.URL, client.WithToken(tok.Secret))
		who := must[*client.Me](t, "token me")(shop.Me(ctx))
		if who.Token == nil || who.Token.ID != tok.ID || who.User != nil || who.CSRFToken != "" {
			t.Fatalf("a token's me: %+v", who)
		}
		customer := must[*client.Contact](t, "create contact")(shop.CreateContact(ctx, client.ContactInput{
			Name: ptr("Parcel Customer"), Emails: []string{"Parcel.Customer@Example.com"}, Phones: []string{"+86 138 0013 8000"},
			Attributes: map[string]any{"plan": "gold"}}))
		if len(customer.Emails) != 1 || customer.Emails[0] != "parcel.customer@example.com" || string(customer.Attributes["plan"]) != `"gold"` {
			t.Fatalf("new contact: %+v", customer)
		}
		found := must[[]client.Contact](t, "contact by email")(shop.ListContactsByEmail(ctx, "parcel.customer@example.com"))
		if len(found) != 1 || found[0].ID != customer.ID {
			t.Fatalf("contact by e-mail: %+v", found)
		}
		created := must[*client.ConversationCreated](t, "create conversation")(shop.CreateConversation(ctx, client.ConversationCreate{
			ContactID: customer.ID, Subject: "Order 1042 has not arrived", TeamID: team.ID,
			Message: &client.MessageCreate{Body: "Where is my parcel?", Author: client.SenderContact, ClientID: "app-1"}}))
		conv := created.Conversation
		if created.Message == nil || created.Message.Seq != 1 || created.Message.SenderType != client.SenderContact ||
			conv.LastSeq != 1 || conv.Status != client.StatusOpen || conv.TeamID == nil || *conv.TeamID != team.ID {
			t.Fatalf("new conversation: %+v, message %+v", conv, created.Message)
		}

		// A retried message is stored once: 201, then 200 with the same message.
		reply := client.MessageCreate{Body: "We are looking into it.", ClientID: "shop-reply-7"}
		first, isNew, err := shop.PostMessage(ctx, conv.ID, reply)
		ok(t, "post message", err)
		if !isNew || first.Seq != 2 || first.SenderType != client.SenderIntegration || first.SenderID != tok.ID {
			t.Fatalf("first post: created %v, %+v", isNew, first)
		}
		var again client.Message
		resp, err := shop.Do(ctx, http.MethodPost, "/api/v1/conversations/"+conv.ID+"/messages", reply, &again)
		ok(t, "post the same message again", err)
		if resp.StatusCode != http.StatusOK || again.ID != first.ID || again.Seq != first.Seq {
			t.Fatalf("retry: status %d, %+v; want 200 and the stored message %+v", resp.StatusCode, again, first)
		}
		if _, isNew, err := shop.PostMessage(ctx, conv.ID, reply); err != nil || isNew {
			t.Fatalf("third post: created %v, err %v", isNew, err)
		}
		all := must[[]client.Message](t, "messages")(shop.ListMessages(ctx, conv.ID, 0, 0))
		if len(all) != 2 {
			t.Fatalf("after retries there are %d messages, want 2", len(all))
		}

		// A client that has seen seq 2 gets exactly the missing messages, in order.
		bodies := []string{"Tracking says: delivered.", "But nothing is here.", "Could you check with the courier?"}
		for i, b := range bodies {
			m := must[*client.Message](t, "post")(func() (*client.Message, error) {
				m, _, err := shop.PostMessage(ctx, conv.ID, client.MessageCreate{Body: b, Author: client.SenderContact})
				return m, err
			}())
			if m.Seq != int64(3+i) {
				t.Fatalf("message %d got seq %d, want %d", i, m.Seq, 3+i)
			}
		}
		missing := must[[]client.Message](t, "messages after 2")(shop.ListMessages(ctx, conv.ID, 2, 0))
		if len(missing) != len(bodies) {
			t.Fatalf("after_seq=2 returned %d messages, want %d", len(missing), len(bodies))
		}
		for i, m := range missing {
			if m.Seq != int64(3+i) || m.Body != bodies[i] {
				t.Errorf("after_seq=2 item %d: seq %d %q, want seq %d %q", i, m.Seq, m.Body, 3+i, bodies[i])
			}
		}
		if got := must[[]client.Message](t, "messages after 2, limit 1")(shop.ListMessages(ctx, conv.ID, 2, 1)); len(got) != 1 || got[0].Seq != 3 {
			t.Errorf("after_seq=2&limit=1 returned %+v, want only seq 3", got)
		}
		if got := must[[]client.Message](t, "messages after the last")(shop.ListMessages(ctx, conv.ID, 5, 0)); len(got) != 0 {
			t.Errorf("after the last message there should be nothing, got %+v", got)
		}
		if c := must[*client.Conversation](t, "get conversation")(shop.GetConversation(ctx, conv.ID)); c.LastSeq != 5 {
			t.Errorf("last_seq %d, want 5", c.LastSeq)
		}

		// The agent signs in, chooses a password, takes the conversation and answers.
		newAgent, newAgentMe := s.Login(t, "new.agent@example.com", "first day at work 2024")
		if !newAgentMe.MustChangePassword {
			t.Fatal("a user created with an initial password must change it")
		}
		ok(t, "agent changes password", newAgent.ChangePassword(ctx, "first day at work 2024", "my own secret phrase 9"))
		assigned := must[*client.Conversation](t, "assign")(newAgent.Assign(ctx, conv.ID, client.AssignRequest{AssigneeID: &agent.ID, TeamID: &team.ID}))
		if assigned.AssigneeID == nil || *assigned.AssigneeID != agent.ID {
			t.Fatalf("assigned: %+v", assigned)
		}
		mine := must[[]client.Conversation](t, "my conversations")(func() ([]client.Conversation, error) {
			l, _, err := newAgent.ListConversations(ctx, client.ConversationFilter{AssigneeID: "me"})
			return l, err
		}())
		if len(mine) != 1 || mine[0].ID != conv.ID {
			t.Fatalf("the agent's conversations: %+v", mine)
		}
		answer, _, err := newAgent.PostMessage(ctx, conv.ID, client.MessageCreate{Body: "The courier will call you today."})
		ok(t, "agent answers", err)
		if answer.Seq != 6 || answer.SenderType != client.SenderAgent || answer.SenderID != agent.ID {
			t.Fatalf("agent's answer: %+v", answer)
		}
		closed := must[*client.Conversation](t, "close")(newAgent.CloseConversation(ctx, conv.ID))
		if closed.Status != client.StatusClosed || closed.ClosedAt == nil {
			t.Fatalf("closed: %+v", closed)
		}
		reopened := must[*client.Conversation](t, "reopen")(newAgent.ReopenConversation(ctx, conv.ID))
		if reopened.Status != client.StatusOpen {
			t.Fatalf("reopened: %+v", reopened)
		}
		_, err = newAgent.CreateUser(ctx, client.UserCreate{Email: "x@example.com", Name: "X", Password: "agents cannot do this"})
		wantError(t, "an agent creating a user", err, http.StatusForbidden, "forbidden")
	})
}
