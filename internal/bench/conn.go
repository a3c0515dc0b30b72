package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lxzan/gws"
)

// msgRec is what the run knows of one sent message. Times are nanoseconds
// since the run started.
type msgRec struct {
	sentAt, ackAt, deliverAt int64
	seq                      int64 // from the ack
	acks, deliveries, stored uint16
	deliverGen               uint16 // agent connection that delivered it first
	redelivered              uint16
	refused                  bool
	verified                 bool // its conversation was read back through the REST API
	seqMismatch              bool // stored under another seq than acked
	storedOutOfOrder         bool // stored before a message sent earlier
}

// visitor is one widget connection; its messages are numbered 1, 2, 3… in
// send order (n), and message n is msgs[n-1].
type visitor struct {
	idx     int
	ws      *gws.Conn
	welcome chan struct{}
	warm    atomic.Bool // its warm-up message is acked
	closed  atomic.Bool
	byUs    atomic.Bool
	mu      sync.Mutex
	msgs    []msgRec
	convs   []string // conversations named by its acks
}

// sendMessage sends the visitor's next message; buf is reused.
func (v *visitor) sendMessage(r *run, buf []byte) []byte {
	v.mu.Lock()
	n := len(v.msgs) + 1
	v.mu.Unlock()
	buf = buf[:0]
	buf = append(buf, `{"type":"message","data":{"client_id":"`...)
	buf = r.appendClientID(buf, v.idx, n)
	buf = append(buf, `","body":"`...)
	bodyStart := len(buf)
	buf = append(buf, "load "...)
	buf = append(buf, r.runID...)
	buf = append(buf, " v="...)
	buf = strconv.AppendInt(buf, int64(v.idx), 10)
	buf = append(buf, " n="...)
	buf = strconv.AppendInt(buf, int64(n), 10)
	buf = append(buf, " t="...)
	buf = strconv.AppendInt(buf, time.Now().UnixNano(), 10)
	buf = append(buf, ' ')
	for pad := r.cfg.BodySize - (len(buf) - bodyStart); pad > 0; pad-- {
		buf = append(buf, 'x')
	}
	buf = append(buf, `"}}`...)
	v.mu.Lock()
	v.msgs = append(v.msgs, msgRec{sentAt: r.now()})
	v.mu.Unlock()
	if err := v.ws.WriteMessage(gws.OpcodeText, buf); err != nil {
		v.closed.Store(true)
		r.countError("write_failed")
	}
	return buf
}

func (r *run) appendClientID(buf []byte, idx, n int) []byte {
	buf = append(buf, r.runID...)
	buf = append(buf, '-')
	buf = strconv.AppendInt(buf, int64(idx), 10)
	buf = append(buf, '-')
	return strconv.AppendInt(buf, int64(n), 10)
}

// record finds the message a client_id of this run names; locked is the
// visitor, whose mutex the caller must release.
func (r *run) record(clientID string) (*visitor, *msgRec) {
	rest, ok := strings.CutPrefix(clientID, r.runID+"-")
	if !ok {
		return nil, nil
	}
	a, b, ok := strings.Cut(rest, "-")
	if !ok {
		return nil, nil
	}
	idx, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || idx < 0 || idx >= len(r.visitors) || n < 1 {
		return nil, nil
	}
	v := r.visitors[idx]
	if v == nil {
		return nil, nil
	}
	v.mu.Lock()
	if n > len(v.msgs) {
		v.mu.Unlock()
		return nil, nil
	}
	return v, &v.msgs[n-1]
}

// splitFrame returns a frame's type and data. The server writes
// {"type":"…","data":…} exactly; anything else is decoded in full.
func splitFrame(b []byte) (string, []byte) {
	const pre, mid = `{"type":"`, `","data":`
	if bytes.HasPrefix(b, []byte(pre)) && len(b) > len(pre) {
		rest := b[len(pre):]
		if i := bytes.IndexByte(rest, '"'); i > 0 {
			typ, after := rest[:i], rest[i:]
			if bytes.HasPrefix(after, []byte(mid)) && b[len(b)-1] == '}' {
				return string(typ), after[len(mid) : len(after)-1]
			}
		}
	}
	var env struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(b, &env) != nil {
		return "", nil
	}
	return env.Type, env.Data
}

