package contact

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

// FuzzNormalizeTags: whatever comes in, what is accepted is a short list of
// trimmed, distinct (ignoring case) tags without commas or control
// characters, accepted again unchanged; what is refused is a 422 on a field.
func FuzzNormalizeTags(f *testing.F) {
	for _, s := range []string{"VIP", " vip |VIP|售后", "a,b", "贵宾，金卡", "", "  ", "a\tb", strings.Repeat("x", 33), "Ǆ|ǆ|ǅ", "İ|i̇"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		tags, err := NormalizeTags("tags", strings.Split(in, "|"))
		if err != nil {
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.Invalid || e.Code == "" || !strings.HasPrefix(e.Field, "tags") {
				t.Fatalf("refusal %v: want a 422 with a code on tags", err)
			}
			return
		}
		if len(tags) > MaxTags {
			t.Fatalf("%d tags", len(tags))
		}
		seen := map[string]bool{}
		for _, tag := range tags {
			if tag == "" || tag != strings.TrimSpace(tag) || utf8.RuneCountInString(tag) > MaxTagLen || !utf8.ValidString(tag) ||
				strings.ContainsAny(tag, ",，") || strings.ContainsFunc(tag, unicode.IsControl) {
				t.Fatalf("accepted a bad tag %q", tag)
			}
			if seen[tagKey(tag)] {
				t.Fatalf("a repeat in %q", tags)
			}
			seen[tagKey(tag)] = true
		}
		again, err := NormalizeTags("tags", tags)
		if err != nil || !slices.Equal(again, tags) {
			t.Fatalf("the accepted %q do not check again: %q, %v", tags, again, err)
		}
	})
}

func TestNormalizeTagsKeepsTheFirstSpelling(t *testing.T) {
	got, err := NormalizeTags("tags", []string{" Gold ", "VIP", "gold", "GOLD", "vip", "售后"})
	if err != nil || !slices.Equal(got, []string{"Gold", "VIP", "售后"}) {
		t.Fatalf("got %q, %v", got, err)
	}
	c := Contact{Tags: got}
	if !c.HasTag(" gold") || c.HasTag("silver") {
		t.Fatal("HasTag")
	}
}
