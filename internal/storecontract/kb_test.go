package storecontract

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/kb"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// changes records the tenants whose published set was announced as changed.
type changes struct {
	mu  sync.Mutex
	got []string
}

func (c *changes) add(tenantID string) {
	c.mu.Lock()
	c.got = append(c.got, tenantID)
	c.mu.Unlock()
}

func (c *changes) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.got
	c.got = nil
	return out
}

func publishedAnswers(t *testing.T, k *kb.Service, tenantID string, now time.Time) map[string]string {
	t.Helper()
	ps, err := k.Published(ctx, tenantID, now)
	must(t, err)
	out := map[string]string{}
	for _, p := range ps {
		out[p.ID] = p.Answer
	}
	return out
}

func testKnowledgeBase(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	t1, t2 := w.tenant(t, "kb-one"), w.tenant(t, "kb-two")
	var ch changes
	k := kb.New(kb.Options{DB: w.db, Now: w.clock.Now, OnPublishedChange: ch.add})
	agent := kb.Actor{ID: "user:agent"}
	reviewer := kb.Actor{ID: "user:reviewer", Reviewer: true}
	now := w.clock.Now()

	shipping, err := k.CreateCategory(ctx, t1.ID, kb.CategoryInput{Name: ptr("Shipping")})
	must(t, err)
	intl, err := k.CreateCategory(ctx, t1.ID, kb.CategoryInput{Name: ptr("International"), ParentID: &shipping.ID})
	must(t, err)

	t.Run("categories form a tree", func(t *testing.T) {
		if intl.Path != "Shipping/International" {
			t.Fatalf("path %q", intl.Path)
		}
		_, err := k.UpdateCategory(ctx, t1.ID, shipping.ID, kb.CategoryInput{ParentID: &intl.ID})
		wantErr(t, err, apperr.Invalid, "kb_category_cycle", "parent_id")
		_, err = k.CreateCategory(ctx, t1.ID, kb.CategoryInput{Name: ptr("International"), ParentID: &shipping.ID})
		wantErr(t, err, apperr.Conflict, "duplicate", "name")
		_, err = k.CreateCategory(ctx, t1.ID, kb.CategoryInput{Name: ptr("Orphan"), ParentID: ptr(t2.ID)})
		wantErr(t, err, apperr.Invalid, "unknown_reference", "parent_id")
		wantErr(t, k.DeleteCategory(ctx, t1.ID, shipping.ID), apperr.Conflict, "kb_category_not_empty", "")
		all, err := k.Categories(ctx, t1.ID)
		must(t, err)
		if len(all) != 2 || all[0].ID != shipping.ID || all[1].ID != intl.ID {
			t.Fatalf("categories %+v", all)
		}
		_, err = k.Category(ctx, t2.ID, shipping.ID)
		wantNotFound(t, err)
	})

	faq, err := k.Create(ctx, t1.ID, agent, kb.EntryInput{Question: ptr("How do I get a refund?"),
		Similar: []string{"refund please", "I want my money back"}, Answer: ptr("Open **Orders** and press Refund.<script>steal()</script>"),
		CategoryID: &intl.ID, Tags: []string{" Refunds ", "REFUNDS", "Payments"}, Note: "first draft"})
	must(t, err)

	t.Run("a new entry is a sanitised draft", func(t *testing.T) {
		if faq.Status != kb.StatusDraft || faq.Version != 1 || faq.PublishedVersion != 0 || faq.Language != "en" || faq.Kind != kb.KindFAQ {
			t.Fatalf("entry %+v", faq)
		}
		if strings.Contains(faq.AnswerHTML, "script") || !strings.Contains(faq.AnswerHTML, "<strong>Orders</strong>") {
			t.Fatalf("answer html %q", faq.AnswerHTML)
		}
		if !slices.Equal(faq.Tags, []string{"refunds", "payments"}) || faq.CategoryPath != "Shipping/International" {
			t.Fatalf("tags %v, category %q", faq.Tags, faq.CategoryPath)
		}
		if len(publishedAnswers(t, k, t1.ID, now)) != 0 {
			t.Fatal("a draft is served")
		}
	})

	t.Run("only a reviewer publishes", func(t *testing.T) {
		_, err := k.Approve(ctx, t1.ID, reviewer, faq.ID)
		wantErr(t, err, apperr.Conflict, "kb_wrong_status", "status")
		_, err = k.Submit(ctx, t1.ID, agent, faq.ID)
		must(t, err)
		_, err = k.Approve(ctx, t1.ID, agent, faq.ID)
		wantErr(t, err, apperr.Forbidden, "kb_review_required", "")
		if got := ch.take(); len(got) != 0 {
			t.Fatalf("announced %v before anything was published", got)
		}
		e, err := k.Approve(ctx, t1.ID, reviewer, faq.ID)
		must(t, err)
		if e.Status != kb.StatusPublished || e.PublishedVersion != 1 {
			t.Fatalf("approved entry %+v", e)
		}
		if got := ch.take(); !slices.Equal(got, []string{t1.ID}) {
			t.Fatalf("announced %v, want tenant one once", got)
		}
		v, err := k.PublishedVersion(ctx, t1.ID)
		must(t, err)
		v2, err := k.PublishedVersion(ctx, t2.ID)
		must(t, err)
		if v != 1 || v2 != 0 {
			t.Fatalf("published versions %d and %d", v, v2)
		}
		ps, err := k.Published(ctx, t1.ID, now)
		must(t, err)
		if len(ps) != 1 || ps[0].CategoryPath != "Shipping/International" || ps[0].Version != 1 ||
			!strings.Contains(ps[0].AnswerText, "Open Orders and press Refund.") || len(ps[0].Similar) != 2 {
			t.Fatalf("published %+v", ps)
		}
	})

	t.Run("editing keeps the approved answer live until approval", func(t *testing.T) {
		e, err := k.Update(ctx, t1.ID, agent, faq.ID, kb.EntryInput{Answer: ptr("Go to **Orders** → Refund."), Note: "shorter"})
		must(t, err)
		if e.Status != kb.StatusDraft || e.Version != 2 || e.PublishedVersion != 1 || !e.Live() {
			t.Fatalf("edited entry %+v", e)
		}
		if got := publishedAnswers(t, k, t1.ID, now)[faq.ID]; !strings.HasPrefix(got, "Open **Orders**") {
			t.Fatalf("served %q while the edit is a draft", got)
		}
		_, err = k.Submit(ctx, t1.ID, agent, faq.ID)
		must(t, err)
		e, err = k.Reject(ctx, t1.ID, reviewer, faq.ID, "Say where Orders is")
		must(t, err)
		if e.Status != kb.StatusDraft || e.ReviewComment != "Say where Orders is" || e.PublishedVersion != 1 {
			t.Fatalf("rejected entry %+v", e)
		}
		_, err = k.Submit(ctx, t1.ID, agent, faq.ID)
		must(t, err)
		_, err = k.Approve(ctx, t1.ID, reviewer, faq.ID)
		must(t, err)
		if got := publishedAnswers(t, k, t1.ID, now)[faq.ID]; got != "Go to **Orders** → Refund." {
			t.Fatalf("served %q after approval", got)
		}
		if same, err := k.Update(ctx, t1.ID, agent, faq.ID, kb.EntryInput{Answer: ptr("Go to **Orders** → Refund.")}); err != nil || same.Version != 2 {
			t.Fatalf("an edit that changes nothing made version %d (%v)", same.Version, err)
		}
		ch.take()
	})

	t.Run("versions, diff and restore", func(t *testing.T) {
		vs, next, err := k.Versions(ctx, t1.ID, faq.ID, store.Page{Limit: 1})
		must(t, err)
		if len(vs) != 1 || vs[0].Version != 2 || vs[0].Note != "shorter" || vs[0].Author != "user:agent" || next == "" {
			t.Fatalf("first page %+v next %q", vs, next)
		}
		after, _ := store.DecodeCursor(next)
		vs, next, err = k.Versions(ctx, t1.ID, faq.ID, store.Page{Limit: 1, After: after})
		must(t, err)
		if len(vs) != 1 || vs[0].Version != 1 || vs[0].Note != "first draft" || next != "" {
			t.Fatalf("second page %+v next %q", vs, next)
		}
		d, err := k.DiffVersions(ctx, t1.ID, faq.ID, 1, 2)
		must(t, err)
		if len(d.Changes) != 1 || d.Changes[0].Field != "answer" || len(d.Text) != 1 || d.Text[0].Lines[0].Op != "-" {
			t.Fatalf("diff %+v", d)
		}
		_, err = k.GetVersion(ctx, t1.ID, faq.ID, 9)
		wantNotFound(t, err)
		e, err := k.Restore(ctx, t1.ID, agent, faq.ID, 1)
		must(t, err)
		if e.Version != 3 || e.Status != kb.StatusDraft || !strings.HasPrefix(e.Answer, "Open **Orders**") || e.PublishedVersion != 2 {
			t.Fatalf("restored %+v", e)
		}
		if got := publishedAnswers(t, k, t1.ID, now)[faq.ID]; got != "Go to **Orders** → Refund." {
			t.Fatalf("a restore went live without review: %q", got)
		}
		if len(ch.take()) != 0 {
			t.Fatal("a restore announced a published change")
		}
	})

	t.Run("validity dates", func(t *testing.T) {
		until := now.Add(24 * time.Hour).Format(time.RFC3339)
		_, err := k.Update(ctx, t1.ID, agent, faq.ID, kb.EntryInput{ValidUntil: &until})
		wantErr(t, err, apperr.Forbidden, "kb_review_required", "")
		_, err = k.Update(ctx, t1.ID, reviewer, faq.ID, kb.EntryInput{ValidUntil: &until})
		must(t, err)
		if got := ch.take(); len(got) != 1 {
			t.Fatalf("a validity change announced %v", got)
		}
		if len(publishedAnswers(t, k, t1.ID, now)) != 1 || len(publishedAnswers(t, k, t1.ID, now.Add(25*time.Hour))) != 0 {
			t.Fatal("valid_until is not respected")
		}
		_, err = k.Update(ctx, t1.ID, reviewer, faq.ID, kb.EntryInput{ValidFrom: ptr(until), ValidUntil: ptr(now.Format(time.RFC3339))})
		wantErr(t, err, apperr.Invalid, "kb_invalid_period", "valid_until")
		_, err = k.Update(ctx, t1.ID, reviewer, faq.ID, kb.EntryInput{ValidUntil: ptr("")})
		must(t, err)
		ch.take()
	})

	t.Run("archive and unarchive", func(t *testing.T) {
		_, err := k.Archive(ctx, t1.ID, agent, faq.ID)
		wantErr(t, err, apperr.Forbidden, "kb_review_required", "")
		e, err := k.Archive(ctx, t1.ID, reviewer, faq.ID)
		must(t, err)
		if e.Status != kb.StatusArchived || len(publishedAnswers(t, k, t1.ID, now)) != 0 {
			t.Fatalf("archived entry still served: %+v", e)
		}
		_, err = k.Update(ctx, t1.ID, agent, faq.ID, kb.EntryInput{Answer: ptr("x")})
		wantErr(t, err, apperr.Conflict, "kb_wrong_status", "status")
		e, err = k.Unarchive(ctx, t1.ID, reviewer, faq.ID)
		must(t, err)
		if e.Status != kb.StatusDraft || len(publishedAnswers(t, k, t1.ID, now)) != 1 {
			t.Fatalf("unarchived %+v", e)
		}
		if got := ch.take(); len(got) != 2 {
			t.Fatalf("archive and unarchive announced %v", got)
		}
	})

	zh, err := k.Create(ctx, t1.ID, agent, kb.EntryInput{Question: ptr("怎么申请退款？"), Similar: []string{"我要退钱"},
		Answer: ptr("在“我的订单”里点击**退款**，7 天内到账。"), TranslationOf: faq.ID})
	must(t, err)

	t.Run("translations", func(t *testing.T) {
		if zh.Language != "zh" || zh.TranslationGroup != faq.TranslationGroup {
			t.Fatalf("translation %+v", zh)
		}
		_, err := k.Create(ctx, t1.ID, agent, kb.EntryInput{Question: ptr("退款多久到账"), Language: ptr("zh"), TranslationOf: faq.ID})
		wantErr(t, err, apperr.Conflict, "kb_translation_exists", "language")
		group, err := k.Translations(ctx, t1.ID, faq.ID)
		must(t, err)
		if len(group) != 2 || group[0].Language != "en" || group[1].Language != "zh" {
			t.Fatalf("group %+v", group)
		}
		alone, err := k.UnlinkTranslation(ctx, t1.ID, agent, zh.ID)
		must(t, err)
		if alone.TranslationGroup == faq.TranslationGroup {
			t.Fatal("unlinked entry still in the group")
		}
		group, err = k.LinkTranslation(ctx, t1.ID, agent, faq.ID, zh.ID)
		must(t, err)
		if len(group) != 2 {
			t.Fatalf("relinked group %+v", group)
		}
		_, err = k.LinkTranslation(ctx, t2.ID, agent, zh.ID, faq.ID)
		wantNotFound(t, err)
	})

	t.Run("search in English and Chinese", func(t *testing.T) {
		hits, _, err := k.Search(ctx, t1.ID, "refunds", kb.Filter{}, store.Page{})
		must(t, err)
		if len(hits) == 0 || hits[0].Entry.ID != faq.ID || hits[0].Snippet == "" {
			t.Fatalf("English search: %+v", hits)
		}
		hits, _, err = k.Search(ctx, t1.ID, "退款", kb.Filter{}, store.Page{})
		must(t, err)
		if len(hits) != 1 || hits[0].Entry.ID != zh.ID || !strings.Contains(hits[0].Snippet, "退款") {
			t.Fatalf("Chinese search: %+v", hits)
		}
		hits, _, err = k.Search(ctx, t1.ID, "退钱", kb.Filter{Language: "zh"}, store.Page{})
		must(t, err)
		if len(hits) != 1 || hits[0].Entry.ID != zh.ID {
			t.Fatalf("a similar question is searched: %+v", hits)
		}
		hits, _, err = k.Search(ctx, t1.ID, "refund", kb.Filter{Language: "zh"}, store.Page{})
		must(t, err)
		if len(hits) != 0 {
			t.Fatalf("the language filter lets through %+v", hits)
		}
		hits, _, err = k.Search(ctx, t1.ID, "refund jacket", kb.Filter{}, store.Page{})
		must(t, err)
		if len(hits) != 1 || hits[0].Entry.ID != faq.ID {
			t.Fatalf("with no entry having every word, entries with any word are found: %+v", hits)
		}
		hits, _, err = k.Search(ctx, t1.ID, "payments", kb.Filter{Tag: "Payments"}, store.Page{})
		must(t, err)
		if len(hits) != 1 {
			t.Fatalf("tag search %+v", hits)
		}
		hits, _, err = k.Search(ctx, t2.ID, "refund", kb.Filter{}, store.Page{})
		must(t, err)
		if len(hits) != 0 {
			t.Fatalf("tenant two finds tenant one's entries: %+v", hits)
		}
		_, _, err = k.Search(ctx, t1.ID, "  ", kb.Filter{}, store.Page{})
		wantErr(t, err, apperr.Invalid, "required", "q")
	})

	t.Run("import and export round trip", func(t *testing.T) {
		file := "kind,language,category,question,similar,answer,tags,status\n" +
			"faq,en,Shipping/International,Do you ship to Canada?,\"ship to canada\nCanada delivery\",Yes — 7 days.,shipping,draft\n" +
			"faq,en,Returns,How do I get a refund?,,dup of an existing entry,,draft\n" +
			"faq,en,Returns,,,,,\n" +
			"article,zh,指南/退货,退货指南,,\"# 退货\n\n<a href=\"\"javascript:x()\"\">点我</a>\",指南,published\n"
		plan, err := kb.ParseImport(strings.NewReader(file), kb.FormatCSV, kb.ImportOptions{})
		must(t, err)
		_, err = k.Import(ctx, t1.ID, agent, plan, false)
		wantErr(t, err, apperr.Forbidden, "kb_review_required", "")
		dry, err := k.Import(ctx, t1.ID, reviewer, plan, true)
		must(t, err)
		before, _, err := k.List(ctx, t1.ID, kb.Filter{}, store.Page{})
		must(t, err)
		if dry.Created != 2 || len(before) != 2 {
			t.Fatalf("dry run %+v changed the knowledge base to %d entries", dry, len(before))
		}
		res, err := k.Import(ctx, t1.ID, reviewer, plan, false)
		must(t, err)
		if res.Created != 2 || res.Live != 1 || len(res.Duplicates) != 1 || res.Duplicates[0].Row != 4 ||
			len(res.Errors) != 1 || res.Errors[0].Row != 5 { // rows are line numbers; the first row spans lines 2–3
			t.Fatalf("import %+v", res)
		}
		if got := ch.take(); len(got) != 1 {
			t.Fatalf("an import that publishes announced %v", got)
		}
		all, _, err := k.List(ctx, t1.ID, kb.Filter{}, store.Page{})
		must(t, err)
		paths := map[string]string{}
		for _, e := range all {
			paths[e.Question] = e.CategoryPath
			if strings.Contains(e.AnswerHTML, "javascript") {
				t.Fatalf("imported answer not sanitised: %q", e.AnswerHTML)
			}
		}
		if paths["Do you ship to Canada?"] != "Shipping/International" || paths["退货指南"] != "指南/退货" {
			t.Fatalf("category paths %v", paths)
		}
		for _, format := range []string{kb.FormatCSV, kb.FormatJSONL} {
			var out bytes.Buffer
			must(t, k.Export(ctx, t1.ID, &out, format, kb.Filter{}))
			back, err := kb.ParseImport(&out, format, kb.ImportOptions{})
			must(t, err)
			if len(back.Errors) != 0 || len(back.Entries) != len(all) {
				t.Fatalf("%s round trip: %d entries, errors %+v; want %d", format, len(back.Entries), back.Errors, len(all))
			}
			byQ := map[string]kb.Entry{}
			for _, e := range all {
				byQ[e.Question] = e
			}
			for _, ie := range back.Entries {
				orig := byQ[ie.Content.Question]
				if orig.ID == "" || ie.Category != orig.CategoryPath || ie.Status != orig.Status || ie.Content.Answer != orig.Answer ||
					!slices.Equal(ie.Content.Similar, orig.Similar) || !slices.Equal(ie.Content.Tags, orig.Tags) || ie.Content.Kind != orig.Kind ||
					ie.Content.Language != orig.Language {
					t.Fatalf("%s round trip changed %q:\n%+v\nwas %+v", format, ie.Content.Question, ie, orig)
				}
			}
		}
	})

	t.Run("deleting a live entry needs a reviewer", func(t *testing.T) {
		wantErr(t, k.Delete(ctx, t1.ID, agent, faq.ID), apperr.Forbidden, "kb_review_required", "")
		wantNotFound(t, k.Delete(ctx, t2.ID, reviewer, faq.ID))
		must(t, k.Delete(ctx, t1.ID, reviewer, faq.ID))
		if _, ok := publishedAnswers(t, k, t1.ID, now)[faq.ID]; ok {
			t.Fatal("a deleted entry is served")
		}
		if got := ch.take(); len(got) != 1 {
			t.Fatalf("deleting a live entry announced %v", got)
		}
		hits, _, err := k.Search(ctx, t1.ID, "refund", kb.Filter{Language: "en"}, store.Page{})
		must(t, err)
		for _, h := range hits {
			if h.Entry.ID == faq.ID {
				t.Fatal("a deleted entry is still found")
			}
		}
	})
}

