package quickreply

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

// Variables are the placeholders a body may use, written {{customer.name}}
// (spaces inside the braces are allowed). The console fills them in from
// the open conversation's customer and the signed-in agent.
var Variables = []string{"customer.name", "customer.email", "customer.phone", "agent.name", "agent.email"}

// placeholder is one {{ name }}. Only ASCII white space is trimmed, the same
// as the console's script does.
var placeholder = regexp.MustCompile(`\{\{[ \t\n\f\r]*([^{}]*?)[ \t\n\f\r]*\}\}`)

// VariablesIn lists the variable names a body uses, in order, with repeats.
func VariablesIn(body string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// CheckVariables refuses a body that names a variable that does not exist
// (422 unknown_variable on "body", naming it).
func CheckVariables(body string) error {
	for _, name := range VariablesIn(body) {
		if !slices.Contains(Variables, name) {
			return apperr.Invalidf("body", "unknown_variable", "name", name)
		}
	}
	return nil
}

// Render fills the variables of a body with vars. A variable without a
// value renders as nothing, and the space it leaves is tidied: a double
// space becomes one, a space before punctuation or at the end of a line
// goes, and so does a space at the start of a line ("Hi {{customer.name}},"
// → "Hi,"). The console's script applies the same rules.
func Render(body string, vars map[string]string) string {
	out := make([]byte, 0, len(body))
	prev := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(body, -1) {
		start, end := m[0], m[1]
		out = append(out, body[prev:start]...)
		prev = end
		if val := strings.TrimSpace(vars[body[m[2]:m[3]]]); val != "" {
			out = append(out, val...)
			continue
		}
		before, _ := utf8.DecodeLastRune(out)
		lineStart := len(out) == 0 || before == '\n' || before == '\r'
		after, _ := utf8.DecodeRuneInString(body[end:])
		switch {
		case after == ' ' && (lineStart || before == ' '):
			prev = end + 1
		case before == ' ' && (end == len(body) || after == '\n' || after == '\r' || isPunct(after)):
			out = out[:len(out)-1]
		}
	}
	out = append(out, body[prev:]...)
	return string(out)
}

// punct is the punctuation a space left by an empty variable does not stay before.
const punct = ",.;:!?)，。；：！？、）"

func isPunct(r rune) bool { return strings.ContainsRune(punct, r) }
