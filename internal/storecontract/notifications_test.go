package storecontract

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/notification"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// TestNotificationContract runs the notification contract on every engine.
func TestNotificationContract(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Run("Mentions", func(t *testing.T) { t.Parallel(); testMentions(t, e) })
			t.Run("Notifier", func(t *testing.T) { t.Parallel(); testNotifier(t, e) })
		})
	}
}

type mentionWorld struct {
	*world
	notes             *notification.Service
	tenantID, otherID string
	ada, lina, wang   account.User
	ghost, otherLina  account.User
	conv              conversation.Conversation
	otherConv         conversation.Conversation
	contactName       string
}

func newMentionWorld(t *testing.T, e storetest.Engine) *mentionWorld {
	w := &mentionWorld{world: newWorld(t, e)}
	w.notes = notification.New(w.db)
	w.notes.SetClock(w.clock.Now)
	a, b := w.tenant(t, "mentions-a"), w.tenant(t, "mentions-b")
	w.tenantID, w.otherID = a.ID, b.ID
	mk := func(tenantID, email, name string) account.User {
		u, err := w.accounts.CreateUser(ctx, tenantID, account.NewUser{Email: email, Name: name, Role: account.RoleAgent, Password: goodPassword})
		must(t, err)
		return u
	}
	w.ada = mk(a.ID, "ada@example.com", "Ada Lovelace")
	w.lina = mk(a.ID, "li.na@example.com", "Li Na")
	w.wang = mk(a.ID, "wang.wei@example.com", "王伟")
	w.ghost = mk(a.ID, "ghost@example.com", "Ghost")
	_, err := w.accounts.UpdateUser(ctx, a.ID, w.ghost.ID, account.UserPatch{Disabled: ptr(true)})
	must(t, err)
	w.otherLina = mk(b.ID, "li.na@example.com", "Li Na")
	w.contactName = "Alice Customer"
	w.conv = w.conversation(t, a.ID, conversation.NewConversation{ContactID: w.contact(t, a.ID, contact.Input{Name: ptr(w.contactName)}).ID})
	w.otherConv = w.conversation(t, b.ID, conversation.NewConversation{ContactID: w.contact(t, b.ID, contact.Input{Name: ptr("B's customer")}).ID})
	return w
}

func (w *mentionWorld) note(t *testing.T, tenantID, convID, authorID, body string) conversation.Message {
	t.Helper()
	m, _, err := w.convs.Post(ctx, tenantID, convID, conversation.NewMessage{SenderType: conversation.SenderAgent, SenderID: authorID, Private: true, Body: body})
	must(t, err)
	return m
}

func recipients(cs []notification.Created) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.UserID)
	}
	slices.Sort(out)
	return out
}

func (w *mentionWorld) unread(t *testing.T, tenantID, userID string) int {
	t.Helper()
	n, err := w.notes.Unread(ctx, tenantID, userID)
	must(t, err)
	return n
}

func (w *mentionWorld) list(t *testing.T, tenantID, userID string) []notification.Notification {
	t.Helper()
	ns, _, err := w.notes.List(ctx, tenantID, userID, store.Page{Limit: store.MaxPageSize})
	must(t, err)
	return ns
}

