package apitest

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// kbAgent creates an agent who can sign in at once and returns their client.
func kbAgent(t *testing.T, s *Server, admin *client.Client, email string, opts ...client.Option) (*client.Client, *client.User) {
	t.Helper()
	const pw = "knowledge agent passphrase"
	u := must[*client.User](t, "create agent")(admin.CreateUser(context.Background(), client.UserCreate{Email: email, Name: "Agent " + email,
		Role: client.RoleAgent, Password: pw, MustChangePassword: ptr(false)}))
	c, _ := s.Login(t, email, pw, opts...)
	return c, u
}

// TestKnowledgeBaseWorkflow follows an entry from draft to published the way
// people do it, with the reviewer rules.
func TestKnowledgeBaseWorkflow(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		admin := s.Admin(t)
		agent, agentUser := kbAgent(t, s, admin, "writer@example.com")
		readToken, _ := s.TokenClient(t, admin, client.ScopeRead)
		writeToken, _ := s.TokenClient(t, admin, client.ScopeWrite)
		adminToken, _ := s.TokenClient(t, admin, client.ScopeAdmin)

		cat := must[*client.KBCategory](t, "category")(agent.CreateKBCategory(ctx, client.KBCategoryInput{Name: ptr("Returns")}))
		entry := must[*client.KBEntry](t, "create")(agent.CreateKBEntry(ctx, client.KBEntryInput{
			Question: ptr("How do I return an item?"), Similar: []string{"return policy", "send it back"},
			Answer:     ptr("Open **Orders**, choose the item and press *Return*.\n\n<img src=x onerror=alert(1)><script>alert(2)</script>[more](javascript:alert(3))"),
			CategoryID: &cat.ID, Tags: []string{"Returns"},
			Buttons: []client.KBButton{{Label: "Start a return", URL: "https://shop.example.com/returns"}, {Label: "Talk to us", Text: "I need help with a return"}},
		}))
		if entry.Status != client.KBDraft || entry.Version != 1 || entry.CategoryPath != "Returns" || entry.Language != "en" {
			t.Fatalf("new entry %+v", entry)
		}
		for _, bad := range []string{"<script", "onerror", "javascript:"} {
			if strings.Contains(entry.AnswerHTML, bad) {
				t.Fatalf("the answer HTML keeps %q: %s", bad, entry.AnswerHTML)
			}
		}
		if !strings.Contains(entry.AnswerHTML, "<strong>Orders</strong>") || !strings.Contains(entry.AnswerText, "Open Orders, choose the item") {
			t.Fatalf("answer rendered as %q / %q", entry.AnswerHTML, entry.AnswerText)
		}

		_, err := readToken.CreateKBEntry(ctx, client.KBEntryInput{Question: ptr("read tokens cannot write")})
		wantError(t, "a read token creates an entry", err, http.StatusForbidden, "forbidden")
		_, err = agent.KBAction(ctx, entry.ID, "approve")
		wantError(t, "approving a draft", err, http.StatusForbidden, "kb_review_required")
		must[*client.KBEntry](t, "submit")(agent.KBAction(ctx, entry.ID, "submit"))
		_, err = agent.KBAction(ctx, entry.ID, "submit")
		wantError(t, "submitting twice", err, http.StatusConflict, "kb_wrong_status")
		_, err = agent.KBAction(ctx, entry.ID, "approve")
		wantError(t, "an agent approves", err, http.StatusForbidden, "kb_review_required")
		_, err = writeToken.KBAction(ctx, entry.ID, "approve")
		wantError(t, "a write token approves", err, http.StatusForbidden, "kb_review_required")
		zhAgent := s.Client(client.WithAcceptLanguage("zh-CN"))
		_, err = zhAgent.Login(ctx, client.LoginRequest{Email: agentUser.Email, Password: "knowledge agent passphrase"})
		ok(t, "login", err)
		_, err = zhAgent.RejectKBEntry(ctx, entry.ID, "no")
		if e := wantError(t, "an agent rejects", err, http.StatusForbidden, "kb_review_required"); !hasHan(e.Message) {
			t.Errorf("the message is not in Chinese: %q", e.Message)
		}

		// A reviewer permission makes the agent a reviewer.
		granted := must[*client.User](t, "grant")(admin.UpdateUser(ctx, agentUser.ID, client.UserUpdate{Permissions: &[]string{client.PermKBReview}}))
		if len(granted.Permissions) != 1 || granted.Permissions[0] != client.PermKBReview {
			t.Fatalf("permissions %v", granted.Permissions)
		}
		_, err = agent.UpdateUser(ctx, agentUser.ID, client.UserUpdate{Permissions: &[]string{}})
		wantError(t, "an agent changes permissions", err, http.StatusForbidden, "forbidden")
		_, err = admin.UpdateUser(ctx, agentUser.ID, client.UserUpdate{Permissions: &[]string{"superuser"}})
		wantError(t, "an unknown permission", err, http.StatusUnprocessableEntity, "invalid_permission")
		live := must[*client.KBEntry](t, "approve")(agent.KBAction(ctx, entry.ID, "approve"))
		if live.Status != client.KBPublished || live.PublishedVersion != 1 {
			t.Fatalf("approved %+v", live)
		}
		pub, err := s.App.KB.Published(ctx, tenantOfMe(t, admin), s.Clock.Now())
		ok(t, "published", err)
		if len(pub) != 1 || pub[0].Version != 1 || len(pub[0].Buttons) != 2 {
			t.Fatalf("published %+v", pub)
		}

		// An edit waits for review while version 1 stays live.
		edited := must[*client.KBEntry](t, "edit")(agent.UpdateKBEntry(ctx, entry.ID, client.KBEntryInput{
			Answer: ptr("Open **Orders** and press *Return*. Returns are free."), Note: "free returns"}))
		if edited.Status != client.KBDraft || edited.Version != 2 || edited.PublishedVersion != 1 {
			t.Fatalf("edited %+v", edited)
		}
		pub, err = s.App.KB.Published(ctx, tenantOfMe(t, admin), s.Clock.Now())
		ok(t, "published", err)
		if len(pub) != 1 || strings.Contains(pub[0].Answer, "free") {
			t.Fatalf("the unapproved edit is served: %+v", pub)
		}
		must[*client.KBEntry](t, "submit edit")(agent.KBAction(ctx, entry.ID, "submit"))
		rejected := must[*client.KBEntry](t, "reject")(adminToken.RejectKBEntry(ctx, entry.ID, "Mention the 30-day limit"))
		if rejected.Status != client.KBDraft || rejected.ReviewComment != "Mention the 30-day limit" {
			t.Fatalf("rejected %+v", rejected)
		}

		// Versions, diff and restore.
		vs, _, err := readToken.KBVersions(ctx, entry.ID, client.ListOptions{})
		ok(t, "versions", err)
		if len(vs) != 2 || vs[0].Version != 2 || vs[0].Note != "free returns" || vs[1].Version != 1 {
			t.Fatalf("versions %+v", vs)
		}
		d := must[*client.KBDiff](t, "diff")(readToken.DiffKBVersions(ctx, entry.ID, 1, 2))
		if len(d.Changes) != 1 || d.Changes[0].Field != "answer" || len(d.Text) != 1 {
			t.Fatalf("diff %+v", d)
		}
		restored := must[*client.KBEntry](t, "restore")(agent.RestoreKBVersion(ctx, entry.ID, 1))
		if restored.Version != 3 || restored.Status != client.KBDraft || strings.Contains(restored.Answer, "free") {
			t.Fatalf("restored %+v", restored)
		}
		_, err = agent.KBVersion(ctx, entry.ID, 42)
		wantError(t, "a version that does not exist", err, http.StatusNotFound, "not_found")

		// Archiving and deleting what customers see need a reviewer.
		plain, _ := kbAgent(t, s, admin, "plain@example.com")
		_, err = plain.KBAction(ctx, entry.ID, "archive")
		wantError(t, "an agent archives", err, http.StatusForbidden, "kb_review_required")
		err = plain.DeleteKBEntry(ctx, entry.ID)
		wantError(t, "an agent deletes a published entry", err, http.StatusForbidden, "kb_review_required")
		archived := must[*client.KBEntry](t, "archive")(agent.KBAction(ctx, entry.ID, "archive"))
		if archived.Status != client.KBArchived {
			t.Fatalf("archived %+v", archived)
		}
		if pub, _ := s.App.KB.Published(ctx, tenantOfMe(t, admin), s.Clock.Now()); len(pub) != 0 {
			t.Fatalf("an archived entry is served: %+v", pub)
		}
		ok(t, "delete", agent.DeleteKBEntry(ctx, entry.ID))
		_, err = agent.GetKBEntry(ctx, entry.ID)
		wantError(t, "a deleted entry", err, http.StatusNotFound, "not_found")
		err = agent.DeleteKBCategory(ctx, cat.ID)
		ok(t, "delete the emptied category", err)
	})
}

