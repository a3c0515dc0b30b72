package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bot/dataset"
	"github.com/switchboard-cs/switchboard/internal/bot/engine"
	"github.com/switchboard-cs/switchboard/internal/kb"
)

// botEval is "bot eval": the knowledge-base bot's decisions measured on
// labelled questions, through the same decision path as live conversations.
func botEval(env Env, args []string) int {
	fs := flagSet(env, "bot eval", "bot eval --train TRAIN.jsonl --test TEST.jsonl [--dev DEV.jsonl] [--json]\n\n"+
		"Measures the knowledge-base bot on labelled questions: one JSON object per line, {\"text\": ..., \"label\": ...}.\n"+
		"TRAIN becomes the knowledge base as an import does: one FAQ entry per label, its first text the standard\n"+
		"question and the others its similar questions; texts labelled \"oos\" make no entry and become examples of\n"+
		"questions to decline. The answer/clarify/decline thresholds are tuned on DEV, or without --dev on a fixed\n"+
		"10 % of every label of TRAIN (held out for tuning, then the knowledge base is rebuilt from all of TRAIN);\n"+
		"TEST is never used for tuning. Every TEST text then goes through the bot's decision, with no previous turn.\n\n"+
		"Figures: in-scope top-1 and top-3 accuracy (right and not declined), macro-F1 over the in-scope labels,\n"+
		"precision and recall of declining the \"oos\" texts, the shares of texts answered, clarified (\"did you\n"+
		"mean\") and handed off (no match or handoff; greeting, thanks, goodbye and empty also count as declined\n"+
		"and are shown apart), and the time per decision.")
	trainPath := fs.String("train", "", "labelled questions that make the knowledge base (required)")
	testPath := fs.String("test", "", "labelled questions to measure on (required)")
	devPath := fs.String("dev", "", "labelled questions to tune the thresholds on (default: a held-out slice of --train)")
	jsonOut := fs.Bool("json", false, "end the output with the figures as one JSON object on the last line")
	if code := parseFlags(env, fs, args); code >= 0 {
		return code
	}
	const name = "switchboard bot eval"
	if *trainPath == "" || *testPath == "" {
		fmt.Fprintf(env.Stderr, "%s: --train FILE.jsonl and --test FILE.jsonl are required\n", name)
		return ExitUsage
	}
	read := func(path string) ([]dataset.Example, bool) {
		exs, err := dataset.ReadFile(path)
		if err != nil {
			fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
			return nil, false
		}
		return exs, true
	}
	train, ok := read(*trainPath)
	if !ok {
		return ExitUsage
	}
	test, ok := read(*testPath)
	if !ok {
		return ExitUsage
	}
	var dev []dataset.Example
	if *devPath != "" {
		if dev, ok = read(*devPath); !ok {
			return ExitUsage
		}
	}
	// TRAIN goes through the knowledge base's own import parser, so that
	// what is measured is what an import makes (its checks, de-duplication
	// and limits).
	train, refused, err := asImported(train)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %s: %v\n", name, *trainPath, err)
		return ExitUsage
	}
	for _, r := range refused {
		// An import keeps the other rows; so does the evaluation.
		fmt.Fprintf(env.Stderr, "%s: %s: %s (left out, as an import would)\n", name, *trainPath, r)
	}
	start := time.Now()
	e, policy, err := engine.BuildTuned(train, dev, engine.Options{Seed: 1}, engine.DefaultTuneTarget())
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %s: %v\n", name, *trainPath, err)
		return ExitUsage
	}
	build := time.Since(start)
	m := engine.Evaluate(e, test, policy)
	entries, questions := e.Size()
	tunedOn := "a held-out 10 % of --train"
	if dev != nil {
		tunedOn = *devPath
	}
	ranker := "classifier + retrieval"
	if !e.Classifier() {
		ranker = "retrieval + reranker"
	}
	w := env.Stdout
	fmt.Fprintf(w, "knowledge base   %d entries, %d questions (%s), built and tuned in %.1f s\n", entries, questions, ranker, build.Seconds())
	fmt.Fprintf(w, "policy           answer ≥ %.3f, clarify ≥ %.3f, decline below in-scope %.3f, negative ≥ %.3f (tuned on %s)\n",
		policy.Answer, policy.Clarify, policy.Decline, policy.Negative, tunedOn)
	fmt.Fprintf(w, "test texts       %d (in scope %d, oos %d)\n", m.N, m.InScope, m.OOS)
	fmt.Fprintf(w, "in-scope top-1   %.4f\n", m.InScopeAcc)
	fmt.Fprintf(w, "in-scope top-3   %.4f\n", m.Top3Acc)
	fmt.Fprintf(w, "macro-F1         %.4f\n", m.MacroF1)
	fmt.Fprintf(w, "oos precision    %.4f\n", m.OOSPrecision)
	fmt.Fprintf(w, "oos recall       %.4f\n", m.OOSRecall)
	fmt.Fprintf(w, "answered         %.4f\n", m.AnsweredRate)
	fmt.Fprintf(w, "clarified        %.4f\n", m.ClarifiedRate)
	fmt.Fprintf(w, "handed off       %.4f (for negative sentiment %.4f, asked for a person %.4f)\n", m.HandoffRate, m.NegativeRate, m.HumanRate)
	fmt.Fprintf(w, "small talk/empty %.4f (greeting, thanks, goodbye, empty: declined too)\n", m.OtherRate)
	fmt.Fprintf(w, "time/decision    p50 %.3f ms, p99 %.3f ms\n", m.P50ms, m.P99ms)
	if *jsonOut {
		out := map[string]float64{
			"in_scope_accuracy": m.InScopeAcc,
			"top3_accuracy":     m.Top3Acc,
			"macro_f1":          m.MacroF1,
			"oos_precision":     m.OOSPrecision,
			"oos_recall":        m.OOSRecall,
			"answered_rate":     m.AnsweredRate,
			"clarified_rate":    m.ClarifiedRate,
			"handoff_rate":      m.HandoffRate,
			"p50_ms":            m.P50ms,
			"p99_ms":            m.P99ms,
		}
		b, err := json.Marshal(out)
		if err != nil {
			return fail(env, "bot eval", err)
		}
		fmt.Fprintln(w, string(b))
	}
	return ExitOK
}

