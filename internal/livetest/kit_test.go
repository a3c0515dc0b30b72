package livetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/apitest"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// The frames the server sends, as a test reads them.
type (
	wireWelcome struct {
		Token          string `json:"token"`
		ContactID      string `json:"contact_id"`
		ConversationID string `json:"conversation_id"`
		Status         string `json:"status"`
		LastSeq        int64  `json:"last_seq"`
		UserID         string `json:"user_id"`
		Counts         wireCounts
	}
	wireMessage struct {
		ConversationID string `json:"conversation_id"`
		Seq            int64  `json:"seq"`
		ID             string `json:"id"`
		ClientID       string `json:"client_id"`
		SenderType     string `json:"sender_type"`
		SenderID       string `json:"sender_id"`
		SenderName     string `json:"sender_name"`
		Private        bool   `json:"private"`
		Body           string `json:"body"`
	}
	wireAck struct {
		ClientID       string `json:"client_id"`
		ConversationID string `json:"conversation_id"`
		Seq            int64  `json:"seq"`
		ID             string `json:"id"`
		Duplicate      bool   `json:"duplicate"`
	}
	wireError struct {
		Code     string `json:"code"`
		Message  string `json:"message"`
		ClientID string `json:"client_id"`
		Field    string `json:"field"`
	}
	wireCounts struct {
		Unassigned int `json:"unassigned"`
		Mine       int `json:"mine"`
		Open       int `json:"open"`
	}
	wireConversation struct {
		ID           string  `json:"id"`
		Status       string  `json:"status"`
		AssigneeID   *string `json:"assignee_id"`
		AssigneeName string  `json:"assignee_name"`
		ContactID    string  `json:"contact_id"`
		ContactName  string  `json:"contact_name"`
		LastSeq      int64   `json:"last_seq"`
	}
	wireTyping struct {
		ConversationID string `json:"conversation_id"`
		SenderType     string `json:"sender_type"`
		SenderID       string `json:"sender_id"`
		Name           string `json:"name"`
		On             bool   `json:"on"`
	}
	wireRead struct {
		ConversationID string `json:"conversation_id"`
		Reader         string `json:"reader"`
		Seq            int64  `json:"seq"`
	}
	wireBye struct {
		Reason string `json:"reason"`
	}
)

// decodeAs reads a frame's data, failing the test when it does not decode.
func decodeAs[T any](t testing.TB, f client.Frame) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(f.Data, &v); err != nil {
		t.Fatalf("decode %s frame %s: %v", f.Type, f.Data, err)
	}
	return v
}

// peer is one live connection driven by a test.
type peer struct {
	*client.LiveConn
	t    testing.TB
	name string
}

func (p *peer) send(typ string, data any) {
	p.t.Helper()
	if err := p.Send(typ, data); err != nil {
		p.t.Fatalf("%s: send %s: %v", p.name, typ, err)
	}
}

// next returns the next frame of one of the types, skipping the others.
func (p *peer) next(ctx context.Context, types ...string) client.Frame {
	p.t.Helper()
	f, err := p.NextOf(ctx, types...)
	if err != nil {
		p.t.Fatalf("%s: waiting for %v: %v (close %d %q)", p.name, types, err, p.CloseCode, p.CloseReason)
	}
	return f
}

// wantError waits for the next error frame (skipping everything else) and
// checks its code.
func (p *peer) wantError(ctx context.Context, code string) wireError {
	p.t.Helper()
	e := decodeAs[wireError](p.t, p.next(ctx, "error"))
	if e.Code != code {
		p.t.Fatalf("%s: error %q (%s), want %q", p.name, e.Code, e.Message, code)
	}
	if strings.TrimSpace(e.Message) == "" {
		p.t.Fatalf("%s: the %s error has no message", p.name, code)
	}
	return e
}

// alive checks with an application ping that the connection still works.
func (p *peer) alive(ctx context.Context) {
	p.t.Helper()
	p.send("ping", nil)
	p.next(ctx, "pong")
}