type ackData struct {
	ClientID       string `json:"client_id"`
	ConversationID string `json:"conversation_id"`
	Seq            int64  `json:"seq"`
	Duplicate      bool   `json:"duplicate"`
}

type errorData struct {
	Code     string `json:"code"`
	ClientID string `json:"client_id"`
}

type byeData struct {
	Reason string `json:"reason"`
}

type visitorHandler struct {
	r *run
	v *visitor
}

func (h *visitorHandler) OnOpen(*gws.Conn) {}

func (h *visitorHandler) OnClose(_ *gws.Conn, _ error) {
	if !h.v.closed.Swap(true) && !h.v.byUs.Load() {
		h.r.disconnects.Add(1)
	}
}

func (h *visitorHandler) OnPing(ws *gws.Conn, payload []byte) { _ = ws.WritePong(payload) }
func (h *visitorHandler) OnPong(*gws.Conn, []byte)            {}

func (h *visitorHandler) OnMessage(_ *gws.Conn, msg *gws.Message) {
	defer msg.Close()
	at := h.r.now()
	typ, data := splitFrame(msg.Bytes())
	switch typ {
	case "welcome":
		select {
		case h.v.welcome <- struct{}{}:
		default:
		}
	case "ack":
		var a ackData
		if json.Unmarshal(data, &a) != nil {
			h.r.countError("bad_ack")
			return
		}
		if strings.HasPrefix(a.ClientID, h.r.runID+"w-") {
			h.v.warm.Store(true)
			return
		}
		v, m := h.r.record(a.ClientID)
		if m == nil {
			h.r.countError("unknown_ack")
			return
		}
		m.acks++
		if m.acks == 1 {
			m.ackAt, m.seq = at, a.Seq
			if len(v.convs) == 0 || v.convs[len(v.convs)-1] != a.ConversationID {
				v.convs = append(v.convs, a.ConversationID)
			}
		}
		v.mu.Unlock()
	case "error":
		var e errorData
		_ = json.Unmarshal(data, &e)
		h.r.countError(e.Code)
		if v, m := h.r.record(e.ClientID); m != nil {
			m.refused = true
			v.mu.Unlock()
		}
	case "bye":
		var b byeData
		_ = json.Unmarshal(data, &b)
		h.r.countError("bye_" + b.Reason)
	}
}

// agentStream is the agent listener: one agent WebSocket with the token,
// which receives every message of the tenant. If the server drops it, it
// reconnects and resumes each known conversation after the last seq it has.
type agentStream struct {
	r          *run
	mu         sync.Mutex
	ws         *gws.Conn
	gen        uint16
	lastSeq    map[string]int64
	closing    atomic.Bool
	reconnects int
	outOfOrder atomic.Int64
	welcome    chan struct{}
	wg         sync.WaitGroup
}

func (a *agentStream) connect(ctx context.Context, resume bool) error {
	a.mu.Lock()
	if a.lastSeq == nil {
		a.lastSeq = map[string]int64{}
	}
	a.gen++
	gen := a.gen
	a.welcome = make(chan struct{}, 1)
	welcome := a.welcome
	a.mu.Unlock()
	h := http.Header{}
	h.Set("Authorization", "Bearer "+a.r.cfg.Token)
	ws, err := a.r.dial("/ws/agent", h, &agentHandler{a: a, gen: gen}, 0, 64<<10)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.ws = ws
	a.mu.Unlock()
	if err := ws.WriteString(`{"type":"hello","data":{}}`); err != nil {
		return err
	}
	select {
	case <-welcome:
	case <-time.After(15 * time.Second):
		_ = ws.NetConn().Close()
		return errors.New("no welcome on the agent stream within 15 s")
	case <-ctx.Done():
		return ctx.Err()
	}
	if resume {
		// Resume every conversation the visitors know of, one subscribe
		// frame each (a hello listing thousands would exceed the frame size).
		subs := map[string]int64{}
		for _, v := range a.r.visitors {
			if v == nil {
				continue
			}
			v.mu.Lock()
			for _, c := range v.convs {
				subs[c] = 0
			}
			v.mu.Unlock()
		}
		a.mu.Lock()
		for c, s := range a.lastSeq {
			subs[c] = s
		}
		a.mu.Unlock()
		for c, s := range subs {
			b, _ := json.Marshal(map[string]any{"type": "subscribe", "data": map[string]any{"conversation_id": c, "after_seq": s}})
			if err := ws.WriteMessage(gws.OpcodeText, b); err != nil {
				return err
			}
		}
	}
	return nil
}

