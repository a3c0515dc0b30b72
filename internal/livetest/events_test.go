package livetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// TestEventsEndToEnd follows a conversation through the REST API and the
// live connections: what agents and the visitor see when it is created,
// assigned and closed, the inbox counts, typing and read indicators, and an
// internal note that only agents may see.
func TestEventsEndToEnd(t *testing.T) {
	t.Parallel()
	onEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s := newSite(ctx, t, e, nil)
		adminID := s.me.User.ID
		if _, err := s.admin.CreateUser(ctx, client.UserCreate{Email: "second@example.com", Name: "Second Agent",
			Role: client.RoleAgent, Password: "second agent passphrase", MustChangePassword: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		second, _ := s.srv.Login(t, "second@example.com", "second agent passphrase")

		adminPeer, w := dialAgent(ctx, t, s.admin, "admin", nil)
		if w.UserID != adminID {
			t.Fatalf("admin welcome %+v", w)
		}
		secondPeer, _ := dialAgent(ctx, t, second, "second agent", nil)
		at, bt := record(adminPeer), record(secondPeer)

		countsAre := func(want wireCounts) func(client.Frame) bool {
			return func(f client.Frame) bool { return decodeAs[wireCounts](t, f) == want }
		}
		convIs := func(id, status string) func(client.Frame) bool {
			return func(f client.Frame) bool {
				c := decodeAs[wireConversation](t, f)
				return c.ID == id && c.Status == status
			}
		}

		// A visitor writes: the conversation opens for every agent.
		v, vw := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "visitor", map[string]any{"name": "Mei"})
		vt := record(v)
		am, bm, vm := at.mark(), bt.mark(), vt.mark()
		v.send("message", map[string]any{"client_id": "v-1", "body": "is my parcel lost?"})
		conv := decodeAs[wireAck](t, vt.await(vm, "ack", "ack of v-1", nil)).ConversationID
		for _, tp := range []*tape{at, bt} {
			opened := decodeAs[wireConversation](t, tp.await(0, "conversation", "the new conversation", convIs(conv, "open")))
			if opened.ContactID != vw.ContactID || opened.ContactName != "Mei" {
				t.Fatalf("%s: conversation frame %+v", tp.name, opened)
			}
			tp.await(0, "message", "the visitor's message", func(f client.Frame) bool { return decodeAs[wireMessage](t, f).ClientID == "v-1" })
		}
		at.await(am, "counts", "counts with one unassigned", countsAre(wireCounts{Unassigned: 1, Open: 1}))
		bt.await(bm, "counts", "counts with one unassigned", countsAre(wireCounts{Unassigned: 1, Open: 1}))

		// A conversation created through the REST API reaches the agents too.
		ct, err := s.admin.CreateContact(ctx, client.ContactInput{Name: ptr("Phone caller")})
		if err != nil {
			t.Fatal(err)
		}
		am, bm = at.mark(), bt.mark()
		created, err := s.admin.CreateConversation(ctx, client.ConversationCreate{ContactID: ct.ID, Subject: "Call back",
			Message: &client.MessageCreate{Body: "wants a call back"}})
		if err != nil {
			t.Fatal(err)
		}
		apiConv := created.Conversation.ID
		for _, x := range []struct {
			tp   *tape
			mark int
		}{{at, am}, {bt, bm}} {
			c := decodeAs[wireConversation](t, x.tp.await(x.mark, "conversation", "the API's conversation", convIs(apiConv, "open")))
			if c.ContactName != "Phone caller" {
				t.Fatalf("%s: %+v", x.tp.name, c)
			}
			x.tp.await(x.mark, "counts", "counts with two open", countsAre(wireCounts{Unassigned: 2, Open: 2}))
		}

		// Assigned to the administrator: agents see the assignee, the
		// visitor the name, and the counts move to "mine" for the admin only.
		am, bm, vm = at.mark(), bt.mark(), vt.mark()
		if _, err := s.admin.Assign(ctx, conv, client.AssignRequest{AssigneeID: &adminID}); err != nil {
			t.Fatal(err)
		}
		for _, x := range []struct {
			tp   *tape
			mark int
		}{{at, am}, {bt, bm}} {
			c := decodeAs[wireConversation](t, x.tp.await(x.mark, "conversation", "the assignment", func(f client.Frame) bool {
				c := decodeAs[wireConversation](t, f)
				return c.ID == conv && c.AssigneeID != nil
			}))
			if *c.AssigneeID != adminID || c.AssigneeName != s.me.User.Name {
				t.Fatalf("%s: assignment frame %+v", x.tp.name, c)
			}
		}
		at.await(am, "counts", "the admin's counts", countsAre(wireCounts{Unassigned: 1, Mine: 1, Open: 2}))
		bt.await(bm, "counts", "the second agent's counts", countsAre(wireCounts{Unassigned: 1, Mine: 0, Open: 2}))
		vc := decodeAs[wireConversation](t, vt.await(vm, "conversation", "the visitor's assignment news", nil))
		if vc.ID != conv || vc.Status != "open" || vc.AssigneeName != s.me.User.Name {
			t.Fatalf("visitor conversation frame %+v", vc)
		}

		// Typing, both ways; the typing agent does not hear itself.
		am, bm, vm = at.mark(), bt.mark(), vt.mark()
		v.send("typing", map[string]any{"on": true})
		for _, x := range []struct {
			tp   *tape
			mark int
		}{{at, am}, {bt, bm}} {
			ty := decodeAs[wireTyping](t, x.tp.await(x.mark, "typing", "the visitor typing", nil))
			if ty.ConversationID != conv || ty.SenderType != "contact" || !ty.On {
				t.Fatalf("%s: typing %+v", x.tp.name, ty)
			}
		}
		am, bm = at.mark(), bt.mark()
		adminPeer.send("typing", map[string]any{"conversation_id": conv, "on": true})
		vty := decodeAs[wireTyping](t, vt.await(vm, "typing", "the agent typing", nil))
		if vty.Name != s.me.User.Name || !vty.On || vty.SenderID != "" {
			t.Fatalf("visitor typing frame %+v", vty)
		}
		if ty := decodeAs[wireTyping](t, bt.await(bm, "typing", "the admin typing", nil)); ty.SenderType != "agent" || ty.SenderID != adminID {
			t.Fatalf("second agent typing frame %+v", ty)
		}

		// An agent's reply, then read marks both ways.
		vm = vt.mark()
		adminPeer.send("message", map[string]any{"conversation_id": conv, "client_id": "a-1", "body": "let me check"})
		reply := decodeAs[wireMessage](t, vt.await(vm, "message", "the reply", nil))
		if reply.Seq != 2 || reply.Body != "let me check" || reply.SenderType != "agent" || reply.SenderName != s.me.User.Name ||
			reply.SenderID != "" || reply.ClientID != "" {
			t.Fatalf("the visitor got the reply as %+v", reply)
		}
		am, bm, vm = at.mark(), bt.mark(), vt.mark()
		v.send("read", map[string]any{"seq": 2})
		for _, x := range []struct {
			tp   *tape
			mark int
		}{{at, am}, {bt, bm}} {
			rd := decodeAs[wireRead](t, x.tp.await(x.mark, "read", "the visitor's read mark", nil))
			if rd.ConversationID != conv || rd.Reader != "contact" || rd.Seq != 2 {
				t.Fatalf("%s: read %+v", x.tp.name, rd)
			}
		}
		am, vm = at.mark(), vt.mark()
		secondPeer.send("read", map[string]any{"conversation_id": conv, "seq": 2})
		if rd := decodeAs[wireRead](t, vt.await(vm, "read", "the agent's read mark", nil)); rd.Seq != 2 {
			t.Fatalf("visitor read frame %+v", rd)
		}
		if rd := decodeAs[wireRead](t, at.await(am, "read", "the second agent's read mark", nil)); rd.Reader != "agent" || rd.Seq != 2 {
			t.Fatalf("admin read frame %+v", rd)
		}

		// An internal note reaches the agents, never the visitor.
		bm, vm = bt.mark(), vt.mark()
		note := "internal: the customer is a reseller"
		adminPeer.send("message", map[string]any{"conversation_id": conv, "client_id": "n-1", "body": note, "private": true})
		nm := decodeAs[wireMessage](t, bt.await(bm, "message", "the note", nil))
		if !nm.Private || nm.Body != note || nm.Seq != 3 {
			t.Fatalf("the second agent got the note as %+v", nm)
		}
		adminPeer.send("message", map[string]any{"conversation_id": conv, "client_id": "a-2", "body": "found it"})
		if m := decodeAs[wireMessage](t, vt.await(vm, "message", "the reply after the note", nil)); m.Seq != 4 || m.Body != "found it" {
			t.Fatalf("after the note the visitor got %+v", m)
		}
		// Nor in a replay: a new tab from seq 0, and a sync.
		v2, _ := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "second tab", map[string]any{"token": vw.Token, "conversation_id": conv})
		vt2 := record(v2)
		vt2.await(0, "message", "the replayed reply", func(f client.Frame) bool { return decodeAs[wireMessage](t, f).Seq == 4 })
		m2 := vt2.mark()
		v2.send("sync", map[string]any{"after_seq": 0})
		vt2.await(m2, "message", "the synced reply", func(f client.Frame) bool { return decodeAs[wireMessage](t, f).Seq == 4 })
		v2.send("ping", nil)
		vt2.await(m2, "pong", "pong", nil)
		stored := storedMessages(ctx, t, s.admin, conv)
		if len(stored) != 4 || !stored[2].Private || stored[2].Body != note {
			t.Fatalf("stored %+v", stored)
		}

		// Closed through the API.
		am, bm, vm = at.mark(), bt.mark(), vt.mark()
		if _, err := s.admin.CloseConversation(ctx, conv); err != nil {
			t.Fatal(err)
		}
		at.await(am, "conversation", "the closing", convIs(conv, "closed"))
		bt.await(bm, "conversation", "the closing", convIs(conv, "closed"))
		if c := decodeAs[wireConversation](t, vt.await(vm, "conversation", "the closing", nil)); c.ID != conv || c.Status != "closed" {
			t.Fatalf("visitor conversation frame %+v", c)
		}
		at.await(am, "counts", "the admin's counts after closing", countsAre(wireCounts{Unassigned: 1, Mine: 0, Open: 1}))

		// The visitor writes again: a new conversation opens.
		am, vm = at.mark(), vt.mark()
		v.send("message", map[string]any{"client_id": "v-2", "body": "one more thing"})
		ack := decodeAs[wireAck](t, vt.await(vm, "ack", "ack of v-2", nil))
		if ack.ConversationID == conv || ack.Seq != 1 {
			t.Fatalf("after the close the visitor's message went to %+v", ack)
		}
		at.await(am, "conversation", "the new conversation", convIs(ack.ConversationID, "open"))
		at.await(am, "counts", "counts with the new conversation", countsAre(wireCounts{Unassigned: 2, Mine: 0, Open: 2}))

		// Looking back: no visitor tab ever received the note.
		for _, tp := range []*tape{vt, vt2} {
			for _, f := range tp.all() {
				if strings.Contains(string(f.Data), "reseller") || strings.Contains(string(f.Data), `"private":true`) {
					t.Fatalf("%s received the internal note: %s %s", tp.name, f.Type, f.Data)
				}
				if f.Type == "message" && decodeAs[wireMessage](t, f).Seq == 3 {
					t.Fatalf("%s received seq 3, the note", tp.name)
				}
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }
