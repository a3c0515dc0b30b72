package livetest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to read the outbox

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/app"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/config"
	"github.com/switchboard-cs/switchboard/internal/servetest"
)

// TestCluster runs two real "serve" processes on one PostgreSQL database and
// one NATS server. A visitor on node A and an agent on node B talk live;
// then node A drains, and the visitor resumes on node B while the agent
// keeps writing, with nothing lost, nothing twice and the order kept.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs two servers")
	}
	db := clusterPostgres(t)
	natsURL := clusterNATS(t)
	bin := servetest.Build(t)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()

	const email, password = "admin@example.com", "amber kettle window parade"
	args := func() []string {
		return []string{"--addr", "127.0.0.1:0", "--database", db, "--bus", natsURL,
			"--admin-email", email, "--admin-password", password, "--data-dir", t.TempDir()}
	}
	// Both nodes start at once with the same settings, as a deployment starts
	// its replicas: the migrations wait for each other (advisory lock) and
	// exactly one first administrator is made.
	nodeA := startClusterNode(t, bin, "A", args()...)
	nodeB := startClusterNode(t, bin, "B", args()...)
	urlA, err := nodeA.ready(ctx)
	if err != nil {
		t.Fatal(err)
	}
	urlB, err := nodeB.ready(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{urlA, urlB} {
		if code, body := clusterGet(ctx, t, u+"readyz"); code != 200 {
			t.Fatalf("%sreadyz: %d %s", u, code, body)
		}
	}

	jar, _ := cookiejar.New(nil)
	admin := client.New(urlA, client.WithHTTPClient(&http.Client{Jar: jar, Timeout: 10 * time.Second}))
	me, err := admin.Login(ctx, client.LoginRequest{Email: email, Password: password})
	if err != nil {
		t.Fatalf("login on node A: %v", err)
	}
	users, _, err := admin.ListUsers(ctx, client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].Email != email || users[0].Role != "admin" {
		t.Fatalf("two nodes starting at once made these users: %+v", users)
	}
	ch, err := admin.CreateChannel(ctx, client.ChannelInput{Name: "Shop"})
	if err != nil {
		t.Fatalf("create a website channel on node A: %v", err)
	}
	tok, err := admin.CreateToken(ctx, client.TokenCreate{Name: "cluster", Scope: client.ScopeAdmin})
	if err != nil {
		t.Fatalf("create a token on node A: %v", err)
	}
	onB := client.New(urlB, client.WithToken(tok.Secret), client.WithHTTPClient(&http.Client{Timeout: 10 * time.Second}))

	// The agent on node B, the visitor on node A.
	agentConn, err := onB.DialAgent(ctx)
	if err != nil {
		t.Fatalf("agent on node B: %v", err)
	}
	defer agentConn.Close()
	agent := recordFrames(agentConn)
	if err := agentConn.Send("hello", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.first(ctx, "welcome", nil); err != nil {
		t.Fatal(err)
	}
	visConnA, err := client.DialVisitor(ctx, urlA, ch.Key)
	if err != nil {
		t.Fatalf("visitor on node A: %v", err)
	}
	defer visConnA.Abort()
	visA := recordFrames(visConnA)
	if err := visConnA.Send("hello", map[string]any{"name": "Ada", "lang": "en"}); err != nil {
		t.Fatal(err)
	}
	wf, err := visA.first(ctx, "welcome", nil)
	if err != nil {
		t.Fatal(err)
	}
	var welcome struct {
		Token     string `json:"token"`
		ContactID string `json:"contact_id"`
	}
	if err := wf.Decode(&welcome); err != nil || welcome.Token == "" || welcome.ContactID == "" {
		t.Fatalf("welcome %s", wf.Data)
	}

	var convID string
	t.Run("messages cross the nodes live, in order, with agreeing seq", func(t *testing.T) {
		for i := 1; i <= 3; i++ {
			vid := fmt.Sprintf("v%d", i)
			if err := visConnA.Send("message", map[string]any{"client_id": vid, "body": "visitor says " + vid}); err != nil {
				t.Fatal(err)
			}
			var vack clusterAck
			if err := visA.wait(ctx, "ack of "+vid, func(fs []client.Frame) bool {
				var ok bool
				vack, ok = ackOf(fs, vid)
				return ok
			}); err != nil {
				t.Fatal(err)
			}
			convID = vack.ConversationID
			if vack.Seq != int64(2*i-1) || vack.Duplicate {
				t.Fatalf("ack of %s: %+v", vid, vack)
			}
			if err := agent.wait(ctx, "the visitor's "+vid+" on node B", func(fs []client.Frame) bool { return hasSeq(fs, convID, vack.Seq) }); err != nil {
				t.Fatal(err)
			}
			aid := fmt.Sprintf("a%d", i)
			if err := agentConn.Send("message", map[string]any{"conversation_id": convID, "client_id": aid, "body": "agent says " + aid}); err != nil {
				t.Fatal(err)
			}
			var aack clusterAck
			if err := agent.wait(ctx, "ack of "+aid, func(fs []client.Frame) bool {
				var ok bool
				aack, ok = ackOf(fs, aid)
				return ok
			}); err != nil {
				t.Fatal(err)
			}
			if aack.Seq != int64(2*i) || aack.ConversationID != convID {
				t.Fatalf("ack of %s: %+v", aid, aack)
			}
			if err := visA.wait(ctx, "the agent's "+aid+" on node A", func(fs []client.Frame) bool { return hasSeq(fs, convID, aack.Seq) }); err != nil {
				t.Fatal(err)
			}
		}
		// An ack may come before the event of the same message.
		if err := agent.wait(ctx, "seq 6 on node B", func(fs []client.Frame) bool { return hasSeq(fs, convID, 6) }); err != nil {
			t.Fatal(err)
		}
		fs, _ := visA.snapshot()
		vm := messagesOf(fs, convID)
		fs, _ = agent.snapshot()
		am := messagesOf(fs, convID)
		for _, list := range [][]clusterMessage{vm, am} {
			if len(list) != 6 {
				t.Fatalf("want 6 messages, got %+v", list)
			}
			for i, m := range list {
				want := fmt.Sprintf("visitor says v%d", i/2+1)
				if i%2 == 1 {
					want = fmt.Sprintf("agent says a%d", i/2+1)
				}
				if m.Seq != int64(i+1) || m.Body != want {
					t.Fatalf("message %d: seq %d %q, want seq %d %q", i, m.Seq, m.Body, i+1, want)
				}
			}
		}
	})
	if convID == "" {
		t.FailNow()
	}

	t.Run("an assignment on node B reaches the visitor on node A", func(t *testing.T) {
		if _, err := onB.Assign(ctx, convID, client.AssignRequest{AssigneeID: &me.User.ID}); err != nil {
			t.Fatal(err)
		}
		f, err := visA.first(ctx, "conversation", func(f client.Frame) bool {
			var c struct {
				ID           string `json:"id"`
				AssigneeName string `json:"assignee_name"`
			}
			_ = json.Unmarshal(f.Data, &c)
			return c.ID == convID && c.AssigneeName != ""
		})
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Status       string `json:"status"`
			AssigneeName string `json:"assignee_name"`
		}
		_ = f.Decode(&c)
		if c.Status != "open" || c.AssigneeName != me.User.Name {
			t.Fatalf("conversation frame %s, want assignee %q", f.Data, me.User.Name)
		}
	})

	t.Run("node A drains and the visitor resumes on node B", func(t *testing.T) {
		// The agent writes on node B all through the switch.
		w := &clusterWriter{conn: agentConn, convID: convID, stop: make(chan struct{}), done: make(chan struct{})}
		go w.run()
		defer w.halt()
		liveWrites := func(fs []client.Frame) int {
			n := 0
			for _, m := range messagesOf(fs, convID) {
				if strings.HasPrefix(m.Body, "agent writes ") {
					n++
				}
			}
			return n
		}
		if err := visA.wait(ctx, "the agent's writing on node A", func(fs []client.Frame) bool { return liveWrites(fs) >= 3 }); err != nil {
			t.Fatal(err)
		}

		sent := time.Now()
		if err := nodeA.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := visA.end(ctx); err != nil {
			t.Fatal(err)
		}
		framesA, _ := visA.snapshot()
		if n := len(framesA); n == 0 || framesA[n-1].Type != "bye" || !strings.Contains(string(framesA[n-1].Data), `"shutdown"`) {
			t.Fatalf("the last frame from node A is not bye shutdown: %s", describeFrames(framesA))
		}
		if visConnA.CloseCode != 1012 {
			t.Fatalf("close code %d %q, want 1012", visConnA.CloseCode, visConnA.CloseReason)
		}
		onA := messagesOf(framesA, convID)
		last := checkRun(t, "on node A", onA, 1)

		// While the visitor is between nodes, a message is committed on B.
		between, created, err := onB.PostMessage(ctx, convID, client.MessageCreate{Body: "between the nodes", ClientID: "between"})
		if err != nil || !created {
			t.Fatalf("post between the nodes: %v %v", created, err)
		}
		if between.Seq <= last {
			t.Fatalf("the message posted between the nodes has seq %d, the visitor already had %d", between.Seq, last)
		}

		visConnB, err := client.DialVisitor(ctx, urlB, ch.Key)
		if err != nil {
			t.Fatalf("visitor on node B: %v", err)
		}
		defer visConnB.Close()
		visB := recordFrames(visConnB)
		if err := visConnB.Send("hello", map[string]any{"token": welcome.Token, "conversation_id": convID, "last_seq": last, "lang": "en"}); err != nil {
			t.Fatal(err)
		}
		wf, err := visB.first(ctx, "welcome", nil)
		if err != nil {
			t.Fatal(err)
		}
		var again struct {
			ContactID      string `json:"contact_id"`
			ConversationID string `json:"conversation_id"`
			LastSeq        int64  `json:"last_seq"`
		}
		if err := wf.Decode(&again); err != nil || again.ContactID != welcome.ContactID || again.ConversationID != convID || again.LastSeq < between.Seq {
			t.Fatalf("welcome on node B %s: not the same visitor and conversation (contact %s, conversation %s, seq ≥ %d)",
				wf.Data, welcome.ContactID, convID, between.Seq)
		}
		if err := visB.wait(ctx, "the replay of the message posted between the nodes", func(fs []client.Frame) bool {
			return hasSeq(fs, convID, between.Seq)
		}); err != nil {
			t.Fatal(err)
		}
		// Some more live writing on B, then the agent stops.
		if err := visB.wait(ctx, "the agent's writing on node B", func(fs []client.Frame) bool {
			for _, m := range messagesOf(fs, convID) {
				if m.Seq > between.Seq+3 {
					return true
				}
			}
			return false
		}); err != nil {
			t.Fatal(err)
		}
		w.halt()
		if w.err != nil {
			t.Fatal(w.err)
		}
		for _, id := range w.sent {
			if err := agent.wait(ctx, "ack of "+id, func(fs []client.Frame) bool { _, ok := ackOf(fs, id); return ok }); err != nil {
				t.Fatal(err)
			}
		}
		if err := visConnB.Send("message", map[string]any{"client_id": "v-after", "body": "back again"}); err != nil {
			t.Fatal(err)
		}
		var fin clusterAck
		if err := visB.wait(ctx, "ack of v-after", func(fs []client.Frame) bool { var ok bool; fin, ok = ackOf(fs, "v-after"); return ok }); err != nil {
			t.Fatal(err)
		}
		for _, r := range []*clusterFrames{visB, agent} {
			if err := r.wait(ctx, "the last message", func(fs []client.Frame) bool { return hasSeq(fs, convID, fin.Seq) }); err != nil {
				t.Fatal(err)
			}
		}

		framesB, _ := visB.snapshot()
		if errs := errorFrames(framesB); len(errs) > 0 {
			t.Fatalf("errors on node B: %v", errs)
		}
		onBList := messagesOf(framesB, convID)
		end := checkRun(t, "on node B", onBList, last+1)
		if end != fin.Seq {
			t.Fatalf("the visitor's messages on node B end at seq %d, want %d", end, fin.Seq)
		}
		stored := clusterAllMessages(ctx, t, onB, convID)
		seen := append(append([]clusterMessage(nil), onA...), onBList...)
		if len(stored) != len(seen) {
			t.Fatalf("%d messages stored, the visitor received %d", len(stored), len(seen))
		}
		for i, m := range stored {
			if seen[i].Seq != m.Seq || seen[i].ID != m.ID || seen[i].Body != m.Body {
				t.Fatalf("message %d: the visitor has seq %d %s %q, node B stores seq %d %s %q",
					i, seen[i].Seq, seen[i].ID, seen[i].Body, m.Seq, m.ID, m.Body)
			}
		}
		fs, _ := agent.snapshot()
		checkRun(t, "to the agent on node B", messagesOf(fs, convID), 1)

		code, err := nodeA.exited(10*time.Second - time.Since(sent))
		if err != nil {
			t.Fatal(err)
		}
		if code != 0 {
			t.Fatalf("node A exited %d after SIGTERM", code)
		}
		if !strings.Contains(nodeA.stderr.String(), "stopped cleanly") {
			t.Fatal("node A logged no clean stop")
		}
		if code, body := clusterGet(ctx, t, urlB+"readyz"); code != 200 {
			t.Fatalf("node B after node A left: readyz %d %s", code, body)
		}
		t.Logf("node A stopped in %v; the visitor had seq %d there and resumed on node B up to seq %d",
			time.Since(sent).Round(time.Millisecond), last, end)
	})
}

