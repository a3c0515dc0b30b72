package httpapi

import (
	"bufio"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/kb"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

var pageOfOne = store.Page{Limit: 1}

// KBCategoryInput creates a category or changes one; absent fields stay as
// they are, and "" as parent_id moves a category to the top level.
type KBCategoryInput struct {
	ParentID *string `json:"parent_id,omitempty"`
	Name     *string `json:"name,omitempty"`
	Position *int    `json:"position,omitempty"`
}

// KBEntryInput creates a knowledge-base entry or changes one. In a change,
// absent fields stay as they are and a list given (even empty) replaces the
// old one. question is a FAQ's standard question or an article's title;
// answer is Markdown. valid_from and valid_until are RFC 3339 times ("" to
// remove). translation_of (create only) makes the entry a translation of
// another one.
type KBEntryInput struct {
	Kind          *string     `json:"kind,omitempty"`
	Language      *string     `json:"language,omitempty"`
	CategoryID    *string     `json:"category_id,omitempty"`
	Key           *string     `json:"key,omitempty"`
	Question      *string     `json:"question,omitempty"`
	Similar       []string    `json:"similar,omitempty"`
	Answer        *string     `json:"answer,omitempty"`
	Buttons       []kb.Button `json:"buttons,omitempty"`
	Links         []kb.Link   `json:"links,omitempty"`
	Tags          []string    `json:"tags,omitempty"`
	ValidFrom     *string     `json:"valid_from,omitempty"`
	ValidUntil    *string     `json:"valid_until,omitempty"`
	Note          string      `json:"note,omitempty"`
	TranslationOf string      `json:"translation_of,omitempty"`
}

func (in KBEntryInput) domain() kb.EntryInput {
	out := kb.EntryInput{Language: in.Language, CategoryID: in.CategoryID, Key: in.Key, Question: in.Question,
		Similar: in.Similar, Answer: in.Answer, Buttons: in.Buttons, Links: in.Links, Tags: in.Tags,
		ValidFrom: in.ValidFrom, ValidUntil: in.ValidUntil, Note: in.Note, TranslationOf: in.TranslationOf}
	if in.Kind != nil {
		k := kb.Kind(*in.Kind)
		out.Kind = &k
	}
	return out
}

// KBReject sends an entry under review back to its author.
type KBReject struct {
	Comment string `json:"comment"`
}

// KBTranslationLink names the entry to link as a translation.
type KBTranslationLink struct {
	EntryID string `json:"entry_id"`
}

// actor is the caller as a knowledge-base author, and whether they may
// review: administrators and supervisors, agents granted kb_review, and API
// tokens with the admin scope.
func (a *API) actor(r *http.Request) (kb.Actor, error) {
	p := principal(r.Context())
	if p.IsToken() {
		return kb.Actor{ID: "token:" + p.TokenID, Reviewer: p.Scope == auth.ScopeAdmin}, nil
	}
	act := kb.Actor{ID: "user:" + p.UserID, Reviewer: p.Role.AtLeast(account.RoleSupervisor)}
	if !act.Reviewer {
		u, err := a.accounts.GetUser(r.Context(), p.TenantID, p.UserID)
		if err != nil {
			return act, err
		}
		act.Reviewer = u.Has(account.PermKBReview)
	}
	return act, nil
}

func kbFilter(r *http.Request) (kb.Filter, error) {
	qv := r.URL.Query()
	f := kb.Filter{Language: strings.ToLower(qv.Get("language")), Status: kb.Status(qv.Get("status")),
		CategoryID: qv.Get("category_id"), Tag: qv.Get("tag"), Kind: kb.Kind(qv.Get("kind"))}
	if f.CategoryID != "" && !id.Valid(f.CategoryID) {
		return f, apperr.Invalidf("category_id", "invalid_id")
	}
	return f, nil
}

func (a *API) kbCategories(w http.ResponseWriter, r *http.Request) error {
	cs, err := a.kb.Categories(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[kb.Category]{Items: cs})
	return nil
}

func (a *API) kbCreateCategory(w http.ResponseWriter, r *http.Request) error {
	var in KBCategoryInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if err := checkOptionalID("parent_id", in.ParentID); err != nil {
		return err
	}
	c, err := a.kb.CreateCategory(r.Context(), tenantOf(r), kb.CategoryInput(in))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func checkOptionalID(field string, v *string) error {
	if v != nil && *v != "" && !id.Valid(*v) {
		return apperr.Invalidf(field, "invalid_id")
	}
	return nil
}

func (a *API) kbUpdateCategory(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "kb_category")
	if err != nil {
		return err
	}
	var in KBCategoryInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if err := checkOptionalID("parent_id", in.ParentID); err != nil {
		return err
	}
	c, err := a.kb.UpdateCategory(r.Context(), tenantOf(r), cid, kb.CategoryInput(in))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) kbListEntries(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	f, err := kbFilter(r)
	if err != nil {
		return err
	}
	items, next, err := a.kb.List(r.Context(), tenantOf(r), f, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[kb.Entry]{Items: items, NextCursor: next})
	return nil
}

func (a *API) kbCreateEntry(w http.ResponseWriter, r *http.Request) error {
	var in KBEntryInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if err := checkOptionalID("category_id", in.CategoryID); err != nil {
		return err
	}
	act, err := a.actor(r)
	if err != nil {
		return err
	}
	e, err := a.kb.Create(r.Context(), tenantOf(r), act, in.domain())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (a *API) kbUpdateEntry(w http.ResponseWriter, r *http.Request) error {
	eid, err := pathID(r, "id", "kb_entry")
	if err != nil {
		return err
	}
	var in KBEntryInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if in.TranslationOf != "" {
		return apperr.Invalidf("translation_of", "kb_translation_create_only")
	}
	if err := checkOptionalID("category_id", in.CategoryID); err != nil {
		return err
	}
	act, err := a.actor(r)
	if err != nil {
		return err
	}
	e, err := a.kb.Update(r.Context(), tenantOf(r), act, eid, in.domain())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (a *API) kbDeleteEntry(w http.ResponseWriter, r *http.Request) error {
	eid, err := pathID(r, "id", "kb_entry")
	if err != nil {
		return err
	}
	act, err := a.actor(r)
	if err != nil {
		return err
	}
	if err := a.kb.Delete(r.Context(), tenantOf(r), act, eid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// kbAction serves a workflow step on the entry named by {id}.
func (a *API) kbAction(step func(ctx context.Context, tenantID string, act kb.Actor, entryID string) (kb.Entry, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		eid, err := pathID(r, "id", "kb_entry")
		if err != nil {
			return err
		}
		act, err := a.actor(r)
		if err != nil {
			return err
		}
		e, err := step(r.Context(), tenantOf(r), act, eid)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, e)
		return nil
	}
}

func (a *API) kbReject(w http.ResponseWriter, r *http.Request) error {
	eid, err := pathID(r, "id", "kb_entry")
	if err != nil {
		return err
	}
	var in KBReject
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	act, err := a.actor(r)
	if err != nil {
		return err
	}
	e, err := a.kb.Reject(r.Context(), tenantOf(r), act, eid, in.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func versionParam(r *http.Request, name string) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || v < 1 {
		return 0, apperr.NotFoundf("kb_version")
	}
	return v, nil
}

func (a *API) kbVersions(w http.ResponseWriter, r *http.Request) error {
	eid, err := pathID(r, "id", "kb_entry")
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	items, next, err := a.kb.Versions(r.Context(), tenantOf(r), eid, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[kb.Version]{Items: items, NextCursor: next})
	return nil
}

func (a *API) kbVersion(w http.ResponseWriter, r *http.Request) error {
	eid, err := pathID(r, "id", "kb_entry")
	if err != nil {
		return err
	}
	v, err := versionParam(r, "version")
	if err != nil {
		return err
	}
	out, err := a.kb.GetVersion(r.Context(), tenantOf(r), eid, v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) kbRestore(w http.ResponseWriter, r *http.Request) error {
	eid, err := pathID(r, "id", "kb_entry")
	if err != nil {
		return err
	}
	v, err := versionParam(r, "version")
	if err != nil {
		return err
	}
	act, err := a.actor(r)
	if err != nil {
		return err
	}
	e, err := a.kb.Restore(r.Context(), tenantOf(r), act, eid, v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (a *API) kbDiff(w http.ResponseWriter, r *http.Request) error {
	eid, err := pathID(r, "id", "kb_entry")
	if err != nil {
		return err
	}
	qv := r.URL.Query()
	nums := [2]int64{}
	for i, name := range []string{"from", "to"} {
		n, err := strconv.ParseInt(qv.Get(name), 10, 64)
		if err != nil || n < 1 {
			return apperr.Invalidf(name, "kb_invalid_version")
		}
		nums[i] = n
	}
	d, err := a.kb.DiffVersions(r.Context(), tenantOf(r), eid, nums[0], nums[1])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (a *API) kbTranslations(w http.ResponseWriter, r *http.Request) error {
	eid, err := pathID(r, "id", "kb_entry")
	if err != nil {
		return err
	}
	items, err := a.kb.Translations(r.Context(), tenantOf(r), eid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[kb.Entry]{Items: items})
	return nil
}

func (a *API) kbLinkTranslation(w http.ResponseWriter, r *http.Request) error {
	eid, err := pathID(r, "id", "kb_entry")
	if err != nil {
		return err
	}
	var in KBTranslationLink
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if !id.Valid(in.EntryID) {
		return apperr.Invalidf("entry_id", "invalid_id")
	}
	act, err := a.actor(r)
	if err != nil {
		return err
	}
	items, err := a.kb.LinkTranslation(r.Context(), tenantOf(r), act, eid, in.EntryID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[kb.Entry]{Items: items})
	return nil
}

func (a *API) kbSearch(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	f, err := kbFilter(r)
	if err != nil {
		return err
	}
	hits, next, err := a.kb.Search(r.Context(), tenantOf(r), r.URL.Query().Get("q"), f, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[kb.Hit]{Items: hits, NextCursor: next})
	return nil
}

// importFormat picks the format from ?format=, the file name, or the
// content type.
func importFormat(query, name, contentType string) string {
	if query != "" {
		return strings.ToLower(query)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return kb.FormatCSV
	case ".jsonl", ".ndjson":
		return kb.FormatJSONL
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "text/csv":
		return kb.FormatCSV
	case "application/x-ndjson", "application/jsonl", "application/x-jsonlines":
		return kb.FormatJSONL
	}
	return ""
}

func (a *API) kbImport(w http.ResponseWriter, r *http.Request) error {
	act, err := a.actor(r)
	if err != nil {
		return err
	}
	qv := r.URL.Query()
	opts := kb.ImportOptions{Language: qv.Get("language"), AnswerTemplate: qv.Get("answer_template"), Status: kb.Status(qv.Get("status"))}
	dry := false
	if v := qv.Get("dry_run"); v != "" {
		if dry, err = strconv.ParseBool(v); err != nil {
			return apperr.Invalidf("dry_run", "invalid_value")
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, kb.MaxImportBytes+1<<20)
	var body io.Reader
	format := ""
	ct := r.Header.Get("Content-Type")
	if mt, _, _ := mime.ParseMediaType(ct); mt == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return apperr.New(apperr.BadRequest, "multipart_expected", "file")
		}
		for {
			part, err := mr.NextPart()
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return apperr.New(apperr.TooLarge, "kb_import_too_large", "file", "max", kb.MaxImportBytes>>20)
				}
				return apperr.Invalidf("file", "required")
			}
			if part.FormName() == "file" {
				defer part.Close()
				body, format = part, importFormat(qv.Get("format"), part.FileName(), part.Header.Get("Content-Type"))
				break
			}
			part.Close()
		}
	} else {
		body, format = r.Body, importFormat(qv.Get("format"), "", ct)
	}
	if format == "" {
		return apperr.Invalidf("format", "kb_import_format")
	}
	plan, err := kb.ParseImport(body, format, opts)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apperr.New(apperr.TooLarge, "kb_import_too_large", "file", "max", kb.MaxImportBytes>>20)
	}
	if err != nil {
		return err
	}
	res, err := a.kb.Import(r.Context(), tenantOf(r), act, plan, dry)
	if err != nil {
		return err
	}
	lang := a.lang(r)
	for _, list := range [][]kb.RowError{res.Errors, res.Duplicates} {
		for i := range list {
			if c := list[i].Cause(); c != nil {
				list[i].Message = a.cat.Error(lang, c)
			}
		}
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *API) kbExport(w http.ResponseWriter, r *http.Request) error {
	format := strings.ToLower(r.URL.Query().Get("format"))
	if format == "" {
		format = kb.FormatJSONL
	}
	if format != kb.FormatCSV && format != kb.FormatJSONL {
		return apperr.Invalidf("format", "kb_import_format")
	}
	f, err := kbFilter(r)
	if err != nil {
		return err
	}
	// A first page checks the filter before the response starts: after
	// that, a failure can only cut the file short.
	if _, _, err := a.kb.List(r.Context(), tenantOf(r), f, pageOfOne); err != nil {
		return err
	}
	ct := "application/x-ndjson; charset=utf-8"
	if format == kb.FormatCSV {
		ct = "text/csv; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="knowledge-base.`+format+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := a.kb.Export(r.Context(), tenantOf(r), bw, format, f); err != nil {
		a.log.ErrorContext(r.Context(), "knowledge-base export failed", "err", err, "request_id", requestID(r.Context()))
		return nil
	}
	return bw.Flush()
}
