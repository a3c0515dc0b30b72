package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/cli"
)

const sentimentTest = `{"text": "你们的服务太差了，我要投诉！", "label": "neg"}
{"text": "This is the worst service ever, I want a refund now!", "label": "negative"}
{"text": "很好吃，送餐也快，谢谢", "label": "pos"}

{"text": "Great support, thank you so much!", "label": "positive"}
`

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestBotEvalSentiment(t *testing.T) {
	test := writeFile(t, "test.jsonl", sentimentTest)
	for _, args := range [][]string{
		{"bot", "eval-sentiment", "--test", test, "--json"},
		{"bot", "eval-sentiment", "--test", test, "--train", test, "--json"},
	} {
		r := run(t, nil, "", args...).want(t, cli.ExitOK)
		var got map[string]any
		if err := json.Unmarshal([]byte(lastLine(r.stdout)), &got); err != nil {
			t.Fatalf("last line is not one JSON object: %v\n%s", err, r.stdout)
		}
		for _, k := range []string{"accuracy", "neg_precision", "neg_recall", "n", "p50_ms"} {
			v, ok := got[k].(float64)
			if !ok {
				t.Fatalf("key %q missing or not a number: %s", k, lastLine(r.stdout))
			}
			if k != "n" && k != "p50_ms" && (v < 0 || v > 1) {
				t.Errorf("%s = %v, want a fraction", k, v)
			}
		}
		if got["n"].(float64) != 4 || got["accuracy"].(float64) != 1 {
			t.Errorf("figures %s, want n 4 and accuracy 1", lastLine(r.stdout))
		}
	}
	// without --json: figures, no JSON
	r := run(t, nil, "", "bot", "eval-sentiment", "--test", test).want(t, cli.ExitOK)
	if !strings.Contains(r.stdout, "accuracy") || strings.Contains(r.stdout, "{") {
		t.Errorf("plain output:\n%s", r.stdout)
	}
}

func TestBotEvalSentimentErrors(t *testing.T) {
	test := writeFile(t, "test.jsonl", sentimentTest)
	badJSON := writeFile(t, "bad.jsonl", `{"text": "ok", "label": "pos"}`+"\n"+`{"text": "oops"`+"\n")
	badLabel := writeFile(t, "label.jsonl", `{"text": "ok", "label": "pos"}`+"\n\n"+`{"text": "meh", "label": "neutral"}`+"\n")
	noLabel := writeFile(t, "nolabel.jsonl", `{"text": "ok"}`+"\n")
	empty := writeFile(t, "empty.jsonl", "\n")
	oneClass := writeFile(t, "one.jsonl", `{"text": "ok", "label": "pos"}`+"\n")
	for _, tc := range []struct {
		name  string
		args  []string
		names []string
	}{
		{"no test file", []string{"bot", "eval-sentiment"}, []string{"--test"}},
		{"unknown flag", []string{"bot", "eval-sentiment", "--test", test, "--bogus"}, []string{"-bogus"}},
		{"positional argument", []string{"bot", "eval-sentiment", "--test", test, "extra"}, []string{`unexpected argument "extra"`}},
		{"unreadable file", []string{"bot", "eval-sentiment", "--test", "/nonexistent/test.jsonl"}, []string{"/nonexistent/test.jsonl"}},
		{"malformed line", []string{"bot", "eval-sentiment", "--test", badJSON}, []string{badJSON, "line 2"}},
		{"bad label", []string{"bot", "eval-sentiment", "--test", badLabel}, []string{badLabel, "line 3", "neutral"}},
		{"missing label", []string{"bot", "eval-sentiment", "--test", noLabel}, []string{noLabel, "line 1"}},
		{"empty file", []string{"bot", "eval-sentiment", "--test", empty}, []string{empty, "no examples"}},
		{"bad train file", []string{"bot", "eval-sentiment", "--test", test, "--train", badJSON}, []string{badJSON, "line 2"}},
		{"one-class train file", []string{"bot", "eval-sentiment", "--test", test, "--train", oneClass}, []string{oneClass, "both"}},
		{"unknown subcommand", []string{"bot", "evaluate"}, []string{`unknown subcommand "evaluate"`}},
		{"group without subcommand", []string{"bot"}, []string{"Usage: switchboard bot <eval|eval-sentiment>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, nil, "", tc.args...).want(t, cli.ExitUsage)
			for _, n := range tc.names {
				if !strings.Contains(r.stderr, n) {
					t.Fatalf("stderr does not name %q:\n%s", n, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Fatalf("an error wrote to stdout: %s", r.stdout)
			}
		})
	}
}

func TestBotHelp(t *testing.T) {
	for _, args := range [][]string{{"bot", "--help"}, {"bot", "eval-sentiment", "--help"}, {"bot", "eval-sentiment", "-h"}} {
		r := run(t, nil, "", args...).want(t, cli.ExitOK)
		if !strings.HasPrefix(r.stdout, "Usage: switchboard bot") || r.stderr != "" {
			t.Errorf("%v: stdout %q stderr %q", args, r.stdout, r.stderr)
		}
	}
	r := run(t, nil, "", "bot", "eval-sentiment", "--help").want(t, cli.ExitOK)
	for _, f := range []string{"-test", "-train", "-json"} {
		if !strings.Contains(r.stdout, f) {
			t.Errorf("help does not document %s", f)
		}
	}
}