// testMentions checks who a note notifies, what the notification says,
// the newest-first pages, marking as read, and that tenants and users never
// see or change each other's notifications.
func testMentions(t *testing.T, e storetest.Engine) {
	w := newMentionWorld(t, e)
	body := "@Li Na 和 @王伟 请看一下这位客户的退款 — @Ghost @ada " + strings.Repeat("细节", 200)
	m := w.note(t, w.tenantID, w.conv.ID, w.ada.ID, body)
	got, err := w.notes.FromNote(ctx, w.tenantID, m)
	must(t, err)
	want := []string{w.lina.ID, w.wang.ID}
	slices.Sort(want)
	if r := recipients(got); !slices.Equal(r, want) {
		t.Fatalf("the note notified %v, want Li Na and 王伟 only (not the disabled user, not its author)", r)
	}

	ns := w.list(t, w.tenantID, w.lina.ID)
	if len(ns) != 1 {
		t.Fatalf("Li Na has %d notifications, want 1", len(ns))
	}
	n := ns[0]
	if n.Kind != notification.KindMention || n.ConversationID != w.conv.ID || n.MessageID != m.ID || n.ActorID != w.ada.ID ||
		n.ActorName != "Ada Lovelace" || n.ContactName != w.contactName || n.ReadAt != nil || !n.CreatedAt.Equal(w.clock.Now().UTC()) {
		t.Errorf("notification %+v", n)
	}
	if n.Body != notification.Excerpt(body) || len([]rune(n.Body)) != notification.MaxExcerpt || !strings.HasPrefix(n.Body, "@Li Na 和 @王伟") {
		t.Errorf("the notification keeps %d characters of the note: %q", len([]rune(n.Body)), n.Body)
	}
	if u := w.unread(t, w.tenantID, w.lina.ID); u != 1 {
		t.Errorf("Li Na has %d unread, want 1", u)
	}
	for _, who := range []account.User{w.ada, w.ghost} {
		if ns := w.list(t, w.tenantID, who.ID); len(ns) != 0 {
			t.Errorf("%s got %d notifications", who.Name, len(ns))
		}
	}
	// Tenant B's Li Na has the same name and address: she hears nothing.
	if ns := w.list(t, w.otherID, w.otherLina.ID); len(ns) != 0 {
		t.Errorf("tenant B's Li Na got %d notifications from tenant A", len(ns))
	}

	// Replies, a contact's message, notes without mentions: nothing.
	for _, nm := range []conversation.NewMessage{
		{SenderType: conversation.SenderAgent, SenderID: w.ada.ID, Body: "@Li Na public reply"},
		{SenderType: conversation.SenderContact, Body: "@Li Na hello"},
		{SenderType: conversation.SenderAgent, SenderID: w.ada.ID, Private: true, Body: "a note for nobody, li.na@example.com"},
		{SenderType: conversation.SenderAgent, SenderID: w.lina.ID, Private: true, Body: "@Li Na a note to myself"},
	} {
		msg, _, err := w.convs.Post(ctx, w.tenantID, w.conv.ID, nm)
		must(t, err)
		cs, err := w.notes.FromNote(ctx, w.tenantID, msg)
		must(t, err)
		if len(cs) != 0 {
			t.Errorf("%s message %q notified %v", nm.SenderType, nm.Body, recipients(cs))
		}
	}

	// Newest first, page by page.
	var wangIDs []string
	for _, c := range got {
		if c.UserID == w.wang.ID {
			wangIDs = append(wangIDs, c.ID)
		}
	}
	for i := range 6 {
		w.clock.Advance(time.Second)
		m := w.note(t, w.tenantID, w.conv.ID, w.lina.ID, "@wang.wei look "+string(rune('a'+i)))
		cs, err := w.notes.FromNote(ctx, w.tenantID, m)
		must(t, err)
		if len(cs) != 1 || cs[0].UserID != w.wang.ID || cs[0].ActorName != "Li Na" {
			t.Fatalf("@wang.wei notified %+v", cs)
		}
		wangIDs = append(wangIDs, cs[0].ID)
	}
	slices.Reverse(wangIDs)
	pages := walk(t, 4, func(p store.Page) ([]string, string, error) {
		ns, next, err := w.notes.List(ctx, w.tenantID, w.wang.ID, p)
		var ids []string
		for _, n := range ns {
			ids = append(ids, n.ID)
		}
		return ids, next, err
	})
	if !slices.Equal(pages, wangIDs) {
		t.Fatalf("王伟's notifications page by page: %v, want newest first %v", pages, wangIDs)
	}
	if u := w.unread(t, w.tenantID, w.wang.ID); u != 7 {
		t.Errorf("王伟 has %d unread, want 7", u)
	}

	// Marking as read: one's own only; again changes nothing.
	n1, err := w.notes.MarkRead(ctx, w.tenantID, w.wang.ID, []string{wangIDs[0], wangIDs[1], n.ID, wangIDs[0]})
	must(t, err)
	if n1 != 2 || w.unread(t, w.tenantID, w.wang.ID) != 5 || w.unread(t, w.tenantID, w.lina.ID) != 1 {
		t.Errorf("marking 2 of 王伟's and one of Li Na's: %d read, 王伟 %d unread, Li Na %d unread",
			n1, w.unread(t, w.tenantID, w.wang.ID), w.unread(t, w.tenantID, w.lina.ID))
	}
	if first := w.list(t, w.tenantID, w.wang.ID)[0]; first.ReadAt == nil || !first.ReadAt.Equal(w.clock.Now().UTC()) {
		t.Errorf("a read notification has read_at %v", first.ReadAt)
	}
	// Tenant B naming A's notifications reads nothing of A's.
	nb, err := w.notes.MarkRead(ctx, w.otherID, w.wang.ID, wangIDs)
	must(t, err)
	if nb != 0 || w.unread(t, w.tenantID, w.wang.ID) != 5 {
		t.Errorf("tenant B marked %d of tenant A's notifications read", nb)
	}
	nb, err = w.notes.MarkAllRead(ctx, w.otherID, w.wang.ID)
	must(t, err)
	if nb != 0 || w.unread(t, w.tenantID, w.wang.ID) != 5 {
		t.Errorf("tenant B's 'all read' marked %d of tenant A's", nb)
	}
	all, err := w.notes.MarkAllRead(ctx, w.tenantID, w.wang.ID)
	must(t, err)
	if all != 5 || w.unread(t, w.tenantID, w.wang.ID) != 0 || w.unread(t, w.tenantID, w.lina.ID) != 1 {
		t.Errorf("all read: %d marked, 王伟 %d unread, Li Na %d unread", all, w.unread(t, w.tenantID, w.wang.ID), w.unread(t, w.tenantID, w.lina.ID))
	}

	// Bad input.
	_, err = w.notes.MarkRead(ctx, w.tenantID, w.wang.ID, nil)
	wantErr(t, err, apperr.Invalid, "required", "ids")
	_, err = w.notes.MarkRead(ctx, w.tenantID, w.wang.ID, []string{"not-an-id"})
	wantErr(t, err, apperr.Invalid, "invalid_id", "ids")
	many := make([]string, notification.MaxReadIDs+1)
	for i := range many {
		many[i] = id.New()
	}
	_, err = w.notes.MarkRead(ctx, w.tenantID, w.wang.ID, many)
	wantErr(t, err, apperr.Invalid, "too_many", "ids")

	// A conversation deleted with its contact leaves notifications that
	// still list, without a customer name.
	must(t, w.contacts.Delete(ctx, w.tenantID, w.conv.ContactID))
	if ns := w.list(t, w.tenantID, w.lina.ID); len(ns) != 1 || ns[0].ContactName != "" {
		t.Errorf("after the conversation was deleted: %+v", ns)
	}
}

