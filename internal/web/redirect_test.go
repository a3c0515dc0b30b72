package web

import "testing"

// Paths from ?next= and ?back= are followed by the browser: none may lead
// to another site, however the browser reads it.
func TestLocalPath(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"/", true},
		{"/admin/users", true},
		{"/admin/teams?x=1#y", true},
		{"/%5Cexample.com", true}, // still escaped: the browser keeps it a path
		{"", false},
		{"admin", false},
		{"//example.com", false},
		{"/\\example.com", false},
		{"\\\\example.com", false},
		{"/\t/example.com", false},
		{"/\n/example.com", false},
		{"/\r/example.com", false},
		{"https://example.com/", false},
		{"javascript:alert(1)", false},
	} {
		if got := localPath(c.in); got != c.ok {
			t.Errorf("localPath(%q) = %v, want %v", c.in, got, c.ok)
		}
	}
}
