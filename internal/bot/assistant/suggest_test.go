package assistant_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bot/assistant"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

func TestReplySuggestions(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { testSuggestions(t, e) })
	}
}

func testSuggestions(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)

	// suggest asks for the suggestions of a visitor's conversation as the
	// API does: from its latest messages.
	suggest := func(t *testing.T, v *visitor) assistant.Suggestions {
		t.Helper()
		msgs, err := w.convs.Messages(ctx, w.tenantID, v.conv, 0, assistant.SuggestWindow)
		must(t, err)
		s, err := w.bot.Suggest(ctx, w.tenantID, msgs)
		must(t, err)
		if s.Items == nil {
			t.Fatal("items is nil, want a list")
		}
		if len(s.Items) > 3 {
			t.Fatalf("%d suggestions, want at most three", len(s.Items))
		}
		for i, it := range s.Items {
			if it.EntryID == "" || it.Question == "" || strings.TrimSpace(it.Answer) == "" || it.Confidence <= 0 || it.Confidence > 1 {
				t.Fatalf("suggestion %d is incomplete: %+v", i, it)
			}
			if i > 0 && it.Confidence > s.Items[i-1].Confidence {
				t.Fatalf("suggestions not best first: %+v", s.Items)
			}
		}
		return s
	}
	first := func(t *testing.T, s assistant.Suggestions) assistant.Suggestion {
		t.Helper()
		if len(s.Items) == 0 {
			t.Fatalf("no suggestions for %q", s.Question)
		}
		return s.Items[0]
	}

	t.Run("the best answers to the customer's last question, as plain text", func(t *testing.T) {
		v := w.visitor(t, "Mei")
		if r := v.say(t, "国内运费多少钱"); len(r) != 1 {
			t.Fatalf("the bot did not answer: %v", r)
		}
		s := suggest(t, v)
		top := first(t, s)
		if s.Question != "国内运费多少钱" || top.EntryID != w.entryID(t, "ship-dom-zh") || top.Question != "国内运费多少钱？" {
			t.Fatalf("suggestions for domestic shipping: %+v", s)
		}
		if !strings.Contains(top.Answer, "99 元") || strings.Contains(top.Answer, "**") || strings.Contains(top.Answer, "<") {
			t.Fatalf("the answer is not plain text: %q", top.Answer)
		}

		// A request for a person asks nothing of the knowledge base: the
		// question before it still counts.
		v.say(t, "转人工")
		if c := v.conversation(t); c.Owner != conversation.OwnerQueue {
			t.Fatalf("owner after 转人工: %q", c.Owner)
		}
		s = suggest(t, v)
		if s.Question != "国内运费多少钱" || first(t, s).EntryID != w.entryID(t, "ship-dom-zh") {
			t.Fatalf("after 转人工: %+v", s)
		}

		// People own it now; the bot is silent, suggestions follow the
		// customer's new question.
		v.sayWait(t, "I forgot my password, how can I reset it?", 200*time.Millisecond)
		s = suggest(t, v)
		if s.Question != "I forgot my password, how can I reset it?" || first(t, s).EntryID != w.entryID(t, "password-en") ||
			!strings.Contains(first(t, s).Answer, "Forgot password") {
			t.Fatalf("password question: %+v", s)
		}

		// Thanks passes over to the question; an agent's reply and an
		// internal note are not the customer's.
		v.sayWait(t, "thanks!", 200*time.Millisecond)
		for _, m := range []conversation.NewMessage{
			{SenderType: conversation.SenderAgent, SenderID: "agent", Body: "How much is international shipping?"},
			{SenderType: conversation.SenderAgent, SenderID: "agent", Private: true, Body: "退款"},
		} {
			_, _, err := w.convs.Post(ctx, w.tenantID, v.conv, m)
			must(t, err)
		}
		s = suggest(t, v)
		if first(t, s).EntryID != w.entryID(t, "password-en") {
			t.Fatalf("after thanks, a reply and a note: %+v", s)
		}

		// Something the knowledge base does not know: no suggestions, and
		// the question is still named.
		v.sayWait(t, "zqxv blorf wibble", 200*time.Millisecond)
		s = suggest(t, v)
		if s.Question != "zqxv blorf wibble" || len(s.Items) != 0 {
			t.Fatalf("for gibberish: %+v", s)
		}
	})

	t.Run("a question close to several entries gets more than one", func(t *testing.T) {
		v := w.visitor(t, "Lu")
		v.say(t, "运费多少钱")
		s := suggest(t, v)
		if len(s.Items) < 2 {
			t.Fatalf("an ambiguous shipping question: %+v", s)
		}
		seen := map[string]bool{}
		for _, it := range s.Items {
			if seen[it.EntryID] {
				t.Fatalf("an entry twice: %+v", s.Items)
			}
			seen[it.EntryID] = true
		}
	})

	t.Run("nothing to suggest without a question or without knowledge", func(t *testing.T) {
		s, err := w.bot.Suggest(ctx, w.tenantID, nil)
		must(t, err)
		if s.Question != "" || s.Items == nil || len(s.Items) != 0 {
			t.Fatalf("no messages: %+v", s)
		}
		only := []conversation.Message{{SenderType: conversation.SenderAgent, Body: "Hello, how can I help?"}}
		if s, err = w.bot.Suggest(ctx, w.tenantID, only); err != nil || s.Question != "" || len(s.Items) != 0 {
			t.Fatalf("only an agent's message: %+v %v", s, err)
		}
		if q := assistant.LastQuestion(append(only, conversation.Message{SenderType: conversation.SenderContact, Body: "退款"})); q != "退款" {
			t.Fatalf("LastQuestion = %q", q)
		}
		bare, err := tenant.New(w.db).Create(ctx, "bare", "No knowledge")
		must(t, err)
		msgs := []conversation.Message{{SenderType: conversation.SenderContact, Body: "国内运费多少钱"}}
		s, err = w.bot.Suggest(ctx, bare.ID, msgs)
		must(t, err)
		if s.Question != "国内运费多少钱" || s.Items == nil || len(s.Items) != 0 {
			t.Fatalf("a tenant without published knowledge: %+v", s)
		}
	})
}
