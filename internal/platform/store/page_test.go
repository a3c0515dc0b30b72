package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

func TestPageNormalized(t *testing.T) {
	for _, tc := range []struct{ in, want int }{
		{-1, store.DefaultPageSize}, {0, store.DefaultPageSize}, {1, 1}, {store.MaxPageSize, store.MaxPageSize}, {store.MaxPageSize + 1, store.MaxPageSize},
	} {
		if got := (store.Page{After: "x", Limit: tc.in}).Normalized(); got.Limit != tc.want || got.After != "x" {
			t.Errorf("Normalized(%d) = %+v, want limit %d", tc.in, got, tc.want)
		}
	}
}

func TestCursors(t *testing.T) {
	for _, id := range []string{"01a1fcad-638c-7d47-addc-7e4d3d5d46d9", "a", "ünïcode/+="} {
		c := store.EncodeCursor(id)
		if strings.ContainsAny(c, "+/=") {
			t.Errorf("cursor %q is not URL-safe", c)
		}
		got, err := store.DecodeCursor(c)
		if err != nil || got != id {
			t.Errorf("round trip of %q: %q, %v", id, got, err)
		}
	}
	if store.EncodeCursor("") != "" {
		t.Error("the cursor of nothing is not empty")
	}
	if got, err := store.DecodeCursor(""); got != "" || err != nil {
		t.Errorf("empty cursor: %q %v", got, err)
	}
	for _, bad := range []string{"!!!", "a b", "=", store.EncodeCursor(strings.Repeat("x", 65))} {
		if _, err := store.DecodeCursor(bad); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("DecodeCursor(%q) = %v, want ErrBadCursor", bad, err)
		}
	}
}

func TestNextCursor(t *testing.T) {
	id := func(s string) string { return s }
	items, next := store.NextCursor([]string{"a", "b", "c"}, 2, id)
	if strings.Join(items, ",") != "a,b" || next != store.EncodeCursor("b") {
		t.Fatalf("over the limit: %v %q", items, next)
	}
	items, next = store.NextCursor([]string{"a", "b"}, 2, id)
	if len(items) != 2 || next != "" {
		t.Fatalf("at the limit: %v %q", items, next)
	}
	items, next = store.NextCursor([]string{}, 2, id)
	if len(items) != 0 || next != "" {
		t.Fatalf("empty: %v %q", items, next)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@db:5432/x?sslmode=disable": "postgres://u:xxxxx@db:5432/x?sslmode=disable",
		"postgres://u@db/x":                             "postgres://u@db/x",
		"/var/lib/switchboard.db":                       "/var/lib/switchboard.db",
	} {
		if got := store.RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
