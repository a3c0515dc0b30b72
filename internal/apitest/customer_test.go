package apitest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// taggedContact is a contact as the API returns it, with its tags.
type taggedContact struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Emails []string `json:"emails"`
	Tags   []string `json:"tags"`
}

// suggestionsOut is the answer of GET …/suggestions.
type suggestionsOut struct {
	Question string `json:"question"`
	Items    []struct {
		EntryID    string  `json:"entry_id"`
		Question   string  `json:"question"`
		Answer     string  `json:"answer"`
		Confidence float64 `json:"confidence"`
	} `json:"items"`
}

// TestContactTagsAPI: tags in a contact's create and change, one tag added
// or removed at a time, and bad tags refused with the field at fault in the
// reader's language.
func TestContactTagsAPI(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		admin := s.Admin(t)
		do := func(c *client.Client, method, path string, body any) (taggedContact, error) {
			var out taggedContact
			_, err := c.Do(ctx, method, path, body, &out)
			return out, err
		}

		ann := must[taggedContact](t, "create")(do(admin, "POST", "/api/v1/contacts",
			map[string]any{"name": "Ann", "emails": []string{"ann@example.com"}, "tags": []string{" VIP ", "vip", "售后"}}))
		if !slices.Equal(ann.Tags, []string{"VIP", "售后"}) {
			t.Fatalf("created with tags %q, want [VIP 售后]", ann.Tags)
		}
		contactPath := "/api/v1/contacts/" + ann.ID
		got := must[taggedContact](t, "get")(do(admin, "GET", contactPath, nil))
		if !slices.Equal(got.Tags, ann.Tags) {
			t.Fatalf("GET shows tags %q", got.Tags)
		}
		var list struct{ Items []taggedContact }
		_, err := admin.Do(ctx, "GET", "/api/v1/contacts?email=ann@example.com", nil, &list)
		ok(t, "list", err)
		if len(list.Items) != 1 || !slices.Equal(list.Items[0].Tags, ann.Tags) {
			t.Fatalf("the list shows %+v", list.Items)
		}
		plain := must[taggedContact](t, "create plain")(do(admin, "POST", "/api/v1/contacts", map[string]any{"name": "Plain"}))
		if plain.Tags == nil || len(plain.Tags) != 0 {
			t.Fatalf("a contact without tags shows %#v, want []", plain.Tags)
		}

		// A change that does not name the tags keeps them; one that does replaces them.
		got = must[taggedContact](t, "rename")(do(admin, "PATCH", contactPath, map[string]any{"name": "Ann Lee"}))
		if got.Name != "Ann Lee" || !slices.Equal(got.Tags, ann.Tags) {
			t.Fatalf("after a rename: %+v", got)
		}
		got = must[taggedContact](t, "replace")(do(admin, "PATCH", contactPath, map[string]any{"tags": []string{"回头客"}}))
		if !slices.Equal(got.Tags, []string{"回头客"}) {
			t.Fatalf("after replacing: %q", got.Tags)
		}

		// One at a time, by an agent; a tag it has in another case changes nothing.
		agentClient := agent(t, s, admin)
		tagsPath := contactPath + "/tags"
		got = must[taggedContact](t, "add")(do(agentClient, "POST", tagsPath, map[string]any{"tag": " VIP "}))
		if !slices.Equal(got.Tags, []string{"回头客", "VIP"}) {
			t.Fatalf("after adding VIP: %q", got.Tags)
		}
		got = must[taggedContact](t, "add again")(do(agentClient, "POST", tagsPath, map[string]any{"tag": "vip"}))
		if !slices.Equal(got.Tags, []string{"回头客", "VIP"}) {
			t.Fatalf("after adding vip: %q", got.Tags)
		}
		// A tag with a slash travels escaped in the path.
		must[taggedContact](t, "add a/b")(do(agentClient, "POST", tagsPath, map[string]any{"tag": "A/B test"}))
		got = must[taggedContact](t, "remove a/b")(do(agentClient, "DELETE", tagsPath+"/"+url.PathEscape("a/b TEST"), nil))
		if !slices.Equal(got.Tags, []string{"回头客", "VIP"}) {
			t.Fatalf("after removing A/B test: %q", got.Tags)
		}
		got = must[taggedContact](t, "remove")(do(agentClient, "DELETE", tagsPath+"/"+url.PathEscape("回头客"), nil))
		if !slices.Equal(got.Tags, []string{"VIP"}) {
			t.Fatalf("after removing 回头客: %q", got.Tags)
		}
		stored := must[taggedContact](t, "get")(do(admin, "GET", contactPath, nil))
		if !slices.Equal(stored.Tags, []string{"VIP"}) {
			t.Fatalf("stored tags %q", stored.Tags)
		}

		// Bad input: a clear error on the field, in the reader's language.
		zh := s.Admin(t, client.WithAcceptLanguage("zh-CN"))
		long := strings.Repeat("长", 33)
		many := make([]string, 21)
		for i := range many {
			many[i] = "t" + string(rune('a'+i))
		}
		for _, tc := range []struct {
			name, method, path string
			body               any
			status             int
			code, field        string
		}{
			{"comma", "POST", tagsPath, map[string]any{"tag": "VIP,Gold"}, 422, "contact_tag_comma", "tag"},
			{"empty", "POST", tagsPath, map[string]any{"tag": "   "}, 422, "required", "tag"},
			{"no tag", "POST", tagsPath, map[string]any{}, 422, "required", "tag"},
			{"too long", "POST", tagsPath, map[string]any{"tag": long}, 422, "too_long", "tag"},
			{"control character", "POST", tagsPath, map[string]any{"tag": "a\u0007b"}, 422, "control_chars", "tag"},
			{"a list instead of one", "POST", tagsPath, map[string]any{"tag": []string{"VIP"}}, 422, "wrong_type", "tag"},
			{"unknown field", "POST", tagsPath, map[string]any{"tags": "VIP"}, 400, "unknown_field", "tags"},
			{"too many", "PATCH", contactPath, map[string]any{"tags": many}, 422, "too_many", "tags"},
			{"bad one in a list", "POST", "/api/v1/contacts", map[string]any{"tags": []string{"ok", "a，b"}}, 422, "contact_tag_comma", "tags[1]"},
			{"not a tag of the contact", "DELETE", tagsPath + "/Gold", nil, 404, "not_found", ""},
			{"unknown contact", "POST", "/api/v1/contacts/" + id.New() + "/tags", map[string]any{"tag": "VIP"}, 404, "not_found", ""},
			{"malformed contact id", "DELETE", "/api/v1/contacts/nope/tags/VIP", nil, 404, "not_found", ""},
		} {
			_, err := zh.Do(ctx, tc.method, tc.path, tc.body, nil)
			ce := wantError(t, tc.name, err, tc.status, tc.code)
			if ce.Field != tc.field {
				t.Errorf("%s: field %q, want %q", tc.name, ce.Field, tc.field)
			}
			if !hasHan(ce.Message) || strings.Contains(ce.Message, "err.") || strings.Contains(ce.Message, "thing.") {
				t.Errorf("%s: the message is not in Chinese: %q", tc.name, ce.Message)
			}
		}
		after := must[taggedContact](t, "get")(do(admin, "GET", contactPath, nil))
		if !slices.Equal(after.Tags, []string{"VIP"}) {
			t.Fatalf("refused changes changed the tags to %q", after.Tags)
		}

		// A read-only token reads tags but cannot change them.
		reader, _ := s.TokenClient(t, admin, client.ScopeRead)
		if got := must[taggedContact](t, "read")(do(reader, "GET", contactPath, nil)); !slices.Equal(got.Tags, []string{"VIP"}) {
			t.Fatalf("the reader sees %q", got.Tags)
		}
		_, err = do(reader, "POST", tagsPath, map[string]any{"tag": "Gold"})
		wantError(t, "read token adds", err, http.StatusForbidden, "forbidden")
		_, err = do(reader, "DELETE", tagsPath+"/VIP", nil)
		wantError(t, "read token removes", err, http.StatusForbidden, "forbidden")
	})
}

