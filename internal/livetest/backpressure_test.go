package livetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// TestSlowConsumer floods the tenant with visitor messages while one agent
// connection stops reading. The server must cut that connection off (bye
// slow_consumer, close 4008) once its send queue is full, without slowing
// the agent that reads; reconnected with its last seqs, the slow agent gets
// exactly what it missed.
//
// What a user of the slow connection sees: the frames the server had
// written before the cut, in order (per conversation a run 1..k), then the
// farewell — bye with reason "slow_consumer" and close code 4008 — when the
// connection resumes reading while the server still waits to write it. A
// client that never reads again sees no farewell: its kernel buffers are
// full, so the server gives up writing after its write timeout and closes
// the TCP connection; the client then reads the frames that were in its
// buffers and sees the connection end without a close code.
func TestSlowConsumer(t *testing.T) {
	t.Parallel()
	onEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
		defer cancel()
		s := newSite(ctx, t, e, nil)
		hub := s.srv.App.Hub
		base := hub.Stats().SlowConsumers

		// The slow agent says hello and never calls Next: with a buffer of
		// one frame its connection stops reading the socket at once.
		slowConn, err := s.admin.DialAgent(ctx, client.WithBuffer(1))
		if err != nil {
			t.Fatal(err)
		}
		slow := &peer{LiveConn: slowConn, t: t, name: "slow agent"}
		t.Cleanup(slow.Abort)
		slow.send("hello", map[string]any{})

		// The reading agent, an integration's stream, records when each
		// message arrives.
		reader, _ := s.srv.TokenClient(t, s.admin, client.ScopeRead)
		fast, _ := dialAgent(ctx, t, reader, "reading agent", nil)
		var mu sync.Mutex
		sentAt := map[string]time.Time{}  // by the visitor
		ackedAt := map[string]time.Time{} // the visitor's ack: the commit
		arrived := map[string]time.Time{} // at the reading agent
		fastSeqs := &seqLog{}
		fastDone := make(chan struct{})
		go func() {
			defer close(fastDone)
			for {
				f, err := fast.NextOf(ctx, "message")
				if err != nil {
					return
				}
				m := decodeAs[wireMessage](t, f)
				now := time.Now()
				mu.Lock()
				arrived[m.ClientID] = now
				mu.Unlock()
				fastSeqs.add(m.ConversationID, m.Seq)
			}
		}()

		// Visitors, ten at a time, each sending its ten messages (the burst
		// a connection may send at once) of 10,000 characters.
		body := strings.Repeat("慢", 10000)
		var convs []string
		perVisitor := 10
		for round := 0; hub.Stats().SlowConsumers == base; round++ {
			if round == 30 {
				t.Fatalf("no slow consumer after %d messages", len(convs)*perVisitor)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 10)
			for k := range 10 {
				v, _ := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, fmt.Sprintf("visitor %d.%d", round, k), nil)
				wg.Add(1)
				go func() {
					defer wg.Done()
					var conv string
					for i := range perVisitor {
						id := fmt.Sprintf("r%d-v%d-m%d", round, k, i)
						mu.Lock()
						sentAt[id] = time.Now()
						mu.Unlock()
						if err := v.Send("message", map[string]any{"client_id": id, "body": body}); err != nil {
							errs <- err
							return
						}
					}
					for acks := 0; acks < perVisitor; {
						f, err := v.NextOf(ctx, "ack", "error")
						if err != nil || f.Type == "error" {
							errs <- fmt.Errorf("visitor %d.%d: %v %s", round, k, err, f.Data)
							return
						}
						a := decodeAs[wireAck](t, f)
						mu.Lock()
						ackedAt[a.ClientID] = time.Now()
						mu.Unlock()
						conv = a.ConversationID
						acks++
					}
					mu.Lock()
					convs = append(convs, conv)
					mu.Unlock()
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
		}
		total := len(convs) * perVisitor
		if got := hub.Stats().SlowConsumers - base; got != 1 {
			t.Fatalf("%d slow consumers counted, want 1 (only the agent that stopped reading)", got)
		}

		// The reading agent received every message, in order, promptly.
		eventually(t, 20*time.Second, "all messages at the reading agent", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(arrived) >= total
		})
		for _, c := range convs {
			if got := fastSeqs.get(c); !isRun(got, 1, int64(perVisitor)) {
				t.Fatalf("the reading agent received %v of conversation %s", got, c)
			}
		}
		// Delivery latency: from the commit (the visitor's ack, which the
		// server sends just before it publishes the message) to the reading
		// agent; and, for the record, from the visitor's send.
		mu.Lock()
		var delivery, endToEnd []time.Duration
		for id, at := range arrived {
			delivery = append(delivery, max(0, at.Sub(ackedAt[id])))
			endToEnd = append(endToEnd, at.Sub(sentAt[id]))
		}
		mu.Unlock()
		slices.Sort(delivery)
		slices.Sort(endToEnd)
		pct := func(ds []time.Duration, p int) time.Duration { return ds[(len(ds)-1)*p/100].Round(time.Millisecond) }
		t.Logf("%d messages of %d bytes; reading agent: after the commit p50 %v, p99 %v, max %v; from the send p50 %v, p99 %v",
			total, len(body), pct(delivery, 50), pct(delivery, 99), pct(delivery, 100), pct(endToEnd, 50), pct(endToEnd, 99))
		// A reader held up behind the blocked one would wait for the write
		// timeout (10 s) of the blocked connection; on a loaded machine (the
		// race detector, many packages at once) a second is still normal.
		if pct(delivery, 50) > time.Second || pct(delivery, 100) > 5*time.Second {
			t.Errorf("the reading agent was slowed down: delivery p50 %v, max %v", pct(delivery, 50), pct(delivery, 100))
		}

		// The slow agent reads again: what the server had written, then the end.
		frames := slow.ended(ctx)
		got := &seqLog{}
		for _, f := range frames {
			if f.Type == "message" {
				m := decodeAs[wireMessage](t, f)
				got.add(m.ConversationID, m.Seq)
			}
		}
		var bye wireBye
		if n := len(frames); n > 0 && frames[n-1].Type == "bye" {
			bye = decodeAs[wireBye](t, frames[n-1])
		}
		switch {
		case bye.Reason == "slow_consumer" && slow.CloseCode == 4008:
			t.Logf("the slow agent read %d frames, then bye slow_consumer and close 4008", len(frames))
		case bye.Reason == "" && slow.CloseCode == 0:
			t.Logf("the slow agent read %d frames, then the connection ended without a farewell", len(frames))
		default:
			t.Fatalf("the slow agent's connection ended with bye %q, close %d %q", bye.Reason, slow.CloseCode, slow.CloseReason)
		}
		received := 0
		subs := []map[string]any{}
		for _, c := range convs {
			seqs := got.get(c)
			if !isRun(seqs, 1, int64(len(seqs))) {
				t.Fatalf("the slow agent received %v of conversation %s: not a run from 1", seqs, c)
			}
			received += len(seqs)
			subs = append(subs, map[string]any{"conversation_id": c, "after_seq": len(seqs)})
		}
		if received >= total {
			t.Fatalf("the slow agent received all %d messages: it was never behind", total)
		}
		t.Logf("the slow agent had received %d of %d messages", received, total)

		// Reconnected with its last seqs, it catches up exactly.
		again, _ := dialAgent(ctx, t, s.admin, "slow agent again", map[string]any{"subscriptions": subs})
		caught := &seqLog{}
		for n := 0; n < total-received; n++ {
			m := decodeAs[wireMessage](t, again.next(ctx, "message"))
			caught.add(m.ConversationID, m.Seq)
		}
		again.send("ping", nil)
		for {
			f := again.next(ctx, "message", "pong", "error")
			if f.Type == "pong" {
				break
			}
			t.Fatalf("after catching up the agent received %s %s", f.Type, f.Data)
		}
		for _, c := range convs {
			had := int64(len(got.get(c)))
			if seqs := caught.get(c); !isRun(seqs, had+1, int64(perVisitor)) {
				t.Fatalf("conversation %s: had up to %d, the replay sent %v", c, had, seqs)
			}
		}
		cancel()
		<-fastDone
	})
}
