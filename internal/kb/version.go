package kb

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// Version is one saved state of an entry's content.
type Version struct {
	Version int64 `json:"version"`
	// Status is the working copy's status when this version was saved.
	Status    Status    `json:"status"`
	Content   Content   `json:"content"`
	Author    string    `json:"author"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

func scanVersion(r interface{ Scan(...any) error }) (Version, error) {
	var v Version
	var status, content string
	var created int64
	if err := r.Scan(&v.Version, &status, &content, &v.Author, &v.Note, &created); err != nil {
		return v, err
	}
	v.Status, v.CreatedAt = Status(status), store.Time(created)
	if err := json.Unmarshal([]byte(content), &v.Content); err != nil {
		return v, fmt.Errorf("kb version %d: stored content: %w", v.Version, err)
	}
	return v, nil
}

// Versions returns one page of an entry's versions, newest first. The
// cursor is the version number the page starts below.
func (s *Service) Versions(ctx context.Context, tenantID, entryID string, p store.Page) ([]Version, string, error) {
	p = p.Normalized()
	sc := s.db.Tenant(tenantID)
	if _, err := getEntry(ctx, sc, entryID); err != nil {
		return nil, "", err
	}
	below := int64(math.MaxInt64)
	if p.After != "" {
		n, err := strconv.ParseInt(p.After, 10, 64)
		if err != nil || n < 1 {
			return nil, "", apperr.New(apperr.BadRequest, "bad_cursor", "cursor")
		}
		below = n
	}
	rows, err := sc.Query(ctx, q.Get("ListVersions"), entryID, below, p.Limit+1)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := store.NextCursor(out, p.Limit, func(v Version) string { return strconv.FormatInt(v.Version, 10) })
	return out, next, nil
}

// GetVersion returns one version of an entry.
func (s *Service) GetVersion(ctx context.Context, tenantID, entryID string, version int64) (Version, error) {
	sc := s.db.Tenant(tenantID)
	if _, err := getEntry(ctx, sc, entryID); err != nil {
		return Version{}, err
	}
	v, err := scanVersion(sc.QueryRow(ctx, q.Get("GetVersion"), entryID, version))
	if isNotFound(err) {
		return v, apperr.NotFoundf("kb_version")
	}
	return v, err
}

// Restore makes an old version's content the working copy again, as a new
// version (a draft, to be reviewed like any edit).
func (s *Service) Restore(ctx context.Context, tenantID string, actor Actor, entryID string, version int64) (Entry, error) {
	old, err := s.GetVersion(ctx, tenantID, entryID, version)
	if err != nil {
		return Entry{}, err
	}
	note := fmt.Sprintf("restored version %d", version)
	return s.edit(ctx, tenantID, actor, entryID, note, func(c *Content) error {
		*c = old.Content
		return nil
	})
}

// FieldChange is one field that differs between two versions, each side
// rendered as text (lists one item a line).
type FieldChange struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// DiffLine is one line of a line diff: "=" kept, "-" removed, "+" added.
type DiffLine struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// TextDiff is the line diff of one text field.
type TextDiff struct {
	Field string     `json:"field"`
	Lines []DiffLine `json:"lines"`
}

// Diff compares two versions of an entry.
type Diff struct {
	From    int64         `json:"from"`
	To      int64         `json:"to"`
	Changes []FieldChange `json:"changes"`
	Text    []TextDiff    `json:"text"`
}

// DiffVersions compares version from with version to, field by field, with
// line diffs of the question, similar questions and answer.
func (s *Service) DiffVersions(ctx context.Context, tenantID, entryID string, from, to int64) (Diff, error) {
	a, err := s.GetVersion(ctx, tenantID, entryID, from)
	if err != nil {
		return Diff{}, err
	}
	b, err := s.GetVersion(ctx, tenantID, entryID, to)
	if err != nil {
		return Diff{}, err
	}
	return DiffContent(from, to, a.Content, b.Content), nil
}

func timeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func buttonsText(bs []Button) string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Label+" → "+b.Text+b.URL)
	}
	return strings.Join(out, "\n")
}

func linksText(ls []Link) string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Title+" → "+l.URL)
	}
	return strings.Join(out, "\n")
}

// DiffContent compares two contents (see DiffVersions).
func DiffContent(from, to int64, a, b Content) Diff {
	d := Diff{From: from, To: to, Changes: []FieldChange{}, Text: []TextDiff{}}
	fields := []struct{ name, x, y string }{
		{"kind", string(a.Kind), string(b.Kind)},
		{"language", a.Language, b.Language},
		{"category_id", a.CategoryID, b.CategoryID},
		{"key", a.Key, b.Key},
		{"question", a.Question, b.Question},
		{"similar", strings.Join(a.Similar, "\n"), strings.Join(b.Similar, "\n")},
		{"answer", a.Answer, b.Answer},
		{"buttons", buttonsText(a.Buttons), buttonsText(b.Buttons)},
		{"links", linksText(a.Links), linksText(b.Links)},
		{"tags", strings.Join(a.Tags, "\n"), strings.Join(b.Tags, "\n")},
		{"valid_from", timeText(a.ValidFrom), timeText(b.ValidFrom)},
		{"valid_until", timeText(a.ValidUntil), timeText(b.ValidUntil)},
	}
	for _, f := range fields {
		if f.x == f.y {
			continue
		}
		d.Changes = append(d.Changes, FieldChange{Field: f.name, From: f.x, To: f.y})
		switch f.name {
		case "question", "similar", "answer":
			d.Text = append(d.Text, TextDiff{Field: f.name, Lines: LineDiff(f.x, f.y)})
		}
	}
	return d
}

// maxDiffLines bounds the quadratic line diff; longer texts are shown as
// all removed and all added.
const maxDiffLines = 2000

// LineDiff is the line diff of two texts by longest common subsequence:
// kept lines in order, with removed lines before added ones at each change.
func LineDiff(a, b string) []DiffLine {
	x, y := splitLines(a), splitLines(b)
	out := []DiffLine{}
	if len(x) > maxDiffLines || len(y) > maxDiffLines {
		for _, l := range x {
			out = append(out, DiffLine{"-", l})
		}
		for _, l := range y {
			out = append(out, DiffLine{"+", l})
		}
		return out
	}
	// lcs[i][j] is the LCS length of x[i:] and y[j:].
	lcs := make([][]int32, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			out = append(out, DiffLine{"=", x[i]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, DiffLine{"-", x[i]})
			i++
		default:
			out = append(out, DiffLine{"+", y[j]})
			j++
		}
	}
	for ; i < len(x); i++ {
		out = append(out, DiffLine{"-", x[i]})
	}
	for ; j < len(y); j++ {
		out = append(out, DiffLine{"+", y[j]})
	}
	return out
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
}