// suggestKB is a small published knowledge base for the suggestions.
const suggestKB = `{"key":"refund-en","language":"en","category":"After-sales","question":"How do I get a refund?","similar":["I want my money back","refund please","how to request a refund","can I get a refund","refund process"],"answer":"Open **My orders** and choose *Request a refund*; the money is back in 1–3 business days.","status":"published"}
{"key":"ship-en","language":"en","category":"Shipping","question":"How much is shipping?","similar":["shipping cost","delivery fee","is shipping free","how much to ship","postage price"],"answer":"Shipping is free over ¥99, otherwise ¥10.","status":"published"}
{"key":"ship-zh","language":"zh","category":"配送","question":"运费多少钱？","similar":["国内包邮吗","快递费怎么算","邮费多少","配送收费吗","运费怎么算"],"answer":"满 99 元包邮，不满收 10 元运费。","status":"published"}
`

// TestSuggestionsAPI: the bot's best answers to the customer's last
// question of a conversation, as plain text, for any reader of the
// conversation; nothing when there is no question.
func TestSuggestionsAPI(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		admin := s.Admin(t)
		res := must[*client.KBImportResult](t, "import")(admin.ImportKB(ctx, []byte(suggestKB), client.KBImportOptions{Format: "jsonl"}))
		if res.Created != 3 || res.Published != 3 {
			t.Fatalf("import %+v", res)
		}
		_, err := admin.Do(ctx, "POST", "/api/v1/bot/rebuild", nil, nil)
		ok(t, "rebuild", err)
		writer, _ := s.TokenClient(t, admin, client.ScopeWrite)
		ct := must[*client.Contact](t, "contact")(admin.CreateContact(ctx, client.ContactInput{Name: ptr("Bea")}))
		conv := must[*client.ConversationCreated](t, "conversation")(writer.CreateConversation(ctx, client.ConversationCreate{
			ContactID: ct.ID, Message: &client.MessageCreate{Body: "Hi, I want my money back", Author: "contact"}})).Conversation
		path := "/api/v1/conversations/" + conv.ID + "/suggestions"
		get := func(c *client.Client) suggestionsOut {
			t.Helper()
			var out suggestionsOut
			_, err := c.Do(ctx, "GET", path, nil, &out)
			ok(t, "suggestions", err)
			if out.Items == nil || len(out.Items) > 3 {
				t.Fatalf("items %+v: want a list of at most three", out.Items)
			}
			return out
		}

		got := get(admin)
		if got.Question != "Hi, I want my money back" || len(got.Items) == 0 {
			t.Fatalf("suggestions %+v", got)
		}
		top := got.Items[0]
		if top.Question != "How do I get a refund?" || top.EntryID == "" || top.Confidence <= 0 || top.Confidence > 1 {
			t.Fatalf("the best suggestion %+v", top)
		}
		if top.Answer != "Open My orders and choose Request a refund; the money is back in 1–3 business days." {
			t.Fatalf("the answer is not the plain text: %q", top.Answer)
		}

		// An agent's reply does not change the customer's question; the
		// customer's next message does.
		_, _, err = admin.PostMessage(ctx, conv.ID, client.MessageCreate{Body: "Let me check that for you."})
		ok(t, "reply", err)
		if again := get(agent(t, s, admin)); again.Question != got.Question || again.Items[0].EntryID != top.EntryID {
			t.Fatalf("after the agent's reply: %+v", again)
		}
		_, _, err = writer.PostMessage(ctx, conv.ID, client.MessageCreate{Body: "快递费怎么算", Author: "contact"})
		ok(t, "customer's message", err)
		if zh := get(admin); zh.Question != "快递费怎么算" || len(zh.Items) == 0 || zh.Items[0].Question != "运费多少钱？" {
			t.Fatalf("after the customer's Chinese question: %+v", zh)
		}

		// A conversation without a word from the customer: nothing.
		quiet := must[*client.ConversationCreated](t, "quiet")(admin.CreateConversation(ctx, client.ConversationCreate{
			ContactID: ct.ID, Message: &client.MessageCreate{Body: "Hello from the shop"}})).Conversation
		var none suggestionsOut
		_, err = admin.Do(ctx, "GET", "/api/v1/conversations/"+quiet.ID+"/suggestions", nil, &none)
		ok(t, "quiet suggestions", err)
		if none.Question != "" || none.Items == nil || len(none.Items) != 0 {
			t.Fatalf("a conversation without the customer's message: %+v", none)
		}
		for _, bad := range []string{id.New(), "not-an-id"} {
			_, err = admin.Do(ctx, "GET", "/api/v1/conversations/"+bad+"/suggestions", nil, nil)
			wantError(t, "unknown conversation "+bad, err, http.StatusNotFound, "not_found")
		}
	})
}
