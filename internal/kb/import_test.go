package kb

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

func parse(t *testing.T, format, body string, o ImportOptions) *ImportPlan {
	t.Helper()
	p, err := ParseImport(strings.NewReader(body), format, o)
	if err != nil {
		t.Fatalf("ParseImport: %v", err)
	}
	return p
}

func rowErrors(p *ImportPlan) string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, fmt.Sprintf("%d:%s:%s", e.Row, e.Code, e.Field))
	}
	return strings.Join(out, " ")
}

func TestParseCSV(t *testing.T) {
	body := "\uFEFFkind,language,category,question,similar,answer,tags,status\n" +
		"faq,en,Shipping/International,How long does delivery take?,\"delivery time\nwhen will it arrive\",**3–5** days.,\"shipping, Delivery\",published\n" +
		"faq,zh,配送,运费怎么算？,\"运费多少|邮费\",满99元包邮。,运费,\n" +
		"faq,en,,,,no question,,\n" + // line 5: no question
		"faq,en,,How long does delivery take??,,dup,,\n" + // line 6: duplicate of line 2
		"article,en,Guides,Returns guide,,\"# Returns\n<script>alert(1)</script>\",,draft\n" + // lines 7–8
		"faq,xx-invalid-language,,Q,,,,\n" // line 9
	p := parse(t, FormatCSV, body, ImportOptions{})
	if p.Rows != 6 || len(p.Entries) != 3 {
		t.Fatalf("plan %s, want 6 rows and 3 entries; errors %s", p, rowErrors(p))
	}
	if got := rowErrors(p); got != "5:required:question 6:kb_duplicate_row:question 9:kb_invalid_language:language" {
		t.Fatalf("row errors %q", got)
	}
	e := p.Entries[0]
	if e.Row != 2 || e.Category != "Shipping/International" || e.Status != StatusPublished ||
		strings.Join(e.Content.Similar, "|") != "delivery time|when will it arrive" ||
		strings.Join(e.Content.Tags, "|") != "shipping|delivery" || !strings.Contains(e.Content.AnswerHTML, "<strong>3–5</strong>") {
		t.Fatalf("first entry %+v", e)
	}
	if zh := p.Entries[1]; zh.Content.Language != "zh" || zh.Status != StatusDraft || len(zh.Content.Similar) != 1 {
		t.Fatalf("a | inside a cell is text, not a separator, and the status defaults to draft: %+v", zh)
	}
	art := p.Entries[2]
	if art.Row != 7 || art.Content.Kind != KindArticle || strings.Contains(art.Content.AnswerHTML, "script") {
		t.Fatalf("article %+v", art)
	}
}

func TestParseCSVHeader(t *testing.T) {
	for _, body := range []string{"", "question,nonsense\nq,x\n", "answer\nx\n", "question,question\nq,q\n"} {
		_, err := ParseImport(strings.NewReader(body), FormatCSV, ImportOptions{})
		if e, ok := apperr.As(err); !ok || (e.Code != "kb_import_header" && e.Code != "kb_import_empty") {
			t.Errorf("header %q: got %v, want a header error", body, err)
		}
	}
}

func TestParseJSONL(t *testing.T) {
	body := `{"kind":"faq","language":"en","category":"Account","question":"How do I reset my password?","similar":["forgot password"],"answer":"Use *Forgot password*.","tags":["account"],"buttons":[{"label":"Reset","url":"https://shop.example.com/reset"}],"status":"in_review"}
{"text": "what's the weather like", "label": "weather"}
{"text": "will it rain today", "label": "weather"}
{"text": "What's the weather like?", "label": "weather"}

{"text": "tell me a joke", "label": "oos"}
{"text": "how are you made", "label": "oos"}
not json
{"question":"","answer":"x"}
{"text": "今天天气怎么样", "label": "天气"}
{"kind":"faq","question":"Bad button","buttons":[{"label":"x","url":"javascript:alert(1)"}]}
`
	p := parse(t, FormatJSONL, body, ImportOptions{AnswerTemplate: "Answer for {label}", Status: StatusInReview})
	if got := rowErrors(p); got != "8:kb_import_bad_json: 9:required:question 11:kb_invalid_url:buttons[0].url" {
		t.Fatalf("row errors %q", got)
	}
	if len(p.Declines) != 2 || p.Declines[0] != "tell me a joke" {
		t.Fatalf("declines %q", p.Declines)
	}
	if len(p.Entries) != 3 {
		t.Fatalf("entries %+v", p.Entries)
	}
	full := p.Entries[0]
	if full.Status != StatusInReview || full.Category != "Account" || len(full.Content.Buttons) != 1 {
		t.Fatalf("full entry %+v", full)
	}
	weather := p.Entries[1]
	if weather.Row != 2 || weather.Content.Key != "weather" || weather.Content.Question != "what's the weather like" ||
		strings.Join(weather.Content.Similar, "|") != "will it rain today" || weather.Content.Answer != "Answer for weather" ||
		weather.Status != StatusInReview || weather.Content.Language != "en" {
		t.Fatalf("labelled entry %+v (a repeated text is kept once)", weather)
	}
	if zh := p.Entries[2]; zh.Content.Language != "zh" || zh.Content.Key != "天气" {
		t.Fatalf("Chinese label %+v", zh)
	}
	noAnswer := parse(t, FormatJSONL, `{"text":"hi","label":"greet"}`, ImportOptions{Status: StatusPublished})
	if noAnswer.Entries[0].Status != StatusDraft {
		t.Fatalf("a label without an answer must stay a draft, got %s", noAnswer.Entries[0].Status)
	}
}

