package apitest

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// onEngines runs fn on every configured database engine, in parallel with
// the other tests: each has its own server and database.
func onEngines(t *testing.T, fn func(t *testing.T, e storetest.Engine)) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, e)
		})
	}
}

// wantError fails unless err is a client error with this status and code.
func wantError(t testing.TB, what string, err error, status int, code string) *client.Error {
	t.Helper()
	e, ok := client.AsError(err)
	if !ok {
		t.Fatalf("%s: want %d %s, got %v", what, status, code, err)
	}
	if e.Status != status || e.Code != code {
		t.Fatalf("%s: want %d %s, got %d %s (%s)", what, status, code, e.Status, e.Code, e.Message)
	}
	if strings.TrimSpace(e.Message) == "" {
		t.Fatalf("%s: the %s error has no message", what, code)
	}
	return e
}

// must fails the test on err and returns v.
func must[T any](t testing.TB, what string) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// ok fails the test on err.
func ok(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// hasHan reports whether s has Chinese characters.
func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// anyIDs fills every {param} of a route path with a fresh, well-formed id
// that names nothing.
func anyIDs(path string) string {
	return pathParamRE.ReplaceAllStringFunc(path, func(string) string { return id.New() })
}

// asJSON renders v for comparisons and messages.
func asJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func ptr[T any](v T) *T { return &v }
