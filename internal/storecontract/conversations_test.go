package storecontract

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

func fromContact(body, clientID string) conversation.NewMessage {
	return conversation.NewMessage{SenderType: conversation.SenderContact, Body: body, ClientID: clientID}
}

func fromAgent(userID, body string) conversation.NewMessage {
	return conversation.NewMessage{SenderType: conversation.SenderAgent, SenderID: userID, Body: body}
}

// seqs returns the sequence numbers of every message of a conversation.
func (w *world) seqs(t *testing.T, tenantID, convID string) []int64 {
	t.Helper()
	var out []int64
	after := int64(0)
	for {
		ms, err := w.convs.Messages(ctx, tenantID, convID, after, 50)
		must(t, err)
		if len(ms) == 0 {
			return out
		}
		for _, m := range ms {
			out = append(out, m.Seq)
			after = m.Seq
		}
	}
}

func oneTo(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return out
}

func testConversations(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	tn := w.tenant(t, "convs")
	agent := w.user(t, tn.ID, "agent@example.com", account.RoleAgent)
	team, err := w.accounts.CreateTeam(ctx, tn.ID, "Support", "")
	must(t, err)
	cust := w.contact(t, tn.ID, contact.Input{Name: ptr("Customer")})

	conv, first, err := w.convs.Create(ctx, tn.ID, conversation.NewConversation{ContactID: cust.ID, Channel: "web", Subject: " Broken mug ",
		AssigneeID: agent.ID, TeamID: team.ID, Message: &conversation.NewMessage{SenderType: conversation.SenderContact, Body: "It arrived broken", ClientID: "c-1"}})
	must(t, err)

	t.Run("create with a first message", func(t *testing.T) {
		if first == nil || first.Seq != 1 || first.ConversationID != conv.ID || first.Body != "It arrived broken" || first.ClientID != "c-1" {
			t.Fatalf("first message %+v", first)
		}
		if conv.Status != conversation.StatusOpen || conv.LastSeq != 1 || conv.Subject != "Broken mug" || conv.Channel != "web" ||
			conv.AssigneeID == nil || *conv.AssigneeID != agent.ID || conv.TeamID == nil || *conv.TeamID != team.ID || conv.LastMessageAt == nil {
			t.Fatalf("conversation %+v", conv)
		}
		got, err := w.convs.Get(ctx, tn.ID, conv.ID)
		must(t, err)
		if got.LastSeq != 1 || got.Subject != conv.Subject || *got.AssigneeID != agent.ID || !got.CreatedAt.Equal(conv.CreatedAt) {
			t.Fatalf("Get = %+v", got)
		}
		ms, err := w.convs.Messages(ctx, tn.ID, conv.ID, 0, 0)
		must(t, err)
		if len(ms) != 1 || !reflect.DeepEqual(ms[0], *first) {
			t.Fatalf("messages %+v, want the first one %+v", ms, *first)
		}
	})
	t.Run("create without a message", func(t *testing.T) {
		c, m, err := w.convs.Create(ctx, tn.ID, conversation.NewConversation{ContactID: cust.ID})
		must(t, err)
		if m != nil || c.LastSeq != 0 || c.Channel != "api" || c.AssigneeID != nil || c.TeamID != nil || c.LastMessageAt != nil {
			t.Fatalf("empty conversation %+v, message %+v", c, m)
		}
		m2, created, err := w.convs.Post(ctx, tn.ID, c.ID, fromContact("first words", ""))
		must(t, err)
		if !created || m2.Seq != 1 {
			t.Fatalf("first post: created %v seq %d", created, m2.Seq)
		}
	})
	t.Run("refused creations", func(t *testing.T) {
		for _, tc := range []struct {
			name        string
			nc          conversation.NewConversation
			field, code string
		}{
			{"no contact", conversation.NewConversation{}, "contact_id", "required"},
			{"unknown contact", conversation.NewConversation{ContactID: id.New()}, "contact_id", "unknown_reference"},
			{"unknown assignee", conversation.NewConversation{ContactID: cust.ID, AssigneeID: id.New()}, "assignee_id", "unknown_reference"},
			{"unknown team", conversation.NewConversation{ContactID: cust.ID, TeamID: id.New()}, "team_id", "unknown_reference"},
			{"bad channel", conversation.NewConversation{ContactID: cust.ID, Channel: "Web Chat"}, "channel", "invalid_channel"},
			{"empty body", conversation.NewConversation{ContactID: cust.ID, Message: &conversation.NewMessage{SenderType: conversation.SenderContact, Body: "  "}}, "body", "required"},
			{"bad sender", conversation.NewConversation{ContactID: cust.ID, Message: &conversation.NewMessage{SenderType: "alien", Body: "hi"}}, "sender_type", "invalid_value"},
			{"private from contact", conversation.NewConversation{ContactID: cust.ID, Message: &conversation.NewMessage{SenderType: conversation.SenderContact, Private: true, Body: "hi"}}, "private", "contact_note"},
			{"bad client id", conversation.NewConversation{ContactID: cust.ID, Message: &conversation.NewMessage{SenderType: conversation.SenderContact, Body: "hi", ClientID: "has space"}}, "client_id", "invalid_client_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := w.convs.Create(ctx, tn.ID, tc.nc)
				wantErr(t, err, apperr.Invalid, tc.code, tc.field)
			})
		}
		list, _, err := w.convs.List(ctx, tn.ID, conversation.Filter{ContactID: cust.ID}, store.Page{})
		must(t, err)
		if len(list) != 2 {
			t.Fatalf("refused creations stored conversations: %d listed", len(list))
		}
	})
	t.Run("sequence numbers increase without gaps", func(t *testing.T) {
		for i := 2; i <= 6; i++ {
			m, created, err := w.convs.Post(ctx, tn.ID, conv.ID, fromAgent(agent.ID, fmt.Sprintf("reply %d", i)))
			must(t, err)
			if !created || m.Seq != int64(i) {
				t.Fatalf("post %d: seq %d created %v", i, m.Seq, created)
			}
		}
		if got := w.seqs(t, tn.ID, conv.ID); !slices.Equal(got, oneTo(6)) {
			t.Fatalf("seqs %v", got)
		}
		ms, err := w.convs.Messages(ctx, tn.ID, conv.ID, 4, 0)
		must(t, err)
		if len(ms) != 2 || ms[0].Seq != 5 || ms[1].Seq != 6 || ms[1].Body != "reply 6" {
			t.Fatalf("messages after 4: %+v", ms)
		}
		ms, err = w.convs.Messages(ctx, tn.ID, conv.ID, 0, 2)
		must(t, err)
		if len(ms) != 2 || ms[1].Seq != 2 {
			t.Fatalf("two first messages: %+v", ms)
		}
		c, err := w.convs.Get(ctx, tn.ID, conv.ID)
		must(t, err)
		if c.LastSeq != 6 {
			t.Fatalf("last_seq %d", c.LastSeq)
		}
		// a refused message uses no number
		_, _, err = w.convs.Post(ctx, tn.ID, conv.ID, conversation.NewMessage{SenderType: conversation.SenderAgent, Body: ""})
		wantErr(t, err, apperr.Invalid, "required", "body")
		m, _, err := w.convs.Post(ctx, tn.ID, conv.ID, fromAgent(agent.ID, "seven"))
		must(t, err)
		if m.Seq != 7 {
			t.Fatalf("seq after a refused message: %d", m.Seq)
		}
		_, _, err = w.convs.Post(ctx, tn.ID, id.New(), fromAgent(agent.ID, "lost"))
		wantNotFound(t, err)
		_, err = w.convs.Messages(ctx, tn.ID, id.New(), 0, 0)
		wantNotFound(t, err)
	})
	t.Run("client id makes a retry safe", func(t *testing.T) {
		before := w.seqs(t, tn.ID, conv.ID)
		// the first message's client id, even with another body
		m, created, err := w.convs.Post(ctx, tn.ID, conv.ID, fromContact("It arrived broken (resent)", "c-1"))
		must(t, err)
		if created || !reflect.DeepEqual(m, *first) {
			t.Fatalf("retry of c-1: created %v, message %+v, want the stored %+v", created, m, *first)
		}
		m1, created, err := w.convs.Post(ctx, tn.ID, conv.ID, fromContact("and the handle too", "c-2"))
		must(t, err)
		if !created {
			t.Fatal("a new client id was not stored")
		}
		m2, created, err := w.convs.Post(ctx, tn.ID, conv.ID, fromContact("and the handle too", "c-2"))
		must(t, err)
		if created || !reflect.DeepEqual(m2, m1) {
			t.Fatalf("retry of c-2: created %v, %+v, want %+v", created, m2, m1)
		}
		if got := w.seqs(t, tn.ID, conv.ID); len(got) != len(before)+1 {
			t.Fatalf("retries stored messages: %v then %v", before, got)
		}
		// the same client id in another conversation is another message
		other := w.conversation(t, tn.ID, conversation.NewConversation{ContactID: cust.ID})
		m3, created, err := w.convs.Post(ctx, tn.ID, other.ID, fromContact("elsewhere", "c-1"))
		must(t, err)
		if !created || m3.ID == first.ID || m3.Seq != 1 {
			t.Fatalf("c-1 in another conversation: created %v %+v", created, m3)
		}
	})
	t.Run("assign", func(t *testing.T) {
		c, err := w.convs.Assign(ctx, tn.ID, conv.ID, "", "")
		must(t, err)
		if c.AssigneeID != nil || c.TeamID != nil {
			t.Fatalf("after clearing: %+v", c)
		}
		c, err = w.convs.Assign(ctx, tn.ID, conv.ID, agent.ID, "")
		must(t, err)
		if c.AssigneeID == nil || *c.AssigneeID != agent.ID || c.TeamID != nil {
			t.Fatalf("after assigning: %+v", c)
		}
		_, err = w.convs.Assign(ctx, tn.ID, conv.ID, id.New(), "")
		wantErr(t, err, apperr.Invalid, "unknown_reference", "assignee_id")
		_, err = w.convs.Assign(ctx, tn.ID, conv.ID, "", id.New())
		wantErr(t, err, apperr.Invalid, "unknown_reference", "team_id")
		_, err = w.convs.Assign(ctx, tn.ID, id.New(), agent.ID, "")
		wantNotFound(t, err)
		got, err := w.convs.Get(ctx, tn.ID, conv.ID)
		must(t, err)
		if got.AssigneeID == nil || *got.AssigneeID != agent.ID {
			t.Fatalf("refused assignments changed the conversation: %+v", got)
		}
	})
	t.Run("close, reopen, and a contact's message reopens", func(t *testing.T) {
		c, err := w.convs.Close(ctx, tn.ID, conv.ID)
		must(t, err)
		if c.Status != conversation.StatusClosed || c.ClosedAt == nil {
			t.Fatalf("after close: %+v", c)
		}
		again, err := w.convs.Close(ctx, tn.ID, conv.ID)
		must(t, err)
		if again.Status != conversation.StatusClosed || !again.ClosedAt.Equal(*c.ClosedAt) {
			t.Fatalf("closing twice: %+v", again)
		}
		c, err = w.convs.Reopen(ctx, tn.ID, conv.ID)
		must(t, err)
		if c.Status != conversation.StatusOpen || c.ClosedAt != nil {
			t.Fatalf("after reopen: %+v", c)
		}
		_, err = w.convs.Close(ctx, tn.ID, id.New())
		wantNotFound(t, err)
		_, err = w.convs.Reopen(ctx, tn.ID, id.New())
		wantNotFound(t, err)

		_, err = w.convs.Close(ctx, tn.ID, conv.ID)
		must(t, err)
		for _, m := range []conversation.NewMessage{
			fromAgent(agent.ID, "closing note"),
			{SenderType: conversation.SenderAgent, SenderID: agent.ID, Body: "private note", Private: true},
			fromContact("retry of an old message", "c-2"), // not new: changes nothing
		} {
			_, _, err := w.convs.Post(ctx, tn.ID, conv.ID, m)
			must(t, err)
			got, err := w.convs.Get(ctx, tn.ID, conv.ID)
			must(t, err)
			if got.Status != conversation.StatusClosed {
				t.Fatalf("%q reopened the conversation", m.Body)
			}
		}
		_, _, err = w.convs.Post(ctx, tn.ID, conv.ID, fromContact("one more thing", "c-3"))
		must(t, err)
		got, err := w.convs.Get(ctx, tn.ID, conv.ID)
		must(t, err)
		if got.Status != conversation.StatusOpen || got.ClosedAt != nil {
			t.Fatalf("a contact's message did not reopen: %+v", got)
		}
	})
}

