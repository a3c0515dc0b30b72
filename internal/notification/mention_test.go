package notification

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var people = []Person{
	{ID: "u-lina", Name: "Li Na", Email: "li.na@example.com"},
	{ID: "u-li", Name: "Li", Email: "li@example.com"},
	{ID: "u-wang", Name: "王伟", Email: "wang.wei@example.com"},
	{ID: "u-wangx", Name: "王伟星", Email: "wx@example.com"},
	{ID: "u-ada", Name: "Ada Lovelace", Email: "ada@example.org"},
	{ID: "u-zhao", Name: "赵 敏", Email: "zhao.min@example.cn"},
	{ID: "u-noname", Name: "  ", Email: "ghost@example.com"},
}

func TestMentions(t *testing.T) {
	d := NewDirectory(people)
	for _, c := range []struct {
		text string
		want []string
	}{
		{"@Li Na 请看一下", []string{"u-lina"}},
		{"@li na please", []string{"u-lina"}},                           // no case
		{"@LI NA", []string{"u-lina"}},                                  // at the end
		{"@Li, can you check?", []string{"u-li"}},                       // the longest name that fits
		{"@Lin is not Li", nil},                                         // a longer word is not the name
		{"@li.na 看一下", []string{"u-lina"}},                              // e-mail local part
		{"@li.na.", []string{"u-lina"}},                                 // end of sentence
		{"mail li.na@example.com", nil},                                 // an address is not a mention
		{"请@王伟看一下", []string{"u-wang"}},                                 // Chinese needs no spaces
		{"@王伟星 和 @王伟", []string{"u-wangx", "u-wang"}},                   // longest first, both, in order
		{"＠王伟 全角", []string{"u-wang"}},                                  // full-width at sign
		{"@Ada Lovelace and @ada and @Ada Lovelace", []string{"u-ada"}}, // once each
		{"@赵 敏 in", []string{"u-zhao"}},
		{"@赵\u3000敏", []string{"u-zhao"}}, // an ideographic space is a space
		{"@ghost hello", []string{"u-noname"}},
		{"@nobody @ @@Li Na", []string{"u-lina"}},
		{"no at sign at all", nil},
		{"@", nil},
		{"", nil},
		{"(@Li Na)", []string{"u-lina"}},
		{"@Li Na@Li", []string{"u-lina"}}, // "Na@Li" reads as an address
	} {
		got := d.Mentions(c.text)
		if !slices.Equal(got, c.want) {
			t.Errorf("Mentions(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestMentionsShared(t *testing.T) {
	// Two people with the same name are both mentioned; a name that is
	// another's local part mentions both.
	d := NewDirectory([]Person{
		{ID: "a", Name: "Sam", Email: "sam.a@example.com"},
		{ID: "b", Name: "Sam", Email: "sam.b@example.com"},
		{ID: "c", Name: "Chris", Email: "sam@example.com"},
	})
	got := d.Mentions("@sam hi")
	slices.Sort(got)
	if !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("@sam mentions %v, want a, b and c", got)
	}
}

func TestMentionsLimit(t *testing.T) {
	var ps []Person
	var text strings.Builder
	for i := range 2 * MaxMentions {
		name := "agent" + string(rune('A'+i/26)) + string(rune('a'+i%26))
		ps = append(ps, Person{ID: name, Name: name})
		text.WriteString("@" + name + " ")
	}
	if got := NewDirectory(ps).Mentions(text.String()); len(got) != MaxMentions {
		t.Errorf("a note mentioning %d people notifies %d, want the limit %d", len(ps), len(got), MaxMentions)
	}
	if got := NewDirectory(nil).Mentions("@anyone"); got != nil {
		t.Errorf("an empty directory found %v", got)
	}
	long := strings.Repeat("x", maxKeyRunes+1)
	if got := NewDirectory([]Person{{ID: "l", Name: long}}).Mentions("@" + long); got != nil {
		t.Errorf("a name over the length limit was found: %v", got)
	}
}

func TestExcerpt(t *testing.T) {
	if got := Excerpt("  @王伟 请看一下  "); got != "@王伟 请看一下" {
		t.Errorf("Excerpt trims: %q", got)
	}
	long := strings.Repeat("退", MaxExcerpt+50)
	if got := Excerpt(long); utf8.RuneCountInString(got) != MaxExcerpt || !utf8.ValidString(got) {
		t.Errorf("Excerpt keeps %d characters, want %d", utf8.RuneCountInString(got), MaxExcerpt)
	}
}

// FuzzMentions feeds the parser any text and any extra name: it must never
// panic, return only people of the directory, each once, within the limit,
// and find a name written right after an "@" at the start.
func FuzzMentions(f *testing.F) {
	for _, s := range []string{"@Li Na 请看一下", "@li.na", "请@王伟看一下", "＠王伟", "a@b.c", "@", "@@", "@\u00a0", "\xff@\xfe", "@İ", "@Σσς"} {
		f.Add(s, "Li Na")
		f.Add(s, "İstanbul")
	}
	f.Fuzz(func(t *testing.T, text, extra string) {
		ps := append(slices.Clone(people), Person{ID: "u-extra", Name: extra, Email: extra + "@example.com"})
		known := map[string]bool{}
		for _, p := range ps {
			known[p.ID] = true
		}
		d := NewDirectory(ps)
		got := d.Mentions(text)
		if len(got) > MaxMentions {
			t.Fatalf("%d mentions, over the limit", len(got))
		}
		seen := map[string]bool{}
		for _, id := range got {
			if !known[id] {
				t.Fatalf("Mentions(%q) returned unknown id %q", text, id)
			}
			if seen[id] {
				t.Fatalf("Mentions(%q) returned %q twice", text, id)
			}
			seen[id] = true
		}
		// A valid name typed right after "@", followed by a space, is found.
		name := strings.TrimSpace(extra)
		if name != "" && utf8.ValidString(name) && utf8.RuneCountInString(name) <= maxKeyRunes && !strings.ContainsAny(name, "@＠") {
			if got := d.Mentions("@" + name + " "); !slices.Contains(got, "u-extra") {
				t.Fatalf("@%s did not mention the person of that name: %v", name, got)
			}
		}
	})
}
