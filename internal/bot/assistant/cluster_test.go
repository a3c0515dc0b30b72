package assistant_test

import (
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bot/assistant"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/kb"
	"github.com/switchboard-cs/switchboard/internal/platform/bus"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// TestChangeReachesOtherNodes: a change published through one node
// rebuilds the bot of another node sharing the bus (NATS when
// SWITCHBOARD_TEST_NATS names a server, as in CI; in memory otherwise).
func TestChangeReachesOtherNodes(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e) // node A: w.bot, wired to the knowledge base
			var bA, bB bus.Bus
			if url := os.Getenv("SWITCHBOARD_TEST_NATS"); url != "" {
				var err error
				if bA, err = bus.Open(url, "node A"); err != nil {
					t.Fatal(err)
				}
				if bB, err = bus.Open(url, "node B"); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = bA.Close(); _ = bB.Close() })
			} else {
				m := bus.NewMemory()
				bA, bB = m, m
			}
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			// Node A announces through its bus; node B only listens.
			nodeA := assistant.New(assistant.Options{DB: w.db, Conversations: w.convs, Knowledge: w.kb, Channels: channel.New(w.db),
				Catalog: i18n.MustLoad(), Bus: bA, Log: quiet, Debounce: 20 * time.Millisecond})
			nodeB := assistant.New(assistant.Options{DB: w.db, Conversations: w.convs, Knowledge: w.kb, Channels: channel.New(w.db),
				Catalog: i18n.MustLoad(), Bus: bB, Log: quiet, Debounce: 20 * time.Millisecond})
			must(t, nodeA.Start())
			t.Cleanup(nodeA.Stop)
			must(t, nodeB.Start())
			t.Cleanup(nodeB.Stop)
			refund := w.entryID(t, "refund-zh")
			before, err := nodeB.Try(ctx, w.tenantID, "我要退款", nil)
			must(t, err)
			if before.EntryID != refund {
				t.Fatalf("node B before the change: %+v", before)
			}
			_, err = w.kb.Archive(ctx, w.tenantID, kb.Actor{ID: "user:test", Reviewer: true}, refund)
			must(t, err)
			nodeA.Changed(w.tenantID) // what the application wires to the knowledge base's change hook
			deadline := time.Now().Add(10 * time.Second)
			for {
				after, err := nodeB.Try(ctx, w.tenantID, "我要退款", nil)
				must(t, err)
				if after.EntryID != refund {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("node B still answers with the archived entry after 10 s")
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}
