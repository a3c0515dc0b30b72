package livetest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// wireQueue is a "queue" frame: where a waiting visitor stands.
type wireQueue struct {
	ConversationID string `json:"conversation_id"`
	Waiting        bool   `json:"waiting"`
	Position       int    `json:"position"`
	EtaSeconds     int    `json:"eta_seconds"`
	Unavailable    string `json:"unavailable"`
	LeaveMessage   bool   `json:"leave_message"`
}

// queueFrame matches the queue frames of one conversation that cond accepts.
func queueFrame(t testing.TB, convID string, cond func(wireQueue) bool) func(client.Frame) bool {
	return func(f client.Frame) bool {
		q := decodeAs[wireQueue](t, f)
		return q.ConversationID == convID && cond(q)
	}
}

// queueWithin waits for a visitor's queue frame as the visitor would: it
// must come within the hub's one-second rhythm and the router's dispatch.
func queueWithin(t *testing.T, tp *tape, mark int, within time.Duration, what, convID string, cond func(wireQueue) bool) wireQueue {
	t.Helper()
	start := time.Now()
	f := tp.await(mark, "queue", what, queueFrame(t, convID, cond))
	if took := time.Since(start); took > within {
		t.Fatalf("%s: %s took %v, want at most %v", tp.name, what, took.Round(time.Millisecond), within)
	}
	return decodeAs[wireQueue](t, f)
}

// putJSON calls the REST API and fails the test on an error.
func putJSON(ctx context.Context, t *testing.T, c *client.Client, path string, in, out any) {
	t.Helper()
	if _, err := c.Do(ctx, http.MethodPut, path, in, out); err != nil {
		t.Fatalf("PUT %s: %v", path, err)
	}
}

