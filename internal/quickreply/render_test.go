package quickreply

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

// The cases are shared with the console's script, which the browser tests
// run on the same file, so that both render a quick reply the same way.
type renderCase struct {
	Name string            `json:"name"`
	Body string            `json:"body"`
	Vars map[string]string `json:"vars"`
	Want string            `json:"want"`
}

func TestRender(t *testing.T) {
	b, err := os.ReadFile("testdata/render.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []renderCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 10 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if got := Render(c.Body, c.Vars); got != c.Want {
				t.Errorf("Render(%q) = %q, want %q", c.Body, got, c.Want)
			}
		})
	}
}

func TestCheckVariables(t *testing.T) {
	for _, ok := range []string{"plain text", "{{customer.name}} {{ customer.email }} {{customer.phone}} {{agent.name}} {{agent.email}}",
		"{single} braces and {{ unclosed"} {
		if err := CheckVariables(ok); err != nil {
			t.Errorf("CheckVariables(%q) = %v", ok, err)
		}
	}
	for body, name := range map[string]string{
		"Hi {{customer.nickname}}": "customer.nickname",
		"{{ order.id }}":           "order.id",
		"{{Customer.Name}}":        "Customer.Name",
		"{{}}":                     "",
	} {
		err := CheckVariables(body)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.Invalid || e.Code != "unknown_variable" || e.Field != "body" {
			t.Errorf("CheckVariables(%q) = %v, want 422 unknown_variable on body", body, err)
			continue
		}
		if !slices.Equal(e.Args, []any{"name", name}) {
			t.Errorf("CheckVariables(%q) names %v, want %q", body, e.Args, name)
		}
	}
}

func TestNormalizeShortcut(t *testing.T) {
	for in, want := range map[string]string{
		"returns": "returns", " /Hello ": "hello", "退款": "退款", "订单_2": "订单_2", "faq-1": "faq-1", "ÉTÉ": "été",
		"नमस्ते": "नमस्ते", strings.Repeat("a", 32): strings.Repeat("a", 32), strings.Repeat("退", 32): strings.Repeat("退", 32),
	} {
		if got, err := NormalizeShortcut(in); err != nil || got != want {
			t.Errorf("NormalizeShortcut(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, code := range map[string]string{
		"": "required", " / ": "required", "two words": "quickreply_shortcut", "a/b": "quickreply_shortcut", "hi!": "quickreply_shortcut",
		"{{x}}": "quickreply_shortcut", "tab\there": "quickreply_shortcut", strings.Repeat("a", 33): "too_long", "\xff": "invalid_utf8",
	} {
		_, err := NormalizeShortcut(in)
		if e, ok := apperr.As(err); !ok || e.Code != code || e.Field != "shortcut" || e.Kind != apperr.Invalid {
			t.Errorf("NormalizeShortcut(%q) = %v, want 422 %s on shortcut", in, err, code)
		}
	}
}

func TestCheckBody(t *testing.T) {
	if got, err := checkBody("  Hello\n{{agent.name}}  "); err != nil || got != "Hello\n{{agent.name}}" {
		t.Errorf("checkBody = %q, %v", got, err)
	}
	for in, code := range map[string]string{" \n ": "required", strings.Repeat("好", MaxBodyRunes+1): "too_long",
		"bell\a": "control_chars", "{{agent.phone}}": "unknown_variable"} {
		_, err := checkBody(in)
		if e, ok := apperr.As(err); !ok || e.Code != code || e.Field != "body" {
			t.Errorf("checkBody(%.20q) = %v, want %s on body", in, err, code)
		}
	}
	if _, err := checkBody(strings.Repeat("好", MaxBodyRunes)); err != nil {
		t.Errorf("a body of %d characters is refused: %v", MaxBodyRunes, err)
	}
}
