package kb

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// ImportResult says what an import did (or, for a dry run, would do).
type ImportResult struct {
	DryRun   bool `json:"dry_run"`
	Rows     int  `json:"rows"`
	Created  int  `json:"created"`
	Live     int  `json:"published"`
	Archived int  `json:"archived"`
	// Duplicates are rows whose question an existing entry of the same
	// language already has; they are not imported.
	Duplicates []RowError `json:"duplicates"`
	// Errors are the broken rows of the file, not imported.
	Errors     []RowError `json:"errors"`
	MoreErrors int        `json:"more_errors"`
	// Declines are the out-of-scope examples of labelled data.
	Declines  []string `json:"declines"`
	Truncated int      `json:"truncated"`
	EntryIDs  []string `json:"entry_ids"`
}

var errDryRun = errors.New("dry run")

// Import creates the entries of a parsed file in one transaction: all of
// the plan's valid rows, or (on any failure other than a broken row) none.
// Rows that duplicate an existing entry are reported and skipped.
// Categories named by path are created as needed. Entries imported as
// published or archived need a reviewer. A dry run reports the same result
// and changes nothing.
func (s *Service) Import(ctx context.Context, tenantID string, actor Actor, plan *ImportPlan, dryRun bool) (ImportResult, error) {
	res := ImportResult{DryRun: dryRun, Rows: plan.Rows, Duplicates: []RowError{}, Errors: plan.Errors, MoreErrors: plan.MoreErrors,
		Declines: plan.Declines, Truncated: plan.Truncated, EntryIDs: []string{}}
	for _, e := range plan.Entries {
		if (e.Status == StatusPublished || e.Status == StatusArchived) && !actor.Reviewer {
			return res, errReviewer()
		}
	}
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		if len(plan.Entries) > 1000 {
			if _, err := tx.Exec(ctx, q.Get("PlanFresh")); err != nil {
				return err
			}
		}
		t, _, err := loadTree(ctx, tx)
		if err != nil {
			return err
		}
		known, err := questionKeys(ctx, tx)
		if err != nil {
			return err
		}
		for _, ie := range plan.Entries {
			c := ie.Content
			if dup := known[c.Language+"\x00"+QuestionKey(c.Question)]; dup != "" {
				e := apperr.New(apperr.Conflict, "kb_duplicate_entry", "question", "id", dup)
				res.Duplicates = append(res.Duplicates, RowError{Row: ie.Row, Code: e.Code, Field: e.Field, Message: e.Error(), cause: e})
				continue
			}
			if c.CategoryID, err = s.ensurePath(ctx, tx, t, ie.Category); err != nil {
				return err
			}
			e, err := s.insert(ctx, tx, actor, c, "", ie.Status, "imported")
			if err != nil {
				return err
			}
			known[c.Language+"\x00"+QuestionKey(c.Question)] = e.ID
			res.Created++
			res.EntryIDs = append(res.EntryIDs, e.ID)
			switch ie.Status {
			case StatusPublished:
				res.Live++
			case StatusArchived:
				res.Archived++
			}
		}
		if dryRun {
			return errDryRun
		}
		if res.Live > 0 {
			return bump(ctx, tx)
		}
		return nil
	})
	if dryRun && errors.Is(err, errDryRun) {
		res.EntryIDs = []string{}
		return res, nil
	}
	if err != nil {
		return res, err
	}
	if res.Live > 0 {
		s.changed(tenantID)
	}
	return res, nil
}

// questionKeys maps language and question key of every entry of the tenant
// to its id: one read instead of one look-up per imported row.
func questionKeys(ctx context.Context, tx store.Scope) (map[string]string, error) {
	rows, err := tx.Query(ctx, q.Get("QuestionKeys"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var lang, key, id string
		if err := rows.Scan(&lang, &key, &id); err != nil {
			return nil, err
		}
		out[lang+"\x00"+key] = id
	}
	return out, rows.Err()
}

// exportRow is the JSON Lines shape of an entry: the full-entry import shape.
type exportRow struct {
	Kind       Kind     `json:"kind"`
	Language   string   `json:"language"`
	Category   string   `json:"category,omitempty"`
	Key        string   `json:"key,omitempty"`
	Question   string   `json:"question"`
	Similar    []string `json:"similar,omitempty"`
	Answer     string   `json:"answer"`
	Tags       []string `json:"tags,omitempty"`
	Buttons    []Button `json:"buttons,omitempty"`
	Links      []Link   `json:"links,omitempty"`
	Status     Status   `json:"status"`
	ValidFrom  string   `json:"valid_from,omitempty"`
	ValidUntil string   `json:"valid_until,omitempty"`
}

// Export writes the working copies of the entries that match f in a format
// ParseImport reads back ("csv" or "jsonl"), page by page.
func (s *Service) Export(ctx context.Context, tenantID string, w io.Writer, format string, f Filter) error {
	if format != FormatCSV && format != FormatJSONL {
		return apperr.Invalidf("format", "kb_import_format")
	}
	if err := f.check(); err != nil {
		return err
	}
	var cw *csv.Writer
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if format == FormatCSV {
		if _, err := w.Write([]byte{0xEF, 0xBB, 0xBF}); err != nil { // for spreadsheet programs
			return err
		}
		cw = csv.NewWriter(w)
		if err := cw.Write(CSVHeader); err != nil {
			return err
		}
	}
	p := store.Page{Limit: store.MaxPageSize}
	for {
		entries, next, err := s.List(ctx, tenantID, f, p)
		if err != nil {
			return err
		}
		for _, e := range entries {
			r := exportRow{Kind: e.Kind, Language: e.Language, Category: e.CategoryPath, Key: e.Key, Question: e.Question,
				Similar: e.Similar, Answer: e.Answer, Tags: e.Tags, Buttons: e.Buttons, Links: e.Links, Status: e.Status,
				ValidFrom: timeText(e.ValidFrom), ValidUntil: timeText(e.ValidUntil)}
			if cw == nil {
				if err := enc.Encode(r); err != nil {
					return err
				}
				continue
			}
			rec := []string{string(r.Kind), r.Language, r.Category, r.Key, r.Question, strings.Join(r.Similar, "\n"), r.Answer,
				strings.Join(r.Tags, ", "), string(r.Status), r.ValidFrom, r.ValidUntil, jsonOrEmpty(r.Buttons), jsonOrEmpty(r.Links)}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		if cw != nil {
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		after, _ := store.DecodeCursor(next)
		p.After = after
	}
}

func jsonOrEmpty[T any](v []T) string {
	if len(v) == 0 {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}
