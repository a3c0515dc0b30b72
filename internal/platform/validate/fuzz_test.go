package validate_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/validate"
)

// refusal checks that a refused input comes back as a 422 naming the field.
func refusal(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid || e.Code == "" || e.Field != field {
		t.Fatalf("refusal %v: want a 422 with a code on %q", err, field)
	}
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{
		"ann@example.com", " Ann.Lee@Example.COM ", "a@localhost", "a@b", "a@b.", "@example.com", "a@", "",
		"Ann <ann@example.com>", `"a b"@example.com`, "a@@example.com", "a@[127.0.0.1]", "a+tag@sub.example.co.uk",
		"ÄNN@example.com", "\u212a@example.com", "\u023a@example.com", strings.Repeat("\u023a", 120) + "@example.com", strings.Repeat("a", 243) + "@example.com",
		"a@example.com\n", "a\x00@example.com", "(comment)a@example.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := validate.Email("email", in)
		if err != nil {
			refusal(t, err, "email")
			return
		}
		if out != strings.ToLower(out) {
			t.Fatalf("Email(%q) = %q, not lower-case", in, out)
		}
		if out != strings.ToLower(strings.TrimSpace(in)) {
			t.Fatalf("Email(%q) = %q, not the trimmed lower-case input", in, out)
		}
		if len(out) > 254 || !strings.Contains(out, "@") || !utf8.ValidString(out) {
			t.Fatalf("Email(%q) = %q: too long, no @, or not UTF-8", in, out)
		}
		again, err := validate.Email("email", out)
		if err != nil || again != out {
			t.Fatalf("the accepted %q does not validate again: %q, %v", out, again, err)
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"+1 (555) 010-2000", "555.0100", "+86 138 0013 8000", "1234", "+", "++123456", "12+34567",
		"١٢٣٤٥٦٧", "５５５０１００", "  +44 20 7946 0958  ", strings.Repeat("9", 21), "call me", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := validate.Phone("phone", in)
		if err != nil {
			refusal(t, err, "phone")
			return
		}
		digits := strings.TrimPrefix(out, "+")
		if len(digits) < 5 || len(digits) > 20 || strings.Trim(digits, "0123456789") != "" {
			t.Fatalf("Phone(%q) = %q: want an optional + and 5 to 20 ASCII digits", in, out)
		}
		again, err := validate.Phone("phone", out)
		if err != nil || again != out {
			t.Fatalf("the accepted %q does not validate again: %q, %v", out, again, err)
		}
	})
}

func FuzzCheckPassword(f *testing.F) {
	for _, s := range []string{"correct horse battery staple", "password1234", "aaaaaaaaaaaa", "abcdefghijklmnop", "qwertyuiopasdf",
		"short", strings.Repeat("x", 129), "Pässwörd-Ünïcödé-2026", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4", "ann.lee2026!!", "ab\x00cdefghijklmn"} {
		f.Add(s, "ann.lee@example.com", "Ann Lee")
	}
	f.Fuzz(func(t *testing.T, pw, email, name string) {
		err := account.CheckPassword(pw, email, name)
		if err != nil {
			refusal(t, err, "password")
			return
		}
		if n := utf8.RuneCountInString(pw); n < account.MinPasswordLen || n > account.MaxPasswordLen || !utf8.ValidString(pw) {
			t.Fatalf("accepted a password of %d characters (valid UTF-8: %v)", n, utf8.ValidString(pw))
		}
		if account.CheckPassword(pw, email, name) != nil {
			t.Fatal("the same password was accepted, then refused")
		}
		if account.CheckPassword(strings.Repeat(pw[:1], len(pw))) == nil {
			t.Fatalf("a repeated character %q is accepted", pw[:1])
		}
	})
}

func TestEmail(t *testing.T) {
	for in, want := range map[string]string{
		" Ann.Lee@Example.COM ": "ann.lee@example.com",
		"a@localhost":           "a@localhost",
		"a+tag@sub.example.org": "a+tag@sub.example.org",
	} {
		if got, err := validate.Email("email", in); err != nil || got != want {
			t.Errorf("Email(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "a", "a@b", "Ann <ann@example.com>", "a@@example.com", strings.Repeat("a", 250) + "@example.com"} {
		if _, err := validate.Email("email", in); err == nil {
			t.Errorf("Email(%q) accepted", in)
		}
	}
}

func TestPhone(t *testing.T) {
	for in, want := range map[string]string{"+1 (555) 010-2000": "+15550102000", "555.0100": "5550100", " +86 138 0013 8000 ": "+8613800138000"} {
		if got, err := validate.Phone("phone", in); err != nil || got != want {
			t.Errorf("Phone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1234", "12+34567", "call me", strings.Repeat("9", 21), "５５５０１００"} {
		if _, err := validate.Phone("phone", in); err == nil {
			t.Errorf("Phone(%q) accepted", in)
		}
	}
}
