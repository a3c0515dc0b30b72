package storecontract

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// tenantData is everything of one tenant, as its own scope sees it.
type tenantData struct {
	id      string
	user    account.User
	admin   account.User
	team    account.Team
	contact contact.Contact
	conv    conversation.Conversation
	token   auth.Token
	secret  string
	session string
}

func (w *world) populate(t *testing.T, slug string) tenantData {
	t.Helper()
	tn := w.tenant(t, slug)
	d := tenantData{id: tn.ID}
	d.admin = w.user(t, tn.ID, "admin@"+slug+".example", account.RoleAdmin)
	d.user = w.user(t, tn.ID, "agent@"+slug+".example", account.RoleAgent)
	var err error
	d.team, err = w.accounts.CreateTeam(ctx, tn.ID, "Team "+slug, "")
	must(t, err)
	must(t, w.accounts.AddMember(ctx, tn.ID, d.team.ID, d.user.ID))
	d.contact = w.contact(t, tn.ID, contact.Input{Name: ptr("Customer of " + slug), Emails: []string{"shared@customer.example"},
		Attributes: attrs("tier", `"`+slug+`"`)})
	d.conv = w.conversation(t, tn.ID, conversation.NewConversation{ContactID: d.contact.ID, AssigneeID: d.user.ID, TeamID: d.team.ID,
		Message: &conversation.NewMessage{SenderType: conversation.SenderContact, Body: "hello from " + slug, ClientID: "m1"}})
	d.secret, d.token, err = w.auth.CreateToken(ctx, tn.ID, "token "+slug, auth.ScopeAdmin, "")
	must(t, err)
	_, err = w.auth.TokenPrincipal(ctx, d.secret) // used once, so that later look-ups record nothing new
	must(t, err)
	d.session, _ = w.login(t, d.user.Email, goodPassword, "", "192.0.2.50")
	return d
}

// snapshot renders everything the tenant's own scope returns, so that any
// change made through another tenant shows as a difference.
func (w *world) snapshot(t *testing.T, d tenantData) string {
	t.Helper()
	var parts []any
	add := func(v any, err error) {
		t.Helper()
		must(t, err)
		parts = append(parts, v)
	}
	users, _, err := w.accounts.ListUsers(ctx, d.id, store.Page{})
	add(users, err)
	teams, _, err := w.accounts.ListTeams(ctx, d.id, store.Page{})
	add(teams, err)
	add(w.accounts.Members(ctx, d.id, d.team.ID))
	add(w.accounts.UserTeams(ctx, d.id, d.user.ID))
	contacts, _, err := w.contacts.List(ctx, d.id, store.Page{})
	add(contacts, err)
	convs, _, err := w.convs.List(ctx, d.id, conversation.Filter{}, store.Page{})
	add(convs, err)
	add(w.convs.Messages(ctx, d.id, d.conv.ID, 0, 0))
	tokens, _, err := w.auth.Tokens(ctx, d.id, store.Page{})
	add(tokens, err)
	p, err := w.auth.SessionPrincipal(ctx, d.session)
	add(p.SessionID, err)
	tp, err := w.auth.TokenPrincipal(ctx, d.secret)
	add(tp.TokenID, err)
	b, err := json.Marshal(parts)
	must(t, err)
	return string(b)
}

