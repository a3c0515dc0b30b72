package apitest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/config"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// tenantState is everything a tenant's administrator can read, for checking
// that a refused request changed nothing.
func tenantState(t testing.TB, ctx context.Context, admin *client.Client) string {
	t.Helper()
	page := client.ListOptions{Limit: 200}
	users, _, err := admin.ListUsers(ctx, page)
	ok(t, "users", err)
	teams, _, err := admin.ListTeams(ctx, page)
	ok(t, "teams", err)
	tokens, _, err := admin.ListTokens(ctx, page)
	ok(t, "tokens", err)
	for i := range tokens {
		tokens[i].LastUsedAt = nil // moves when the token reading the state is used
	}
	contacts, _, err := admin.ListContacts(ctx, page)
	ok(t, "contacts", err)
	convs, _, err := admin.ListConversations(ctx, client.ConversationFilter{ListOptions: page})
	ok(t, "conversations", err)
	msgs := map[string][]client.Message{}
	for _, c := range convs {
		msgs[c.ID], err = admin.ListMessages(ctx, c.ID, 0, 0)
		ok(t, "messages", err)
	}
	return asJSON(t, []any{users, teams, tokens, contacts, convs, msgs})
}

// TestBadInput sends what a buggy integration or a hurried person sends,
// and checks each answer: status, code, field, a message in the reader's
// language, and that nothing was stored.
func TestBadInput(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		const maxBody = 2048
		s := Start(t, e, WithConfig(func(c *config.Config) { c.MaxBodyBytes = maxBody }))
		admin := s.Admin(t)
		tok := must[*client.TokenCreated](t, "token")(admin.CreateToken(ctx, client.TokenCreate{Name: "integration", Scope: client.ScopeAdmin}))
		customer := must[*client.Contact](t, "contact")(admin.CreateContact(ctx, client.ContactInput{Name: ptr("Billing Customer"), Emails: []string{"billing.customer@example.com"}}))
		conv := must[*client.ConversationCreated](t, "conversation")(admin.CreateConversation(ctx, client.ConversationCreate{
			ContactID: customer.ID, Message: &client.MessageCreate{Body: "First"}})).Conversation
		must[*client.Team](t, "team")(admin.CreateTeam(ctx, client.TeamInput{Name: "Billing"}))
		convMsgs := "/api/v1/conversations/" + conv.ID + "/messages"
		userBody := func(email, password string) string {
			b, _ := json.Marshal(client.UserCreate{Email: email, Name: "New Person", Role: client.RoleAgent, Password: password})
			return string(b)
		}

		type tc struct {
			name, method, path, contentType, body string
			status                                int
			code, field                           string
			en, zh                                string // in the English and the Chinese message
		}
		cases := []tc{
			{name: "malformed JSON", method: "POST", path: "/api/v1/contacts", body: `{"name": "Sample"`,
				status: 400, code: "malformed_json", en: "not valid JSON", zh: "JSON"},
			{name: "not JSON at all", method: "POST", path: "/api/v1/contacts", body: `name=Sample`, status: 400, code: "malformed_json"},
			{name: "two JSON values", method: "POST", path: "/api/v1/contacts", body: `{"name":"Sample"} {"name":"Other"}`, status: 400, code: "malformed_json"},
			{name: "empty body", method: "POST", path: "/api/v1/contacts", body: ``, status: 400, code: "empty_body"},
			{name: "form instead of JSON", method: "POST", path: "/api/v1/contacts", contentType: "application/x-www-form-urlencoded",
				body: `name=Sample`, status: 400, code: "unsupported_media_type"},
			{name: "unknown field", method: "POST", path: "/api/v1/contacts", body: `{"nmae":"Sample"}`,
				status: 400, code: "unknown_field", field: "nmae", en: "nmae"},
			{name: "wrong type", method: "POST", path: "/api/v1/contacts", body: `{"name": 42}`,
				status: 422, code: "wrong_type", field: "name", en: "name must be a string"},
			{name: "wrong type of list", method: "POST", path: "/api/v1/contacts", body: `{"emails": "a@example.com"}`,
				status: 422, code: "wrong_type", field: "emails", en: "array"},
			{name: "wrong type in a user", method: "POST", path: "/api/v1/users", body: `{"email":"x@example.com","name":"X","role":"agent","password":"long enough pass","must_change_password":"no"}`,
				status: 422, code: "wrong_type", field: "must_change_password"},
			{name: "oversized body", method: "POST", path: "/api/v1/contacts", body: `{"name":"` + strings.Repeat("a", maxBody) + `"}`,
				status: 413, code: "body_too_large", en: "2048 bytes", zh: "2048"},
			{name: "invalid user email", method: "POST", path: "/api/v1/users", body: userBody("not-an-address", "a fine long passphrase"),
				status: 422, code: "invalid_email", field: "email", en: "email is not a valid e-mail address", zh: "邮箱"},
			{name: "invalid contact email", method: "POST", path: "/api/v1/contacts", body: `{"emails":["ok@example.com","billing customer at example"]}`,
				status: 422, code: "invalid_email", field: "emails[1]"},
			{name: "duplicate user email", method: "POST", path: "/api/v1/users", body: userBody(strings.ToUpper(AdminEmail), "a fine long passphrase"),
				status: 409, code: "duplicate", field: "email", en: "already in use", zh: "已被使用"},
			{name: "duplicate contact email", method: "POST", path: "/api/v1/contacts", body: `{"emails":["Billing.Customer@example.com"]}`,
				status: 409, code: "duplicate", field: "emails"},
			{name: "duplicate team name", method: "POST", path: "/api/v1/teams", body: `{"name":"Billing"}`,
				status: 409, code: "duplicate", field: "name"},
			{name: "short password", method: "POST", path: "/api/v1/users", body: userBody("new@example.com", "2short"),
				status: 422, code: "password_too_short", field: "password", en: "at least 12", zh: "12"},
			{name: "common password", method: "POST", path: "/api/v1/users", body: userBody("new@example.com", "password123456"),
				status: 422, code: "password_common", field: "password", en: "too common"},
			{name: "keyboard run password", method: "POST", path: "/api/v1/users", body: userBody("new@example.com", "qwertyuiopasdf"),
				status: 422, code: "password_common", field: "password"},
			{name: "invalid role", method: "POST", path: "/api/v1/users", body: `{"email":"new@example.com","name":"N","role":"owner","password":"a fine long passphrase"}`,
				status: 422, code: "invalid_role", field: "role"},
			{name: "invalid token scope", method: "POST", path: "/api/v1/tokens", body: `{"name":"x","scope":"root"}`,
				status: 422, code: "invalid_scope", field: "scope"},
			{name: "conversation for an unknown contact", method: "POST", path: "/api/v1/conversations", body: `{"contact_id":"` + tok.ID + `"}`,
				status: 422, code: "unknown_reference", field: "contact_id"},
			{name: "empty message", method: "POST", path: convMsgs, body: `{"body":"   "}`, status: 422, code: "required", field: "body"},
			{name: "message with a bad client id", method: "POST", path: convMsgs, body: `{"body":"hi","client_id":"has spaces"}`,
				status: 422, code: "invalid_client_id", field: "client_id"},
			{name: "bad cursor", method: "GET", path: "/api/v1/contacts?cursor=%2A%2A%2A", status: 400, code: "bad_cursor", field: "cursor",
				en: "cursor is not valid", zh: "游标"},
			{name: "limit over 200", method: "GET", path: "/api/v1/contacts?limit=201", status: 400, code: "bad_limit", field: "limit", en: "200"},
			{name: "limit zero", method: "GET", path: "/api/v1/users?limit=0", status: 400, code: "bad_limit", field: "limit"},
			{name: "limit not a number", method: "GET", path: "/api/v1/conversations?limit=ten", status: 400, code: "bad_limit", field: "limit"},
			{name: "messages limit over 200", method: "GET", path: convMsgs + "?limit=201", status: 400, code: "bad_limit", field: "limit"},
			{name: "negative after_seq", method: "GET", path: convMsgs + "?after_seq=-1", status: 400, code: "bad_after_seq", field: "after_seq"},
			{name: "unknown status filter", method: "GET", path: "/api/v1/conversations?status=pending", status: 422, code: "invalid_value", field: "status"},
			{name: "malformed id", method: "GET", path: "/api/v1/contacts/42", status: 404, code: "not_found", en: "No such contact", zh: "找不到"},
			{name: "no such route", method: "GET", path: "/api/v1/nothing-here", status: 404, code: "no_route"},
		}

		en := client.New(s.URL, client.WithToken(tok.Secret), client.WithAcceptLanguage("en-GB,en;q=0.8"))
		zh := client.New(s.URL, client.WithToken(tok.Secret), client.WithAcceptLanguage("zh-CN,zh;q=0.9,en;q=0.5"))
		none := client.New(s.URL, client.WithToken(tok.Secret))
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ct := c.contentType
				if ct == "" && c.method != "GET" {
					ct = "application/json"
				}
				var body []byte
				if c.method != "GET" {
					body = []byte(c.body)
				}
				before := tenantState(t, ctx, en)
				var msgs [3]string
				for i, cl := range []*client.Client{en, zh, none} {
					_, err := cl.DoRaw(ctx, c.method, c.path, ct, body, nil)
					e := wantError(t, c.name, err, c.status, c.code)
					if e.Field != c.field {
						t.Errorf("field %q, want %q", e.Field, c.field)
					}
					msgs[i] = e.Message
				}
				if hasHan(msgs[0]) || !strings.Contains(msgs[0], c.en) {
					t.Errorf("English message %q, want it to mention %q", msgs[0], c.en)
				}
				if !hasHan(msgs[1]) || !strings.Contains(msgs[1], c.zh) {
					t.Errorf("zh-CN message %q, want Chinese mentioning %q", msgs[1], c.zh)
				}
				if msgs[2] != msgs[0] {
					t.Errorf("without Accept-Language the message is %q, want English %q", msgs[2], msgs[0])
				}
				for _, m := range msgs {
					if strings.ContainsAny(m, "{}") {
						t.Errorf("message %q has an unfilled placeholder", m)
					}
				}
				if after := tenantState(t, ctx, en); after != before {
					t.Errorf("the refused request changed the tenant:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	})
}
