package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/app"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/httpapi"
	"github.com/switchboard-cs/switchboard/internal/kb"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

type tenantT = tenant.Tenant

// otherTenant is a second company on the same server, set up through the
// services, with one thing of every kind the API names by id.
type otherTenant struct {
	id                  string
	admin, agent        account.User
	password            string
	teams               [2]account.Team
	token               auth.Token
	tokenSecret         string
	contact             contact.Contact
	conv                conversation.Conversation
	channel             channel.Channel
	msg                 *conversation.Message
	session, sessionKey string // the admin's session id and cookie value
	kbCategory          kb.Category
	kbEntry             kb.Entry
}

func makeOtherTenant(t *testing.T, ctx context.Context, a *app.App) *otherTenant {
	t.Helper()
	b := &otherTenant{password: "tenant b boss passphrase"}
	tn := must[tenantT](t, "tenant B")(a.Tenants.Create(ctx, "tenant-b", "Tenant B"))
	b.id = tn.ID
	b.admin = must[account.User](t, "B admin")(a.Accounts.CreateUser(ctx, b.id, account.NewUser{
		Email: "boss@tenant-b.example", Name: "Tenant B Boss", Role: account.RoleAdmin, Password: b.password}))
	b.agent = must[account.User](t, "B agent")(a.Accounts.CreateUser(ctx, b.id, account.NewUser{
		Email: "agent@tenant-b.example", Name: "Tenant B Agent", Role: account.RoleAgent, Password: "tenant b agent passphrase"}))
	for i, name := range []string{"Tenant B Support", "Tenant B Sales"} {
		b.teams[i] = must[account.Team](t, "B team")(a.Accounts.CreateTeam(ctx, b.id, name, "B's own"))
	}
	ok(t, "B member", a.Accounts.AddMember(ctx, b.id, b.teams[0].ID, b.agent.ID))
	var err error
	b.tokenSecret, b.token, err = a.Auth.CreateToken(ctx, b.id, "tenant b sync", auth.ScopeAdmin, b.admin.ID)
	ok(t, "B token", err)
	b.contact = must[contact.Contact](t, "B contact")(a.Contacts.Create(ctx, b.id, contact.Input{Name: ptr("Tenant B Customer"),
		Emails: []string{"customer@tenant-b.example", "customer.alt@tenant-b.example"}, Phones: []string{"+15550100"},
		Tags: []string{"tenant-b-vip"}}))
	var msg *conversation.Message
	b.conv, msg, err = a.Conversations.Create(ctx, b.id, conversation.NewConversation{ContactID: b.contact.ID, Subject: "B's secret",
		AssigneeID: b.agent.ID, TeamID: b.teams[0].ID,
		Message: &conversation.NewMessage{Body: "B's first message", SenderType: conversation.SenderContact, ClientID: "b-msg-1"}})
	ok(t, "B conversation", err)
	b.msg = msg
	b.channel = must[channel.Channel](t, "B channel")(a.Channels.Create(ctx, b.id, "Tenant B Site", channel.DefaultSettings()))
	var p auth.Principal
	b.sessionKey, p, err = a.Auth.Login(ctx, auth.LoginRequest{Email: b.admin.Email, Password: b.password, IP: "192.0.2.7", UserAgent: "B's browser"})
	ok(t, "B login", err)
	b.session = p.SessionID
	b.kbCategory = must[kb.Category](t, "B kb category")(a.KB.CreateCategory(ctx, b.id, kb.CategoryInput{Name: ptr("Tenant B Returns")}))
	boss := kb.Actor{ID: "user:" + b.admin.ID, Reviewer: true}
	b.kbEntry = must[kb.Entry](t, "B kb entry")(a.KB.Create(ctx, b.id, boss, kb.EntryInput{Question: ptr("Tenant B secret refund rule"),
		Answer: ptr("B's answer"), CategoryID: &b.kbCategory.ID, Tags: []string{"tenant-b"}}))
	for _, step := range []func(context.Context, string, kb.Actor, string) (kb.Entry, error){a.KB.Submit, a.KB.Approve} {
		must[kb.Entry](t, "B kb workflow")(step(ctx, b.id, boss, b.kbEntry.ID))
	}
	b.kbEntry = must[kb.Entry](t, "B kb edit")(a.KB.Update(ctx, b.id, boss, b.kbEntry.ID, kb.EntryInput{Answer: ptr("B's second answer")}))
	return b
}

