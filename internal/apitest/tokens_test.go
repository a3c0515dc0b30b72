package apitest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// counts is how many users, teams, tokens, contacts and conversations a
// tenant has, as its administrator sees them.
type counts struct{ users, teams, tokens, contacts, conversations int }

func countAll(t testing.TB, ctx context.Context, admin *client.Client) counts {
	t.Helper()
	var c counts
	n := func(what string, l int, next string, err error) int {
		t.Helper()
		if err != nil {
			t.Fatalf("count %s: %v", what, err)
		}
		if next != "" {
			t.Fatalf("count %s: more than one page", what)
		}
		return l
	}
	page := client.ListOptions{Limit: 200}
	u, next, err := admin.ListUsers(ctx, page)
	c.users = n("users", len(u), next, err)
	tm, next, err := admin.ListTeams(ctx, page)
	c.teams = n("teams", len(tm), next, err)
	tk, next, err := admin.ListTokens(ctx, page)
	c.tokens = n("tokens", len(tk), next, err)
	ct, next, err := admin.ListContacts(ctx, page)
	c.contacts = n("contacts", len(ct), next, err)
	cv, next, err := admin.ListConversations(ctx, client.ConversationFilter{ListOptions: page})
	c.conversations = n("conversations", len(cv), next, err)
	return c
}

