package app

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/switchboard-cs/switchboard/internal/kb"
)

// demoKB is the demo shop's knowledge base: about fifty FAQ entries in
// 中文 and English (shipping, returns, refunds, account, payment, invoices…),
// most with a translation in the other language.
//
//go:embed demo_kb.jsonl
var demoKB []byte

// seedDemoKB imports the demo knowledge base as published entries and links
// the translations, so that the widget's bot answers out of the box.
func (a *App) seedDemoKB(ctx context.Context, tenantID string) error {
	type row struct {
		Key           string `json:"key"`
		TranslationOf string `json:"translation_of"`
	}
	var rows []row
	var file bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(demoKB))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			return fmt.Errorf("demo knowledge base: %w", err)
		}
		var r row
		_ = json.Unmarshal(line, &r)
		rows = append(rows, r)
		delete(m, "translation_of")
		m["status"] = string(kb.StatusPublished)
		b, _ := json.Marshal(m)
		file.Write(b)
		file.WriteByte('\n')
	}
	plan, err := kb.ParseImport(&file, "jsonl", kb.ImportOptions{})
	if err != nil {
		return fmt.Errorf("demo knowledge base: %w", err)
	}
	if len(plan.Errors) > 0 {
		return fmt.Errorf("demo knowledge base: row %d: %s", plan.Errors[0].Row, plan.Errors[0].Message)
	}
	actor := kb.Actor{ID: "system:demo", Reviewer: true}
	res, err := a.KB.Import(ctx, tenantID, actor, plan, false)
	if err != nil {
		return fmt.Errorf("demo knowledge base: %w", err)
	}
	if len(res.EntryIDs) != len(rows) {
		return fmt.Errorf("demo knowledge base: %d entries imported of %d", len(res.EntryIDs), len(rows))
	}
	ids := map[string]string{}
	for i, r := range rows {
		ids[r.Key] = res.EntryIDs[i]
	}
	for _, r := range rows {
		other, ok := ids[r.TranslationOf]
		if r.TranslationOf == "" || !ok || r.Key > r.TranslationOf {
			continue // each pair once
		}
		if _, err := a.KB.LinkTranslation(ctx, tenantID, actor, ids[r.Key], other); err != nil {
			return fmt.Errorf("demo knowledge base: link %s and %s: %w", r.Key, r.TranslationOf, err)
		}
	}
	return nil
}
