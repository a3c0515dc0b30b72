package livetest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/servetest"
)

// crashProc is a switchboard process started by the crash test.
type crashProc struct {
	cmd  *exec.Cmd
	out  *servetest.Output
	done chan struct{}
}

var crashReady = regexp.MustCompile(`Switchboard is ready at (http://\S+?)/?\n`)

// startServe runs "switchboard serve" on SQLite in dataDir, on a free
// loopback port, and returns once it says it is ready.
func startServe(t *testing.T, bin, dataDir string) (*crashProc, string) {
	t.Helper()
	p := &crashProc{out: &servetest.Output{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "serve", "--data-dir", dataDir, "--addr", "127.0.0.1:0",
		"--admin-email", "admin@example.com", "--admin-password", "crash test admin phrase")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SWITCHBOARD_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := crashReady.FindStringSubmatch(p.out.String()); m != nil {
			return p, m[1]
		}
		select {
		case <-p.done:
			t.Fatalf("the server ended before it was ready:\n%s", p.out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server is not ready after 30 s:\n%s", p.out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// crashTabs are the browser tabs of one visitor: the widget connections
// that share its token. The rate limit is per connection (10 messages at
// once), so 1,000 messages in flight at once need a hundred tabs.
type crashTabs struct {
	mu     sync.Mutex
	acked  map[string]int64 // client id → seq
	dups   int
	errs   []string
	maxSeq int64
	ended  sync.WaitGroup
	tick   chan struct{} // an ack came
}

func (ct *crashTabs) read(p *peer) {
	ct.ended.Add(1)
	go func() {
		defer ct.ended.Done()
		for {
			f, err := p.Next(context.Background())
			if err != nil {
				return // the connection ended (the server was killed, or the test is over)
			}
			ct.mu.Lock()
			switch f.Type {
			case "ack":
				a := decodeAs[wireAck](p.t, f)
				if prev, ok := ct.acked[a.ClientID]; ok && prev != a.Seq {
					ct.errs = append(ct.errs, fmt.Sprintf("%s acknowledged as %d and as %d", a.ClientID, prev, a.Seq))
				}
				ct.acked[a.ClientID] = a.Seq
				if a.Duplicate {
					ct.dups++
				}
				select {
				case ct.tick <- struct{}{}:
				default:
				}
			case "message":
				if m := decodeAs[wireMessage](p.t, f); m.Seq > ct.maxSeq {
					ct.maxSeq = m.Seq
				}
			case "error":
				ct.errs = append(ct.errs, string(f.Data))
			}
			ct.mu.Unlock()
		}
	}()
}

func (ct *crashTabs) count() int {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	return len(ct.acked)
}

// TestCrashLosesNoAcknowledgedMessage pipelines 1,000 visitor messages into
// the real binary, kills it with SIGKILL while they are being committed,
// starts it again on the same data directory, and sends again whatever was
// not acknowledged: every acknowledged message must be stored, and every
// message stored exactly once, with seqs 1..N.
func TestCrashLosesNoAcknowledgedMessage(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	bin := servetest.Build(t)
	data := t.TempDir()
	proc, base := startServe(t, bin, data)
	signIn := func(base string) *client.Client {
		jar, _ := cookiejar.New(nil)
		c := client.New(base, client.WithHTTPClient(&http.Client{Jar: jar, Timeout: 30 * time.Second}))
		if _, err := c.Login(ctx, client.LoginRequest{Email: "admin@example.com", Password: "crash test admin phrase"}); err != nil {
			t.Fatalf("sign in: %v", err)
		}
		return c
	}
	admin := signIn(base)
	ch, err := admin.CreateChannel(ctx, client.ChannelInput{Name: "Crash shop"})
	if err != nil {
		t.Fatal(err)
	}

	const total, perTab = 1000, 10
	ids := make([]string, total)
	for i := range ids {
		ids[i] = fmt.Sprintf("c-%04d", i)
	}
	tabs := &crashTabs{acked: map[string]int64{}, tick: make(chan struct{}, 1)}
	first, w := dialVisitor(ctx, t, base, ch.Key, "tab 0", nil)
	a0 := first.say(ctx, ids[0], "message "+ids[0])
	conv := a0.ConversationID
	tabs.acked[ids[0]] = a0.Seq
	conns := []*peer{first}
	for k := 1; k < total/perTab; k++ {
		p, wk := dialVisitor(ctx, t, base, ch.Key, fmt.Sprintf("tab %d", k), map[string]any{"token": w.Token, "conversation_id": conv, "last_seq": 1})
		if wk.ContactID != w.ContactID || wk.ConversationID != conv {
			t.Fatalf("tab %d is another visitor: %+v", k, wk)
		}
		conns = append(conns, p)
	}
	// One message after the other, round the tabs, without waiting for
	// acks: up to window messages are unacknowledged at any time, so that
	// the kill finds some on the wire, some queued for the commit and some
	// in the transaction being committed.
	const window = 200
	for _, p := range conns {
		tabs.read(p)
	}
	var sent atomic.Int64
	sent.Store(1)
	go func() {
		for i := 1; i < total; i++ {
			for sent.Load()-int64(tabs.count()) >= window {
				select {
				case <-tabs.tick:
				case <-proc.done:
					return
				}
			}
			if conns[i%len(conns)].Send("message", map[string]any{"client_id": ids[i], "body": "message " + ids[i]}) != nil {
				return // the server is gone
			}
			sent.Add(1)
		}
	}()

	// Kill -9 once a few hundred acks have come back.
	eventually(t, 30*time.Second, "300 acks", func() bool { return tabs.count() >= 300 })
	atKill, sentAtKill := tabs.count(), sent.Load()
	if err := proc.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-proc.done
	tabs.ended.Wait() // every ack the dead server had sent is read
	if len(tabs.errs) > 0 {
		t.Fatalf("errors before the crash: %v", tabs.errs)
	}
	ackedBefore := map[string]int64{}
	for id, seq := range tabs.acked {
		ackedBefore[id] = seq
	}
	var unacked []string
	for _, id := range ids {
		if _, ok := ackedBefore[id]; !ok {
			unacked = append(unacked, id)
		}
	}
	t.Logf("killed with %d messages sent and %d acks seen (%d in all before the connections ended); %d messages unacknowledged",
		sentAtKill, atKill, len(ackedBefore), len(unacked))
	if sentAtKill <= int64(atKill) {
		t.Fatalf("no message was in flight at the kill: %d sent, %d acknowledged", sentAtKill, atKill)
	}

	// Start again on the same data directory and send the rest again.
	_, base2 := startServe(t, bin, data)
	admin = signIn(base2)
	tabs.mu.Lock()
	last := tabs.maxSeq
	tabs.mu.Unlock()
	for start := 0; start < len(unacked); start += perTab {
		batch := unacked[start:min(start+perTab, len(unacked))]
		p, wk := dialVisitor(ctx, t, base2, ch.Key, fmt.Sprintf("tab %d after the crash", start/perTab),
			map[string]any{"token": w.Token, "conversation_id": conv, "last_seq": last})
		if wk.ContactID != w.ContactID || wk.ConversationID != conv {
			t.Fatalf("after the crash the token opened %+v", wk)
		}
		tabs.read(p)
		for _, id := range batch {
			p.send("message", map[string]any{"client_id": id, "body": "message " + id})
		}
	}
	eventually(t, 30*time.Second, "every message acknowledged", func() bool {
		tabs.mu.Lock()
		defer tabs.mu.Unlock()
		if len(tabs.errs) > 0 {
			t.Fatalf("errors after the crash: %v", tabs.errs)
		}
		return len(tabs.acked) == total
	})

	stored := storedMessages(ctx, t, admin, conv)
	byClient := checkStored(t, stored)
	if len(stored) != total || len(byClient) != total {
		t.Fatalf("%d messages stored (%d client ids), want %d", len(stored), len(byClient), total)
	}
	for id, seq := range ackedBefore {
		if m := byClient[id]; m.Seq != seq || m.Body != "message "+id {
			t.Fatalf("%s was acknowledged as seq %d before the crash; stored: %+v", id, seq, m)
		}
	}
	tabs.mu.Lock()
	defer tabs.mu.Unlock()
	for id, seq := range tabs.acked {
		if byClient[id].Seq != seq {
			t.Fatalf("%s acknowledged as seq %d, stored as %d", id, seq, byClient[id].Seq)
		}
	}
	t.Logf("after the restart: %d of the %d messages sent again had been stored before the crash (acknowledged as duplicates)",
		tabs.dups, len(unacked))
}
