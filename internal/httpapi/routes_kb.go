package httpapi

import (
	"github.com/switchboard-cs/switchboard/internal/kb"
)

var kbFilterParams = []Param{
	{"language", "only entries in this language (zh, en, …)"},
	{"status", "draft, in_review, published or archived (the working copy's status)"},
	{"category_id", "only entries of this category"},
	{"tag", "only entries with this tag"},
	{"kind", "faq or article"},
}

// kbRoutes are the knowledge-base routes. Reading and searching need read
// access; writing drafts needs write access; approving, rejecting,
// archiving, publishing by import, and changing or deleting what customers
// are served also need a reviewer (see API.actor).
func (a *API) kbRoutes() []Route {
	withPage := func(ps ...[]Param) []Param {
		var out []Param
		for _, p := range ps {
			out = append(out, p...)
		}
		return append(out, pageParams...)
	}
	return []Route{
		{Method: "GET", Path: "/api/v1/kb/categories", Summary: "List the knowledge-base categories in tree order (parents first; at most 1,000)", Tag: "knowledge base", Access: Read, Out: List[kb.Category]{}, Status: 200, handler: a.kbCategories},
		{Method: "POST", Path: "/api/v1/kb/categories", Summary: "Create a category (at the top level, or under parent_id)", Tag: "knowledge base", Access: Write, In: KBCategoryInput{}, Out: kb.Category{}, Status: 201, handler: a.kbCreateCategory},
		{Method: "GET", Path: "/api/v1/kb/categories/{id}", Summary: "Get a category with its path", Tag: "knowledge base", Access: Read, Out: kb.Category{}, Status: 200, handler: oneRoute("kb_category", a.kb.Category)},
		{Method: "PATCH", Path: "/api/v1/kb/categories/{id}", Summary: "Rename, reorder or move a category (never under itself)", Tag: "knowledge base", Access: Write, In: KBCategoryInput{}, Out: kb.Category{}, Status: 200, handler: a.kbUpdateCategory},
		{Method: "DELETE", Path: "/api/v1/kb/categories/{id}", Summary: "Delete an empty category (409 while it has entries or subcategories)", Tag: "knowledge base", Access: Write, Status: 204, handler: deleteRoute("kb_category", a.kb.DeleteCategory)},

		{Method: "GET", Path: "/api/v1/kb/entries", Summary: "List knowledge-base entries (working copies)", Tag: "knowledge base", Access: Read, Out: List[kb.Entry]{}, Status: 200, Query: withPage(kbFilterParams), handler: a.kbListEntries},
		{Method: "POST", Path: "/api/v1/kb/entries", Summary: "Create a FAQ entry or article as a draft", Tag: "knowledge base", Access: Write, In: KBEntryInput{}, Out: kb.Entry{}, Status: 201, handler: a.kbCreateEntry},
		{Method: "GET", Path: "/api/v1/kb/entries/{id}", Summary: "Get an entry's working copy", Tag: "knowledge base", Access: Read, Out: kb.Entry{}, Status: 200, handler: oneRoute("kb_entry", a.kb.Get)},
		{Method: "PATCH", Path: "/api/v1/kb/entries/{id}", Summary: "Edit an entry: a new version, a draft again; a published version stays live until the new one is approved", Tag: "knowledge base", Access: Write, In: KBEntryInput{}, Out: kb.Entry{}, Status: 200, handler: a.kbUpdateEntry},
		{Method: "DELETE", Path: "/api/v1/kb/entries/{id}", Summary: "Delete an entry and its versions (a published one: reviewers only)", Tag: "knowledge base", Access: Write, Status: 204, handler: a.kbDeleteEntry},
		{Method: "POST", Path: "/api/v1/kb/entries/{id}/submit", Summary: "Submit a draft for review", Tag: "knowledge base", Access: Write, Out: kb.Entry{}, Status: 200, handler: a.kbAction(a.kb.Submit)},
		{Method: "POST", Path: "/api/v1/kb/entries/{id}/approve", Summary: "Approve the entry under review: customers get this version (reviewers only)", Tag: "knowledge base", Access: Write, Out: kb.Entry{}, Status: 200, handler: a.kbAction(a.kb.Approve)},
		{Method: "POST", Path: "/api/v1/kb/entries/{id}/reject", Summary: "Send the entry under review back to draft with a comment (reviewers only)", Tag: "knowledge base", Access: Write, In: KBReject{}, Out: kb.Entry{}, Status: 200, handler: a.kbReject},
		{Method: "POST", Path: "/api/v1/kb/entries/{id}/archive", Summary: "Archive an entry: customers get nothing from it (reviewers only)", Tag: "knowledge base", Access: Write, Out: kb.Entry{}, Status: 200, handler: a.kbAction(a.kb.Archive)},
		{Method: "POST", Path: "/api/v1/kb/entries/{id}/unarchive", Summary: "Bring an archived entry back; its published version is live again (reviewers only)", Tag: "knowledge base", Access: Write, Out: kb.Entry{}, Status: 200, handler: a.kbAction(a.kb.Unarchive)},
		{Method: "GET", Path: "/api/v1/kb/entries/{id}/versions", Summary: "List an entry's versions, newest first", Tag: "knowledge base", Access: Read, Out: List[kb.Version]{}, Status: 200, Query: pageParams, handler: a.kbVersions},
		{Method: "GET", Path: "/api/v1/kb/entries/{id}/versions/{version}", Summary: "Get one version of an entry by number", Tag: "knowledge base", Access: Read, Out: kb.Version{}, Status: 200, handler: a.kbVersion},
		{Method: "POST", Path: "/api/v1/kb/entries/{id}/versions/{version}/restore", Summary: "Restore an old version: its content becomes a new draft version", Tag: "knowledge base", Access: Write, Out: kb.Entry{}, Status: 200, handler: a.kbRestore},
		{Method: "GET", Path: "/api/v1/kb/entries/{id}/diff", Summary: "Compare two versions field by field, with line diffs of question, similar questions and answer", Tag: "knowledge base", Access: Read, Out: kb.Diff{}, Status: 200,
			Query: []Param{{"from", "the older version number"}, {"to", "the newer version number"}}, handler: a.kbDiff},
		{Method: "GET", Path: "/api/v1/kb/entries/{id}/translations", Summary: "The entry's translations (its translation group, itself included)", Tag: "knowledge base", Access: Read, Out: List[kb.Entry]{}, Status: 200, handler: a.kbTranslations},
		{Method: "POST", Path: "/api/v1/kb/entries/{id}/translations", Summary: "Link another entry as a translation of this one (one entry per language)", Tag: "knowledge base", Access: Write, In: KBTranslationLink{}, Out: List[kb.Entry]{}, Status: 200, handler: a.kbLinkTranslation},
		{Method: "DELETE", Path: "/api/v1/kb/entries/{id}/translations", Summary: "Take the entry out of its translation group", Tag: "knowledge base", Access: Write, Out: kb.Entry{}, Status: 200, handler: a.kbAction(a.kb.UnlinkTranslation)},

		{Method: "POST", Path: "/api/v1/kb/import", Summary: "Import entries from CSV or JSON Lines (multipart field \"file\", or the raw body with ?format=; ≤ 20 MiB, ≤ 100,000 rows); broken rows are reported by line and the rest imported", Tag: "knowledge base", Access: Write, In: Multipart{}, Out: kb.ImportResult{}, Status: 200,
			Query: []Param{{"format", "csv or jsonl (default: from the file name or content type)"}, {"dry_run", "true: report what would happen and change nothing"},
				{"language", "language of labelled {\"text\",\"label\"} rows (default: detected)"}, {"answer_template", "answer of entries made from labels; {label} is replaced"},
				{"status", "status of entries made from labels that have an answer (default draft)"}}, handler: a.kbImport},
		{Method: "GET", Path: "/api/v1/kb/export", Summary: "Export entries as CSV or JSON Lines, in the import format", Tag: "knowledge base", Access: Read, Status: 200,
			Query: append([]Param{{"format", "csv or jsonl (default jsonl)"}}, kbFilterParams...), handler: a.kbExport},
		{Method: "GET", Path: "/api/v1/kb/search", Summary: "Search entries in Chinese or English, best first, with a snippet", Tag: "knowledge base", Access: Read, Out: List[kb.Hit]{}, Status: 200,
			Query: withPage([]Param{{"q", "the query (≤ 200 characters)"}}, kbFilterParams), handler: a.kbSearch},
	}
}
