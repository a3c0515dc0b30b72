package apitest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/workspace"
)

type wsSettings struct {
	SummaryCategories     []string `json:"summary_categories"`
	SummaryRequired       bool     `json:"summary_required"`
	ResponseTargetSeconds int      `json:"response_target_seconds"`
}

type wsSummary struct {
	ConversationID string `json:"conversation_id"`
	Category       string `json:"category"`
	Note           string `json:"note"`
	AgentID        string `json:"agent_id"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
}

// TestWorkspaceSettingsAndCloseSummaries drives the workspace through the
// API as agents, administrators and integrations would: the settings with
// their defaults, limits and field errors (in both languages); a close that
// a required summary refuses with a reason, for people and for programs
// closing without a body; a close with a summary that is readable later;
// and another tenant that sees neither the settings nor the summaries.
func TestWorkspaceSettingsAndCloseSummaries(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		admin := s.Admin(t)
		me := must[*client.Me](t, "me")(admin.Me(ctx))
		agentClient := agent(t, s, admin)
		integration, _ := s.TokenClient(t, admin, client.ScopeWrite)

		// Everyone reads the settings; until saved they are the defaults.
		var st wsSettings
		ok(t, "agent GET settings", func() error { _, err := agentClient.Do(ctx, "GET", "/api/v1/workspace/settings", nil, &st); return err }())
		if st.SummaryCategories == nil || len(st.SummaryCategories) != 0 || st.SummaryRequired || st.ResponseTargetSeconds != 120 {
			t.Fatalf("default settings: %+v", st)
		}
		good := wsSettings{SummaryCategories: []string{"物流 Shipping", "退换货 Returns", "其他 Other"}, SummaryRequired: true, ResponseTargetSeconds: 60}
		_, err := agentClient.Do(ctx, "PUT", "/api/v1/workspace/settings", good, nil)
		wantError(t, "agent PUT settings", err, http.StatusForbidden, "forbidden")
		_, err = integration.Do(ctx, "PUT", "/api/v1/workspace/settings", good, nil)
		wantError(t, "write token PUT settings", err, http.StatusForbidden, "forbidden")

		tooMany := make([]string, 51)
		for i := range tooMany {
			tooMany[i] = "C" + strings.Repeat("x", i)
		}
		zh := s.Admin(t, client.WithAcceptLanguage("zh-CN"))
		for _, b := range []struct {
			body        any
			status      int
			code, field string
		}{
			{wsSettings{SummaryCategories: []string{"A", "B", "C", "b"}, ResponseTargetSeconds: 60}, 422, "repeated_value", "summary_categories[3]"},
			{wsSettings{SummaryCategories: []string{"A", ""}, ResponseTargetSeconds: 60}, 422, "required", "summary_categories[1]"},
			{wsSettings{SummaryCategories: []string{strings.Repeat("x", 61)}, ResponseTargetSeconds: 60}, 422, "too_long", "summary_categories[0]"},
			{wsSettings{SummaryCategories: tooMany, ResponseTargetSeconds: 60}, 422, "too_many", "summary_categories"},
			{wsSettings{ResponseTargetSeconds: 5}, 422, "out_of_range", "response_target_seconds"},
			{map[string]any{"summary_categories": []string{}}, 422, "out_of_range", "response_target_seconds"},
			{map[string]any{"response_target_seconds": "fast"}, 422, "wrong_type", "response_target_seconds"},
			{map[string]any{"summary_categories": []string{}, "response_target_seconds": 60, "colour": "red"}, 400, "unknown_field", "colour"},
		} {
			for _, c := range []*client.Client{admin, zh} {
				_, err := c.Do(ctx, "PUT", "/api/v1/workspace/settings", b.body, nil)
				ce := wantError(t, asJSON(t, b.body), err, b.status, b.code)
				if ce.Field != b.field {
					t.Errorf("%s: field %q, want %q", asJSON(t, b.body), ce.Field, b.field)
				}
				if strings.Contains(ce.Message, "err.") {
					t.Errorf("%s: untranslated message %q", asJSON(t, b.body), ce.Message)
				}
				if c == zh && !hasHan(ce.Message) {
					t.Errorf("%s: the Chinese message is %q", asJSON(t, b.body), ce.Message)
				}
			}
		}
		ok(t, "refused changes", func() error { _, err := admin.Do(ctx, "GET", "/api/v1/workspace/settings", nil, &st); return err }())
		if st.ResponseTargetSeconds != 120 || len(st.SummaryCategories) != 0 {
			t.Fatalf("a refused change was stored: %+v", st)
		}
		var saved wsSettings
		ok(t, "PUT settings", func() error { _, err := admin.Do(ctx, "PUT", "/api/v1/workspace/settings", good, &saved); return err }())
		ok(t, "GET settings", func() error { _, err := agentClient.Do(ctx, "GET", "/api/v1/workspace/settings", nil, &st); return err }())
		if asJSON(t, saved) != asJSON(t, good) || asJSON(t, st) != asJSON(t, good) {
			t.Fatalf("saved %+v, read %+v, want %+v", saved, st, good)
		}

		contactOf := must[*client.Contact](t, "contact")(admin.CreateContact(ctx, client.ContactInput{Name: ptr("王伟")}))
		open := func() string {
			return must[*client.ConversationCreated](t, "conversation")(admin.CreateConversation(ctx, client.ConversationCreate{
				ContactID: contactOf.ID, Message: &client.MessageCreate{Body: "我的包裹还没到"}})).Conversation.ID
		}
		status := func(id string) string {
			return must[*client.Conversation](t, "get")(admin.GetConversation(ctx, id)).Status
		}
		closeURL := func(id string) string { return "/api/v1/conversations/" + id + "/close" }
		summaryURL := func(id string) string { return "/api/v1/conversations/" + id + "/summary" }

		// Required: a program closing without a body, and a person closing
		// without a category, are refused; nothing changes.
		c1 := open()
		_, err = integration.CloseConversation(ctx, c1)
		ce := wantError(t, "token close without a body", err, 422, "summary_required")
		if ce.Field != "category" || strings.Contains(ce.Message, "err.") {
			t.Errorf("summary_required: field %q, message %q", ce.Field, ce.Message)
		}
		_, err = zh.Do(ctx, "POST", closeURL(c1), map[string]string{"note": "已补发"}, nil)
		ce = wantError(t, "close with a note only", err, 422, "summary_required")
		if !hasHan(ce.Message) {
			t.Errorf("the Chinese message is %q", ce.Message)
		}
		_, err = admin.Do(ctx, "POST", closeURL(c1), map[string]string{"category": "Billing"}, nil)
		ce = wantError(t, "unknown category", err, 422, "unknown_category")
		if ce.Field != "category" || !strings.Contains(ce.Message, "Billing") {
			t.Errorf("unknown_category: field %q, message %q", ce.Field, ce.Message)
		}
		_, err = admin.Do(ctx, "POST", closeURL(c1), map[string]string{"category": "其他 Other", "note": strings.Repeat("长", 2001)}, nil)
		wantError(t, "long note", err, 422, "too_long")
		_, err = admin.Do(ctx, "POST", closeURL(c1), map[string]any{"category": "其他 Other", "resolution": "x"}, nil)
		wantError(t, "unknown field", err, 400, "unknown_field")
		_, err = admin.DoRaw(ctx, "POST", closeURL(c1), "application/json", []byte(`{"category":`), nil)
		wantError(t, "malformed body", err, 400, "malformed_json")
		_, err = admin.DoRaw(ctx, "POST", closeURL(c1), "text/plain", []byte(`category=x`), nil)
		wantError(t, "form body", err, 400, "unsupported_media_type")
		if got := status(c1); got != "open" {
			t.Fatalf("a refused close left the conversation %s", got)
		}
		_, err = admin.Do(ctx, "GET", summaryURL(c1), nil, nil)
		wantError(t, "summary of an open conversation", err, 404, "not_found")

		// With a category (matched regardless of case) and a note: closed,
		// and the summary is there to read, with who wrote it.
		var closed client.Conversation
		ok(t, "close with a summary", func() error {
			_, err := admin.Do(ctx, "POST", closeURL(c1), map[string]string{"category": "物流 SHIPPING", "note": "补发了包裹，单号 SF123。"}, &closed)
			return err
		}())
		if closed.Status != "closed" || status(c1) != "closed" {
			t.Fatalf("closed with a summary: %s / %s", closed.Status, status(c1))
		}
		var sum wsSummary
		ok(t, "GET summary", func() error { _, err := agentClient.Do(ctx, "GET", summaryURL(c1), nil, &sum); return err }())
		if sum.ConversationID != c1 || sum.Category != "物流 Shipping" || sum.Note != "补发了包裹，单号 SF123。" || sum.AgentID != me.User.ID || sum.CreatedAt == "" {
			t.Fatalf("summary %+v", sum)
		}
		// Closing again with a body replaces the summary (a token: no agent).
		ok(t, "replace summary", func() error {
			_, err := integration.Do(ctx, "POST", closeURL(c1), map[string]string{"category": "退换货 Returns"}, nil)
			return err
		}())
		ok(t, "GET summary again", func() error { _, err := admin.Do(ctx, "GET", summaryURL(c1), nil, &sum); return err }())
		if sum.Category != "退换货 Returns" || sum.Note != "" || sum.AgentID != "" {
			t.Fatalf("replaced summary %+v", sum)
		}
		// An empty close of a closed conversation changes nothing.
		ok(t, "empty close of a closed conversation", func() error { _, err := integration.CloseConversation(ctx, c1); return err }())

		// Optional again: an empty body keeps working, and stores no summary.
		good.SummaryRequired = false
		ok(t, "PUT optional", func() error { _, err := admin.Do(ctx, "PUT", "/api/v1/workspace/settings", good, nil); return err }())
		c2 := open()
		if got := must[*client.Conversation](t, "close without a body")(integration.CloseConversation(ctx, c2)); got.Status != "closed" {
			t.Fatalf("close without a body: %s", got.Status)
		}
		_, err = admin.Do(ctx, "GET", summaryURL(c2), nil, nil)
		ce = wantError(t, "summary of a conversation closed without one", err, 404, "not_found")
		if strings.Contains(ce.Message, "err.") || strings.Contains(ce.Message, "workspace.") {
			t.Errorf("untranslated 404: %q", ce.Message)
		}

		// Another tenant: its settings and summaries are its own.
		a := s.App
		tb := must[tenantT](t, "tenant B")(a.Tenants.Create(ctx, "ws-tenant-b", "B"))
		ctB := must[contact.Contact](t, "B contact")(a.Contacts.Create(ctx, tb.ID, contact.Input{Name: ptr("B's customer")}))
		convB, _, err := a.Conversations.Create(ctx, tb.ID, conversation.NewConversation{ContactID: ctB.ID})
		ok(t, "B conversation", err)
		must[workspace.Settings](t, "B settings")(a.Workspace.PutSettings(ctx, tb.ID, workspace.Settings{SummaryCategories: []string{"B secret category"},
			SummaryRequired: true, ResponseTargetSeconds: 30}))
		must[conversation.Conversation](t, "B close")(a.Workspace.Close(ctx, a.Conversations, tb.ID, convB.ID, "", workspace.SummaryInput{
			Category: "B secret category", Note: "B's secret note"}))
		ok(t, "A settings", func() error { _, err := admin.Do(ctx, "GET", "/api/v1/workspace/settings", nil, &st); return err }())
		if st.SummaryRequired || st.ResponseTargetSeconds != 60 || strings.Contains(asJSON(t, st), "B secret") {
			t.Fatalf("A sees %+v", st)
		}
		for _, c := range []*client.Client{admin, integration} {
			_, err = c.Do(ctx, "GET", summaryURL(convB.ID), nil, nil)
			ce = wantError(t, "B's summary", err, 404, "not_found")
			_, err = c.Do(ctx, "POST", closeURL(convB.ID), map[string]string{"category": "物流 Shipping", "note": "overwritten by A"}, nil)
			wantError(t, "A closes B's conversation", err, 404, "not_found")
		}
		if got := must[workspace.Summary](t, "B summary")(a.Workspace.Summary(ctx, tb.ID, convB.ID)); got.Note != "B's secret note" {
			t.Fatalf("B's summary changed: %+v", got)
		}
	})
}
