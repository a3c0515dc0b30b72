package livetest

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// TestVisitorResume drops a visitor's connection (no close handshake, as a
// lost network does) while messages flow both ways, and reconnects it with
// its token and last seq while the agent goes on writing: the visitor must
// receive exactly the messages it missed, in order, nothing twice, and its
// unacknowledged messages, sent again with the same client ids, must be
// stored once.
func TestVisitorResume(t *testing.T) {
	t.Parallel()
	onEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s := newSite(ctx, t, e, nil)

		v, w := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "visitor", nil)
		first := v.say(ctx, "v-0", "hello, anyone there?")
		conv := first.ConversationID
		if first.Seq != 1 || w.ConversationID != "" {
			t.Fatalf("first ack %+v, welcome %+v", first, w)
		}
		agent, _ := dialAgent(ctx, t, s.admin, "agent", nil)

		w8 := startWriter(ctx, agent, conv, "a-")
		agentAcked, stopAgent, agentDone := &w8.acked, &w8.stop, w8.done

		// The first connection: the visitor writes while the agent's lines
		// arrive, then the network goes away.
		sentBefore := []string{}
		acked := map[string]int64{"v-0": 1}
		var received []int64
		take := func(f client.Frame) {
			switch f.Type {
			case "message":
				m := decodeAs[wireMessage](t, f)
				if m.ConversationID != conv {
					t.Fatalf("a message of another conversation: %s", f.Data)
				}
				received = append(received, m.Seq)
			case "ack":
				a := decodeAs[wireAck](t, f)
				acked[a.ClientID] = a.Seq
			case "error":
				t.Fatalf("visitor: %s", f.Data)
			}
		}
		for i := 1; i <= 8; i++ {
			id := fmt.Sprintf("v-%d", i)
			v.send("message", map[string]any{"client_id": id, "body": "visitor line " + id})
			sentBefore = append(sentBefore, id)
			// Read a few frames between the messages: the agent's lines keep coming.
			for range 3 {
				take(v.next(ctx, "message", "ack", "error"))
			}
		}
		v.Abort()
		// What the widget had received before the network went is what it holds.
		for _, f := range v.ended(ctx) {
			take(f)
		}
		if !isRun(received, 1, int64(len(received))) {
			t.Fatalf("before the drop the visitor received seqs %v: not 1..n in order", received)
		}
		lastSeq := int64(len(received))
		var unacked []string
		for _, id := range sentBefore {
			if _, ok := acked[id]; !ok {
				unacked = append(unacked, id)
			}
		}
		t.Logf("dropped at seq %d with %d of %d messages unacknowledged", lastSeq, len(unacked), len(sentBefore))

		// While the visitor is away the agent goes on.
		base := agentAcked.Load()
		eventually(t, 10*time.Second, "ten more agent lines", func() bool { return agentAcked.Load() >= base+10 })

		// Back with the token and last seq; the agent is still writing.
		v2, w2 := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "visitor again", map[string]any{
			"token": w.Token, "conversation_id": conv, "last_seq": lastSeq})
		if w2.ContactID != w.ContactID || w2.ConversationID != conv {
			t.Fatalf("the token did not resume the session: %+v, first %+v", w2, w)
		}
		resent := map[string]bool{}
		for _, id := range unacked {
			v2.send("message", map[string]any{"client_id": id, "body": "visitor line " + id})
			resent[id] = true
		}
		v2.send("message", map[string]any{"client_id": "v-9", "body": "visitor line v-9"})
		resent["v-9"] = true

		var after []int64
		dupAcks := 0
		final := int64(-1) // known once the agent has finished
		for {
			if final < 0 && stopAgent.Load() {
				select {
				case err := <-agentDone:
					if err != nil {
						t.Fatalf("agent: %v", err)
					}
					cv, err := s.admin.GetConversation(ctx, conv)
					if err != nil {
						t.Fatal(err)
					}
					final = cv.LastSeq
				default:
				}
			}
			if len(resent) == 0 && final >= 0 && len(after) > 0 && after[len(after)-1] >= final {
				break
			}
			poll, stop := context.WithTimeout(ctx, 50*time.Millisecond)
			f, err := v2.NextOf(poll, "message", "ack", "error")
			stop()
			if err == context.DeadlineExceeded && ctx.Err() == nil {
				continue
			}
			if err != nil {
				t.Fatalf("visitor again: %v; received %v", err, after)
			}
			switch f.Type {
			case "message":
				after = append(after, decodeAs[wireMessage](t, f).Seq)
				if len(after) == 40 {
					stopAgent.Store(true)
				}
			case "ack":
				a := decodeAs[wireAck](t, f)
				if !resent[a.ClientID] {
					t.Fatalf("an ack for %s, which was not sent again", a.ClientID)
				}
				delete(resent, a.ClientID)
				if prev, ok := acked[a.ClientID]; ok && prev != a.Seq {
					t.Fatalf("%s acknowledged as seq %d, then %d", a.ClientID, prev, a.Seq)
				}
				if a.Duplicate {
					dupAcks++
				}
				acked[a.ClientID] = a.Seq
			case "error":
				t.Fatalf("visitor again: %s", f.Data)
			}
		}
		if !isRunAnyOrder(after, lastSeq+1, final) {
			t.Fatalf("after resuming at seq %d the visitor received %v: want exactly %d..%d, nothing twice",
				lastSeq, after, lastSeq+1, final)
		}
		t.Logf("resumed: %d messages replayed and live, %d of the resent messages had been stored already", len(after), dupAcks)

		stored := storedMessages(ctx, t, s.admin, conv)
		byClient := checkStored(t, stored)
		if int64(len(stored)) != final {
			t.Fatalf("%d messages stored, the visitor saw up to seq %d", len(stored), final)
		}
		for i := 0; i <= 9; i++ {
			id := fmt.Sprintf("v-%d", i)
			m, ok := byClient[id]
			if !ok {
				t.Fatalf("visitor message %s is not stored", id)
			}
			if acked[id] != m.Seq || (id != "v-0" && m.Body != "visitor line "+id) {
				t.Fatalf("%s: acknowledged as seq %d, stored as %d %q", id, acked[id], m.Seq, m.Body)
			}
		}
		agents := 0
		for id := range byClient {
			if strings.HasPrefix(id, "a-") {
				agents++
			}
		}
		if int64(agents) != agentAcked.Load() {
			t.Fatalf("%d agent messages stored, %d acknowledged", agents, agentAcked.Load())
		}
	})
}