// checkRun checks that messages have the seqs from, from+1, … without a gap,
// a repeat or a change of order, and returns the last seq.
func checkRun(t *testing.T, where string, ms []clusterMessage, from int64) int64 {
	t.Helper()
	if len(ms) == 0 {
		t.Fatalf("no messages %s", where)
	}
	for i, m := range ms {
		if m.Seq != from+int64(i) {
			seqs := make([]int64, len(ms))
			for j := range ms {
				seqs[j] = ms[j].Seq
			}
			t.Fatalf("messages %s: seqs %v, want a run from %d", where, seqs, from)
		}
	}
	return ms[len(ms)-1].Seq
}

// clusterWriter is an agent writing a message every few milliseconds.
type clusterWriter struct {
	conn   *client.LiveConn
	convID string
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
	sent   []string // client ids, readable after halt
	err    error
}

func (w *clusterWriter) run() {
	defer close(w.done)
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for i := 1; i <= 1000; i++ {
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
		id := fmt.Sprintf("w%d", i)
		if err := w.conn.Send("message", map[string]any{"conversation_id": w.convID, "client_id": id, "body": "agent writes " + id}); err != nil {
			w.err = err
			return
		}
		w.sent = append(w.sent, id)
	}
}

func (w *clusterWriter) halt() {
	w.once.Do(func() { close(w.stop) })
	<-w.done
}

