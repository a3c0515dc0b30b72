package livetest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/servetest"
)

// clusterNATSEnv names the NATS server the cluster tests use.
const clusterNATSEnv = "SWITCHBOARD_TEST_NATS"

// clusterNATS returns the NATS server of a cluster test: the one named by
// SWITCHBOARD_TEST_NATS, or, outside CI only, one started inside the test
// process on a free loopback port. Under CI=true a missing server fails the
// test instead of skipping it.
func clusterNATS(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(clusterNATSEnv); u != "" {
		return u
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: the cluster must be tested on a real NATS server in CI", clusterNATSEnv)
	}
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(5 * time.Second) {
		t.Fatal("the in-process NATS server did not start")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL()
}

// clusterPostgres returns a fresh PostgreSQL database, skipping the test when
// none is configured (failing it under CI=true).
func clusterPostgres(t testing.TB) string {
	t.Helper()
	if storetest.PostgresURL() == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: the cluster must be tested on PostgreSQL in CI", storetest.PostgresEnv)
		}
		t.Skipf("%s is not set: a cluster needs PostgreSQL", storetest.PostgresEnv)
	}
	return storetest.FreshPostgres(t)
}

// clusterNode is a running "switchboard serve" process.
type clusterNode struct {
	name   string
	cmd    *exec.Cmd
	stdout servetest.Output
	stderr servetest.Output
	done   chan struct{}
	err    error
	URL    string // base URL with a trailing slash, once ready
}

var clusterReadyLine = regexp.MustCompile(`Switchboard is ready at (http://\S+/)\n`)

// startClusterNode starts "switchboard serve args…" with an environment
// free of SWITCHBOARD_ settings. Its output is shown only if the test fails.
func startClusterNode(t testing.TB, bin, name string, args ...string) *clusterNode {
	t.Helper()
	n := &clusterNode{name: name, done: make(chan struct{})}
	n.cmd = exec.Command(bin, append([]string{"serve"}, args...)...)
	n.cmd.Dir = t.TempDir()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SWITCHBOARD_") {
			n.cmd.Env = append(n.cmd.Env, kv)
		}
	}
	n.cmd.Stdout, n.cmd.Stderr = &n.stdout, &n.stderr
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { n.err = n.cmd.Wait(); close(n.done) }()
	t.Cleanup(func() {
		select {
		case <-n.done:
		default:
			_ = n.cmd.Process.Kill()
			<-n.done
		}
		if t.Failed() {
			t.Logf("node %s (%v)\n--- stdout:\n%s--- stderr:\n%s", n.name, n.err, n.stdout.String(), n.stderr.String())
		}
	})
	return n
}