func tenantOfMe(t *testing.T, c *client.Client) string {
	t.Helper()
	me := must[*client.Me](t, "me")(c.Me(t.Context()))
	return me.Tenant.ID
}

// TestKnowledgeBaseImportSearch imports a file with broken rows, searches
// it in both languages and exports it back.
func TestKnowledgeBaseImportSearch(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		admin := s.Admin(t)
		agent, _ := kbAgent(t, s, admin, "importer@example.com", client.WithAcceptLanguage("zh-CN"))

		file := "\uFEFFkind,language,category,question,similar,answer,tags,status\n" +
			"faq,zh,配送/国际,国际运费怎么算？,\"海外运费\n寄到国外要多少钱\",按重量计费，详见[运费表](https://shop.example.com/shipping)。,运费,draft\n" +
			"faq,en,Shipping,How much is international shipping?,overseas shipping cost,Priced by weight.<script>x()</script>,shipping,draft\n" +
			"faq,en,Shipping,,,no question here,,draft\n" +
			"faq,en,Shipping,How much is international shipping,,the same question again,,draft\n" +
			"bogus,en,,Kind is wrong,,,,draft\n"
		dry := must[*client.KBImportResult](t, "dry run")(agent.ImportKB(ctx, []byte(file), client.KBImportOptions{Format: "csv", DryRun: true}))
		if !dry.DryRun || dry.Created != 2 || len(dry.Errors) != 3 {
			t.Fatalf("dry run %+v", dry)
		}
		if list, _, _ := agent.ListKBEntries(ctx, client.KBFilter{}, client.ListOptions{}); len(list) != 0 {
			t.Fatalf("a dry run stored %d entries", len(list))
		}
		res := must[*client.KBImportResult](t, "import")(agent.ImportKB(ctx, []byte(file), client.KBImportOptions{Format: "csv"}))
		wantRows := []int{5, 6, 7} // line numbers; the first entry spans lines 2–3
		if res.Created != 2 || len(res.Errors) != len(wantRows) {
			t.Fatalf("import %+v", res)
		}
		for i, re := range res.Errors {
			if re.Row != wantRows[i] || !hasHan(re.Message) {
				t.Errorf("row error %+v, want row %d with a Chinese message", re, wantRows[i])
			}
		}
		if res.Errors[1].Code != "kb_duplicate_row" || res.Errors[2].Field != "kind" {
			t.Errorf("row errors %+v", res.Errors)
		}
		_, err := agent.ImportKB(ctx, []byte(file), client.KBImportOptions{Format: "csv", DryRun: true})
		ok(t, "import again", err)
		again := must[*client.KBImportResult](t, "import again")(agent.ImportKB(ctx, []byte(file), client.KBImportOptions{Format: "csv"}))
		if again.Created != 0 || len(again.Duplicates) != 2 {
			t.Fatalf("importing the same file twice: %+v", again)
		}
		_, err = agent.ImportKB(ctx, []byte(`{"question":"x","status":"published"}`), client.KBImportOptions{Format: "jsonl"})
		wantError(t, "an agent imports published entries", err, http.StatusForbidden, "kb_review_required")
		_, err = agent.ImportKB(ctx, []byte("answer\nx\n"), client.KBImportOptions{Format: "csv"})
		wantError(t, "a header without question", err, http.StatusUnprocessableEntity, "kb_import_header")

		labelled := `{"text":"where is my parcel","label":"track_order"}
{"text":"track my order","label":"track_order"}
{"text":"what is the meaning of life","label":"oos"}`
		lr := must[*client.KBImportResult](t, "labelled")(admin.ImportKB(ctx, []byte(labelled), client.KBImportOptions{Format: "jsonl",
			AnswerTemplate: "See {label} in your account.", Status: client.KBPublished}))
		if lr.Created != 1 || lr.Published != 1 || len(lr.Declines) != 1 || lr.Declines[0] != "what is the meaning of life" {
			t.Fatalf("labelled import %+v", lr)
		}

		hits, _, err := agent.SearchKB(ctx, "国际运费", client.KBFilter{}, client.ListOptions{})
		ok(t, "search zh", err)
		if len(hits) == 0 || hits[0].Entry.Language != "zh" || hits[0].Entry.CategoryPath != "配送/国际" || hits[0].Snippet == "" {
			t.Fatalf("Chinese search %+v", hits)
		}
		hits, _, err = agent.SearchKB(ctx, "shipping costs overseas", client.KBFilter{Language: "en"}, client.ListOptions{})
		ok(t, "search en", err)
		if len(hits) != 1 || hits[0].Entry.Question != "How much is international shipping?" || strings.Contains(hits[0].Entry.AnswerHTML, "script") {
			t.Fatalf("English search %+v", hits)
		}
		hits, _, err = agent.SearchKB(ctx, "parcel", client.KBFilter{Status: client.KBPublished}, client.ListOptions{})
		ok(t, "search published", err)
		if len(hits) != 1 || hits[0].Entry.Key != "track_order" {
			t.Fatalf("search of published entries %+v", hits)
		}
		_, _, err = agent.SearchKB(ctx, "x", client.KBFilter{Status: "live"}, client.ListOptions{})
		wantError(t, "a bad status filter", err, http.StatusUnprocessableEntity, "kb_invalid_status")

		csvOut := must[[]byte](t, "export")(agent.ExportKB(ctx, "csv", client.KBFilter{}))
		if !bytes.HasPrefix(csvOut, []byte("\uFEFFkind,language,category,key,question,similar,answer,tags,status")) ||
			!strings.Contains(string(csvOut), "国际运费怎么算？") {
			t.Fatalf("CSV export:\n%s", csvOut)
		}
		back := must[*client.KBImportResult](t, "re-import")(admin.ImportKB(ctx, csvOut, client.KBImportOptions{Format: "csv", DryRun: true}))
		if len(back.Errors) != 0 || len(back.Duplicates) != 3 || back.Created != 0 {
			t.Fatalf("the export read back: %+v", back)
		}
	})
}
