package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/cli"
)

// evalFiles writes a small generated train/test pair: a shop FAQ in
// Chinese and English with a few out-of-scope questions.
func evalFiles(t *testing.T) (train, test string) {
	t.Helper()
	topics := []struct {
		label string
		train []string
		test  []string
	}{
		{"refund", []string{"how do i get a refund", "i want my money back", "refund process", "when will my refund arrive", "can i get a refund for my order"}, []string{"how long does a refund take", "i need a refund"}},
		{"shipping", []string{"how much is shipping", "shipping cost", "what does delivery cost", "do you charge for shipping", "is shipping free"}, []string{"how much do you charge to ship", "delivery fee"}},
		{"password", []string{"i forgot my password", "reset my password", "how do i change my password", "can't log in password lost", "password reset link"}, []string{"forgot password", "how to reset the password"}},
		{"invoice", []string{"how do i get an invoice", "download my invoice", "i need a receipt", "where is my invoice", "send me the invoice"}, []string{"invoice please", "can i get a receipt for my order"}},
		{"退款", []string{"怎么申请退款", "退款多久到账", "我要退款", "退款流程是什么", "钱什么时候退回来"}, []string{"退款要多久", "申请退款"}},
		{"运费", []string{"运费多少", "快递费怎么算", "包邮吗", "发货要运费吗", "运费谁出"}, []string{"运费怎么收", "是否包邮"}},
		{"发票", []string{"怎么开发票", "发票在哪里下载", "可以开电子发票吗", "我要开发票", "发票抬头怎么改"}, []string{"开发票", "电子发票怎么下载"}},
	}
	var tr, te strings.Builder
	line := func(b *strings.Builder, text, label string) {
		j, _ := json.Marshal(map[string]string{"text": text, "label": label})
		fmt.Fprintln(b, string(j))
	}
	for _, tp := range topics {
		for _, s := range tp.train {
			line(&tr, s, tp.label)
		}
		for _, s := range tp.test {
			line(&te, s, tp.label)
		}
	}
	for _, s := range []string{"what's the weather today", "tell me a joke", "今天天气怎么样", "讲个笑话", "play some music"} {
		line(&tr, s, "oos")
	}
	for _, s := range []string{"what is the capital of france", "帮我订一张机票"} {
		line(&te, s, "oos")
	}
	return writeFile(t, "train.jsonl", tr.String()), writeFile(t, "test.jsonl", te.String())
}