// lost is called when the server closed the stream: reconnect, a few times.
func (a *agentStream) lost(gen uint16) {
	a.mu.Lock()
	stale := gen != a.gen
	a.mu.Unlock()
	if stale || a.closing.Load() {
		return
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		for attempt := 0; attempt < 5 && !a.closing.Load(); attempt++ {
			time.Sleep(time.Duration(200*(attempt+1)) * time.Millisecond)
			a.reconnects++
			a.r.logf("agent stream closed by the server; reconnecting (%d)", a.reconnects)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := a.connect(ctx, true)
			cancel()
			if err == nil {
				return
			}
			a.r.logf("agent reconnect failed: %v", err)
		}
	}()
}

func (a *agentStream) close() {
	if a.closing.Swap(true) {
		return
	}
	a.mu.Lock()
	ws := a.ws
	a.mu.Unlock()
	if ws != nil {
		_ = ws.WriteClose(1000, nil)
	}
	a.wg.Wait()
}

type agentHandler struct {
	a   *agentStream
	gen uint16
}

type agentMessage struct {
	ConversationID string `json:"conversation_id"`
	Seq            int64  `json:"seq"`
	ClientID       string `json:"client_id"`
}

func (h *agentHandler) OnOpen(*gws.Conn)                    {}
func (h *agentHandler) OnClose(_ *gws.Conn, _ error)        { h.a.lost(h.gen) }
func (h *agentHandler) OnPing(ws *gws.Conn, payload []byte) { _ = ws.WritePong(payload) }
func (h *agentHandler) OnPong(*gws.Conn, []byte)            {}

func (h *agentHandler) OnMessage(_ *gws.Conn, msg *gws.Message) {
	defer msg.Close()
	r := h.a.r
	at := r.now()
	typ, data := splitFrame(msg.Bytes())
	switch typ {
	case "welcome":
		h.a.mu.Lock()
		w := h.a.welcome
		h.a.mu.Unlock()
		select {
		case w <- struct{}{}:
		default:
		}
	case "message":
		var m agentMessage
		if json.Unmarshal(data, &m) != nil {
			r.countError("bad_agent_message")
			return
		}
		if !strings.HasPrefix(m.ClientID, r.runID+"-") {
			return // someone else's message
		}
		v, rec := r.record(m.ClientID)
		if rec == nil {
			r.countError("unknown_delivery")
			return
		}
		replay := rec.deliveries > 0 && rec.deliverGen != h.gen
		if replay {
			rec.redelivered++
		} else {
			rec.deliveries++
			if rec.deliveries == 1 {
				rec.deliverAt, rec.deliverGen = at, h.gen
			}
		}
		v.mu.Unlock()
		h.a.mu.Lock()
		if last := h.a.lastSeq[m.ConversationID]; m.Seq <= last {
			if !replay {
				h.a.outOfOrder.Add(1)
			}
		} else {
			h.a.lastSeq[m.ConversationID] = m.Seq
		}
		h.a.mu.Unlock()
	case "bye":
		var b byeData
		_ = json.Unmarshal(data, &b)
		r.countError("agent_bye_" + b.Reason)
	case "error":
		var e errorData
		_ = json.Unmarshal(data, &e)
		r.countError("agent_" + e.Code)
	}
}

// noSession is the per-connection storage gws asks for: none needed.
type noSession struct{}

func (noSession) Len() int                     { return 0 }
func (noSession) Load(string) (any, bool)      { return nil, false }
func (noSession) Delete(string)                {}
func (noSession) Store(string, any)            {}
func (noSession) Range(func(string, any) bool) {}

