package live

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lxzan/gws"

	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
)

// Close codes, beside the standard ones.
const (
	CloseSlowConsumer   = 4008 // the client did not read fast enough
	CloseUnauthorized   = 4001 // the client's credentials were refused
	CloseHelloTimeout   = 4002 // no hello within the time allowed
	CloseServiceRestart = 1012
)

// Send queue limits: a client whose unsent frames exceed either is cut off.
const (
	maxQueuedFrames = 1024
	maxQueuedBytes  = 4 << 20
	writeTimeout    = 10 * time.Second
	byeTimeout      = 30 * time.Second
)

type role int

const (
	roleVisitor role = iota
	roleAgent
)

// conn is one WebSocket client. It has no goroutine of its own while idle:
// gws reads in one goroutine, and a writer goroutine runs only while frames
// are queued.
type conn struct {
	ws   *gws.Conn
	hub  *Hub
	role role

	// Set once by the hello handshake, then read-only.
	tenantID  string
	channelID string
	contactID string
	principal *auth.Principal // agents
	language  i18n.Lang       // of error messages

	// The visitor's current conversation, which can change (a new one opens).
	mu     sync.Mutex
	convID string
	ready  bool // hello done, registered in the hub
	// lastQueue is the last queue frame sent to a visitor.
	lastQueue string

	lastSeen atomic.Int64 // unix nanoseconds of the last frame from the client

	qmu     sync.Mutex
	queue   []outFrame
	qbytes  int
	writing bool
	closing bool

	// Live frames wait while a replay runs, so that the client receives the
	// replayed messages first, in order; afterwards a live message the replay
	// already sent is dropped (smu orders the two paths).
	smu      sync.Mutex
	holding  bool
	held     []heldFrame
	sentSeq  map[string]int64 // conversation → highest seq sent, for replayed conversations
	inflight chan struct{}    // bounds messages queued for commit from this client
	bucket   tokenBucket

	state any // per-role handshake state
}

func newConn(h *Hub, ws *gws.Conn, r role) *conn {
	c := &conn{ws: ws, hub: h, role: r, inflight: make(chan struct{}, 64)}
	c.bucket = tokenBucket{capacity: 20, rate: 5, tokens: 20, last: time.Now()}
	c.lastSeen.Store(time.Now().UnixNano())
	return c
}

// outFrame is a queued text frame, or the close frame that ends the queue.
type outFrame struct {
	data  []byte
	close *closeFrame
	ping  bool
}

type closeFrame struct {
	code   uint16
	reason string
}

// send queues a frame. A client over its queue limit is disconnected with
// reason slow_consumer: its queue is dropped (it recovers by seq after
// reconnecting) and only the farewell stays.
func (c *conn) send(frame []byte) {
	c.qmu.Lock()
	if c.closing {
		c.qmu.Unlock()
		return
	}
	if len(c.queue) >= maxQueuedFrames || c.qbytes+len(frame) > maxQueuedBytes {
		c.queue = c.queue[:0]
		c.qbytes = 0
		c.qmu.Unlock()
		c.hub.slowConsumers.Add(1)
		c.closeWith(CloseSlowConsumer, "slow_consumer")
		return
	}
	c.queue = append(c.queue, outFrame{data: frame})
	c.qbytes += len(frame)
	start := !c.writing
	c.writing = true
	c.qmu.Unlock()
	if start {
		go c.writeLoop()
	}
}

// heldFrame is a live frame waiting for a replay to end; seq is set for
// message frames.
type heldFrame struct {
	convID string
	seq    int64
	frame  []byte
}

// live queues a frame of the live stream: held while a replay runs, and a
// message frame (seq > 0) of a replayed conversation only when it is newer
// than what the client has.
func (c *conn) live(convID string, seq int64, frame []byte) {
	c.smu.Lock()
	defer c.smu.Unlock()
	if c.holding {
		if len(c.held) >= maxQueuedFrames {
			c.held = nil
			c.hub.slowConsumers.Add(1)
			c.closeWith(CloseSlowConsumer, "slow_consumer")
			return
		}
		c.held = append(c.held, heldFrame{convID, seq, frame})
		return
	}
	c.deliver(convID, seq, frame)
}