func TestBotEval(t *testing.T) {
	train, test := evalFiles(t)
	for _, args := range [][]string{
		{"bot", "eval", "--train", train, "--test", test, "--json"},
		{"bot", "eval", "--train", train, "--test", test, "--dev", test, "--json"},
	} {
		r := run(t, nil, "", args...).want(t, cli.ExitOK)
		var got map[string]float64
		if err := json.Unmarshal([]byte(lastLine(r.stdout)), &got); err != nil {
			t.Fatalf("last line is not one JSON object of numbers: %v\n%s", err, r.stdout)
		}
		var keys []string
		for k := range got {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		want := "answered_rate clarified_rate handoff_rate in_scope_accuracy macro_f1 oos_precision oos_recall p50_ms p99_ms top3_accuracy"
		if strings.Join(keys, " ") != want {
			t.Fatalf("keys %v, want exactly %s", keys, want)
		}
		for _, k := range keys {
			if v := got[k]; v < 0 || (!strings.HasSuffix(k, "_ms") && v > 1) {
				t.Errorf("%s = %v out of range", k, v)
			}
		}
		if got["in_scope_accuracy"] < 0.75 || got["top3_accuracy"] < got["in_scope_accuracy"] || got["macro_f1"] < 0.6 {
			t.Errorf("implausible accuracy: %s", lastLine(r.stdout))
		}
		if sum := got["answered_rate"] + got["clarified_rate"] + got["handoff_rate"]; sum > 1.0001 || sum < 0.9 {
			t.Errorf("rates add up to %v: %s", sum, lastLine(r.stdout))
		}
		if got["p50_ms"] <= 0 || got["p99_ms"] < got["p50_ms"] {
			t.Errorf("latency: %s", lastLine(r.stdout))
		}
		for _, s := range []string{"knowledge base   7 entries", "in-scope top-1", "oos recall", "time/decision"} {
			if !strings.Contains(r.stdout, s) {
				t.Errorf("output lacks %q:\n%s", s, r.stdout)
			}
		}
	}
	// without --json: figures, no JSON
	r := run(t, nil, "", "bot", "eval", "--train", train, "--test", test).want(t, cli.ExitOK)
	if !strings.Contains(r.stdout, "in-scope top-1") || strings.Contains(r.stdout, "{") {
		t.Errorf("plain output:\n%s", r.stdout)
	}
}

func TestBotEvalErrors(t *testing.T) {
	train, test := evalFiles(t)
	badJSON := writeFile(t, "bad.jsonl", `{"text": "ok", "label": "a"}`+"\n"+`{"text": "ok2", "label": "b"}`+"\n"+`{"text": "oops"`+"\n")
	empty := writeFile(t, "empty.jsonl", "\n\n")
	onlyOOS := writeFile(t, "oos.jsonl", `{"text": "tell me a joke", "label": "oos"}`+"\n")
	noLabel := writeFile(t, "nolabel.jsonl", `{"text": "ok"}`+"\n")
	for _, tc := range []struct {
		name  string
		args  []string
		names []string
	}{
		{"no flags", []string{"bot", "eval"}, []string{"--train", "--test"}},
		{"no test", []string{"bot", "eval", "--train", train}, []string{"--test"}},
		{"positional argument", []string{"bot", "eval", "--train", train, "--test", test, "x"}, []string{`unexpected argument "x"`}},
		{"missing train file", []string{"bot", "eval", "--train", "/nonexistent/train.jsonl", "--test", test}, []string{"/nonexistent/train.jsonl"}},
		{"missing test file", []string{"bot", "eval", "--train", train, "--test", "/nonexistent/test.jsonl"}, []string{"/nonexistent/test.jsonl"}},
		{"missing dev file", []string{"bot", "eval", "--train", train, "--test", test, "--dev", "/nonexistent/dev.jsonl"}, []string{"/nonexistent/dev.jsonl"}},
		{"broken line in train", []string{"bot", "eval", "--train", badJSON, "--test", test}, []string{badJSON, "line 3"}},
		{"broken line in test", []string{"bot", "eval", "--train", train, "--test", badJSON}, []string{badJSON, "line 3"}},
		{"empty train file", []string{"bot", "eval", "--train", empty, "--test", test}, []string{empty, "no examples"}},
		{"empty test file", []string{"bot", "eval", "--train", train, "--test", empty}, []string{empty, "no examples"}},
		{"missing label", []string{"bot", "eval", "--train", noLabel, "--test", test}, []string{noLabel, "line 1"}},
		{"only oos in train", []string{"bot", "eval", "--train", onlyOOS, "--test", test}, []string{onlyOOS, "no in-scope examples"}},
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
	r := run(t, nil, "", "bot", "eval", "--help").want(t, cli.ExitOK)
	for _, f := range []string{"-train", "-test", "-dev", "-json", "oos"} {
		if !strings.Contains(r.stdout, f) {
			t.Errorf("help does not mention %s", f)
		}
	}
}

// TestBotEvalLeavesOutRefusedRows: a training row the knowledge-base import
// refuses is left out and named with its line number, as an import does;
// the rest is measured. A line break inside a text is only a space.
func TestBotEvalLeavesOutRefusedRows(t *testing.T) {
	train, test := evalFiles(t)
	b, err := os.ReadFile(train)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(string(b), "\n")
	extra := `{"text": "` + strings.Repeat("长", 5000) + `", "label": "b"}` + "\n" +
		`{"text": "a question\nover two lines", "label": "multi"}` + "\n"
	withBad := writeFile(t, "train-bad.jsonl", string(b)+extra)
	r := run(t, nil, "", "bot", "eval", "--train", withBad, "--test", test, "--json").want(t, cli.ExitOK)
	if !strings.Contains(r.stderr, fmt.Sprintf("line %d", lines+1)) || !strings.Contains(r.stderr, "left out") {
		t.Fatalf("the refused row is not named:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, fmt.Sprintf("line %d", lines+2)) {
		t.Fatalf("the two-line question was refused:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "in_scope_accuracy") {
		t.Fatalf("no figures:\n%s", r.stdout)
	}
}