func testTenantIsolation(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	a := w.populate(t, "alpha")
	b := w.populate(t, "bravo")
	before := w.snapshot(t, b)
	A := a.id

	type probe struct {
		name string
		call func() error
	}
	notFound := []probe{
		{"get user", func() error { _, err := w.accounts.GetUser(ctx, A, b.user.ID); return err }},
		{"user by e-mail", func() error { _, err := w.accounts.UserByEmail(ctx, A, "agent@bravo.example"); return err }},
		{"update user", func() error {
			_, err := w.accounts.UpdateUser(ctx, A, b.user.ID, account.UserPatch{Name: ptr("Hijacked"), Disabled: ptr(true)})
			return err
		}},
		{"demote admin", func() error {
			_, err := w.accounts.UpdateUser(ctx, A, b.admin.ID, account.UserPatch{Role: ptr(account.RoleAgent)})
			return err
		}},
		{"delete user", func() error { return w.accounts.DeleteUser(ctx, A, b.user.ID) }},
		{"set password", func() error { return w.accounts.SetPassword(ctx, A, b.user.ID, "hijacked passphrase", false) }},
		{"change password", func() error {
			return w.accounts.ChangePassword(ctx, A, b.user.ID, goodPassword, "hijacked passphrase")
		}},
		{"get team", func() error { _, err := w.accounts.GetTeam(ctx, A, b.team.ID); return err }},
		{"update team", func() error {
			_, err := w.accounts.UpdateTeam(ctx, A, b.team.ID, account.TeamPatch{Name: ptr("Hijacked")})
			return err
		}},
		{"delete team", func() error { return w.accounts.DeleteTeam(ctx, A, b.team.ID) }},
		{"members", func() error { _, err := w.accounts.Members(ctx, A, b.team.ID); return err }},
		{"add B's user to B's team", func() error { return w.accounts.AddMember(ctx, A, b.team.ID, b.user.ID) }},
		{"add B's user to A's team", func() error { return w.accounts.AddMember(ctx, A, a.team.ID, b.user.ID) }},
		{"add A's user to B's team", func() error { return w.accounts.AddMember(ctx, A, b.team.ID, a.user.ID) }},
		{"remove member", func() error { return w.accounts.RemoveMember(ctx, A, b.team.ID, b.user.ID) }},
		{"get contact", func() error { _, err := w.contacts.Get(ctx, A, b.contact.ID); return err }},
		{"update contact", func() error {
			_, err := w.contacts.Update(ctx, A, b.contact.ID, contact.Input{Name: ptr("Hijacked"), Emails: []string{}, Attributes: attrs("tier", "null")})
			return err
		}},
		{"delete contact", func() error { return w.contacts.Delete(ctx, A, b.contact.ID) }},
		{"get conversation", func() error { _, err := w.convs.Get(ctx, A, b.conv.ID); return err }},
		{"messages", func() error { _, err := w.convs.Messages(ctx, A, b.conv.ID, 0, 0); return err }},
		{"post", func() error { _, _, err := w.convs.Post(ctx, A, b.conv.ID, fromContact("injected", "m1")); return err }},
		{"post new", func() error { _, _, err := w.convs.Post(ctx, A, b.conv.ID, fromContact("injected", "")); return err }},
		{"assign", func() error { _, err := w.convs.Assign(ctx, A, b.conv.ID, a.user.ID, ""); return err }},
		{"close", func() error { _, err := w.convs.Close(ctx, A, b.conv.ID); return err }},
		{"reopen", func() error { _, err := w.convs.Reopen(ctx, A, b.conv.ID); return err }},
		{"get token", func() error { _, err := w.auth.GetToken(ctx, A, b.token.ID); return err }},
		{"revoke token", func() error { return w.auth.RevokeToken(ctx, A, b.token.ID) }},
	}
	for _, p := range notFound {
		t.Run(p.name, func(t *testing.T) {
			err := p.call()
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.NotFound {
				t.Fatalf("got %v, want not found", err)
			}
		})
	}
	unknownRef := []struct {
		name, field string
		call        func() error
	}{
		{"open a conversation with B's contact", "contact_id", func() error {
			_, _, err := w.convs.Create(ctx, A, conversation.NewConversation{ContactID: b.contact.ID})
			return err
		}},
		{"assign A's conversation to B's user", "assignee_id", func() error {
			_, err := w.convs.Assign(ctx, A, a.conv.ID, b.user.ID, "")
			return err
		}},
		{"assign A's conversation to B's team", "team_id", func() error {
			_, err := w.convs.Assign(ctx, A, a.conv.ID, "", b.team.ID)
			return err
		}},
	}
	for _, p := range unknownRef {
		t.Run(p.name, func(t *testing.T) {
			wantErr(t, p.call(), apperr.Invalid, "unknown_reference", p.field)
		})
	}
	t.Run("calls that change nothing elsewhere", func(t *testing.T) {
		// these succeed for A, but must not touch B
		must(t, w.auth.LogoutAll(ctx, A, b.user.ID, ""))
		ts, err := w.accounts.UserTeams(ctx, A, b.user.ID)
		must(t, err)
		if len(ts) != 0 {
			t.Fatalf("A sees B's memberships: %v", ts)
		}
		c, err := w.contacts.ByEmail(ctx, A, "shared@customer.example")
		must(t, err)
		if c.ID != a.contact.ID {
			t.Fatalf("A's look-up found %s, want A's own contact", c.ID)
		}
	})
	t.Run("A's lists hold only A's rows", func(t *testing.T) {
		snapA := w.snapshot(t, a)
		for _, bid := range []string{b.user.ID, b.admin.ID, b.team.ID, b.contact.ID, b.conv.ID, b.token.ID} {
			if strings.Contains(snapA, bid) {
				t.Fatalf("tenant A's lists contain B's id %s", bid)
			}
		}
	})
	t.Run("nothing of B changed", func(t *testing.T) {
		if after := w.snapshot(t, b); after != before {
			t.Fatalf("tenant B changed through A's scope:\nbefore %s\nafter  %s", before, after)
		}
	})
}
