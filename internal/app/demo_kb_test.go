package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/bot/text"
)

// TestDemoKnowledgeBase checks the demo tenant's FAQ content
// (demo_kb.jsonl): one well-formed entry per line, in both languages, with
// enough ways of asking each question for the bot to learn from, and
// twins that link to each other.
func TestDemoKnowledgeBase(t *testing.T) {
	type button struct {
		Label string `json:"label"`
		Text  string `json:"text"`
	}
	type entry struct {
		Key           string   `json:"key"`
		Language      string   `json:"language"`
		Category      string   `json:"category"`
		Question      string   `json:"question"`
		Similar       []string `json:"similar"`
		Answer        string   `json:"answer"`
		Tags          []string `json:"tags"`
		TranslationOf string   `json:"translation_of"`
		Buttons       []button `json:"buttons"`
	}

	f, err := os.Open("demo_kb.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	keyRE := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	byKey := map[string]entry{}
	var entries []entry
	askedBy := map[string]string{} // normalised question → key of its entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			t.Errorf("line %d is empty", n)
			continue
		}
		var e entry
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			t.Errorf("line %d is not a valid entry: %v", n, err)
			continue
		}
		if _, err := dec.Token(); err != io.EOF {
			t.Errorf("line %d has data after the object", n)
		}
		if !keyRE.MatchString(e.Key) {
			t.Errorf("line %d: key %q is not lower-case words joined by '-'", n, e.Key)
		}
		if _, dup := byKey[e.Key]; dup {
			t.Errorf("line %d: key %q is used twice", n, e.Key)
		}
		if e.Language != "zh" && e.Language != "en" {
			t.Errorf("%s: language %q, want zh or en", e.Key, e.Language)
		}
		if strings.TrimSpace(e.Category) == "" || strings.TrimSpace(e.Question) == "" || len(e.Tags) == 0 {
			t.Errorf("%s: category, question and tags are required", e.Key)
		}
		if strings.TrimSpace(e.Answer) == "" || utf8.RuneCountInString(e.Answer) > 600 {
			t.Errorf("%s: answer is empty or longer than 600 characters", e.Key)
		}
		if len(e.Similar) < 5 || len(e.Similar) > 12 {
			t.Errorf("%s: %d similar questions, want 5 to 12", e.Key, len(e.Similar))
		}
		// Each way of asking belongs to one entry only, or the bot could
		// not tell the entries apart.
		for _, q := range append([]string{e.Question}, e.Similar...) {
			norm := strings.ToLower(strings.TrimSpace(q))
			if norm == "" {
				t.Errorf("%s: empty similar question", e.Key)
				continue
			}
			if other, dup := askedBy[norm]; dup {
				t.Errorf("%s: %q is also a question of %s", e.Key, q, other)
			}
			askedBy[norm] = e.Key
		}
		// The text is in the entry's language (a Chinese answer may name a
		// product in English, so mixed text passes).
		want := map[string]string{"zh": text.LangChinese, "en": text.LangEnglish}[e.Language]
		for _, s := range []string{e.Question, e.Answer} {
			if got := text.Detect(s); got != want && got != text.LangMixed {
				t.Errorf("%s: %q reads as %q, not %s", e.Key, s, got, e.Language)
			}
		}
		for _, b := range e.Buttons {
			if strings.TrimSpace(b.Label) == "" || strings.TrimSpace(b.Text) == "" {
				t.Errorf("%s: a button needs a label and a text", e.Key)
			}
		}
		byKey[e.Key] = e
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}

	if n := len(entries); n < 45 || n > 60 {
		t.Errorf("%d entries, want 45 to 60", n)
	}
	perLang := map[string]int{}
	for _, e := range entries {
		perLang[e.Language]++
		if e.TranslationOf == "" {
			continue
		}
		twin, ok := byKey[e.TranslationOf]
		switch {
		case !ok:
			t.Errorf("%s: translation_of %q names no entry", e.Key, e.TranslationOf)
		case twin.Language == e.Language:
			t.Errorf("%s: translation_of %q is in the same language", e.Key, e.TranslationOf)
		case twin.TranslationOf != e.Key:
			t.Errorf("%s: its twin %s links to %q, not back to it", e.Key, twin.Key, twin.TranslationOf)
		}
	}
	if perLang["zh"] == 0 || perLang["en"] == 0 {
		t.Errorf("entries per language = %v, want both zh and en", perLang)
	}
	if d := perLang["zh"] - perLang["en"]; d > 6 || d < -6 {
		t.Errorf("entries per language = %v, want roughly half each", perLang)
	}
	// A follow-up like "那国际的呢？" / "what about international?" needs
	// domestic and international shipping as separate entries in each
	// language.
	for _, k := range []string{"shipping-domestic-zh", "shipping-international-zh", "shipping-domestic-en", "shipping-international-en"} {
		if _, ok := byKey[k]; !ok {
			t.Errorf("entry %s is missing", k)
		}
	}
}