// ended waits until the server has closed the connection and returns the
// frames that came before the end.
func (p *peer) ended(ctx context.Context) []client.Frame {
	p.t.Helper()
	var rest []client.Frame
	for {
		f, err := p.Next(ctx)
		if err == client.ErrConnClosed {
			return rest
		}
		if err != nil {
			p.t.Fatalf("%s: the connection stays open: %v; frames %s", p.name, err, frameList(rest))
		}
		rest = append(rest, f)
	}
}

func frameList(fs []client.Frame) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %s %.200s", f.Type, f.Data)
	}
	return b.String()
}

// dialVisitor opens a widget connection and says hello.
func dialVisitor(ctx context.Context, t testing.TB, base, key, name string, hello map[string]any, opts ...client.LiveOption) (*peer, wireWelcome) {
	t.Helper()
	c, err := client.DialVisitor(ctx, base, key, opts...)
	if err != nil {
		t.Fatalf("%s: dial: %v", name, err)
	}
	p := &peer{LiveConn: c, t: t, name: name}
	t.Cleanup(func() { p.Abort() })
	if hello == nil {
		hello = map[string]any{}
	}
	p.send("hello", hello)
	return p, decodeAs[wireWelcome](t, p.next(ctx, "welcome"))
}

// dialAgent opens an agent stream with c's credentials and says hello.
func dialAgent(ctx context.Context, t testing.TB, c *client.Client, name string, hello map[string]any, opts ...client.LiveOption) (*peer, wireWelcome) {
	t.Helper()
	lc, err := c.DialAgent(ctx, opts...)
	if err != nil {
		t.Fatalf("%s: dial: %v", name, err)
	}
	p := &peer{LiveConn: lc, t: t, name: name}
	t.Cleanup(func() { p.Abort() })
	if hello == nil {
		hello = map[string]any{}
	}
	p.send("hello", hello)
	return p, decodeAs[wireWelcome](t, p.next(ctx, "welcome"))
}

// sendMessage sends a visitor's message and waits for its ack.
func (p *peer) say(ctx context.Context, clientID, body string) wireAck {
	p.t.Helper()
	p.send("message", map[string]any{"client_id": clientID, "body": body})
	for {
		f := p.next(ctx, "ack", "error")
		if f.Type == "error" {
			p.t.Fatalf("%s: message %s refused: %s", p.name, clientID, f.Data)
		}
		if a := decodeAs[wireAck](p.t, f); a.ClientID == clientID {
			return a
		}
	}
}

// reply sends an agent's message into a conversation and waits for its ack.
func (p *peer) reply(ctx context.Context, convID, clientID, body string, private bool) wireAck {
	p.t.Helper()
	p.send("message", map[string]any{"conversation_id": convID, "client_id": clientID, "body": body, "private": private})
	for {
		f := p.next(ctx, "ack", "error")
		if f.Type == "error" {
			p.t.Fatalf("%s: message %s refused: %s", p.name, clientID, f.Data)
		}
		if a := decodeAs[wireAck](p.t, f); a.ClientID == clientID {
			return a
		}
	}
}

// eventually polls cond until it holds, failing the test at the deadline.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after %v", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// storedMessages lists every message of a conversation through the REST API.
func storedMessages(ctx context.Context, t testing.TB, c *client.Client, convID string) []client.Message {
	t.Helper()
	var all []client.Message
	after := int64(0)
	for {
		page, err := c.ListMessages(ctx, convID, after, 200)
		if err != nil {
			t.Fatalf("list the messages of %s: %v", convID, err)
		}
		all = append(all, page...)
		if len(page) < 200 {
			return all
		}
		after = page[len(page)-1].Seq
	}
}

// checkStored requires seqs 1..N without gaps and every client id once, and
// returns the messages by client id.
func checkStored(t testing.TB, msgs []client.Message) map[string]client.Message {
	t.Helper()
	byClient := map[string]client.Message{}
	for i, m := range msgs {
		if m.Seq != int64(i+1) {
			t.Fatalf("message %d has seq %d: seqs are not 1..N without gaps", i+1, m.Seq)
		}
		if m.ClientID == "" {
			continue
		}
		if prev, dup := byClient[m.ClientID]; dup {
			t.Fatalf("client id %s stored twice: seq %d and %d", m.ClientID, prev.Seq, m.Seq)
		}
		byClient[m.ClientID] = m
	}
	return byClient
}