// liveWriter is an agent writing into a conversation without pause, up to 4
// messages in flight, until told to stop; its acks are counted as they come.
type liveWriter struct {
	acked atomic.Int64
	stop  atomic.Bool
	done  chan error // the writer's end: nil once every message is acknowledged
}

func startWriter(ctx context.Context, agent *peer, conv, prefix string) *liveWriter {
	w := &liveWriter{done: make(chan error, 1)}
	go func() {
		window := make(chan struct{}, 4)
		acks := make(chan struct{}, 4096)
		readErr := make(chan error, 1)
		go func() {
			for {
				f, err := agent.NextOf(ctx, "ack", "error")
				if err != nil {
					readErr <- err
					return
				}
				if f.Type == "error" {
					readErr <- fmt.Errorf("agent message refused: %s", f.Data)
					return
				}
				w.acked.Add(1)
				acks <- struct{}{}
			}
		}()
		sent := 0
		for ; sent < 2000 && !w.stop.Load(); sent++ {
			select {
			case window <- struct{}{}:
			case err := <-readErr:
				w.done <- err
				return
			}
			if err := agent.Send("message", map[string]any{"conversation_id": conv, "client_id": fmt.Sprintf("%s%d", prefix, sent),
				"body": fmt.Sprintf("agent line %d", sent)}); err != nil {
				w.done <- err
				return
			}
			go func() { <-acks; <-window }()
		}
		for int(w.acked.Load()) < sent {
			select {
			case err := <-readErr:
				w.done <- err
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		w.done <- nil
	}()
	return w
}

// TestAgentResume drops an agent's connection while another agent writes,
// and resumes it with hello subscriptions while the writing goes on: it
// receives exactly the messages after its last seq, in order, once each.
func TestAgentResume(t *testing.T) {
	t.Parallel()
	onEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s := newSite(ctx, t, e, nil)
		v, _ := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "visitor", nil)
		conv := v.say(ctx, "v-0", "hello").ConversationID
		writerClient, _ := s.srv.TokenClient(t, s.admin, client.ScopeWrite)
		writerPeer, _ := dialAgent(ctx, t, writerClient, "writer", nil)
		watcher, _ := dialAgent(ctx, t, s.admin, "watcher", map[string]any{
			"subscriptions": []map[string]any{{"conversation_id": conv, "after_seq": 0}}})
		w := startWriter(ctx, writerPeer, conv, "w-")

		var had []int64
		for len(had) < 20 {
			had = append(had, decodeAs[wireMessage](t, watcher.next(ctx, "message")).Seq)
		}
		watcher.Abort()
		for _, f := range watcher.ended(ctx) {
			if f.Type == "message" {
				had = append(had, decodeAs[wireMessage](t, f).Seq)
			}
		}
		if !isRun(had, 1, int64(len(had))) {
			t.Fatalf("before the drop the watcher received %v", had)
		}
		last := int64(len(had))
		base := w.acked.Load()
		eventually(t, 10*time.Second, "ten more lines", func() bool { return w.acked.Load() >= base+10 })

		again, _ := dialAgent(ctx, t, s.admin, "watcher again", map[string]any{
			"subscriptions": []map[string]any{{"conversation_id": conv, "after_seq": last}}})
		var after []int64
		final := int64(-1)
		for final < 0 || len(after) == 0 || after[len(after)-1] < final {
			if final < 0 && w.stop.Load() {
				select {
				case err := <-w.done:
					if err != nil {
						t.Fatal(err)
					}
					cv, err := s.admin.GetConversation(ctx, conv)
					if err != nil {
						t.Fatal(err)
					}
					final = cv.LastSeq
					continue
				default:
				}
			}
			poll, stop := context.WithTimeout(ctx, 50*time.Millisecond)
			f, err := again.NextOf(poll, "message")
			stop()
			if err == context.DeadlineExceeded && ctx.Err() == nil {
				continue
			}
			if err != nil {
				t.Fatalf("watcher again: %v", err)
			}
			after = append(after, decodeAs[wireMessage](t, f).Seq)
			if len(after) == 40 {
				w.stop.Store(true)
			}
		}
		if !isRunAnyOrder(after, last+1, final) {
			t.Fatalf("resumed after seq %d, the watcher received %v: want exactly %d..%d, nothing twice", last, after, last+1, final)
		}
		checkStored(t, storedMessages(ctx, t, s.admin, conv))
	})
}