// TestTokenScopes checks what each API token scope may do, and that a
// revoked token stops working at once.
func TestTokenScopes(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		admin := s.Admin(t)
		read, readTok := s.TokenClient(t, admin, client.ScopeRead)
		write, _ := s.TokenClient(t, admin, client.ScopeWrite)
		adm, admTok := s.TokenClient(t, admin, client.ScopeAdmin)

		// last_used_at is empty until the token is used, then set.
		if tk := must[*client.Token](t, "get token")(admin.GetToken(ctx, readTok.ID)); tk.LastUsedAt != nil {
			t.Fatalf("an unused token has last_used_at %v", tk.LastUsedAt)
		}
		before := time.Now().Add(-time.Second)
		who := must[*client.Me](t, "read token me")(read.Me(ctx))
		if who.Token == nil || who.Token.Scope != client.ScopeRead || who.User != nil {
			t.Fatalf("read token me: %+v", who)
		}
		tk := must[*client.Token](t, "get token")(admin.GetToken(ctx, readTok.ID))
		if tk.LastUsedAt == nil || tk.LastUsedAt.Before(before) || tk.LastUsedAt.After(time.Now().Add(time.Second)) {
			t.Fatalf("a used token has last_used_at %v, want about now", tk.LastUsedAt)
		}

		customer := must[*client.Contact](t, "write token creates a contact")(write.CreateContact(ctx, client.ContactInput{Name: ptr("Refund Customer")}))
		conv := must[*client.ConversationCreated](t, "write token opens a conversation")(write.CreateConversation(ctx,
			client.ConversationCreate{ContactID: customer.ID, Message: &client.MessageCreate{Body: "Hello", Author: client.SenderContact}})).Conversation
		meUser := must[*client.Me](t, "admin me")(admin.Me(ctx)).User

		for _, tc := range []struct {
			name   string
			c      *client.Client
			do     func(c *client.Client) error
			status int
			code   string
		}{
			{"read token lists contacts", read, func(c *client.Client) error { _, _, err := c.ListContacts(ctx, client.ListOptions{}); return err }, 0, ""},
			{"read token reads messages", read, func(c *client.Client) error { _, err := c.ListMessages(ctx, conv.ID, 0, 0); return err }, 0, ""},
			{"read token lists users", read, func(c *client.Client) error { _, _, err := c.ListUsers(ctx, client.ListOptions{}); return err }, 0, ""},
			{"read token cannot create a contact", read, func(c *client.Client) error {
				_, err := c.CreateContact(ctx, client.ContactInput{Name: ptr("Nope")})
				return err
			}, 403, "forbidden"},
			{"read token cannot change a contact", read, func(c *client.Client) error {
				_, err := c.UpdateContact(ctx, customer.ID, client.ContactInput{Name: ptr("Nope")})
				return err
			}, 403, "forbidden"},
			{"read token cannot post a message", read, func(c *client.Client) error {
				_, _, err := c.PostMessage(ctx, conv.ID, client.MessageCreate{Body: "nope"})
				return err
			}, 403, "forbidden"},
			{"read token cannot close a conversation", read, func(c *client.Client) error { _, err := c.CloseConversation(ctx, conv.ID); return err }, 403, "forbidden"},
			{"write token cannot create a user", write, func(c *client.Client) error {
				_, err := c.CreateUser(ctx, client.UserCreate{Email: "new@example.com", Name: "New", Password: "a perfectly fine pass"})
				return err
			}, 403, "forbidden"},
			{"write token cannot disable a user", write, func(c *client.Client) error {
				_, err := c.UpdateUser(ctx, meUser.ID, client.UserUpdate{Disabled: ptr(true)})
				return err
			}, 403, "forbidden"},
			{"write token cannot create a team", write, func(c *client.Client) error {
				_, err := c.CreateTeam(ctx, client.TeamInput{Name: "Nope"})
				return err
			}, 403, "forbidden"},
			{"write token cannot list tokens", write, func(c *client.Client) error { _, _, err := c.ListTokens(ctx, client.ListOptions{}); return err }, 403, "forbidden"},
			{"write token cannot create a token", write, func(c *client.Client) error {
				_, err := c.CreateToken(ctx, client.TokenCreate{Name: "escalate", Scope: client.ScopeAdmin})
				return err
			}, 403, "forbidden"},
			{"write token cannot revoke a token", write, func(c *client.Client) error { return c.RevokeToken(ctx, admTok.ID) }, 403, "forbidden"},
			{"a token cannot change a password", adm, func(c *client.Client) error { return c.ChangePassword(ctx, "x", "y") }, 403, "session_only"},
			{"a token cannot list sessions", adm, func(c *client.Client) error { _, err := c.MySessions(ctx); return err }, 403, "session_only"},
			{"a token cannot log out", adm, func(c *client.Client) error { return c.Logout(ctx) }, 403, "session_only"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := countAll(t, ctx, admin)
				err := tc.do(tc.c)
				if tc.status == 0 {
					ok(t, tc.name, err)
					return
				}
				wantError(t, tc.name, err, tc.status, tc.code)
				if after := countAll(t, ctx, admin); after != before {
					t.Errorf("a refused request changed something: %+v, then %+v", before, after)
				}
				if got := must[*client.Contact](t, "contact")(admin.GetContact(ctx, customer.ID)); got.Name != "Refund Customer" {
					t.Errorf("a refused request renamed the contact to %q", got.Name)
				}
				if got := must[*client.Conversation](t, "conversation")(admin.GetConversation(ctx, conv.ID)); got.Status != client.StatusOpen || got.LastSeq != 1 {
					t.Errorf("a refused request changed the conversation: %+v", got)
				}
			})
		}

		// An admin token manages tokens; the secret is never listed.
		made := must[*client.TokenCreated](t, "admin token creates a token")(adm.CreateToken(ctx, client.TokenCreate{Name: "made by a token", Scope: client.ScopeRead}))
		if made.CreatedBy != "token:"+admTok.ID {
			t.Errorf("created_by %q, want the creating token", made.CreatedBy)
		}
		var raw json.RawMessage
		_, err := admin.Do(ctx, http.MethodGet, "/api/v1/tokens", nil, &raw)
		ok(t, "list tokens", err)
		for _, secret := range []string{readTok.Secret, admTok.Secret, made.Secret} {
			if strings.Contains(string(raw), secret) {
				t.Fatal("the token list shows a secret")
			}
		}
		if strings.Contains(string(raw), `"secret"`) {
			t.Fatal("the token list has a secret field")
		}

		// Revoked: 401 at once, and listed as revoked.
		ok(t, "revoke", admin.RevokeToken(ctx, readTok.ID))
		_, _, err = read.ListContacts(ctx, client.ListOptions{})
		wantError(t, "revoked token", err, http.StatusUnauthorized, "bad_token")
		if tk := must[*client.Token](t, "get revoked")(admin.GetToken(ctx, readTok.ID)); tk.RevokedAt == nil {
			t.Error("a revoked token has no revoked_at")
		}
		for _, bad := range []string{"sbt_not-a-real-token", "not even the prefix", strings.Repeat("sbt_x", 40)} {
			_, err := client.New(s.URL, client.WithToken(bad)).Me(ctx)
			wantError(t, "token "+bad, err, http.StatusUnauthorized, "bad_token")
		}
		_, err = client.New(s.URL).Me(ctx)
		wantError(t, "no credentials", err, http.StatusUnauthorized, "unauthenticated")
	})
}