// ids are the strings that must never appear in an answer to tenant A.
func (b *otherTenant) ids() []string {
	return []string{b.id, b.admin.ID, b.agent.ID, b.teams[0].ID, b.teams[1].ID, b.token.ID, b.token.Prefix, b.contact.ID,
		b.conv.ID, b.msg.ID, b.session, b.channel.ID, b.channel.Key, b.channel.IdentitySecret, b.kbCategory.ID, b.kbEntry.ID}
}

// snapshot is everything of tenant B, read through the services.
func (b *otherTenant) snapshot(t *testing.T, ctx context.Context, a *app.App) string {
	t.Helper()
	all := store.Page{Limit: store.MaxPageSize}
	tn := must[tenantT](t, "tenant")(a.Tenants.ByID(ctx, b.id))
	users, _, err := a.Accounts.ListUsers(ctx, b.id, all)
	ok(t, "users", err)
	sessions := map[string][]auth.Session{}
	for _, u := range users {
		sessions[u.ID], err = a.Auth.Sessions(ctx, &auth.Principal{TenantID: b.id, UserID: u.ID})
		ok(t, "sessions", err)
	}
	teams, _, err := a.Accounts.ListTeams(ctx, b.id, all)
	ok(t, "teams", err)
	members := map[string][]account.User{}
	for _, tm := range teams {
		members[tm.ID], err = a.Accounts.Members(ctx, b.id, tm.ID)
		ok(t, "members", err)
	}
	tokens, _, err := a.Auth.Tokens(ctx, b.id, all)
	ok(t, "tokens", err)
	contacts, _, err := a.Contacts.List(ctx, b.id, all)
	ok(t, "contacts", err)
	convs, _, err := a.Conversations.List(ctx, b.id, conversation.Filter{}, all)
	ok(t, "conversations", err)
	channels, _, err := a.Channels.List(ctx, b.id, all)
	ok(t, "channels", err)
	msgs := map[string][]conversation.Message{}
	for _, c := range convs {
		msgs[c.ID], err = a.Conversations.Messages(ctx, b.id, c.ID, 0, 0)
		ok(t, "messages", err)
	}
	kbCats, err := a.KB.Categories(ctx, b.id)
	ok(t, "kb categories", err)
	kbEntries, _, err := a.KB.List(ctx, b.id, kb.Filter{}, all)
	ok(t, "kb entries", err)
	kbVersions, _, err := a.KB.Versions(ctx, b.id, b.kbEntry.ID, all)
	ok(t, "kb versions", err)
	kbLive, err := a.KB.Published(ctx, b.id, time.Now())
	ok(t, "kb published", err)
	if len(kbCats) != 1 || len(kbEntries) != 1 || len(kbVersions) != 2 || len(kbLive) != 1 {
		t.Errorf("tenant B's knowledge base lost or gained something: %d categories, %d entries, %d versions, %d live",
			len(kbCats), len(kbEntries), len(kbVersions), len(kbLive))
	}
	if len(users) != 2 || len(teams) != 2 || len(tokens) != 1 || len(contacts) != 1 || len(convs) != 1 || len(msgs[b.conv.ID]) != 1 ||
		len(channels) != 1 {
		t.Errorf("tenant B lost or gained something: %d users, %d teams, %d tokens, %d contacts, %d conversations, %d channels",
			len(users), len(teams), len(tokens), len(contacts), len(convs), len(channels))
	}
	return asJSON(t, []any{tn, users, sessions, teams, members, tokens, contacts, convs, msgs, channels, kbCats, kbEntries, kbVersions, kbLive})
}

// crossProbe says how to call one route of the API table as tenant A
// against tenant B.
type crossProbe struct {
	// body is the JSON body for the session walk (0) and the token walk (1):
	// valid for A's own things, so that only B's ids can make it fail.
	body func(walk int) any
	// raw is a body sent as it is with its content type (file uploads).
	raw   func(walk int) (contentType string, body []byte)
	query func(walk int) string
	// For a route without a path id (it acts on the caller's own tenant):
	// the statuses wanted with A's session and with A's token. Routes with
	// a path id always get B's ids and must answer 403 or 404.
	session, token []int
	endsSession    bool // run last: it signs the caller out
}