// A waiting visitor learns their place in the queue and the estimated wait,
// live; when nobody can serve them they are offered to leave a message,
// which is checked, stored as an offline message with the contact's
// details, and marks the conversation for the inbox.
func TestQueuePositionsAndLeaveMessage(t *testing.T) {
	onEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		s := newSite(ctx, t, e, nil) // no knowledge published: people answer at once
		me := s.me.User.ID

		// One agent online with room for one conversation, which a first
		// visitor takes.
		putJSON(ctx, t, s.admin, "/api/v1/agents/"+me+"/capacity", map[string]any{"capacity": 1}, nil)
		var ag struct {
			Status            string `json:"status"`
			EffectiveCapacity int    `json:"effective_capacity"`
		}
		putJSON(ctx, t, s.admin, "/api/v1/agents/me/status", map[string]any{"status": "online"}, &ag)
		if ag.Status != "online" || ag.EffectiveCapacity != 1 {
			t.Fatalf("the agent is %+v, want online with capacity 1", ag)
		}
		busy, _ := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "busy", nil)
		busyConv := busy.say(ctx, "b1", "我的订单到哪了？").ConversationID
		eventually(t, 10*time.Second, "the first conversation assigned", func() bool {
			c, err := s.admin.GetConversation(ctx, busyConv)
			return err == nil && c.AssigneeID != nil && *c.AssigneeID == me
		})

		// The next visitor waits: place 1, within about two seconds.
		first, _ := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "first", nil)
		firstTape := record(first)
		first.send("message", map[string]any{"client_id": "f1", "body": "有人在吗？"})
		ack := decodeAs[wireAck](t, firstTape.await(0, "ack", "the ack of f1", nil))
		firstConv := ack.ConversationID
		q1 := queueWithin(t, firstTape, 0, 2500*time.Millisecond, "place 1 in the queue", firstConv,
			func(q wireQueue) bool { return q.Waiting })
		if q1.Position != 1 || q1.Unavailable != "" || q1.LeaveMessage || q1.EtaSeconds <= 0 {
			t.Fatalf("the first waiting visitor got %+v, want position 1 with an estimate and someone to serve", q1)
		}

		// A second one waits behind: place 2, and a longer estimate.
		second, secondWelcome := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "second", nil)
		secondTape := record(second)
		second.send("message", map[string]any{"client_id": "s1", "body": "Hello, anyone there?"})
		secondConv := decodeAs[wireAck](t, secondTape.await(0, "ack", "the ack of s1", nil)).ConversationID
		q2 := queueWithin(t, secondTape, 0, 2500*time.Millisecond, "place 2 in the queue", secondConv,
			func(q wireQueue) bool { return q.Waiting })
		if q2.Position != 2 || q2.LeaveMessage || q2.EtaSeconds < q1.EtaSeconds {
			t.Fatalf("the second waiting visitor got %+v (the first: %+v), want position 2 and no shorter wait", q2, q1)
		}

		// Nobody online: both are told so and offered to leave a message.
		m1, m2 := firstTape.mark(), secondTape.mark()
		putJSON(ctx, t, s.admin, "/api/v1/agents/me/status", map[string]any{"status": "offline"}, nil)
		for _, w := range []struct {
			tp   *tape
			mark int
			conv string
		}{{firstTape, m1, firstConv}, {secondTape, m2, secondConv}} {
			q := queueWithin(t, w.tp, w.mark, 3*time.Second, "nobody online", w.conv,
				func(q wireQueue) bool { return q.Unavailable != "" })
			if !q.Waiting || q.Unavailable != "nobody_online" || !q.LeaveMessage {
				t.Fatalf("%s: with nobody online got %+v, want waiting, nobody_online and leave_message", w.tp.name, q)
			}
		}

		// A message without an e-mail address or a phone number is refused
		// at the e-mail field, and so is a phone number with letters.
		mark := secondTape.mark()
		second.send("leave_message", map[string]any{"client_id": "lm-1", "name": "Wang Fang", "message": "Please call me back."})
		bad := decodeAs[wireError](t, secondTape.await(mark, "error", "the refusal of lm-1", nil))
		if bad.ClientID != "lm-1" || bad.Field != "email" || bad.Code != "contact_required" ||
			strings.Contains(bad.Message, "err.") || strings.TrimSpace(bad.Message) == "" {
			t.Fatalf("a left message without contact details: %+v", bad)
		}
		mark = secondTape.mark()
		second.send("leave_message", map[string]any{"client_id": "lm-2", "phone": "call me", "message": "Please call me back."})
		bad = decodeAs[wireError](t, secondTape.await(mark, "error", "the refusal of lm-2", nil))
		if bad.ClientID != "lm-2" || bad.Field != "phone" {
			t.Fatalf("a left message with a wrong phone number: %+v", bad)
		}

		// A valid one is acknowledged and stored.
		mark = secondTape.mark()
		const body = "My teapot arrived broken. Please call me after 6 pm."
		second.send("leave_message", map[string]any{"client_id": "lm-3", "name": "Wang Fang",
			"email": "Wang.Fang@Example.com", "phone": "+86 138 0013 8000", "message": "  " + body + "  "})
		got := decodeAs[wireAck](t, secondTape.await(mark, "ack", "the ack of lm-3", func(f client.Frame) bool {
			return decodeAs[wireAck](t, f).ClientID == "lm-3"
		}))
		if got.ConversationID != secondConv || got.Seq != 2 {
			t.Fatalf("the left message was acknowledged as %+v, want seq 2 of %s", got, secondConv)
		}
		var msgs struct {
			Items []struct {
				Seq        int64           `json:"seq"`
				SenderType string          `json:"sender_type"`
				Body       string          `json:"body"`
				Meta       json.RawMessage `json:"meta"`
			} `json:"items"`
		}
		if _, err := s.admin.Do(ctx, http.MethodGet, "/api/v1/conversations/"+secondConv+"/messages", nil, &msgs); err != nil {
			t.Fatal(err)
		}
		if len(msgs.Items) != 2 {
			t.Fatalf("the conversation has %d messages, want 2: %+v", len(msgs.Items), msgs.Items)
		}
		left := msgs.Items[1]
		var meta struct {
			Offline *struct{ Name, Email, Phone string } `json:"offline_message"`
		}
		_ = json.Unmarshal(left.Meta, &meta)
		if left.SenderType != "contact" || left.Body != body || meta.Offline == nil ||
			meta.Offline.Email != "wang.fang@example.com" || meta.Offline.Phone != "+86 138 0013 8000" || meta.Offline.Name != "Wang Fang" {
			t.Fatalf("the left message is stored as %+v (meta %s)", left, left.Meta)
		}
		var conv struct {
			ContactID   string `json:"contact_id"`
			Status      string `json:"status"`
			LeftMessage bool   `json:"left_message"`
		}
		eventually(t, 5*time.Second, "the conversation marked as a left message", func() bool {
			_, err := s.admin.Do(ctx, http.MethodGet, "/api/v1/conversations/"+secondConv, nil, &conv)
			return err == nil && conv.LeftMessage
		})
		ct, err := s.admin.GetContact(ctx, conv.ContactID)
		if err != nil {
			t.Fatal(err)
		}
		if ct.Name != "Wang Fang" || !slices.Contains(ct.Emails, "wang.fang@example.com") || !slices.Contains(ct.Phones, "+8613800138000") {
			t.Fatalf("the contact is %+v, want the name, e-mail and phone (stored without spaces) left with the message", ct)
		}
		// The other visitor's conversation is not marked.
		var other struct {
			LeftMessage bool `json:"left_message"`
		}
		if _, err := s.admin.Do(ctx, http.MethodGet, "/api/v1/conversations/"+firstConv, nil, &other); err != nil || other.LeftMessage {
			t.Fatalf("the first visitor's conversation: left_message %v, %v", other.LeftMessage, err)
		}

		// The agent is back and frees their slot: the first visitor is taken
		// (no longer waiting), the second moves up to place 1.
		m1, m2 = firstTape.mark(), secondTape.mark()
		putJSON(ctx, t, s.admin, "/api/v1/agents/me/status", map[string]any{"status": "online"}, nil)
		if _, err := s.admin.CloseConversation(ctx, busyConv); err != nil {
			t.Fatal(err)
		}
		taken := queueWithin(t, firstTape, m1, 3*time.Second, "taken out of the queue", firstConv,
			func(q wireQueue) bool { return !q.Waiting })
		if taken.Position != 0 || taken.LeaveMessage {
			t.Fatalf("the first visitor, taken: %+v", taken)
		}
		moved := queueWithin(t, secondTape, m2, 3*time.Second, "place 1 after the first was taken", secondConv,
			func(q wireQueue) bool { return q.Waiting && q.Position == 1 && q.Unavailable == "" })
		if moved.LeaveMessage {
			t.Fatalf("the second visitor, now first with an agent online: %+v", moved)
		}
		c, err := s.admin.GetConversation(ctx, firstConv)
		if err != nil || c.AssigneeID == nil || *c.AssigneeID != me {
			t.Fatalf("the first waiting conversation is not the agent's: %+v %v", c, err)
		}

		// A visitor who comes back while waiting is told their place at once.
		again, _ := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "second again",
			map[string]any{"token": secondWelcome.Token, "conversation_id": secondConv, "last_seq": 2})
		againTape := record(again)
		back := queueWithin(t, againTape, 0, 2500*time.Millisecond, "the place after coming back", secondConv,
			func(q wireQueue) bool { return q.Waiting })
		if back.Position != 1 {
			t.Fatalf("after coming back: %+v, want position 1", back)
		}
	})
}
