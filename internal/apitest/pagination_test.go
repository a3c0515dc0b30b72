package apitest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// walk follows next_cursor from the first page to the last and returns the
// ids in the order they came, failing on an empty or oversized page.
func walk[T any](t *testing.T, what string, limit int, page func(cursor string) ([]T, string, error), idOf func(T) string) (ids []string, pages int) {
	t.Helper()
	cursor := ""
	for {
		items, next, err := page(cursor)
		if err != nil {
			t.Fatalf("%s page %d: %v", what, pages+1, err)
		}
		pages++
		if len(items) > limit || (len(items) == 0 && pages > 1) {
			t.Fatalf("%s page %d has %d items (limit %d)", what, pages, len(items), limit)
		}
		for _, it := range items {
			ids = append(ids, idOf(it))
		}
		if next == "" {
			return ids, pages
		}
		if pages > 1000 {
			t.Fatalf("%s: the cursor never ends", what)
		}
		cursor = next
	}
}

// exactlyOnce fails unless got holds every id of want once and nothing else.
func exactlyOnce(t *testing.T, what string, got, want []string) {
	t.Helper()
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	for _, id := range want {
		if seen[id] != 1 {
			t.Errorf("%s: %s seen %d times, want once", what, id, seen[id])
		}
		delete(seen, id)
	}
	for id := range seen {
		t.Errorf("%s: unexpected item %s", what, id)
	}
}

// TestPagination walks lists longer than one page and checks that every
// item comes exactly once, in the documented order.
func TestPagination(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		admin := s.Admin(t)
		shop, _ := s.TokenClient(t, admin, client.ScopeWrite)

		var contacts []string
		for i := range 23 {
			c := must[*client.Contact](t, "contact")(shop.CreateContact(ctx, client.ContactInput{
				Name: ptr(fmt.Sprintf("Customer %02d", i)), Emails: []string{fmt.Sprintf("customer%02d@example.com", i)}}))
			contacts = append(contacts, c.ID)
		}

		t.Run("contacts, oldest first", func(t *testing.T) {
			for _, limit := range []int{1, 7, 10, 22, 23, 200} {
				t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
					ids, pages := walk(t, "contacts", limit, func(cur string) ([]client.Contact, string, error) {
						return shop.ListContacts(ctx, client.ListOptions{Cursor: cur, Limit: limit})
					}, func(c client.Contact) string { return c.ID })
					exactlyOnce(t, "contacts", ids, contacts)
					if !slices.Equal(ids, contacts) {
						t.Errorf("contacts not oldest first: %v", ids)
					}
					if want := (len(contacts) + limit - 1) / limit; pages != want {
						t.Errorf("%d pages, want %d", pages, want)
					}
				})
			}
			// The default page (50) holds all 23, and says there is no more.
			items, next, err := shop.ListContacts(ctx, client.ListOptions{})
			ok(t, "default page", err)
			if len(items) != len(contacts) || next != "" {
				t.Errorf("default page has %d contacts and next cursor %q", len(items), next)
			}
			// Each contact carries its identities on every page.
			var page []client.Contact
			page, _, err = shop.ListContacts(ctx, client.ListOptions{Limit: 5})
			ok(t, "page", err)
			for i, c := range page {
				if len(c.Emails) != 1 || c.Emails[0] != fmt.Sprintf("customer%02d@example.com", i) {
					t.Errorf("contact %d listed with e-mails %v", i, c.Emails)
				}
			}
		})

		t.Run("a contact added while paging is not missed", func(t *testing.T) {
			first, next, err := shop.ListContacts(ctx, client.ListOptions{Limit: 20})
			ok(t, "first page", err)
			added := must[*client.Contact](t, "add")(shop.CreateContact(ctx, client.ContactInput{Name: ptr("Late arrival")}))
			rest, _ := walk(t, "rest", 20, func(cur string) ([]client.Contact, string, error) {
				if cur == "" {
					cur = next
				}
				return shop.ListContacts(ctx, client.ListOptions{Cursor: cur, Limit: 20})
			}, func(c client.Contact) string { return c.ID })
			var ids []string
			for _, c := range first {
				ids = append(ids, c.ID)
			}
			contacts = append(contacts, added.ID)
			exactlyOnce(t, "contacts", append(ids, rest...), contacts)
		})

		t.Run("conversations, newest first", func(t *testing.T) {
			var convs []string
			for i := range 7 {
				c := must[*client.ConversationCreated](t, "conversation")(shop.CreateConversation(ctx, client.ConversationCreate{
					ContactID: contacts[i%3], Subject: fmt.Sprint("Question ", i)}))
				convs = append(convs, c.Conversation.ID)
			}
			ids, _ := walk(t, "conversations", 3, func(cur string) ([]client.Conversation, string, error) {
				return shop.ListConversations(ctx, client.ConversationFilter{ListOptions: client.ListOptions{Cursor: cur, Limit: 3}})
			}, func(c client.Conversation) string { return c.ID })
			exactlyOnce(t, "conversations", ids, convs)
			newest := slices.Clone(convs)
			slices.Reverse(newest)
			if !slices.Equal(ids, newest) {
				t.Errorf("conversations not newest first")
			}
			// Filters page too: the first contact's conversations, two at a time.
			var first []string
			for i := 0; i < 7; i += 3 {
				first = append(first, convs[i])
			}
			ids, _ = walk(t, "filtered", 2, func(cur string) ([]client.Conversation, string, error) {
				return shop.ListConversations(ctx, client.ConversationFilter{ContactID: contacts[0], ListOptions: client.ListOptions{Cursor: cur, Limit: 2}})
			}, func(c client.Conversation) string { return c.ID })
			exactlyOnce(t, "one contact's conversations", ids, first)
		})

		t.Run("teams and tokens", func(t *testing.T) {
			var teams []string
			for i := range 5 {
				tm := must[*client.Team](t, "team")(admin.CreateTeam(ctx, client.TeamInput{Name: fmt.Sprint("Team ", i)}))
				teams = append(teams, tm.ID)
			}
			ids, _ := walk(t, "teams", 2, func(cur string) ([]client.Team, string, error) {
				return admin.ListTeams(ctx, client.ListOptions{Cursor: cur, Limit: 2})
			}, func(x client.Team) string { return x.ID })
			exactlyOnce(t, "teams", ids, teams)

			all, _, err := admin.ListTokens(ctx, client.ListOptions{})
			ok(t, "tokens", err)
			var tokens []string
			for _, tk := range all {
				tokens = append(tokens, tk.ID)
			}
			for i := range 4 {
				tk := must[*client.TokenCreated](t, "token")(admin.CreateToken(ctx, client.TokenCreate{Name: fmt.Sprint("Token ", i), Scope: client.ScopeRead}))
				tokens = append(tokens, tk.ID)
			}
			ids, _ = walk(t, "tokens", 2, func(cur string) ([]client.Token, string, error) {
				return admin.ListTokens(ctx, client.ListOptions{Cursor: cur, Limit: 2})
			}, func(x client.Token) string { return x.ID })
			exactlyOnce(t, "tokens", ids, tokens)

			ids, _ = walk(t, "users", 1, func(cur string) ([]client.User, string, error) {
				return admin.ListUsers(ctx, client.ListOptions{Cursor: cur, Limit: 1})
			}, func(x client.User) string { return x.ID })
			if len(ids) != 1 {
				t.Errorf("users: %v, want the administrator only", ids)
			}
		})
	})
}