// idKind names the kind of thing a path parameter is, from the path segment
// before it.
var idKind = map[string]string{
	"sessions": "session", "users": "user", "members": "user", "teams": "team", "tokens": "token",
	"contacts": "contact", "conversations": "conversation", "channels": "channel",
	"categories": "kb_category", "entries": "kb_entry", "versions": "kb_version", "quick-replies": "quick_reply",
	"tags": "contact_tag", "agents": "user",
}

func pathKinds(path string) (params, kinds []string, ok bool) {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		k, known := idKind[segs[i-1]]
		params, kinds = append(params, s), append(kinds, k)
		if !known {
			return params, kinds, false
		}
	}
	return params, kinds, true
}

// TestTenantIsolation walks every route of the API as tenant A's
// administrator, once with a session and once with an admin token, naming
// tenant B's things, and requires 403 or 404 every time and B's data
// unchanged afterwards. A route added to the API without a probe here
// fails the test.
func TestTenantIsolation(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		a := s.App
		b := makeOtherTenant(t, ctx, a)
		rateOtherTenant(t, ctx, a, b) // B has a satisfaction rating that A must never see

		session := s.Admin(t)
		aMe := must[*client.Me](t, "A me")(session.Me(ctx))
		tokenClient, aTok := s.TokenClient(t, session, client.ScopeAdmin)
		aTeam := must[*client.Team](t, "A team")(session.CreateTeam(ctx, client.TeamInput{Name: "A Support"}))
		aContact := must[*client.Contact](t, "A contact")(session.CreateContact(ctx, client.ContactInput{Name: ptr("A Customer")}))
		aConv := must[*client.ConversationCreated](t, "A conversation")(session.CreateConversation(ctx, client.ConversationCreate{
			ContactID: aContact.ID, Message: &client.MessageCreate{Body: "A's message"}})).Conversation
		aSessions := must[[]client.Session](t, "A sessions")(session.MySessions(ctx))
		aChannel := must[*client.Channel](t, "A channel")(session.CreateChannel(ctx, client.ChannelInput{Name: "A Site"}))
		aKBCategory := must[*client.KBCategory](t, "A kb category")(session.CreateKBCategory(ctx, client.KBCategoryInput{Name: ptr("A Returns")}))
		aKBEntry := must[*client.KBEntry](t, "A kb entry")(session.CreateKBEntry(ctx, client.KBEntryInput{Question: ptr("A's refund rule"),
			Answer: ptr("A's answer"), CategoryID: &aKBCategory.ID}))
		aQuickReply, bQuickReply := quickRepliesOfBoth(t, ctx, session, a, b.id)
		if aMe.Tenant.ID == b.id {
			t.Fatal("tenants A and B are the same")
		}
		ids := map[string][2]string{ // kind → A's, B's
			"session":      {aSessions[0].ID, b.session},
			"user":         {aMe.User.ID, b.agent.ID},
			"team":         {aTeam.ID, b.teams[0].ID},
			"token":        {aTok.ID, b.token.ID},
			"contact":      {aContact.ID, b.contact.ID},
			"conversation": {aConv.ID, b.conv.ID},
			"channel":      {aChannel.ID, b.channel.ID},
			"kb_category":  {aKBCategory.ID, b.kbCategory.ID},
			"kb_entry":     {aKBEntry.ID, b.kbEntry.ID},
			// Versions are numbered per entry: A's entry has no version 999999.
			"kb_version":  {"1", "999999"},
			"quick_reply": {aQuickReply, bQuickReply.ID},
			// A's contact has no tags; B's has this one.
			"contact_tag": {"a-tag", "tenant-b-vip"},
		}
		ok200, ok201, ok204 := []int{200}, []int{201}, []int{204}
		forbidden, unauth, invalid := []int{403}, []int{401}, []int{422}

		probes := map[string]crossProbe{
			"GET /api/v1/openapi.json": {session: ok200, token: ok200},
			"POST /api/v1/auth/login": {body: func(int) any {
				// B's credentials do not open a session in A's tenant.
				return client.LoginRequest{Email: b.admin.Email, Password: b.password, Tenant: aMe.Tenant.Slug}
			}, session: unauth, token: unauth},
			"POST /api/v1/auth/logout": {session: ok204, token: forbidden, endsSession: true},
			"GET /api/v1/me":           {session: ok200, token: ok200},
			"PUT /api/v1/me/password": {body: func(int) any {
				return client.PasswordChange{CurrentPassword: b.password, NewPassword: "tenant a new phrase"}
			}, session: invalid, token: forbidden},
			"GET /api/v1/me/sessions":         {session: ok200, token: forbidden},
			"DELETE /api/v1/me/sessions":      {session: ok204, token: forbidden, endsSession: true},
			"DELETE /api/v1/me/sessions/{id}": {},

			// Notifications are the caller's own; tokens have none. B's ids mark nothing.
			"GET /api/v1/notifications": {session: ok200, token: forbidden},
			"POST /api/v1/notifications/read": {body: func(int) any {
				return map[string]any{"ids": []string{b.conv.ID, b.msg.ID}}
			}, session: ok200, token: forbidden},

			"GET /api/v1/users": {session: ok200, token: ok200},
			"POST /api/v1/users": {body: func(w int) any {
				// B's addresses are free in A: their use in B is not revealed.
				return client.UserCreate{Email: []string{b.admin.Email, b.agent.Email}[w], Name: "Namesake", Role: client.RoleAgent, Password: "tenant a namesake phrase"}
			}, session: ok201, token: ok201},
			"GET /api/v1/users/{id}": {},
			"PATCH /api/v1/users/{id}": {body: func(int) any {
				return client.UserUpdate{Name: ptr("Renamed by A"), Role: ptr(client.RoleAdmin), Disabled: ptr(true)}
			}},
			"DELETE /api/v1/users/{id}":       {},
			"PUT /api/v1/users/{id}/password": {body: func(int) any { return client.PasswordReset{Password: "taken over by tenant a"} }},

			"GET /api/v1/teams":                           {session: ok200, token: ok200},
			"POST /api/v1/teams":                          {body: func(w int) any { return client.TeamInput{Name: b.teams[w].Name} }, session: ok201, token: ok201},
			"GET /api/v1/teams/{id}":                      {},
			"PATCH /api/v1/teams/{id}":                    {body: func(int) any { return client.TeamPatch{Name: ptr("Renamed by A")} }},
			"DELETE /api/v1/teams/{id}":                   {},
			"GET /api/v1/teams/{id}/members":              {},
			"PUT /api/v1/teams/{id}/members/{user_id}":    {},
			"DELETE /api/v1/teams/{id}/members/{user_id}": {},

			"GET /api/v1/tokens":         {session: ok200, token: ok200},
			"POST /api/v1/tokens":        {body: func(int) any { return client.TokenCreate{Name: b.token.Name, Scope: client.ScopeAdmin} }, session: ok201, token: ok201},
			"GET /api/v1/tokens/{id}":    {},
			"DELETE /api/v1/tokens/{id}": {},

			"GET /api/v1/contacts": {query: func(w int) string { return "?email=" + b.contact.Emails[w] }, session: ok200, token: ok200},
			"POST /api/v1/contacts": {body: func(w int) any {
				// B's e-mail addresses and phone number are free in A too.
				in := client.ContactInput{Emails: []string{b.contact.Emails[w]}}
				if w == 0 {
					in.Phones = b.contact.Phones
				}
				return in
			}, session: ok201, token: ok201},
			"GET /api/v1/contacts/{id}": {},
			"PATCH /api/v1/contacts/{id}": {body: func(int) any {
				return client.ContactInput{Name: ptr("Renamed by A"), Emails: []string{}, Attributes: map[string]any{"owner": "A"}}
			}},
			"DELETE /api/v1/contacts/{id}": {},

			// The customer panel: B's contact keeps its tags, B's conversation its questions.
			"POST /api/v1/contacts/{id}/tags":            {body: func(int) any { return map[string]string{"tag": "Tagged by A"} }},
			"DELETE /api/v1/contacts/{id}/tags/{tag}":    {},
			"GET /api/v1/conversations/{id}/suggestions": {},

			"GET /api/v1/conversations": {query: func(w int) string {
				return []string{"?contact_id=" + b.contact.ID, "?assignee_id=" + b.agent.ID}[w]
			}, session: ok200, token: ok200},
			"POST /api/v1/conversations": {body: func(int) any {
				return client.ConversationCreate{ContactID: b.contact.ID, Message: &client.MessageCreate{Body: "into B's contact"}}
			}, session: invalid, token: invalid},
			"GET /api/v1/conversations/{id}":          {},
			"GET /api/v1/conversations/{id}/messages": {query: func(int) string { return "?after_seq=0" }},
			"POST /api/v1/conversations/{id}/messages": {body: func(int) any {
				return client.MessageCreate{Body: "into B's conversation", ClientID: b.msg.ClientID}
			}},
			"POST /api/v1/conversations/{id}/assign": {body: func(int) any {
				return client.AssignRequest{AssigneeID: &aMe.User.ID, TeamID: &aTeam.ID}
			}},
			// A close summary into B's conversation is refused like any close.
			"POST /api/v1/conversations/{id}/close":  {body: func(int) any { return map[string]string{"category": "", "note": "closed by A"} }},
			"GET /api/v1/conversations/{id}/summary": {},
			// Workspace settings are the caller's own tenant's.
			"GET /api/v1/workspace/settings": {session: ok200, token: ok200},
			"PUT /api/v1/workspace/settings": {body: func(int) any {
				return map[string]any{"summary_categories": []string{"A's own"}, "summary_required": false, "response_target_seconds": 90}
			}, session: ok200, token: ok200},
			"POST /api/v1/conversations/{id}/reopen": {},
			// A valid image, so that only B's conversation id can make it fail.
			"POST /api/v1/conversations/{id}/uploads": {raw: func(int) (string, []byte) { return pngUpload(t) }},

			"GET /api/v1/channels": {session: ok200, token: ok200},
			"POST /api/v1/channels": {body: func(int) any {
				// B's channel name is free in A.
				return client.ChannelInput{Name: b.channel.Name}
			}, session: ok201, token: ok201},
			"GET /api/v1/channels/{id}": {},
			"PATCH /api/v1/channels/{id}": {body: func(int) any {
				return client.ChannelPatch{Name: ptr("Renamed by A"), RotateIdentitySecret: true,
					Settings: &client.ChannelSettings{AllowedOrigins: []string{"https://a.example"}}}
			}},
			"DELETE /api/v1/channels/{id}": {},

			// The knowledge base: B's ids are unknown in A, B's names free.
			// Quick replies: B's are neither seen nor changed; B's shortcut is free in A.
			"GET /api/v1/quick-replies": {query: func(w int) string { return []string{"?q=tenant-b", "?scope=tenant"}[w] }, session: ok200, token: ok200},
			"POST /api/v1/quick-replies": {body: func(w int) any {
				return map[string]string{"scope": "tenant", "shortcut": []string{"tenant-b-secret", "tenant-b-secret-2"}[w], "body": "A's own"}
			}, session: ok201, token: ok201},
			"GET /api/v1/quick-replies/{id}":    {},
			"PATCH /api/v1/quick-replies/{id}":  {body: func(int) any { return map[string]string{"body": "Changed by A"} }},
			"DELETE /api/v1/quick-replies/{id}": {},

			"GET /api/v1/kb/categories": {session: ok200, token: ok200},
			"POST /api/v1/kb/categories": {body: func(w int) any {
				return client.KBCategoryInput{Name: ptr([]string{b.kbCategory.Name, "A's own"}[w])}
			}, session: ok201, token: ok201},
			"GET /api/v1/kb/categories/{id}":    {},
			"PATCH /api/v1/kb/categories/{id}":  {body: func(int) any { return client.KBCategoryInput{Name: ptr("Renamed by A")} }},
			"DELETE /api/v1/kb/categories/{id}": {},
			"GET /api/v1/kb/entries": {query: func(w int) string {
				return []string{"?category_id=" + b.kbCategory.ID, "?tag=tenant-b"}[w]
			}, session: ok200, token: ok200},
			"POST /api/v1/kb/entries": {body: func(w int) any {
				if w == 0 {
					return client.KBEntryInput{Question: ptr("Into B's category"), CategoryID: &b.kbCategory.ID}
				}
				return client.KBEntryInput{Question: ptr("A translation of B's entry"), Language: ptr("fr"), TranslationOf: b.kbEntry.ID}
			}, session: invalid, token: invalid},
			"GET /api/v1/kb/entries/{id}":                             {},
			"PATCH /api/v1/kb/entries/{id}":                           {body: func(int) any { return client.KBEntryInput{Answer: ptr("Changed by A")} }},
			"DELETE /api/v1/kb/entries/{id}":                          {},
			"POST /api/v1/kb/entries/{id}/submit":                     {},
			"POST /api/v1/kb/entries/{id}/approve":                    {},
			"POST /api/v1/kb/entries/{id}/reject":                     {body: func(int) any { return map[string]string{"comment": "rejected by A"} }},
			"POST /api/v1/kb/entries/{id}/archive":                    {},
			"POST /api/v1/kb/entries/{id}/unarchive":                  {},
			"GET /api/v1/kb/entries/{id}/versions":                    {},
			"GET /api/v1/kb/entries/{id}/versions/{version}":          {},
			"POST /api/v1/kb/entries/{id}/versions/{version}/restore": {},
			"GET /api/v1/kb/entries/{id}/diff":                        {query: func(int) string { return "?from=1&to=2" }},
			"GET /api/v1/kb/entries/{id}/translations":                {},
			"POST /api/v1/kb/entries/{id}/translations":               {body: func(int) any { return map[string]string{"entry_id": aKBEntry.ID} }},
			"DELETE /api/v1/kb/entries/{id}/translations":             {},
			"POST /api/v1/kb/import": {raw: func(int) (string, []byte) {
				return "text/csv", []byte("question,category\n" + b.kbEntry.Question + ",Tenant B Returns\n")
			}, session: ok200, token: ok200},
			"GET /api/v1/kb/export": {query: func(w int) string { return []string{"?format=jsonl", "?format=jsonl&language=en"}[w] }, session: ok200, token: ok200},
			"GET /api/v1/kb/search": {query: func(int) string { return "?q=" + url.QueryEscape(b.kbEntry.Question) }, session: ok200, token: ok200},

			// The bot's routes act on the caller's own tenant only; a
			// decision id of another tenant resolves nothing.
			"GET /api/v1/bot/settings": {session: ok200, token: ok200},
			"PUT /api/v1/bot/settings": {body: func(int) any {
				return map[string]any{"enabled": true, "answer_threshold": 0.7, "clarify_threshold": 0.3, "negative_threshold": 0.99,
					"max_turns": 5, "max_misses": 2, "terms": []string{}, "synonyms": [][]string{}}
			}, session: ok200, token: ok200},
			"GET /api/v1/bot/status":                       {session: ok200, token: ok200},
			"POST /api/v1/bot/rebuild":                     {session: ok200, token: ok200},
			"POST /api/v1/bot/try":                         {body: func(int) any { return map[string]any{"question": "B's refund"} }, session: ok200, token: ok200},
			"GET /api/v1/conversations/{id}/bot-decisions": {},
			"GET /api/v1/bot/unanswered":                   {session: ok200, token: ok200},
			"POST /api/v1/bot/unanswered/resolve": {body: func(int) any {
				return map[string]any{"decision_ids": []string{b.conv.ID}}
			}, session: ok200, token: ok200},

			// Satisfaction ratings: B's agent, team and channel rate nothing in A.
			"GET /api/v1/csat/ratings": {query: func(w int) string {
				return []string{"?agent_id=" + b.agent.ID, "?team_id=" + b.teams[0].ID}[w]
			}, session: ok200, token: ok200},
			"GET /api/v1/csat/summary": {query: func(w int) string {
				return []string{"?group=agent&agent_id=" + b.agent.ID, "?group=channel&channel_id=" + b.channel.ID}[w]
			}, session: ok200, token: ok200},
			"GET /api/v1/conversations/{id}/csat": {},

			// Routing: B's teams are unknown references in A's settings and
			// rules; B's agents, teams and conversations are not found.
			"GET /api/v1/routing": {session: ok200, token: ok200},
			"PUT /api/v1/routing/settings": {body: func(int) any {
				return map[string]any{"strategy": "least_busy", "default_capacity": 3, "sticky_seconds": 30, "away_after_seconds": 60,
					"queue_limit": 100, "fallback": map[string]any{"team_id": b.teams[0].ID}}
			}, session: invalid, token: invalid},
			"PUT /api/v1/routing/rules": {body: func(w int) any {
				return map[string]any{"rules": []map[string]any{{"name": "To B", "enabled": true,
					"then": map[string]any{"team_id": b.teams[w].ID}}}}
			}, session: invalid, token: invalid},
			"GET /api/v1/routing/teams":      {session: ok200, token: ok200},
			"PUT /api/v1/routing/teams/{id}": {body: func(int) any { return map[string]any{"skills": []string{"a-skill"}, "capacity": 2} }},
			"GET /api/v1/agents":             {session: ok200, token: ok200},
			"GET /api/v1/agents/me":          {session: ok200, token: forbidden},
			"PUT /api/v1/agents/me/status": {body: func(int) any { return map[string]string{"status": "away"} },
				session: ok200, token: forbidden},
			"PUT /api/v1/agents/{id}/status":   {body: func(int) any { return map[string]string{"status": "online"} }},
			"PUT /api/v1/agents/{id}/capacity": {body: func(int) any { return map[string]any{"capacity": 2} }},
			"GET /api/v1/queue":                {session: ok200, token: ok200},
			"POST /api/v1/conversations/{id}/transfer": {body: func(int) any {
				return map[string]string{"team_id": aTeam.ID, "note": "A's note"}
			}},
		}

		// Every route has a probe, every probe a route, every id a kind.
		routes := slices.Clone(a.API.Routes())
		known := map[string]bool{}
		for _, rt := range routes {
			known[rt.Pattern()] = true
			p, found := probes[rt.Pattern()]
			params, kinds, kindsKnown := pathKinds(rt.Path)
			switch {
			case !found:
				t.Errorf("route %s has no cross-tenant probe: add one to this test", rt.Pattern())
			case !kindsKnown:
				t.Errorf("route %s: no tenant-B id for path parameters %v (kinds %v): add the kind to idKind", rt.Pattern(), params, kinds)
			case rt.In != nil && p.body == nil && p.raw == nil:
				t.Errorf("route %s takes a body and its probe has none", rt.Pattern())
			case len(params) == 0 && (p.session == nil || p.token == nil):
				t.Errorf("route %s has no path id: its probe must say which statuses to expect", rt.Pattern())
			}
		}
		for pattern := range probes {
			if !known[pattern] {
				t.Errorf("probe for %s, which is no longer a route", pattern)
			}
		}
		if t.Failed() {
			t.FailNow()
		}
		slices.SortStableFunc(routes, func(x, y httpapi.Route) int {
			return boolInt(probes[x.Pattern()].endsSession) - boolInt(probes[y.Pattern()].endsSession)
		})

		before := b.snapshot(t, ctx, a)
		leaks := append(b.ids(), bQuickReply.ID)
		walks := []struct {
			name string
			c    *client.Client
		}{{"session", session}, {"token", tokenClient}}
		calls := 0
		for w := range walks {
			for _, rt := range routes {
				p := probes[rt.Pattern()]
				params, kinds, _ := pathKinds(rt.Path)
				var body any
				if p.body != nil {
					body = p.body(w)
				}
				query := ""
				if p.query != nil {
					query = p.query(w)
				}
				want := p.session
				if w == 1 {
					want = p.token
				}
				// Each combination of A's and B's ids that names at least one of B's.
				type call struct{ path, desc string }
				var cs []call
				if len(params) == 0 {
					cs = []call{{rt.Path, "own tenant"}}
				} else {
					want = []int{http.StatusForbidden, http.StatusNotFound}
					for mask := 1; mask < 1<<len(params); mask++ {
						path, desc := rt.Path, []string{}
						for i, prm := range params {
							owner := 0
							if mask&(1<<i) != 0 {
								owner = 1
							}
							path = strings.Replace(path, prm, ids[kinds[i]][owner], 1)
							desc = append(desc, []string{"A's ", "B's "}[owner]+kinds[i])
						}
						cs = append(cs, call{path, strings.Join(desc, ", ")})
					}
				}
				for _, c := range cs {
					calls++
					what := walks[w].name + " " + rt.Method + " " + rt.Path + " with " + c.desc
					var raw json.RawMessage
					var resp *http.Response
					var err error
					if p.raw != nil {
						ct, b := p.raw(w)
						resp, err = walks[w].c.DoRaw(ctx, rt.Method, c.path+query, ct, b, &raw)
					} else {
						resp, err = walks[w].c.Do(ctx, rt.Method, c.path+query, body, &raw)
					}
					text := string(raw)
					status := 0
					if resp != nil {
						status = resp.StatusCode
					}
					if e, isAPI := client.AsError(err); isAPI {
						text = e.Message
					} else if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					if !slices.Contains(want, status) {
						t.Errorf("%s: status %d (%v), want one of %v", what, status, err, want)
					}
					for _, leak := range leaks {
						if strings.Contains(text, leak) {
							t.Errorf("%s: the answer shows tenant B's %s: %s", what, leak, text)
						}
					}
				}
				if p.endsSession && w == 0 {
					walks[w].c = s.Admin(t)
				}
			}
		}
		if calls < 2*len(routes) {
			t.Fatalf("only %d calls for %d routes", calls, len(routes))
		}

		// Ids of B inside A's requests are unknown references, not B's things.
		refProbes := []struct {
			name, path string
			body       any
			field      string
		}{
			{"assign to B's agent", "/api/v1/conversations/" + aConv.ID + "/assign", client.AssignRequest{AssigneeID: &b.agent.ID}, "assignee_id"},
			{"assign to B's team", "/api/v1/conversations/" + aConv.ID + "/assign", client.AssignRequest{TeamID: &b.teams[0].ID}, "team_id"},
			{"open for B's contact", "/api/v1/conversations", client.ConversationCreate{ContactID: b.contact.ID}, "contact_id"},
			{"open assigned to B's agent", "/api/v1/conversations", client.ConversationCreate{ContactID: aContact.ID, AssigneeID: b.agent.ID}, "assignee_id"},
			{"open for B's team", "/api/v1/conversations", client.ConversationCreate{ContactID: aContact.ID, TeamID: b.teams[1].ID}, "team_id"},
			{"a quick reply for B's team", "/api/v1/quick-replies", map[string]string{"scope": "team", "team_id": b.teams[0].ID, "shortcut": "b-team", "body": "x"}, "team_id"},
			{"transfer to B's agent", "/api/v1/conversations/" + aConv.ID + "/transfer", map[string]string{"agent_id": b.agent.ID}, "agent_id"},
			{"transfer to B's team", "/api/v1/conversations/" + aConv.ID + "/transfer", map[string]string{"team_id": b.teams[1].ID}, "team_id"},
		}
		for _, rp := range refProbes {
			for _, wk := range walks {
				_, err := wk.c.Do(ctx, http.MethodPost, rp.path, rp.body, nil)
				e := wantError(t, wk.name+" "+rp.name, err, http.StatusUnprocessableEntity, "unknown_reference")
				if e.Field != rp.field {
					t.Errorf("%s: field %q, want %q", rp.name, e.Field, rp.field)
				}
			}
		}

		// The upload probe's body is valid: into A's own conversation it is stored.
		for _, wk := range walks {
			ct, body := pngUpload(t)
			var att client.Attachment
			resp, err := wk.c.DoRaw(ctx, http.MethodPost, "/api/v1/conversations/"+aConv.ID+"/uploads", ct, body, &att)
			if err != nil || resp.StatusCode != http.StatusCreated || att.Kind != "image" {
				t.Errorf("%s: uploading the probe's image into A's conversation: %v %+v", wk.name, err, att)
			}
		}

		quickReplyUnchanged(t, ctx, a, b.id, bQuickReply)
		if after := b.snapshot(t, ctx, a); after != before {
			t.Errorf("tenant A changed tenant B's data:\nbefore %s\nafter  %s", before, after)
		}
		// B's people and programs carry on as before.
		if _, err := a.Auth.SessionPrincipal(ctx, b.sessionKey); err != nil {
			t.Errorf("B's session ended: %v", err)
		}
		if _, err := a.Auth.TokenPrincipal(ctx, b.tokenSecret); err != nil {
			t.Errorf("B's token stopped working: %v", err)
		}
		bAdmin, bMe := s.Login(t, b.admin.Email, b.password)
		if bMe.Tenant.ID != b.id {
			t.Fatalf("B's admin signed in to tenant %s", bMe.Tenant.Slug)
		}
		got := must[[]client.Contact](t, "B's contacts")(func() ([]client.Contact, error) {
			l, _, err := bAdmin.ListContacts(ctx, client.ListOptions{})
			return l, err
		}())
		if len(got) != 1 || got[0].ID != b.contact.ID || got[0].Name != "Tenant B Customer" {
			t.Errorf("B's admin sees contacts %+v", got)
		}
		matches, err := a.Accounts.Authenticate(ctx, b.agent.Email, "tenant b agent passphrase")
		ok(t, "B agent password", err)
		if len(matches) != 1 || matches[0].TenantID != b.id {
			t.Errorf("B's agent's password no longer works: %+v", matches)
		}
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pngUpload is a multipart/form-data body with one small, valid PNG image.
func pngUpload(t *testing.T) (string, []byte) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var pic bytes.Buffer
	ok(t, "encode png", png.Encode(&pic, img))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="dot.png"`)
	h.Set("Content-Type", "image/png")
	part, err := mw.CreatePart(h)
	ok(t, "multipart", err)
	_, err = part.Write(pic.Bytes())
	ok(t, "multipart", err)
	ok(t, "multipart", mw.Close())
	return mw.FormDataContentType(), body.Bytes()
}
