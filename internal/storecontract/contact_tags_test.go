package storecontract

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// TestContactTags checks a contact's tags on every engine: stored and read
// back by every query that returns a contact, cleaned and checked, kept by
// an update that does not name them, replaced by one that does, added and
// removed one at a time (also by many agents at once), and never seen from
// another tenant.
func TestContactTags(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			testContactTags(t, e)
		})
	}
}

func testContactTags(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	t1, t2 := w.tenant(t, "tags-one"), w.tenant(t, "tags-two")

	ann := w.contact(t, t1.ID, contact.Input{Name: ptr("Ann"), Tags: []string{" VIP ", "after-sales", "vip", "售后", "After-Sales"}})
	t.Run("create cleans the tags and keeps the first spelling", func(t *testing.T) {
		if want := []string{"VIP", "after-sales", "售后"}; !slices.Equal(ann.Tags, want) {
			t.Fatalf("tags %q, want %q", ann.Tags, want)
		}
		got, err := w.contacts.Get(ctx, t1.ID, ann.ID)
		must(t, err)
		if !slices.Equal(got.Tags, ann.Tags) {
			t.Fatalf("Get: tags %q, want %q", got.Tags, ann.Tags)
		}
		list, _, err := w.contacts.List(ctx, t1.ID, store.Page{Limit: 50})
		must(t, err)
		if i := slices.IndexFunc(list, func(c contact.Contact) bool { return c.ID == ann.ID }); i < 0 || !slices.Equal(list[i].Tags, ann.Tags) {
			t.Fatalf("List does not show Ann's tags: %+v", list)
		}
		plain := w.contact(t, t1.ID, contact.Input{Name: ptr("No tags")})
		if plain.Tags == nil || len(plain.Tags) != 0 {
			t.Fatalf("a contact without tags has %#v, want an empty list", plain.Tags)
		}
		if !ann.HasTag("vip") || ann.HasTag("gold") {
			t.Fatal("HasTag ignores case and finds only the contact's tags")
		}
	})

	t.Run("invalid tags are refused with the field at fault", func(t *testing.T) {
		tooMany := make([]string, contact.MaxTags+1)
		for i := range tooMany {
			tooMany[i] = fmt.Sprintf("t%d", i)
		}
		dupsThenTwenty := append([]string{"t0", "T0", "t0"}, tooMany[1:contact.MaxTags]...)
		for _, tc := range []struct {
			name        string
			tags        []string
			field, code string
		}{
			{"empty", []string{"ok", "  "}, "tags[1]", "required"},
			{"too long", []string{strings.Repeat("长", contact.MaxTagLen+1)}, "tags[0]", "too_long"},
			{"control character", []string{"a\tb"}, "tags[0]", "control_chars"},
			{"comma", []string{"vip, gold"}, "tags[0]", "contact_tag_comma"},
			{"full-width comma", []string{"贵宾，金卡"}, "tags[0]", "contact_tag_comma"},
			{"too many", tooMany, "tags", "too_many"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.contacts.Create(ctx, t1.ID, contact.Input{Tags: tc.tags})
				wantErr(t, err, apperr.Invalid, tc.code, tc.field)
				_, err = w.contacts.Update(ctx, t1.ID, ann.ID, contact.Input{Tags: tc.tags})
				wantErr(t, err, apperr.Invalid, tc.code, tc.field)
			})
		}
		// Repeats do not count towards the limit.
		c := w.contact(t, t1.ID, contact.Input{Tags: dupsThenTwenty})
		if len(c.Tags) != contact.MaxTags || c.Tags[0] != "t0" {
			t.Fatalf("%d tags %q", len(c.Tags), c.Tags)
		}
		// A tag of exactly the longest length is fine.
		longest := strings.Repeat("长", contact.MaxTagLen)
		c = w.contact(t, t1.ID, contact.Input{Tags: []string{longest}})
		if !slices.Equal(c.Tags, []string{longest}) {
			t.Fatalf("tags %q", c.Tags)
		}
		got, err := w.contacts.Get(ctx, t1.ID, ann.ID)
		must(t, err)
		if !slices.Equal(got.Tags, ann.Tags) {
			t.Fatalf("refused changes changed Ann's tags to %q", got.Tags)
		}
	})

	t.Run("an update keeps the tags unless it gives a list", func(t *testing.T) {
		c := w.contact(t, t1.ID, contact.Input{Tags: []string{"gold"}})
		got, err := w.contacts.Update(ctx, t1.ID, c.ID, contact.Input{Name: ptr("Renamed")})
		must(t, err)
		if !slices.Equal(got.Tags, []string{"gold"}) {
			t.Fatalf("a name change changed the tags to %q", got.Tags)
		}
		got, err = w.contacts.Update(ctx, t1.ID, c.ID, contact.Input{Tags: []string{"silver", "Silver"}})
		must(t, err)
		if !slices.Equal(got.Tags, []string{"silver"}) {
			t.Fatalf("after replacing: %q", got.Tags)
		}
		got, err = w.contacts.Update(ctx, t1.ID, c.ID, contact.Input{Tags: []string{}})
		must(t, err)
		if got.Tags == nil || len(got.Tags) != 0 {
			t.Fatalf("after clearing: %#v", got.Tags)
		}
	})

	t.Run("add and remove one tag", func(t *testing.T) {
		c := w.contact(t, t1.ID, contact.Input{Name: ptr("Bo")})
		got, err := w.contacts.AddTag(ctx, t1.ID, c.ID, "  VIP ")
		must(t, err)
		if !slices.Equal(got.Tags, []string{"VIP"}) {
			t.Fatalf("after adding: %q", got.Tags)
		}
		// The same tag in another case is already there: nothing changes.
		got, err = w.contacts.AddTag(ctx, t1.ID, c.ID, "vip")
		must(t, err)
		if !slices.Equal(got.Tags, []string{"VIP"}) {
			t.Fatalf("after adding again: %q", got.Tags)
		}
		got, err = w.contacts.AddTag(ctx, t1.ID, c.ID, "回头客")
		must(t, err)
		if !slices.Equal(got.Tags, []string{"VIP", "回头客"}) {
			t.Fatalf("after adding a second: %q", got.Tags)
		}
		_, err = w.contacts.AddTag(ctx, t1.ID, c.ID, "a,b")
		wantErr(t, err, apperr.Invalid, "contact_tag_comma", "tag")
		_, err = w.contacts.AddTag(ctx, t1.ID, c.ID, "")
		wantErr(t, err, apperr.Invalid, "required", "tag")
		got, err = w.contacts.RemoveTag(ctx, t1.ID, c.ID, "vIp")
		must(t, err)
		if !slices.Equal(got.Tags, []string{"回头客"}) {
			t.Fatalf("after removing: %q", got.Tags)
		}
		_, err = w.contacts.RemoveTag(ctx, t1.ID, c.ID, "VIP")
		wantErr(t, err, apperr.NotFound, "not_found", "")
		_, err = w.contacts.AddTag(ctx, t1.ID, id.New(), "VIP")
		wantNotFound(t, err)
		_, err = w.contacts.RemoveTag(ctx, t1.ID, id.New(), "VIP")
		wantNotFound(t, err)
		stored, err := w.contacts.Get(ctx, t1.ID, c.ID)
		must(t, err)
		if !slices.Equal(stored.Tags, []string{"回头客"}) {
			t.Fatalf("stored %q", stored.Tags)
		}
	})

	t.Run("the limit holds for one tag at a time", func(t *testing.T) {
		c := w.contact(t, t1.ID, contact.Input{})
		for i := range contact.MaxTags {
			_, err := w.contacts.AddTag(ctx, t1.ID, c.ID, fmt.Sprintf("n%d", i))
			must(t, err)
		}
		_, err := w.contacts.AddTag(ctx, t1.ID, c.ID, "one more")
		wantErr(t, err, apperr.Invalid, "too_many", "tags")
		// One it already has is still fine.
		_, err = w.contacts.AddTag(ctx, t1.ID, c.ID, "N0")
		must(t, err)
	})

	t.Run("agents tagging at once all keep their tag", func(t *testing.T) {
		c := w.contact(t, t1.ID, contact.Input{})
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := w.contacts.AddTag(ctx, t1.ID, c.ID, fmt.Sprintf("agent-%d", i)); err != nil {
					errs <- err
				}
			}()
			if i%3 == 0 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := w.contacts.Update(ctx, t1.ID, c.ID, contact.Input{Name: ptr(fmt.Sprintf("name %d", i))}); err != nil {
						errs <- err
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		got, err := w.contacts.Get(ctx, t1.ID, c.ID)
		must(t, err)
		if len(got.Tags) != 10 {
			t.Fatalf("%d tags after 10 agents added one each: %q", len(got.Tags), got.Tags)
		}
	})

	t.Run("another tenant's contact cannot be tagged", func(t *testing.T) {
		_, err := w.contacts.AddTag(ctx, t2.ID, ann.ID, "mine now")
		wantNotFound(t, err)
		_, err = w.contacts.RemoveTag(ctx, t2.ID, ann.ID, "VIP")
		wantNotFound(t, err)
		_, err = w.contacts.Update(ctx, t2.ID, ann.ID, contact.Input{Tags: []string{}})
		wantNotFound(t, err)
		got, err := w.contacts.Get(ctx, t1.ID, ann.ID)
		must(t, err)
		if !slices.Equal(got.Tags, ann.Tags) {
			t.Fatalf("Ann's tags became %q", got.Tags)
		}
	})
}
