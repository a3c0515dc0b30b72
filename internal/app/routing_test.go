package app

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/config"
)

// TestIntentsNameTheEntryAndItsCategories: after the bot answered a
// question from the demo knowledge base, routing rules on intents see the
// entry, its category (国内) and the category above it (配送).
func TestIntentsNameTheEntryAndItsCategories(t *testing.T) {
	a, _, _ := newTestApp(t, func(c *config.Config) { c.Demo = true })
	ctx := context.Background()
	demo, err := a.Tenants.BySlug(ctx, DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := a.Channels.ByKey(ctx, a.demoKey)
	if err != nil {
		t.Fatal(err)
	}
	name := "运费客户"
	ct, err := a.Contacts.Create(ctx, demo.ID, contact.Input{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	st, err := a.Conversations.Receive(ctx, conversation.Inbound{TenantID: demo.ID, ChannelID: ch.ID, Channel: "web", ContactID: ct.ID,
		Message: conversation.NewMessage{ClientID: "q-1", SenderType: conversation.SenderContact, SenderID: ct.ID, Body: "国内运费多少钱？"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for deadline := time.Now().Add(15 * time.Second); len(got) < 3; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("intents are %q, want the entry and two categories", got)
		}
		got = a.intents(ctx, demo.ID, st.Conversation.ID)
	}
	var names []string
	for _, id := range got[1:] {
		c, err := a.KB.Category(ctx, demo.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, c.Name)
	}
	if !slices.Equal(names, []string{"国内", "配送"}) {
		t.Fatalf("categories %q, want 国内 then 配送", names)
	}
}