// deliver sends a live frame; smu is held.
func (c *conn) deliver(convID string, seq int64, frame []byte) {
	// Only what a replay carried is dropped: live frames may arrive out of
	// seq order (several committers, several nodes), and the client orders
	// them; raising the mark here would drop an earlier one arriving late.
	if last, tracked := c.sentSeq[convID]; tracked && seq > 0 && seq <= last {
		return
	}
	c.send(frame)
}

// hold makes live frames wait until release: call it before a replay (for a
// hello, before registering in the hub).
func (c *conn) hold() {
	c.smu.Lock()
	c.holding = true
	c.smu.Unlock()
}

// release sends the frames held during the replays, dropping the messages
// the replays already sent.
func (c *conn) release() {
	c.smu.Lock()
	defer c.smu.Unlock()
	for _, h := range c.held {
		c.deliver(h.convID, h.seq, h.frame)
	}
	c.holding, c.held = false, nil
}

// replayed sends a message frame of a replay; smu is not held.
func (c *conn) replayed(convID string, seq int64, frame []byte) {
	c.smu.Lock()
	if c.sentSeq == nil {
		c.sentSeq = map[string]int64{}
	}
	if seq > c.sentSeq[convID] {
		c.sentSeq[convID] = seq
	}
	c.send(frame)
	c.smu.Unlock()
}

// resumeFrom notes that the client has a conversation up to seq.
func (c *conn) resumeFrom(convID string, seq int64) {
	c.smu.Lock()
	if c.sentSeq == nil {
		c.sentSeq = map[string]int64{}
	}
	if last, tracked := c.sentSeq[convID]; !tracked || seq > last {
		c.sentSeq[convID] = seq
	}
	c.smu.Unlock()
}

// closeWith sends bye with a reason and then a close frame, after whatever
// is already queued.
func (c *conn) closeWith(code uint16, reason string) {
	c.qmu.Lock()
	if c.closing {
		c.qmu.Unlock()
		return
	}
	c.closing = true
	c.queue = append(c.queue, outFrame{data: encode(TypeBye, Bye{Reason: reason})}, outFrame{close: &closeFrame{code, reason}})
	start := !c.writing
	c.writing = true
	c.qmu.Unlock()
	if start {
		go c.writeLoop()
	}
}

func (c *conn) writeLoop() {
	for {
		c.qmu.Lock()
		if len(c.queue) == 0 {
			c.writing = false
			c.qmu.Unlock()
			return
		}
		f := c.queue[0]
		c.queue[0] = outFrame{}
		c.queue = c.queue[1:]
		c.qbytes -= len(f.data)
		closing := c.closing
		c.qmu.Unlock()

		timeout := writeTimeout
		if closing {
			timeout = byeTimeout
		}
		_ = c.ws.SetWriteDeadline(time.Now().Add(timeout))
		if f.ping {
			if err := c.ws.WritePing(nil); err != nil {
				_ = c.ws.NetConn().Close()
			}
			continue
		}
		if f.close != nil {
			_ = c.ws.WriteClose(f.close.code, []byte(f.close.reason))
			_ = c.ws.NetConn().Close()
			return
		}
		if err := c.ws.WriteMessage(gws.OpcodeText, f.data); err != nil {
			_ = c.ws.NetConn().Close()
			c.qmu.Lock()
			c.queue, c.qbytes, c.closing = nil, 0, true
			c.writing = false
			c.qmu.Unlock()
			return
		}
	}
}

// ping queues a WebSocket ping.
func (c *conn) ping() {
	c.qmu.Lock()
	if c.closing {
		c.qmu.Unlock()
		return
	}
	c.queue = append(c.queue, outFrame{ping: true})
	start := !c.writing
	c.writing = true
	c.qmu.Unlock()
	if start {
		go c.writeLoop()
	}
}

// waitQueueBelow waits until fewer than n frames wait to be written (the
// connection closing or ctx ending stops the wait).
func (c *conn) waitQueueBelow(ctx context.Context, n int) error {
	for {
		c.qmu.Lock()
		l, closing := len(c.queue), c.closing
		c.qmu.Unlock()
		if closing {
			return context.Canceled
		}
		if l < n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// tokenBucket limits how fast a visitor may send messages.
type tokenBucket struct {
	capacity, rate float64
	tokens         float64
	last           time.Time
}

func (b *tokenBucket) take(now time.Time) bool {
	b.tokens += now.Sub(b.last).Seconds() * b.rate
	if b.tokens > b.capacity {
		b.tokens = b.capacity
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