// syncBuffer is a log destination safe for the worker goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testNotifier checks the path from the committer: a note stored through
// the conversation service reaches the observer, is stored as
// notifications and announced; the observer never blocks, and drops notes
// with a log line when its queue is full.
func testNotifier(t *testing.T, e storetest.Engine) {
	w := newMentionWorld(t, e)
	type published struct {
		tenantID, userID string
		n                notification.Notification
	}
	got := make(chan published, 16)
	release := make(chan struct{})
	var logs syncBuffer
	w.notes.Start(notification.Options{Queue: 1, Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Publish: func(ctx context.Context, tenantID, userID string, n notification.Notification) error {
			got <- published{tenantID, userID, n}
			<-release
			return nil
		}})
	w.convs.SetObserver(w.notes.Observe)

	first := w.note(t, w.tenantID, w.conv.ID, w.ada.ID, "@Li Na 请看一下")
	var p published
	select {
	case p = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the note was not announced within 10 s")
	}
	if p.tenantID != w.tenantID || p.userID != w.lina.ID || p.n.MessageID != first.ID || p.n.ActorName != "Ada Lovelace" ||
		p.n.ContactName != w.contactName || p.n.Body != "@Li Na 请看一下" {
		t.Fatalf("announced %+v", p)
	}
	if ns := w.list(t, w.tenantID, w.lina.ID); len(ns) != 1 || ns[0].ID != p.n.ID {
		t.Fatalf("stored %+v, announced %s", ns, p.n.ID)
	}

	// The worker is held in Publish: one note waits in the queue, the next
	// ones are dropped, and storing them is never slowed down.
	start := time.Now()
	for i := range 3 {
		w.note(t, w.tenantID, w.conv.ID, w.ada.ID, "@王伟 note "+string(rune('1'+i)))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("storing 3 notes with a busy notifier took %v", d)
	}
	// The observer runs right after the sender is answered: give it a moment.
	for end := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), "too many notes waiting") && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "too many notes waiting") {
		t.Errorf("no log line for the dropped notes; log:\n%s", logs.String())
	}
	close(release)
	select {
	case p = <-got:
		if p.userID != w.wang.ID || p.n.Body != "@王伟 note 1" {
			t.Errorf("the queued note was announced as %+v", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the queued note was not announced")
	}
	w.notes.Stop()
	if u := w.unread(t, w.tenantID, w.wang.ID); u != 1 {
		t.Errorf("王伟 has %d notifications; the queued note gives 1 and the dropped ones none", u)
	}
	// After Stop, notes are ignored at once.
	w.note(t, w.tenantID, w.conv.ID, w.ada.ID, "@王伟 after stop")
	if u := w.unread(t, w.tenantID, w.wang.ID); u != 1 {
		t.Errorf("a note after Stop was handled: %d unread", u)
	}
}