func testConversationConcurrency(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	tn := w.tenant(t, "busy")
	cust := w.contact(t, tn.ID, contact.Input{})

	t.Run("many writers to one conversation", func(t *testing.T) {
		conv := w.conversation(t, tn.ID, conversation.NewConversation{ContactID: cust.ID})
		const writers, each = 12, 10
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, writers*each)
		got := make(chan int64, writers*each)
		for g := 0; g < writers; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := 0; i < each; i++ {
					m := fromContact(fmt.Sprintf("w%d m%d", g, i), fmt.Sprintf("w%d-m%d", g, i))
					if i%3 == 0 {
						m.ClientID = ""
					}
					msg, created, err := w.convs.Post(ctx, tn.ID, conv.ID, m)
					if err != nil {
						errs <- err
						continue
					}
					if !created {
						errs <- fmt.Errorf("%s was not created", m.Body)
					}
					got <- msg.Seq
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		close(got)
		for err := range errs {
			t.Fatal(err)
		}
		var returned []int64
		for s := range got {
			returned = append(returned, s)
		}
		slices.Sort(returned)
		if !slices.Equal(returned, oneTo(writers*each)) {
			t.Fatalf("returned seqs %v, want 1..%d once each", returned, writers*each)
		}
		if stored := w.seqs(t, tn.ID, conv.ID); !slices.Equal(stored, oneTo(writers*each)) {
			t.Fatalf("stored seqs %v, want 1..%d", stored, writers*each)
		}
		c, err := w.convs.Get(ctx, tn.ID, conv.ID)
		must(t, err)
		if c.LastSeq != writers*each {
			t.Fatalf("last_seq %d, want %d", c.LastSeq, writers*each)
		}
	})
	t.Run("the same client id sent at once is stored once", func(t *testing.T) {
		conv := w.conversation(t, tn.ID, conversation.NewConversation{ContactID: cust.ID})
		for round := 0; round < 5; round++ {
			const senders = 8
			clientID := fmt.Sprintf("dup-%d", round)
			var wg sync.WaitGroup
			start := make(chan struct{})
			msgs := make([]conversation.Message, senders)
			created := make([]bool, senders)
			errs := make([]error, senders)
			for i := 0; i < senders; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					msgs[i], created[i], errs[i] = w.convs.Post(ctx, tn.ID, conv.ID, fromContact("once", clientID))
				}()
			}
			close(start)
			wg.Wait()
			n := 0
			for i := range msgs {
				must(t, errs[i])
				if created[i] {
					n++
				}
				if !reflect.DeepEqual(msgs[i], msgs[0]) {
					t.Fatalf("senders got different messages: %+v and %+v", msgs[0], msgs[i])
				}
			}
			if n != 1 {
				t.Fatalf("round %d: %d senders were told they created the message, want 1", round, n)
			}
		}
		if got := w.seqs(t, tn.ID, conv.ID); !slices.Equal(got, oneTo(5)) {
			t.Fatalf("seqs %v, want 1..5", got)
		}
	})
}