// asImported parses labelled examples the way a knowledge-base import of a
// {"text","label"} file does and returns what the import would keep: per
// label (one FAQ entry) its standard question and similar questions, and
// the "oos" texts as examples to decline. Rows the import would refuse are
// left out, as an import leaves them out, and described (with their line
// numbers) in refused.
func asImported(exs []dataset.Example) (kept []dataset.Example, refused []string, err error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, ex := range exs {
		if err := enc.Encode(struct {
			Text  string `json:"text"`
			Label string `json:"label"`
		}{ex.Text, ex.Label}); err != nil {
			return nil, nil, err
		}
	}
	plan, err := kb.ParseImport(&buf, "jsonl", kb.ImportOptions{})
	if err != nil {
		return nil, nil, err
	}
	for _, re := range plan.Errors {
		line := re.Row
		if re.Row >= 1 && re.Row <= len(exs) {
			line = exs[re.Row-1].Line
		}
		refused = append(refused, fmt.Sprintf("line %d: %s", line, re.Message))
	}
	if plan.MoreErrors > 0 {
		refused = append(refused, fmt.Sprintf("and %d more refused rows", plan.MoreErrors))
	}
	kept = make([]dataset.Example, 0, len(exs))
	for _, en := range plan.Entries {
		kept = append(kept, dataset.Example{Text: en.Content.Question, Label: en.Content.Key})
		for _, q := range en.Content.Similar {
			kept = append(kept, dataset.Example{Text: q, Label: en.Content.Key})
		}
	}
	for _, d := range plan.Declines {
		kept = append(kept, dataset.Example{Text: d, Label: engine.DeclineLabel})
	}
	return kept, refused, nil
}