// onEachEngine runs fn on SQLite and, when configured, PostgreSQL, in parallel.
func onEachEngine(t *testing.T, fn func(t *testing.T, e storetest.Engine)) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, e)
		})
	}
}

// site is a started server with an administrator and a website channel.
type site struct {
	srv   *apitest.Server
	admin *client.Client
	me    *client.Me
	ch    *client.Channel
}

func newSite(ctx context.Context, t *testing.T, e storetest.Engine, settings *client.ChannelSettings) *site {
	t.Helper()
	srv := apitest.Start(t, e)
	admin, me := srv.Login(t, srv.AdminEmail, srv.AdminPassword)
	ch, err := admin.CreateChannel(ctx, client.ChannelInput{Name: "Shop", Settings: settings})
	if err != nil {
		t.Fatalf("create a channel: %v", err)
	}
	return &site{srv: srv, admin: admin, me: me, ch: ch}
}

// seqLog records message seqs per conversation in arrival order.
type seqLog struct {
	mu  sync.Mutex
	seq map[string][]int64
}

func (l *seqLog) add(conv string, seq int64) {
	l.mu.Lock()
	if l.seq == nil {
		l.seq = map[string][]int64{}
	}
	l.seq[conv] = append(l.seq[conv], seq)
	l.mu.Unlock()
}

func (l *seqLog) get(conv string) []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]int64(nil), l.seq[conv]...)
}

func (l *seqLog) convs() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.seq))
	for c := range l.seq {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// run reports whether seqs are exactly from, from+1, … to.
func isRun(seqs []int64, from, to int64) bool {
	if int64(len(seqs)) != to-from+1 {
		return false
	}
	for i, s := range seqs {
		if s != from+int64(i) {
			return false
		}
	}
	return true
}

// isRunAnyOrder is isRun for live frames of several senders: on PostgreSQL
// a visitor's and an agent's messages are stored by different committers,
// so one may be published a moment before a lower seq (the protocol lets
// live frames arrive out of order; clients show messages by seq). Every seq
// of the run must still arrive exactly once.
func isRunAnyOrder(seqs []int64, from, to int64) bool {
	s := slices.Clone(seqs)
	slices.Sort(s)
	return isRun(s, from, to)
}

// tape records every frame of a connection, for tests that wait for one
// frame among many and look back at all of them afterwards.
type tape struct {
	t       testing.TB
	name    string
	mu      sync.Mutex
	frames  []client.Frame
	ended   bool
	changed chan struct{} // closed and replaced at every change
}

// record starts reading p into a tape; nobody else may read p after.
func record(p *peer) *tape {
	tp := &tape{t: p.t, name: p.name, changed: make(chan struct{})}
	go func() {
		for {
			f, err := p.Next(context.Background())
			tp.mu.Lock()
			if err != nil {
				tp.ended = true
			} else {
				tp.frames = append(tp.frames, f)
			}
			close(tp.changed)
			tp.changed = make(chan struct{})
			tp.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return tp
}

// mark is the number of frames recorded so far: await(mark, …) looks only
// at what came after.
func (tp *tape) mark() int {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return len(tp.frames)
}

// all returns the frames recorded so far.
func (tp *tape) all() []client.Frame {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return append([]client.Frame(nil), tp.frames...)
}

// await returns the first frame after mark of type typ that match accepts
// (nil accepts any), waiting up to 10 s.
func (tp *tape) await(mark int, typ string, what string, match func(client.Frame) bool) client.Frame {
	tp.t.Helper()
	timeout := time.After(10 * time.Second)
	for i := mark; ; {
		tp.mu.Lock()
		frames, ended, changed := tp.frames, tp.ended, tp.changed
		tp.mu.Unlock()
		for ; i < len(frames); i++ {
			if f := frames[i]; f.Type == typ && (match == nil || match(f)) {
				return f
			}
		}
		if ended {
			tp.t.Fatalf("%s: the connection ended before %s; frames:%s", tp.name, what, frameList(frames[mark:]))
		}
		select {
		case <-changed:
		case <-timeout:
			tp.t.Fatalf("%s: no %s within 10 s; frames since:%s", tp.name, what, frameList(frames[mark:]))
		}
	}
}
