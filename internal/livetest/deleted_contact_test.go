package livetest

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// A contact deleted while its widget is open: the visitor's next message is
// refused on its own, and everybody else's messages keep being stored.
func TestDeletedContactWhileWidgetOpen(t *testing.T) {
	onEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s := newSite(ctx, t, e, nil)
		gone, gw := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "gone", nil)
		other, _ := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "other", nil)
		gone.say(ctx, "g1", "first message")
		other.say(ctx, "o1", "hello")
		if err := s.admin.DeleteContact(ctx, gw.ContactID); err != nil {
			t.Fatalf("delete the contact: %v", err)
		}
		gone.send("message", map[string]any{"client_id": "g2", "body": "still there?"})
		other.send("message", map[string]any{"client_id": "o2", "body": "second"})
		refusal := gone.wantError(ctx, "not_found")
		if refusal.ClientID != "g2" {
			t.Fatalf("the refusal names %q, want g2", refusal.ClientID)
		}
		for {
			f := other.next(ctx, "ack", "error")
			if f.Type == "error" {
				t.Fatalf("the other visitor's message was refused: %s", f.Data)
			}
			if a := decodeAs[wireAck](t, f); a.ClientID == "o2" {
				if a.Seq != 2 {
					t.Fatalf("the other visitor's second message got seq %d, want 2", a.Seq)
				}
				break
			}
		}
		gone.alive(ctx)
	})
}
