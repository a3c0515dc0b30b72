package assistant_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bot/assistant"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/kb"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// brokenKnowledge cannot read the published entries.
type brokenKnowledge struct{ *kb.Service }

func (brokenKnowledge) Published(context.Context, string, time.Time) ([]kb.PublishedEntry, error) {
	return nil, errors.New("the knowledge base is unreachable")
}

// TestBuildFailureHandsOff: when the bot cannot get its knowledge, the
// customer is not left waiting: the conversation goes to people with a
// message.
func TestBuildFailureHandsOff(t *testing.T) {
	w := newWorld(t, storetest.Engines(t)[0])
	w.bot.Stop()
	bot := assistant.New(assistant.Options{DB: w.db, Conversations: w.convs, Knowledge: brokenKnowledge{w.kb},
		Channels: channel.New(w.db), Catalog: i18n.MustLoad(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	must(t, bot.Start())
	t.Cleanup(bot.Stop)
	w.bot = bot
	w.convs.SetOwners(bot.Owner)
	w.convs.SetObserver(bot.Observe)

	v := w.visitor(t, "Gao")
	r := v.say(t, "国内运费多少钱")
	if len(r) != 1 || metaOf(t, r[0]).Kind != "handoff" {
		t.Fatalf("reply: %v", r)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c := v.conversationNow(t)
		if c.Owner == conversation.OwnerQueue && c.HandoffReason == conversation.ReasonLowConfidence {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("owner %q reason %q", c.Owner, c.HandoffReason)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLLMKeyStaysWithItsAddress: an empty key keeps the stored one only
// while the base URL is the same; pointing the bot elsewhere needs the key
// again.
func TestLLMKeyStaysWithItsAddress(t *testing.T) {
	w := newWorld(t, storetest.Engines(t)[0])
	st := assistant.DefaultSettings()
	st.LLM = assistant.LLMSettings{Enabled: true, BaseURL: "https://llm.example.com/v1", Model: "m", APIKey: "sk-kept"}
	_, err := w.bot.PutSettings(ctx, w.tenantID, st)
	must(t, err)
	st.LLM.APIKey = ""
	st.Answer = 0.7
	_, err = w.bot.PutSettings(ctx, w.tenantID, st)
	must(t, err)
	got, err := w.bot.Settings(ctx, w.tenantID)
	must(t, err)
	if got.LLM.APIKey != "sk-kept" || got.Answer != 0.7 {
		t.Fatalf("same address: key %q answer %v", got.LLM.APIKey, got.Answer)
	}
	st.LLM.BaseURL = "https://elsewhere.example.net/v1"
	_, err = w.bot.PutSettings(ctx, w.tenantID, st)
	must(t, err)
	got, err = w.bot.Settings(ctx, w.tenantID)
	must(t, err)
	if got.LLM.APIKey != "" {
		t.Fatalf("the stored key followed the new address: %q", got.LLM.APIKey)
	}
}
