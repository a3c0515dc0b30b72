package kb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// PublishedEntry is the live snapshot of one entry: what the bot answers
// with.
type PublishedEntry struct {
	ID           string `json:"id"`
	Kind         Kind   `json:"kind"`
	Language     string `json:"language"`
	Key          string `json:"key"`
	CategoryID   string `json:"category_id"`
	CategoryPath string `json:"category_path"`
	// Question is the standard question of a FAQ, or an article's title.
	Question         string     `json:"question"`
	Similar          []string   `json:"similar"`
	Answer           string     `json:"answer"`      // Markdown, as written
	AnswerHTML       string     `json:"answer_html"` // sanitised HTML
	AnswerText       string     `json:"answer_text"` // plain text
	Buttons          []Button   `json:"buttons"`
	Links            []Link     `json:"links"`
	Tags             []string   `json:"tags"`
	TranslationGroup string     `json:"translation_group"`
	Version          int64      `json:"version"`
	ValidFrom        *time.Time `json:"valid_from"`
	ValidUntil       *time.Time `json:"valid_until"`
}

// Published returns the live snapshot of every published entry of a tenant
// that is valid at now, in id order. An entry whose working copy is being
// edited or reviewed is served as last approved.
func (s *Service) Published(ctx context.Context, tenantID string, now time.Time) ([]PublishedEntry, error) {
	sc := s.db.Tenant(tenantID)
	t, _, err := loadTree(ctx, sc)
	if err != nil {
		return nil, err
	}
	rows, err := sc.Query(ctx, q.Get("Published"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PublishedEntry{}
	for rows.Next() {
		var p PublishedEntry
		var from, until int64
		var content string
		if err := rows.Scan(&p.ID, &p.TranslationGroup, &p.Version, &from, &until, &content); err != nil {
			return nil, err
		}
		// The dates are the entry's current ones (a reviewer may change them
		// without a new review), not the snapshot's.
		vf, vu := optTime(from), optTime(until)
		if !servedAt(vf, vu, now) {
			continue
		}
		var c Content
		if err := json.Unmarshal([]byte(content), &c); err != nil {
			return nil, fmt.Errorf("kb entry %s version %d: %w", p.ID, p.Version, err)
		}
		p.Kind, p.Language, p.Key, p.CategoryID = c.Kind, c.Language, c.Key, c.CategoryID
		p.CategoryPath = t.path(c.CategoryID)
		p.Question, p.Similar, p.Answer, p.AnswerHTML, p.AnswerText = c.Question, c.Similar, c.Answer, c.AnswerHTML, c.AnswerText
		p.Buttons, p.Links, p.Tags, p.ValidFrom, p.ValidUntil = c.Buttons, c.Links, c.Tags, vf, vu
		out = append(out, p)
	}
	return out, rows.Err()
}

func optTime(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	t := store.Time(ms)
	return &t
}
