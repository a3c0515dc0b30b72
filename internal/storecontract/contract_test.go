package storecontract

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

// TestStoreContract runs every area of the contract, unchanged, on every
// engine storetest knows (SQLite always, PostgreSQL when configured).
func TestStoreContract(t *testing.T) {
	areas := []struct {
		name string
		run  func(t *testing.T, e storetest.Engine)
	}{
		{"Migrations", testMigrations},
		{"Tenants", testTenants},
		{"Users", testUsers},
		{"UserPagination", testUserPagination},
		{"LastAdmin", testLastAdmin},
		{"Passwords", testPasswords},
		{"Teams", testTeams},
		{"Sessions", testSessions},
		{"Tokens", testTokens},
		{"Throttle", testThrottle},
		{"Contacts", testContacts},
		{"Conversations", testConversations},
		{"ConversationConcurrency", testConversationConcurrency},
		{"ConversationLists", testConversationLists},
		{"Ownership", testOwnership},
		{"TenantIsolation", testTenantIsolation},
		{"KnowledgeBase", testKnowledgeBase},
		{"ReviewPermission", testReviewPermission},
	}
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			for _, a := range areas {
				t.Run(a.name, func(t *testing.T) {
					t.Parallel()
					a.run(t, e)
				})
			}
		})
	}
}

// goodPassword passes the password rules for every account made here.
const goodPassword = "correct horse battery staple"

// clock is a settable time source shared by the services under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// world is one fresh, migrated database with every service built on it.
type world struct {
	db       *store.DB
	clock    *clock
	tenants  *tenant.Service
	accounts *account.Service
	auth     *auth.Service
	contacts *contact.Service
	convs    *conversation.Service
}

func newWorld(t *testing.T, e storetest.Engine) *world {
	t.Helper()
	return newWorldOn(e.Open(t))
}

// newWorldOn builds the services on an open, migrated database.
func newWorldOn(db *store.DB) *world {
	w := &world{db: db, clock: newClock()}
	w.tenants = tenant.New(db)
	w.accounts = account.New(db)
	w.accounts.SetClock(w.clock.Now)
	w.auth = auth.New(auth.Options{DB: db, Accounts: w.accounts, Tenants: w.tenants,
		IdleTimeout: 30 * time.Minute, MaxLifetime: 2 * time.Hour, Now: w.clock.Now})
	w.contacts = contact.New(db)
	w.convs = conversation.New(conversation.Options{DB: db, Directory: directory{w.accounts, w.contacts}})
	return w
}

// directory answers the conversation service's existence checks, the way
// the application wires it.
type directory struct {
	accounts *account.Service
	contacts *contact.Service
}

func (d directory) ContactExists(ctx context.Context, tenantID, id string) error {
	_, err := d.contacts.Get(ctx, tenantID, id)
	return err
}

func (d directory) UserExists(ctx context.Context, tenantID, id string) error {
	_, err := d.accounts.GetUser(ctx, tenantID, id)
	return err
}

func (d directory) TeamExists(ctx context.Context, tenantID, id string) error {
	_, err := d.accounts.GetTeam(ctx, tenantID, id)
	return err
}

var ctx = context.Background()

func (w *world) tenant(t *testing.T, slug string) tenant.Tenant {
	t.Helper()
	tn, err := w.tenants.Create(ctx, slug, "")
	if err != nil {
		t.Fatalf("create tenant %s: %v", slug, err)
	}
	return tn
}

func (w *world) user(t *testing.T, tenantID, email string, role account.Role) account.User {
	t.Helper()
	u, err := w.accounts.CreateUser(ctx, tenantID, account.NewUser{Email: email, Name: "User " + email, Role: role, Password: goodPassword})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

func (w *world) contact(t *testing.T, tenantID string, in contact.Input) contact.Contact {
	t.Helper()
	c, err := w.contacts.Create(ctx, tenantID, in)
	if err != nil {
		t.Fatalf("create contact: %v", err)
	}
	return c
}

func (w *world) conversation(t *testing.T, tenantID string, nc conversation.NewConversation) conversation.Conversation {
	t.Helper()
	c, _, err := w.convs.Create(ctx, tenantID, nc)
	if err != nil {
		t.Fatalf("create conversation: %v", err)
	}
	return c
}

var kindNames = map[apperr.Kind]string{
	apperr.Internal: "internal", apperr.BadRequest: "bad request", apperr.Unauthorized: "unauthorized",
	apperr.Forbidden: "forbidden", apperr.NotFound: "not found", apperr.Conflict: "conflict",
	apperr.TooLarge: "too large", apperr.Invalid: "invalid", apperr.TooMany: "too many",
}

// wantErr checks that err is the user-visible error a person would see:
// its kind, its code, and the field it names.
func wantErr(t *testing.T, err error, kind apperr.Kind, code, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("got error %v, want a %s error %q on %q", err, kindNames[kind], code, field)
	}
	if e.Kind != kind || e.Code != code || e.Field != field {
		t.Fatalf("got %s error %q on %q (%v), want %s error %q on %q",
			kindNames[e.Kind], e.Code, e.Field, err, kindNames[kind], code, field)
	}
}

func wantNotFound(t *testing.T, err error) {
	t.Helper()
	wantErr(t, err, apperr.NotFound, "not_found", "")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// walk follows the cursors of a paginated list from the first page to the
// last and returns every id in the order seen, failing on a page over the
// limit, an empty page before the end, or an id seen twice.
func walk(t *testing.T, limit int, list func(p store.Page) ([]string, string, error)) []string {
	t.Helper()
	var all []string
	seen := map[string]bool{}
	p := store.Page{Limit: limit}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		ids, next, err := list(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) > limit {
			t.Fatalf("page of %d items, limit %d", len(ids), limit)
		}
		if len(ids) == 0 && next != "" {
			t.Fatal("empty page with a next cursor")
		}
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("id %s returned twice", id)
			}
			seen[id] = true
			all = append(all, id)
		}
		if next == "" {
			return all
		}
		if len(ids) < limit {
			t.Fatalf("short page (%d of %d) with a next cursor", len(ids), limit)
		}
		after, err := store.DecodeCursor(next)
		if err != nil {
			t.Fatalf("cursor %q: %v", next, err)
		}
		p.After = after
	}
}

func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g := map[string]int{}
	for _, s := range got {
		g[s]++
	}
	for _, s := range want {
		g[s]--
	}
	for s, n := range g {
		if n != 0 {
			t.Fatalf("%s: got %v, want the same items as %v (differs on %s)", what, got, want, s)
		}
	}
}
