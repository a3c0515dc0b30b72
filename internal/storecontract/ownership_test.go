package storecontract

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// testOwnership checks who owns a conversation through its life: the bot
// on a bot-first channel, the queue after a hand-off, an agent who replies
// or is assigned, closed; and that the bot cannot speak once people own it.
func testOwnership(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	tn := w.tenant(t, "owners")
	agent := w.user(t, tn.ID, "agent@example.com", account.RoleAgent)
	var mu sync.Mutex
	var heard []conversation.Stored
	w.convs.SetOwners(func(_ context.Context, tenantID, channelID string) conversation.Owner {
		if channelID == "bot-first" {
			return conversation.OwnerBot
		}
		return conversation.OwnerQueue
	})
	w.convs.SetObserver(func(tenantID string, st conversation.Stored) {
		if tenantID != tn.ID {
			t.Errorf("observer heard tenant %q", tenantID)
		}
		mu.Lock()
		heard = append(heard, st)
		mu.Unlock()
	})
	alice := w.contact(t, tn.ID, contact.Input{Name: ptr("Alice")})
	bob := w.contact(t, tn.ID, contact.Input{Name: ptr("Bob")})

	// A human-first channel opens conversations in the queue.
	st, err := w.convs.Receive(ctx, conversation.Inbound{TenantID: tn.ID, ContactID: bob.ID, ChannelID: "human-first", Message: fromContact("hello", "")})
	must(t, err)
	if st.Conversation.Owner != conversation.OwnerQueue {
		t.Fatalf("human-first owner = %q, want queue", st.Conversation.Owner)
	}

	st, err = w.convs.Receive(ctx, conversation.Inbound{TenantID: tn.ID, ContactID: alice.ID, ChannelID: "bot-first", Message: fromContact("where is my parcel?", "c1")})
	must(t, err)
	conv := st.Conversation
	if conv.Owner != conversation.OwnerBot || conv.HandoffReason != "" {
		t.Fatalf("bot-first owner = %q (%q), want bot", conv.Owner, conv.HandoffReason)
	}
	mu.Lock()
	n := len(heard)
	mu.Unlock()
	if n != 2 || heard[1].Message.Body != "where is my parcel?" {
		t.Fatalf("observer heard %d messages, want the 2 stored", n)
	}
	// A duplicate is not heard again.
	_, err = w.convs.Receive(ctx, conversation.Inbound{TenantID: tn.ID, ContactID: alice.ID, ChannelID: "bot-first", Message: fromContact("where is my parcel?", "c1")})
	must(t, err)
	mu.Lock()
	n = len(heard)
	mu.Unlock()
	if n != 2 {
		t.Fatalf("observer heard a duplicate: %d messages", n)
	}

	meta := json.RawMessage(`{"kind":"answer","entry_id":"e1","buttons":[{"label":"👍"}]}`)
	bm, _, err := w.convs.Post(ctx, tn.ID, conv.ID, conversation.NewMessage{SenderType: conversation.SenderBot, Body: "It ships in 2 days.", Meta: meta})
	must(t, err)
	ms, err := w.convs.Messages(ctx, tn.ID, conv.ID, bm.Seq-1, 10)
	must(t, err)
	var got, want any
	must(t, json.Unmarshal(ms[0].Meta, &got))
	must(t, json.Unmarshal(meta, &want))
	if ms[0].Body != "It ships in 2 days." || !jsonEqual(got, want) {
		t.Fatalf("bot message came back as %q %s", ms[0].Body, ms[0].Meta)
	}
	if _, _, err := w.convs.Post(ctx, tn.ID, conv.ID, conversation.NewMessage{SenderType: conversation.SenderBot, Body: "x", Meta: json.RawMessage(`[1]`)}); err == nil {
		t.Fatal("meta that is not an object was stored")
	}

	if _, _, err := w.convs.HandOff(ctx, tn.ID, conv.ID, "because", 1); err == nil {
		t.Fatal("a hand-off with an unknown reason was accepted")
	}
	after, moved, err := w.convs.HandOff(ctx, tn.ID, conv.ID, conversation.ReasonNegative, 10)
	must(t, err)
	if !moved || after.Owner != conversation.OwnerQueue || after.HandoffReason != conversation.ReasonNegative || after.Priority != 10 {
		t.Fatalf("after hand-off: moved %v, %q %q %d", moved, after.Owner, after.HandoffReason, after.Priority)
	}
	if _, moved, err := w.convs.HandOff(ctx, tn.ID, conv.ID, conversation.ReasonNoMatch, 0); err != nil || moved {
		t.Fatalf("second hand-off: moved %v, err %v", moved, err)
	}
	// The bot never speaks once people own the conversation.
	_, _, err = w.convs.Post(ctx, tn.ID, conv.ID, conversation.NewMessage{SenderType: conversation.SenderBot, Body: "still here"})
	if e, ok := apperr.As(err); !ok || e.Code != "not_bot_owned" || !errors.Is(err, conversation.ErrNotBotOwned) {
		t.Fatalf("bot message after hand-off: %v", err)
	}
	if last := w.seqs(t, tn.ID, conv.ID); len(last) != 2 {
		t.Fatalf("messages after the refused bot message: %v", last)
	}

	// An agent replying to a conversation the bot owns takes it over.
	st, err = w.convs.Receive(ctx, conversation.Inbound{TenantID: tn.ID, ContactID: bob.ID, ChannelID: "bot-first", Message: fromContact("hi", "")})
	must(t, err)
	if st.Conversation.Owner != conversation.OwnerBot {
		t.Fatalf("second bot-first conversation owner %q", st.Conversation.Owner)
	}
	_, _, err = w.convs.Post(ctx, tn.ID, st.Conversation.ID, fromAgent(agent.ID, "Hello Bob, I am here"))
	must(t, err)
	took, err := w.convs.Get(ctx, tn.ID, st.Conversation.ID)
	must(t, err)
	if took.Owner != conversation.OwnerAgent || deref(took.AssigneeID) != agent.ID || took.HandoffReason != conversation.ReasonAgentTookOver {
		t.Fatalf("after the agent's reply: owner %q assignee %v reason %q", took.Owner, took.AssigneeID, took.HandoffReason)
	}

	// Assignment, unassignment, close and reopen move the owner along.
	steps := []struct {
		name string
		do   func() (conversation.Conversation, error)
		want conversation.Owner
	}{
		{"unassign", func() (conversation.Conversation, error) { return w.convs.Assign(ctx, tn.ID, conv.ID, "", "") }, conversation.OwnerQueue},
		{"assign", func() (conversation.Conversation, error) { return w.convs.Assign(ctx, tn.ID, conv.ID, agent.ID, "") }, conversation.OwnerAgent},
		{"unassign again", func() (conversation.Conversation, error) { return w.convs.Assign(ctx, tn.ID, conv.ID, "", "") }, conversation.OwnerQueue},
		{"close", func() (conversation.Conversation, error) { return w.convs.Close(ctx, tn.ID, conv.ID) }, conversation.OwnerClosed},
		{"reopen", func() (conversation.Conversation, error) { return w.convs.Reopen(ctx, tn.ID, conv.ID) }, conversation.OwnerQueue},
		{"close again", func() (conversation.Conversation, error) { return w.convs.Close(ctx, tn.ID, conv.ID) }, conversation.OwnerClosed},
	}
	for _, s := range steps {
		c, err := s.do()
		must(t, err)
		if c.Owner != s.want {
			t.Fatalf("%s: owner %q, want %q", s.name, c.Owner, s.want)
		}
	}
	// The customer writing again starts a conversation for the channel's first owner.
	st, err = w.convs.Receive(ctx, conversation.Inbound{TenantID: tn.ID, ContactID: alice.ID, ChannelID: "bot-first", Message: fromContact("one more question", "c2")})
	must(t, err)
	if st.Conversation.ID == conv.ID || st.Conversation.Owner != conversation.OwnerBot || st.Conversation.Status != conversation.StatusOpen {
		t.Fatalf("the customer wrote again: %s owner %q status %q", st.Conversation.ID, st.Conversation.Owner, st.Conversation.Status)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
