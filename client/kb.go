package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// KBCategory is a knowledge-base category; categories form a tree.
type KBCategory struct {
	ID        string    `json:"id"`
	ParentID  string    `json:"parent_id"`
	Name      string    `json:"name"`
	Position  int       `json:"position"`
	Path      string    `json:"path"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// KBCategoryInput creates or changes a category; nil fields stay as they
// are ("" ParentID moves it to the top level).
type KBCategoryInput struct {
	ParentID *string `json:"parent_id,omitempty"`
	Name     *string `json:"name,omitempty"`
	Position *int    `json:"position,omitempty"`
}

// KBButton is a quick reply under an answer: it sends Text or opens URL.
type KBButton struct {
	Label string `json:"label"`
	Text  string `json:"text,omitempty"`
	URL   string `json:"url,omitempty"`
}

// KBLink is a related link shown with an answer.
type KBLink struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// The knowledge-base workflow states and kinds.
const (
	KBDraft     = "draft"
	KBInReview  = "in_review"
	KBPublished = "published"
	KBArchived  = "archived"
	KBFAQ       = "faq"
	KBArticle   = "article"
	// PermKBReview is the permission that makes an agent a reviewer.
	PermKBReview = "kb_review"
)

// KBEntry is a knowledge-base entry's working copy. Question is a FAQ's
// standard question or an article's title; Answer is Markdown, AnswerHTML
// its sanitised rendering.
type KBEntry struct {
	ID               string     `json:"id"`
	Kind             string     `json:"kind"`
	Language         string     `json:"language"`
	CategoryID       string     `json:"category_id"`
	CategoryPath     string     `json:"category_path"`
	Key              string     `json:"key"`
	Question         string     `json:"question"`
	Similar          []string   `json:"similar"`
	Answer           string     `json:"answer"`
	AnswerHTML       string     `json:"answer_html"`
	AnswerText       string     `json:"answer_text"`
	Buttons          []KBButton `json:"buttons"`
	Links            []KBLink   `json:"links"`
	Tags             []string   `json:"tags"`
	ValidFrom        *time.Time `json:"valid_from"`
	ValidUntil       *time.Time `json:"valid_until"`
	Status           string     `json:"status"`
	Version          int64      `json:"version"`
	PublishedVersion int64      `json:"published_version"`
	TranslationGroup string     `json:"translation_group"`
	ReviewComment    string     `json:"review_comment"`
	CreatedBy        string     `json:"created_by"`
	UpdatedBy        string     `json:"updated_by"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// KBEntryInput creates or edits an entry; nil fields stay as they are and a
// list given replaces the old one. ValidFrom/ValidUntil are RFC 3339 ("" to
// remove).
type KBEntryInput struct {
	Kind          *string    `json:"kind,omitempty"`
	Language      *string    `json:"language,omitempty"`
	CategoryID    *string    `json:"category_id,omitempty"`
	Key           *string    `json:"key,omitempty"`
	Question      *string    `json:"question,omitempty"`
	Similar       []string   `json:"similar,omitempty"`
	Answer        *string    `json:"answer,omitempty"`
	Buttons       []KBButton `json:"buttons,omitempty"`
	Links         []KBLink   `json:"links,omitempty"`
	Tags          []string   `json:"tags,omitempty"`
	ValidFrom     *string    `json:"valid_from,omitempty"`
	ValidUntil    *string    `json:"valid_until,omitempty"`
	Note          string     `json:"note,omitempty"`
	TranslationOf string     `json:"translation_of,omitempty"`
}

// KBContent is the content one version holds.
type KBContent struct {
	Kind       string     `json:"kind"`
	Language   string     `json:"language"`
	CategoryID string     `json:"category_id"`
	Key        string     `json:"key"`
	Question   string     `json:"question"`
	Similar    []string   `json:"similar"`
	Answer     string     `json:"answer"`
	AnswerHTML string     `json:"answer_html"`
	AnswerText string     `json:"answer_text"`
	Buttons    []KBButton `json:"buttons"`
	Links      []KBLink   `json:"links"`
	Tags       []string   `json:"tags"`
	ValidFrom  *time.Time `json:"valid_from"`
	ValidUntil *time.Time `json:"valid_until"`
}

// KBVersion is one saved version of an entry.
type KBVersion struct {
	Version   int64     `json:"version"`
	Status    string    `json:"status"`
	Content   KBContent `json:"content"`
	Author    string    `json:"author"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

// KBDiff compares two versions.
type KBDiff struct {
	From    int64 `json:"from"`
	To      int64 `json:"to"`
	Changes []struct {
		Field string `json:"field"`
		From  string `json:"from"`
		To    string `json:"to"`
	} `json:"changes"`
	Text []struct {
		Field string `json:"field"`
		Lines []struct {
			Op   string `json:"op"`
			Text string `json:"text"`
		} `json:"lines"`
	} `json:"text"`
}

// KBHit is one search result.
type KBHit struct {
	Entry   KBEntry `json:"entry"`
	Score   float64 `json:"score"`
	Snippet string  `json:"snippet"`
}

// KBRowError says why one row of an import file (by line) was not imported.
type KBRowError struct {
	Row     int    `json:"row"`
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// KBImportResult is what an import did, or would do on a dry run.
type KBImportResult struct {
	DryRun     bool         `json:"dry_run"`
	Rows       int          `json:"rows"`
	Created    int          `json:"created"`
	Published  int          `json:"published"`
	Archived   int          `json:"archived"`
	Duplicates []KBRowError `json:"duplicates"`
	Errors     []KBRowError `json:"errors"`
	MoreErrors int          `json:"more_errors"`
	Declines   []string     `json:"declines"`
	Truncated  int          `json:"truncated"`
	EntryIDs   []string     `json:"entry_ids"`
}

// KBImportOptions tune an import: Format "csv" or "jsonl"; Language,
// AnswerTemplate and Status apply to labelled {"text","label"} rows.
type KBImportOptions struct {
	Format         string
	DryRun         bool
	Language       string
	AnswerTemplate string
	Status         string
}

// KBFilter narrows lists, searches and exports.
type KBFilter struct {
	Language, Status, CategoryID, Tag, Kind string
}

func (f KBFilter) values(q url.Values) url.Values {
	for k, v := range map[string]string{"language": f.Language, "status": f.Status, "category_id": f.CategoryID, "tag": f.Tag, "kind": f.Kind} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

func (c *Client) kbDo(ctx context.Context, method, p string, in any) (*KBEntry, error) {
	var e KBEntry
	if _, err := c.Do(ctx, method, p, in, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// ListKBCategories returns every category in tree order.
func (c *Client) ListKBCategories(ctx context.Context) ([]KBCategory, error) {
	l, _, err := getList[KBCategory](ctx, c, path("kb", "categories"), nil)
	return l, err
}

// CreateKBCategory adds a category.
func (c *Client) CreateKBCategory(ctx context.Context, in KBCategoryInput) (*KBCategory, error) {
	var out KBCategory
	if _, err := c.Do(ctx, http.MethodPost, path("kb", "categories"), in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetKBCategory returns one category.
func (c *Client) GetKBCategory(ctx context.Context, id string) (*KBCategory, error) {
	var out KBCategory
	if _, err := c.Do(ctx, http.MethodGet, path("kb", "categories", id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateKBCategory renames, reorders or moves a category.
func (c *Client) UpdateKBCategory(ctx context.Context, id string, in KBCategoryInput) (*KBCategory, error) {
	var out KBCategory
	if _, err := c.Do(ctx, http.MethodPatch, path("kb", "categories", id), in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteKBCategory removes an empty category.
func (c *Client) DeleteKBCategory(ctx context.Context, id string) error {
	_, err := c.Do(ctx, http.MethodDelete, path("kb", "categories", id), nil, nil)
	return err
}

// ListKBEntries returns one page of entries.
func (c *Client) ListKBEntries(ctx context.Context, f KBFilter, o ListOptions) ([]KBEntry, string, error) {
	return getList[KBEntry](ctx, c, path("kb", "entries"), f.values(o.values()))
}

// CreateKBEntry adds an entry as a draft.
func (c *Client) CreateKBEntry(ctx context.Context, in KBEntryInput) (*KBEntry, error) {
	return c.kbDo(ctx, http.MethodPost, path("kb", "entries"), in)
}

// GetKBEntry returns an entry's working copy.
func (c *Client) GetKBEntry(ctx context.Context, id string) (*KBEntry, error) {
	return c.kbDo(ctx, http.MethodGet, path("kb", "entries", id), nil)
}

// UpdateKBEntry edits an entry (a new draft version).
func (c *Client) UpdateKBEntry(ctx context.Context, id string, in KBEntryInput) (*KBEntry, error) {
	return c.kbDo(ctx, http.MethodPatch, path("kb", "entries", id), in)
}

// DeleteKBEntry removes an entry and its versions.
func (c *Client) DeleteKBEntry(ctx context.Context, id string) error {
	_, err := c.Do(ctx, http.MethodDelete, path("kb", "entries", id), nil, nil)
	return err
}

// KBAction runs a workflow step on an entry: "submit", "approve",
// "archive" or "unarchive".
func (c *Client) KBAction(ctx context.Context, id, step string) (*KBEntry, error) {
	return c.kbDo(ctx, http.MethodPost, path("kb", "entries", id, step), nil)
}

// RejectKBEntry sends an entry under review back to draft with a comment.
func (c *Client) RejectKBEntry(ctx context.Context, id, comment string) (*KBEntry, error) {
	return c.kbDo(ctx, http.MethodPost, path("kb", "entries", id, "reject"), map[string]string{"comment": comment})
}

// KBVersions returns one page of an entry's versions, newest first.
func (c *Client) KBVersions(ctx context.Context, id string, o ListOptions) ([]KBVersion, string, error) {
	return getList[KBVersion](ctx, c, path("kb", "entries", id, "versions"), o.values())
}

// KBVersion returns one version of an entry.
func (c *Client) KBVersion(ctx context.Context, id string, version int64) (*KBVersion, error) {
	var out KBVersion
	if _, err := c.Do(ctx, http.MethodGet, path("kb", "entries", id, "versions", strconv.FormatInt(version, 10)), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RestoreKBVersion makes an old version the working copy again (a new draft version).
func (c *Client) RestoreKBVersion(ctx context.Context, id string, version int64) (*KBEntry, error) {
	return c.kbDo(ctx, http.MethodPost, path("kb", "entries", id, "versions", strconv.FormatInt(version, 10), "restore"), nil)
}

// DiffKBVersions compares two versions of an entry.
func (c *Client) DiffKBVersions(ctx context.Context, id string, from, to int64) (*KBDiff, error) {
	var out KBDiff
	p := fmt.Sprintf("%s?from=%d&to=%d", path("kb", "entries", id, "diff"), from, to)
	if _, err := c.Do(ctx, http.MethodGet, p, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// KBTranslations returns an entry's translation group.
func (c *Client) KBTranslations(ctx context.Context, id string) ([]KBEntry, error) {
	l, _, err := getList[KBEntry](ctx, c, path("kb", "entries", id, "translations"), nil)
	return l, err
}

// LinkKBTranslation links another entry as a translation of id.
func (c *Client) LinkKBTranslation(ctx context.Context, id, otherID string) ([]KBEntry, error) {
	var l list[KBEntry]
	if _, err := c.Do(ctx, http.MethodPost, path("kb", "entries", id, "translations"), map[string]string{"entry_id": otherID}, &l); err != nil {
		return nil, err
	}
	return l.Items, nil
}

// UnlinkKBTranslation takes an entry out of its translation group.
func (c *Client) UnlinkKBTranslation(ctx context.Context, id string) (*KBEntry, error) {
	return c.kbDo(ctx, http.MethodDelete, path("kb", "entries", id, "translations"), nil)
}

// SearchKB searches entries, best first.
func (c *Client) SearchKB(ctx context.Context, query string, f KBFilter, o ListOptions) ([]KBHit, string, error) {
	q := f.values(o.values())
	q.Set("q", query)
	return getList[KBHit](ctx, c, path("kb", "search"), q)
}

// ImportKB uploads an import file as the raw request body.
func (c *Client) ImportKB(ctx context.Context, body []byte, o KBImportOptions) (*KBImportResult, error) {
	q := url.Values{}
	q.Set("format", o.Format)
	if o.DryRun {
		q.Set("dry_run", "true")
	}
	for k, v := range map[string]string{"language": o.Language, "answer_template": o.AnswerTemplate, "status": o.Status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	ct := "application/x-ndjson"
	if o.Format == "csv" {
		ct = "text/csv"
	}
	var out KBImportResult
	if _, err := c.DoRaw(ctx, http.MethodPost, withQuery(path("kb", "import"), q), ct, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ExportKB downloads the entries that match f as "csv" or "jsonl".
func (c *Client) ExportKB(ctx context.Context, format string, f KBFilter) ([]byte, error) {
	q := f.values(url.Values{})
	q.Set("format", format)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+withQuery(path("kb", "export"), q), nil)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.hc.Jar == nil {
		if ck := c.sessionCookie(); ck != nil {
			req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return nil, readError(resp)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 256<<20))
}