func TestParseLimits(t *testing.T) {
	var b bytes.Buffer
	for i := 0; i <= MaxImportRows; i++ {
		fmt.Fprintf(&b, "{\"text\":\"q%d\",\"label\":\"l\"}\n", i)
	}
	_, err := ParseImport(&b, FormatJSONL, ImportOptions{})
	if e, ok := apperr.As(err); !ok || e.Code != "kb_import_too_many_rows" {
		t.Fatalf("%d rows: %v", MaxImportRows+1, err)
	}
	big := strings.NewReader("question\n" + strings.Repeat("x", MaxImportBytes))
	_, err = ParseImport(big, FormatCSV, ImportOptions{})
	if e, ok := apperr.As(err); !ok || e.Code != "kb_import_too_large" {
		t.Fatalf("a file over %d bytes: %v", MaxImportBytes, err)
	}
	_, err = ParseImport(strings.NewReader("x"), "xlsx", ImportOptions{})
	if e, ok := apperr.As(err); !ok || e.Code != "kb_import_format" {
		t.Fatalf("unknown format: %v", err)
	}
	var many bytes.Buffer
	many.WriteString("question\n")
	for i := 0; i < MaxRowErrors+7; i++ {
		many.WriteString("\"\"\n")
	}
	p := parse(t, FormatCSV, many.String(), ImportOptions{})
	if len(p.Errors) != MaxRowErrors || p.MoreErrors != 7 {
		t.Fatalf("%d errors reported and %d more, want %d and 7", len(p.Errors), p.MoreErrors, MaxRowErrors)
	}
}

func TestLabelSimilarCap(t *testing.T) {
	var b strings.Builder
	for i := 0; i < MaxSimilar+6; i++ {
		fmt.Fprintf(&b, "{\"text\":\"question number %d\",\"label\":\"many\"}\n", i)
	}
	p := parse(t, FormatJSONL, b.String(), ImportOptions{})
	if len(p.Entries) != 1 || len(p.Entries[0].Content.Similar) != MaxSimilar || p.Truncated != 5 {
		t.Fatalf("similar %d, truncated %d", len(p.Entries[0].Content.Similar), p.Truncated)
	}
}

// checkPlan holds for any input: every entry is complete and sanitised.
func checkPlan(t *testing.T, p *ImportPlan) {
	for _, e := range p.Entries {
		if e.Content.Question == "" || e.Content.Language == "" || !e.Status.valid() {
			t.Fatalf("incomplete entry %+v", e)
		}
		h := strings.ToLower(e.Content.AnswerHTML)
		// Text may mention "javascript:"; an attribute may not hold it.
		if strings.Contains(h, "<script") || strings.Contains(h, `="javascript:`) || hasEventAttr(h) {
			t.Fatalf("unsanitised answer %q", e.Content.AnswerHTML)
		}
		if len(e.Content.Similar) > MaxSimilar || len(e.Content.Tags) > MaxTags {
			t.Fatalf("limits broken: %+v", e)
		}
	}
	if len(p.Errors) > MaxRowErrors {
		t.Fatalf("%d row errors reported", len(p.Errors))
	}
}

// hasEventAttr reports an on…= attribute inside a tag.
func hasEventAttr(h string) bool {
	for _, tag := range strings.Split(h, "<")[1:] {
		end := strings.IndexByte(tag, '>')
		if end < 0 {
			continue
		}
		for _, f := range strings.Fields(tag[:end]) {
			if strings.HasPrefix(f, "on") && strings.Contains(f, "=") {
				return true
			}
		}
	}
	return false
}

func FuzzParseCSV(f *testing.F) {
	f.Add("question,answer\nHi,Hello\n")
	f.Add("\uFEFFkind,language,category,question,similar,answer,tags,status\nfaq,en,A/B,Q?,\"x\ny\",<script>1</script>,\"a,b\",published\n")
	f.Add("question,buttons\nq,\"[{\"\"label\"\":\"\"x\"\",\"\"url\"\":\"\"https://a.example\"\"}]\"\n")
	f.Add("question\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, body string) {
		p, err := ParseImport(strings.NewReader(body), FormatCSV, ImportOptions{})
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("a non-user error: %v", err)
			}
			return
		}
		checkPlan(t, p)
	})
}

func FuzzParseJSONL(f *testing.F) {
	f.Add(`{"question":"Q","answer":"[x](javascript:alert(1))"}`)
	f.Add("{\"text\":\"a\",\"label\":\"b\"}\n{\"text\":\"c\",\"label\":\"oos\"}\n")
	f.Add(`{"kind":"article","question":"T","similar":["s"]}`)
	f.Add(`{"question":"Q","valid_from":"2026-01-01T00:00:00Z","valid_until":"2025-01-01T00:00:00Z"}`)
	f.Fuzz(func(t *testing.T, body string) {
		p, err := ParseImport(strings.NewReader(body), FormatJSONL, ImportOptions{AnswerTemplate: "A {label}"})
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("a non-user error: %v", err)
			}
			return
		}
		checkPlan(t, p)
	})
}