// dial opens a WebSocket to path on the server, from the i-th source
// address, and starts reading it.
func (r *run) dial(path string, header http.Header, h gws.Event, i, readBuf int) (*gws.Conn, error) {
	addr := r.cfg.URL + path
	switch {
	case strings.HasPrefix(addr, "https://"):
		addr = "wss://" + strings.TrimPrefix(addr, "https://")
	case strings.HasPrefix(addr, "http://"):
		addr = "ws://" + strings.TrimPrefix(addr, "http://")
	}
	opt := &gws.ClientOption{
		Addr: addr, RequestHeader: header, HandshakeTimeout: 20 * time.Second,
		ReadMaxPayloadSize: 1 << 20, ReadBufferSize: readBuf,
		NewSession: func() gws.SessionStorage { return noSession{} },
	}
	d := &net.Dialer{Timeout: 15 * time.Second}
	if len(r.sources) > 0 {
		d.LocalAddr = &net.TCPAddr{IP: r.sources[i%len(r.sources)]}
	}
	opt.NewDialer = func() (gws.Dialer, error) { return d, nil }
	ws, resp, err := gws.NewClient(h, opt)
	if err != nil {
		if resp != nil && resp.Body != nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			var e struct {
				Error struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if json.Unmarshal(b, &e) == nil && e.Error.Code != "" {
				return nil, fmt.Errorf("%s: %d %s: %s", path, resp.StatusCode, e.Error.Code, e.Error.Message)
			}
			return nil, fmt.Errorf("%s: HTTP %d", path, resp.StatusCode)
		}
		return nil, err
	}
	go ws.ReadLoop()
	return ws, nil
}

// connectVisitors opens the visitor connections, a few at a time: dial,
// hello, welcome. It returns how many failed.
func (r *run) connectVisitors(ctx context.Context) int {
	cfg := &r.cfg
	ctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	r.visitors = make([]*visitor, cfg.Visitors)
	next := make(chan int)
	var failed, done atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	path := "/ws/visitor?channel=" + url.QueryEscape(r.channel)
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := r.connectVisitor(ctx, i, path); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					r.countError("connect_failed")
				}
				done.Add(1)
			}
		}()
	}
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
feed:
	for i := 0; i < cfg.Visitors; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			failed.Add(int64(cfg.Visitors - i))
			break feed
		case <-tick.C:
			r.logf("connected %d of %d", done.Load()-failed.Load(), cfg.Visitors)
			i--
		}
	}
	close(next)
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		r.logf("first connection error: %s", e)
	}
	return int(failed.Load())
}

func (r *run) connectVisitor(ctx context.Context, i int, path string) error {
	v := &visitor{idx: i, welcome: make(chan struct{}, 1)}
	ws, err := r.dial(path, nil, &visitorHandler{r: r, v: v}, i, 1024)
	if err != nil {
		v.closed.Store(true)
		return err
	}
	v.ws = ws
	r.visitors[i] = v
	hello := `{"type":"hello","data":{"name":"Load visitor ` + strconv.Itoa(i) + `","page_url":"https://load.test/page","lang":"en"}}`
	if err := ws.WriteString(hello); err != nil {
		return err
	}
	t := time.NewTimer(30 * time.Second)
	defer t.Stop()
	select {
	case <-v.welcome:
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	v.byUs.Store(true)
	v.closed.Store(true)
	_ = ws.NetConn().Close()
	return errors.New("no welcome within 30 s")
}

// openVisitors lists the visitors whose connection is open.
func (r *run) openVisitors() []*visitor {
	var out []*visitor
	for _, v := range r.visitors {
		if v != nil && !v.closed.Load() {
			out = append(out, v)
		}
	}
	return out
}

// closeVisitors closes every visitor connection (once).
func (r *run) closeVisitors() {
	for _, v := range r.visitors {
		if v == nil || v.ws == nil || v.byUs.Swap(true) {
			continue
		}
		_ = v.ws.WriteClose(1000, nil)
	}
}