func clusterGet(ctx context.Context, t *testing.T, u string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// clusterAllMessages reads a conversation's messages through the REST API.
func clusterAllMessages(ctx context.Context, t *testing.T, c *client.Client, convID string) []clusterMessage {
	t.Helper()
	var out []clusterMessage
	after := int64(0)
	for {
		page, err := c.ListMessages(ctx, convID, after, 200)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page {
			out = append(out, clusterMessage{ConversationID: m.ConversationID, Seq: m.Seq, ID: m.ID, ClientID: m.ClientID,
				SenderType: m.SenderType, Body: m.Body})
			after = m.Seq
		}
		if len(page) < 200 {
			return out
		}
	}
}

// TestClusterOutbox checks the outbox on PostgreSQL and NATS with two nodes
// in this process: an event whose node committed but never published (it
// died in between) stays in the outbox until a sweeper on another node
// republishes it to every hub; a second copy (the node died after
// publishing, before deleting the row) carries the same seq, so a client
// that drops what it has by seq sees each message once.
func TestClusterOutbox(t *testing.T) {
	db := clusterPostgres(t)
	natsURL := clusterNATS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	nodeA := startInProcessNode(t, "A", db, natsURL)
	nodeB := startInProcessNode(t, "B", db, natsURL)

	jar, _ := cookiejar.New(nil)
	admin := client.New(nodeA.url, client.WithHTTPClient(&http.Client{Jar: jar, Timeout: 10 * time.Second}))
	if _, err := admin.Login(ctx, client.LoginRequest{Email: inProcessAdmin, Password: inProcessPassword}); err != nil {
		t.Fatal(err)
	}
	ch, err := admin.CreateChannel(ctx, client.ChannelInput{Name: "Shop"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := admin.CreateToken(ctx, client.TokenCreate{Name: "outbox", Scope: client.ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	agentConn, err := client.New(nodeB.url, client.WithToken(tok.Secret)).DialAgent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer agentConn.Close()
	agent := recordFrames(agentConn)
	if err := agentConn.Send("hello", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.first(ctx, "welcome", nil); err != nil {
		t.Fatal(err)
	}
	visConn, err := client.DialVisitor(ctx, nodeA.url, ch.Key)
	if err != nil {
		t.Fatal(err)
	}
	defer visConn.Close()
	vis := recordFrames(visConn)
	if err := visConn.Send("hello", map[string]any{"name": "Ada"}); err != nil {
		t.Fatal(err)
	}
	if _, err := vis.first(ctx, "welcome", nil); err != nil {
		t.Fatal(err)
	}
	var convID string
	say := func(clientID string) int64 {
		t.Helper()
		if err := visConn.Send("message", map[string]any{"client_id": clientID, "body": "visitor says " + clientID}); err != nil {
			t.Fatal(err)
		}
		var a clusterAck
		if err := vis.wait(ctx, "ack of "+clientID, func(fs []client.Frame) bool { var ok bool; a, ok = ackOf(fs, clientID); return ok }); err != nil {
			t.Fatal(err)
		}
		convID = a.ConversationID
		return a.Seq
	}
	arrives := func(what string, seq int64) {
		t.Helper()
		for _, r := range []*clusterFrames{agent, vis} {
			if err := r.wait(ctx, what, func(fs []client.Frame) bool { return hasSeq(fs, convID, seq) }); err != nil {
				t.Fatal(err)
			}
		}
	}
	sql, err := openOutbox(db)
	if err != nil {
		t.Fatal(err)
	}
	defer sql.Close()

	// The normal path: published right after the commit.
	arrives("seq 1 live", say("v1"))

	// Node A commits, then "dies" before publishing.
	nodeA.pub.mode.Store(publishNothing)
	seq2 := say("v2")
	time.Sleep(300 * time.Millisecond)
	if fs, _ := agent.snapshot(); hasSeq(fs, convID, seq2) {
		t.Fatal("the event reached node B although node A never published it")
	}
	if !outboxHas(ctx, t, sql, convID, seq2) {
		t.Fatalf("seq %d is not in the outbox", seq2)
	}
	// Rows younger than the sweeper's age are left to the node that is committing them.
	if _, err := nodeB.app.Conversations.SweepOutbox(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	if !outboxHas(ctx, t, sql, convID, seq2) {
		t.Fatal("a fresh outbox row was swept")
	}
	n, err := nodeB.app.Conversations.SweepOutbox(ctx, 0)
	if err != nil || n < 1 {
		t.Fatalf("sweep on node B: %d rows, %v", n, err)
	}
	arrives("the swept event on both nodes", seq2)
	if outboxHas(ctx, t, sql, convID, seq2) {
		t.Fatal("the swept row is still in the outbox")
	}

	// Node A publishes, then "dies" before deleting the row: the sweeper
	// sends the event a second time.
	nodeA.pub.mode.Store(publishThenFail)
	seq3 := say("v3")
	arrives("seq 3 live", seq3)
	if !outboxHas(ctx, t, sql, convID, seq3) {
		t.Fatalf("seq %d is not in the outbox", seq3)
	}
	time.Sleep(5 * time.Millisecond) // the sweeper takes rows older than now, in milliseconds
	if n, err := nodeB.app.Conversations.SweepOutbox(ctx, 0); err != nil || n < 1 {
		t.Fatalf("second sweep on node B: %d rows, %v", n, err)
	}
	if outboxHas(ctx, t, sql, convID, seq3) {
		t.Fatal("the swept row is still in the outbox")
	}
	nodeA.pub.mode.Store(publishNormally)
	arrives("seq 4 live after the duplicate", say("v4"))

	stored := clusterAllMessages(ctx, t, client.New(nodeB.url, client.WithToken(tok.Secret)), convID)
	if len(stored) != 4 {
		t.Fatalf("stored %+v", stored)
	}
	for _, r := range []*clusterFrames{agent, vis} {
		fs, ended := r.snapshot()
		if ended {
			t.Fatal("a connection ended")
		}
		if errs := errorFrames(fs); len(errs) > 0 {
			t.Fatalf("error frames: %v", errs)
		}
		// What a client keeps when it drops the seqs it has: each message
		// once, in order; every copy is the same message.
		var kept []clusterMessage
		for _, m := range messagesOf(fs, convID) {
			if i := int(m.Seq) - 1; i < 0 || i >= len(stored) || stored[i].ID != m.ID || stored[i].Body != m.Body {
				t.Fatalf("a copy differs from the stored message: %+v", m)
			}
			if len(kept) == 0 || m.Seq > kept[len(kept)-1].Seq {
				kept = append(kept, m)
			}
		}
		checkRun(t, "after dropping copies", kept, 1)
		if len(kept) != len(stored) {
			t.Fatalf("kept %d messages, stored %d", len(kept), len(stored))
		}
	}
}

// Modes of the publisher of an in-process node.
const (
	publishNormally = iota
	publishNothing  // the node dies between commit and publish
	publishThenFail // the node dies between publish and deleting the outbox row
)

// clusterPublisher stands between a node's conversation service and its bus.
type clusterPublisher struct {
	next conversation.Publisher
	mode atomic.Int32
}

func (p *clusterPublisher) Publish(ctx context.Context, subject string, data []byte) error {
	switch p.mode.Load() {
	case publishNothing:
		return errors.New("the node stopped before publishing")
	case publishThenFail:
		if err := p.next.Publish(ctx, subject, data); err != nil {
			return err
		}
		return errors.New("the node stopped before deleting the outbox row")
	}
	return p.next.Publish(ctx, subject, data)
}

const (
	inProcessAdmin    = "admin@example.com"
	inProcessPassword = "amber kettle window parade"
)

// inProcessNode is a node served from this process (no sweeper runs).
type inProcessNode struct {
	app *app.App
	url string
	pub *clusterPublisher
}

func startInProcessNode(t *testing.T, name, db, natsURL string) *inProcessNode {
	t.Helper()
	cfg := config.Defaults()
	cfg.Database, cfg.DataDir, cfg.Bus = db, t.TempDir(), natsURL
	cfg.AdminEmail, cfg.AdminPassword = inProcessAdmin, inProcessPassword
	logs := &servetest.Output{}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)), io.Discard)
	if err != nil {
		t.Fatalf("node %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = a.Close()
		if t.Failed() {
			t.Logf("node %s log:\n%s", name, logs.String())
		}
	})
	// Before serving (the committer reads the publisher only after a message
	// arrives), with the outbox, as for any bus shared by several nodes.
	p := &clusterPublisher{next: a.Bus}
	a.Conversations.SetPublisher(p, true)
	hs := httptest.NewServer(a.Handler())
	t.Cleanup(hs.Close)
	return &inProcessNode{app: a, url: hs.URL, pub: p}
}

func openOutbox(db string) (*sql.DB, error) { return sql.Open("pgx", db) }

// outboxHas reports whether the outbox holds the message event of seq.
func outboxHas(ctx context.Context, t *testing.T, db *sql.DB, convID string, seq int64) bool {
	t.Helper()
	rows, err := db.QueryContext(ctx, "SELECT payload FROM outbox")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var payload string
		if err := rows.Scan(&payload); err != nil {
			t.Fatal(err)
		}
		var ev conversation.Event
		if json.Unmarshal([]byte(payload), &ev) == nil && ev.Type == conversation.EventMessage &&
			ev.ConversationID == convID && ev.Message != nil && ev.Message.Seq == seq {
			return true
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return false
}