func testReviewPermission(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	tn := w.tenant(t, "perm")
	agent := w.user(t, tn.ID, "agent@example.com", "agent")
	if len(agent.Permissions) != 0 || agent.Has("kb_review") {
		t.Fatalf("a new agent has permissions %v", agent.Permissions)
	}
	u, err := w.accounts.UpdateUser(ctx, tn.ID, agent.ID, account.UserPatch{Permissions: []account.Permission{"kb_review", "kb_review"}})
	must(t, err)
	got, err := w.accounts.GetUser(ctx, tn.ID, agent.ID)
	must(t, err)
	if !slices.Equal(u.Permissions, []account.Permission{account.PermKBReview}) || !got.Has(account.PermKBReview) {
		t.Fatalf("granted %v, stored %v", u.Permissions, got.Permissions)
	}
	_, err = w.accounts.UpdateUser(ctx, tn.ID, agent.ID, account.UserPatch{Permissions: []account.Permission{"root"}})
	wantErr(t, err, apperr.Invalid, "invalid_permission", "permissions")
	_, err = w.accounts.UpdateUser(ctx, tn.ID, agent.ID, account.UserPatch{Name: ptr("Renamed")})
	must(t, err)
	got, err = w.accounts.GetUser(ctx, tn.ID, agent.ID)
	must(t, err)
	if !got.Has(account.PermKBReview) {
		t.Fatal("a change of name dropped the permission")
	}
	_, err = w.accounts.UpdateUser(ctx, tn.ID, agent.ID, account.UserPatch{Permissions: []account.Permission{}})
	must(t, err)
	got, err = w.accounts.GetUser(ctx, tn.ID, agent.ID)
	must(t, err)
	if got.Has(account.PermKBReview) {
		t.Fatal("the permission was not taken back")
	}
}