// ready waits for the ready line and returns the node's base URL.
func (n *clusterNode) ready(ctx context.Context) (string, error) {
	for {
		if m := clusterReadyLine.FindStringSubmatch(n.stdout.String()); m != nil {
			n.URL = m[1]
			return n.URL, nil
		}
		select {
		case <-n.done:
			return "", fmt.Errorf("node %s ended (%v) before it was ready", n.name, n.err)
		case <-ctx.Done():
			return "", fmt.Errorf("node %s: not ready: %w", n.name, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// exited waits for the process to end and returns its exit code.
func (n *clusterNode) exited(within time.Duration) (int, error) {
	t := time.NewTimer(max(within, 0))
	defer t.Stop()
	select {
	case <-n.done:
	case <-t.C:
		select {
		case <-n.done:
		default:
			return -1, fmt.Errorf("node %s still runs after %v", n.name, within)
		}
	}
	return n.cmd.ProcessState.ExitCode(), nil
}

// clusterFrames records every frame of a live connection as it arrives, so
// that a test can wait for a condition on everything received so far.
type clusterFrames struct {
	conn    *client.LiveConn
	mu      sync.Mutex
	frames  []client.Frame
	changed chan struct{} // closed and replaced at every change
	ended   bool
}

func recordFrames(c *client.LiveConn) *clusterFrames {
	r := &clusterFrames{conn: c, changed: make(chan struct{})}
	go func() {
		for {
			f, err := c.Next(context.Background())
			r.mu.Lock()
			if err != nil {
				r.ended = true
			} else {
				r.frames = append(r.frames, f)
			}
			close(r.changed)
			r.changed = make(chan struct{})
			r.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return r
}

// snapshot returns the frames received so far and whether the connection ended.
func (r *clusterFrames) snapshot() ([]client.Frame, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]client.Frame(nil), r.frames...), r.ended
}

// wait returns once cond holds for the frames received so far, or fails
// when ctx ends or the connection ends without cond holding.
func (r *clusterFrames) wait(ctx context.Context, what string, cond func(frames []client.Frame) bool) error {
	for {
		r.mu.Lock()
		frames, ended, changed := r.frames, r.ended, r.changed
		ok := cond(frames)
		r.mu.Unlock()
		if ok {
			return nil
		}
		if ended {
			return fmt.Errorf("%s: the connection ended first (close %d %q); frames: %s", what, r.conn.CloseCode, r.conn.CloseReason, describeFrames(frames))
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("%s: %w; frames: %s", what, ctx.Err(), describeFrames(frames))
		}
	}
}

// end waits until the server has closed the connection.
func (r *clusterFrames) end(ctx context.Context) error {
	for {
		r.mu.Lock()
		ended, changed := r.ended, r.changed
		r.mu.Unlock()
		if ended {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			frames, _ := r.snapshot()
			return fmt.Errorf("the connection is still open: %w; frames: %s", ctx.Err(), describeFrames(frames))
		}
	}
}

// first waits for a frame of type typ that matches (nil: any) and returns it.
func (r *clusterFrames) first(ctx context.Context, typ string, match func(client.Frame) bool) (client.Frame, error) {
	var got client.Frame
	err := r.wait(ctx, "a "+typ+" frame", func(frames []client.Frame) bool {
		for _, f := range frames {
			if f.Type == typ && (match == nil || match(f)) {
				got = f
				return true
			}
		}
		return false
	})
	return got, err
}

func describeFrames(frames []client.Frame) string {
	var b strings.Builder
	for _, f := range frames {
		if f.Type == "counts" || f.Type == "pong" {
			continue
		}
		fmt.Fprintf(&b, "\n  %s %s", f.Type, f.Data)
	}
	return b.String()
}

// clusterMessage is a message frame.
type clusterMessage struct {
	ConversationID string `json:"conversation_id"`
	Seq            int64  `json:"seq"`
	ID             string `json:"id"`
	ClientID       string `json:"client_id"`
	SenderType     string `json:"sender_type"`
	Body           string `json:"body"`
}

// clusterAck is an ack frame.
type clusterAck struct {
	ClientID       string `json:"client_id"`
	ConversationID string `json:"conversation_id"`
	Seq            int64  `json:"seq"`
	ID             string `json:"id"`
	Duplicate      bool   `json:"duplicate"`
}

// messagesOf decodes the message frames of one conversation, in the order received.
func messagesOf(frames []client.Frame, convID string) []clusterMessage {
	var out []clusterMessage
	for _, f := range frames {
		if f.Type != "message" {
			continue
		}
		var m clusterMessage
		if json.Unmarshal(f.Data, &m) == nil && m.ConversationID == convID {
			out = append(out, m)
		}
	}
	return out
}

// ackOf finds the ack of a client id.
func ackOf(frames []client.Frame, clientID string) (clusterAck, bool) {
	for _, f := range frames {
		if f.Type != "ack" {
			continue
		}
		var a clusterAck
		if json.Unmarshal(f.Data, &a) == nil && a.ClientID == clientID {
			return a, true
		}
	}
	return clusterAck{}, false
}

// hasSeq reports whether a message with seq arrived for the conversation.
func hasSeq(frames []client.Frame, convID string, seq int64) bool {
	for _, m := range messagesOf(frames, convID) {
		if m.Seq == seq {
			return true
		}
	}
	return false
}

// errorFrames returns the error frames received.
func errorFrames(frames []client.Frame) []string {
	var out []string
	for _, f := range frames {
		if f.Type == "error" {
			out = append(out, string(f.Data))
		}
	}
	return out
}
