package storecontract

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

func attrs(kv ...string) map[string]contact.AttrValue {
	m := map[string]contact.AttrValue{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = contact.AttrValue(kv[i+1])
	}
	return m
}

// attrJSON renders attributes as one canonical JSON object for comparison.
func attrJSON(t *testing.T, m map[string]contact.AttrValue) string {
	t.Helper()
	generic := map[string]any{}
	for k, v := range m {
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			t.Fatalf("attribute %s holds %q: %v", k, v, err)
		}
		generic[k] = x
	}
	b, err := json.Marshal(generic)
	must(t, err)
	return string(b)
}

func testContacts(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	t1, t2 := w.tenant(t, "one"), w.tenant(t, "two")

	mia, err := w.contacts.Create(ctx, t1.ID, contact.Input{
		Name:        ptr("  Mia Wong "),
		Emails:      []string{" Mia@Example.com", "mia.wong@work.example"},
		Phones:      []string{"+1 (555) 010-2000"},
		ExternalIDs: []contact.ExternalID{{Source: "shop", ID: " 42 "}},
		Attributes:  attrs("plan", `"gold"`, "orders", "12", "vip", "true", "nothing", "null"),
	})
	must(t, err)

	t.Run("create normalises and stores everything", func(t *testing.T) {
		if mia.Name != "Mia Wong" {
			t.Fatalf("name %q", mia.Name)
		}
		if !slices.Equal(mia.Emails, []string{"mia@example.com", "mia.wong@work.example"}) {
			t.Fatalf("emails %v: want lower-case, in the given order", mia.Emails)
		}
		if !slices.Equal(mia.Phones, []string{"+15550102000"}) {
			t.Fatalf("phones %v", mia.Phones)
		}
		if !slices.Equal(mia.ExternalIDs, []contact.ExternalID{{Source: "shop", ID: "42"}}) {
			t.Fatalf("external ids %v", mia.ExternalIDs)
		}
		if got := attrJSON(t, mia.Attributes); got != `{"nothing":null,"orders":12,"plan":"gold","vip":true}` {
			t.Fatalf("attributes %s", got)
		}
		got, err := w.contacts.Get(ctx, t1.ID, mia.ID)
		must(t, err)
		if got.Name != mia.Name || !slices.Equal(got.Emails, mia.Emails) || !slices.Equal(got.Phones, mia.Phones) ||
			attrJSON(t, got.Attributes) != attrJSON(t, mia.Attributes) || !got.CreatedAt.Equal(mia.CreatedAt) {
			t.Fatalf("Get = %+v\nwant  %+v", got, mia)
		}
		empty := w.contact(t, t1.ID, contact.Input{})
		if empty.Emails == nil || empty.Phones == nil || empty.ExternalIDs == nil || empty.Attributes == nil || len(empty.Attributes) != 0 {
			t.Fatalf("an empty contact has nil lists: %+v", empty)
		}
	})
	t.Run("find by e-mail", func(t *testing.T) {
		for _, email := range []string{"MIA@example.com", "mia.wong@work.example"} {
			got, err := w.contacts.ByEmail(ctx, t1.ID, email)
			must(t, err)
			if got.ID != mia.ID {
				t.Fatalf("ByEmail(%q) = %s", email, got.ID)
			}
		}
		_, err := w.contacts.ByEmail(ctx, t1.ID, "nobody@example.com")
		wantNotFound(t, err)
		_, err = w.contacts.ByEmail(ctx, t2.ID, "mia@example.com")
		wantNotFound(t, err)
		_, err = w.contacts.ByEmail(ctx, t1.ID, "not an address")
		wantErr(t, err, apperr.Invalid, "invalid_email", "email")
	})
	t.Run("an identity belongs to one contact of a tenant", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			in    contact.Input
			field string
		}{
			{"email", contact.Input{Emails: []string{"MIA@EXAMPLE.COM"}}, "emails"},
			{"phone", contact.Input{Phones: []string{"+1 555 010 2000"}}, "phones"},
			{"external id", contact.Input{ExternalIDs: []contact.ExternalID{{Source: "shop", ID: "42"}}}, "external_ids"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.contacts.Create(ctx, t1.ID, tc.in)
				wantErr(t, err, apperr.Conflict, "duplicate", tc.field)
				other := w.contact(t, t1.ID, contact.Input{Name: ptr("Other " + tc.name)})
				_, err = w.contacts.Update(ctx, t1.ID, other.ID, tc.in)
				wantErr(t, err, apperr.Conflict, "duplicate", tc.field)
				after, err := w.contacts.Get(ctx, t1.ID, other.ID)
				must(t, err)
				if len(after.Emails)+len(after.Phones)+len(after.ExternalIDs) != 0 {
					t.Fatalf("a refused update stored identities: %+v", after)
				}
				// in another tenant the same identity is free
				_, err = w.contacts.Create(ctx, t2.ID, tc.in)
				must(t, err)
			})
		}
		// the same external id from another source is another identity
		w.contact(t, t1.ID, contact.Input{ExternalIDs: []contact.ExternalID{{Source: "crm", ID: "42"}}})
		// and nothing of mia changed
		got, err := w.contacts.Get(ctx, t1.ID, mia.ID)
		must(t, err)
		if !slices.Equal(got.Emails, mia.Emails) || !slices.Equal(got.Phones, mia.Phones) || len(got.ExternalIDs) != 1 {
			t.Fatalf("mia after refused duplicates: %+v", got)
		}
	})
	t.Run("invalid input", func(t *testing.T) {
		long := make([]string, contact.MaxEmails+1)
		for i := range long {
			long[i] = "x" + string(rune('a'+i)) + "@example.com"
		}
		for _, tc := range []struct {
			name        string
			in          contact.Input
			field, code string
		}{
			{"bad email", contact.Input{Emails: []string{"ok@example.com", "nope"}}, "emails[1]", "invalid_email"},
			{"bad phone", contact.Input{Phones: []string{"call me"}}, "phones[0]", "invalid_phone"},
			{"repeated email", contact.Input{Emails: []string{"r@example.com", "R@example.com"}}, "emails", "repeated_value"},
			{"too many emails", contact.Input{Emails: long}, "emails", "too_many"},
			{"bad source", contact.Input{ExternalIDs: []contact.ExternalID{{Source: "Shop!", ID: "1"}}}, "external_ids[0].source", "invalid_source"},
			{"object attribute", contact.Input{Attributes: attrs("address", `{"city":"x"}`)}, "attributes.address", "invalid_attribute_value"},
			{"array attribute", contact.Input{Attributes: attrs("tags", `["a"]`)}, "attributes.tags", "invalid_attribute_value"},
			{"bad attribute key", contact.Input{Attributes: attrs("has space", `1`)}, "attributes", "invalid_attribute_key"},
			{"broken attribute", contact.Input{Attributes: attrs("n", `12x`)}, "attributes.n", "invalid_attribute_value"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.contacts.Create(ctx, t1.ID, tc.in)
				wantErr(t, err, apperr.Invalid, tc.code, tc.field)
			})
		}
	})
	t.Run("update merges attributes and replaces given lists", func(t *testing.T) {
		got, err := w.contacts.Update(ctx, t1.ID, mia.ID, contact.Input{
			Attributes: attrs("plan", `"platinum"`, "orders", "null", "city", `"Lyon"`, "absent", "null"),
		})
		must(t, err)
		if a := attrJSON(t, got.Attributes); a != `{"city":"Lyon","nothing":null,"plan":"platinum","vip":true}` {
			t.Fatalf("merged attributes %s", a)
		}
		if got.Name != "Mia Wong" || !slices.Equal(got.Emails, mia.Emails) || !slices.Equal(got.Phones, mia.Phones) {
			t.Fatalf("fields not in the change were changed: %+v", got)
		}
		got, err = w.contacts.Update(ctx, t1.ID, mia.ID, contact.Input{Name: ptr("Mia W."), Emails: []string{"mia@example.com"}, Phones: []string{}})
		must(t, err)
		if got.Name != "Mia W." || !slices.Equal(got.Emails, []string{"mia@example.com"}) || len(got.Phones) != 0 || len(got.ExternalIDs) != 1 {
			t.Fatalf("after replacing lists: %+v", got)
		}
		stored, err := w.contacts.Get(ctx, t1.ID, mia.ID)
		must(t, err)
		if attrJSON(t, stored.Attributes) != attrJSON(t, got.Attributes) || !slices.Equal(stored.Emails, got.Emails) {
			t.Fatalf("stored %+v, returned %+v", stored, got)
		}
		// a dropped address is free for another contact
		w.contact(t, t1.ID, contact.Input{Emails: []string{"mia.wong@work.example"}})
		_, err = w.contacts.Update(ctx, t1.ID, id.New(), contact.Input{Name: ptr("x")})
		wantNotFound(t, err)
	})
	t.Run("delete removes the contact and their conversations", func(t *testing.T) {
		c := w.contact(t, t1.ID, contact.Input{Emails: []string{"gone@example.com"}})
		conv := w.conversation(t, t1.ID, conversation.NewConversation{ContactID: c.ID,
			Message: &conversation.NewMessage{SenderType: conversation.SenderContact, Body: "bye"}})
		must(t, w.contacts.Delete(ctx, t1.ID, c.ID))
		_, err := w.contacts.Get(ctx, t1.ID, c.ID)
		wantNotFound(t, err)
		_, err = w.convs.Get(ctx, t1.ID, conv.ID)
		wantNotFound(t, err)
		wantNotFound(t, w.contacts.Delete(ctx, t1.ID, c.ID))
		w.contact(t, t1.ID, contact.Input{Emails: []string{"gone@example.com"}})
	})
	t.Run("list pages through every contact once", func(t *testing.T) {
		tn := w.tenant(t, "paged")
		var want []string
		for i := 0; i < 7; i++ {
			c := w.contact(t, tn.ID, contact.Input{Emails: []string{"p" + string(rune('a'+i)) + "@example.com"}})
			want = append(want, c.ID)
		}
		for _, limit := range []int{1, 3, 7, 50} {
			got := walk(t, limit, func(p store.Page) ([]string, string, error) {
				cs, next, err := w.contacts.List(ctx, tn.ID, p)
				ids := make([]string, len(cs))
				for i, c := range cs {
					ids[i] = c.ID
					if len(c.Emails) != 1 {
						t.Errorf("listed contact without its identities: %+v", c)
					}
				}
				return ids, next, err
			})
			if !slices.Equal(got, want) {
				t.Fatalf("limit %d walked %v, want %v", limit, got, want)
			}
		}
	})
}