func testConversationLists(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	tn := w.tenant(t, "lists")
	ann := w.user(t, tn.ID, "ann@example.com", account.RoleAgent)
	bob := w.user(t, tn.ID, "bob@example.com", account.RoleAgent)
	c1 := w.contact(t, tn.ID, contact.Input{Name: ptr("One")})
	c2 := w.contact(t, tn.ID, contact.Input{Name: ptr("Two")})

	type spec struct {
		contact  string
		assignee string
		closed   bool
	}
	specs := []spec{
		{c1.ID, ann.ID, false}, {c1.ID, "", false}, {c2.ID, bob.ID, true}, {c2.ID, ann.ID, true},
		{c1.ID, "", true}, {c2.ID, "", false}, {c1.ID, bob.ID, false},
	}
	var all []string // newest first, as lists return them
	byID := map[string]spec{}
	for _, s := range specs {
		c := w.conversation(t, tn.ID, conversation.NewConversation{ContactID: s.contact, AssigneeID: s.assignee})
		if s.closed {
			_, err := w.convs.Close(ctx, tn.ID, c.ID)
			must(t, err)
		}
		all = append([]string{c.ID}, all...)
		byID[c.ID] = s
	}
	other := w.tenant(t, "lists-other")
	oc := w.contact(t, other.ID, contact.Input{})
	w.conversation(t, other.ID, conversation.NewConversation{ContactID: oc.ID})

	for _, tc := range []struct {
		name   string
		f      conversation.Filter
		wanted func(spec) bool
	}{
		{"all", conversation.Filter{}, func(spec) bool { return true }},
		{"open", conversation.Filter{Status: conversation.StatusOpen}, func(s spec) bool { return !s.closed }},
		{"closed", conversation.Filter{Status: conversation.StatusClosed}, func(s spec) bool { return s.closed }},
		{"assigned to ann", conversation.Filter{AssigneeID: ann.ID}, func(s spec) bool { return s.assignee == ann.ID }},
		{"unassigned", conversation.Filter{AssigneeID: conversation.Unassigned}, func(s spec) bool { return s.assignee == "" }},
		{"open and unassigned", conversation.Filter{Status: conversation.StatusOpen, AssigneeID: conversation.Unassigned}, func(s spec) bool { return !s.closed && s.assignee == "" }},
		{"closed for bob", conversation.Filter{Status: conversation.StatusClosed, AssigneeID: bob.ID}, func(s spec) bool { return s.closed && s.assignee == bob.ID }},
		{"contact two", conversation.Filter{ContactID: c2.ID}, func(s spec) bool { return s.contact == c2.ID }},
		{"contact one, open, bob", conversation.Filter{ContactID: c1.ID, Status: conversation.StatusOpen, AssigneeID: bob.ID}, func(s spec) bool {
			return s.contact == c1.ID && !s.closed && s.assignee == bob.ID
		}},
		{"nobody's", conversation.Filter{AssigneeID: id.New()}, func(spec) bool { return false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, cid := range all {
				if tc.wanted(byID[cid]) {
					want = append(want, cid)
				}
			}
			for _, limit := range []int{2, 50} {
				got := walk(t, limit, func(p store.Page) ([]string, string, error) {
					cs, next, err := w.convs.List(ctx, tn.ID, tc.f, p)
					ids := make([]string, len(cs))
					for i, c := range cs {
						ids[i] = c.ID
					}
					return ids, next, err
				})
				if !slices.Equal(got, want) {
					t.Fatalf("limit %d: listed %v\nwant %v (newest first)", limit, got, want)
				}
			}
		})
	}
	t.Run("bad status", func(t *testing.T) {
		_, _, err := w.convs.List(ctx, tn.ID, conversation.Filter{Status: "pending"}, store.Page{})
		wantErr(t, err, apperr.Invalid, "invalid_value", "status")
	})
}
