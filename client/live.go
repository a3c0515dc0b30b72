package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/lxzan/gws"
)

// Frame is one event of the live protocol (see docs/protocol.md).
type Frame struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data,omitempty"`
}

// Decode reads the frame's data into v.
func (f Frame) Decode(v any) error { return json.Unmarshal(f.Data, v) }

// LiveConn is a WebSocket connection of the live protocol: a visitor widget
// or an agent stream. Received frames wait in a buffer until Next takes
// them; a caller that stops calling Next stops reading the socket too, as a
// slow real client would.
type LiveConn struct {
	ws     *gws.Conn
	frames chan Frame
	mu     sync.Mutex
	err    error
	// CloseCode and CloseReason are set when the server closed the connection.
	CloseCode   uint16
	CloseReason string
	done        chan struct{}
}

// ErrConnClosed is returned by Next after the connection ended.
var ErrConnClosed = errors.New("client: live connection closed")

// LiveOption configures a live connection.
type LiveOption func(*liveOpts)

type liveOpts struct {
	header http.Header
	buffer int
}

// WithHeader adds request headers to the WebSocket handshake (Origin,
// Accept-Language, Cookie…).
func WithHeader(h http.Header) LiveOption {
	return func(o *liveOpts) {
		for k, v := range h {
			o.header[k] = v
		}
	}
}

// WithBuffer sets how many received frames wait for Next (default 4096).
func WithBuffer(n int) LiveOption { return func(o *liveOpts) { o.buffer = n } }

// DialVisitor opens the widget connection of a website channel.
func DialVisitor(ctx context.Context, baseURL, channelKey string, opts ...LiveOption) (*LiveConn, error) {
	return dialLive(ctx, wsURL(baseURL, "/ws/visitor?channel="+url.QueryEscape(channelKey)), opts)
}

// DialAgent opens the agent event stream with the client's credentials: its
// API token, or its session cookie (then the Origin is the server's).
func (c *Client) DialAgent(ctx context.Context, opts ...LiveOption) (*LiveConn, error) {
	h := http.Header{}
	if c.token != "" {
		h.Set("Authorization", "Bearer "+c.token)
	} else {
		u, _ := url.Parse(c.base)
		h.Set("Origin", u.Scheme+"://"+u.Host)
		if ck := c.sessionCookie(); ck != nil {
			h.Set("Cookie", ck.Name+"="+ck.Value)
		}
	}
	if c.lang != "" {
		h.Set("Accept-Language", c.lang)
	}
	return dialLive(ctx, wsURL(c.base, "/ws/agent"), append([]LiveOption{WithHeader(h)}, opts...))
}

func wsURL(base, path string) string {
	base = strings.TrimRight(base, "/")
	switch {
	case strings.HasPrefix(base, "https://"):
		base = "wss://" + strings.TrimPrefix(base, "https://")
	case strings.HasPrefix(base, "http://"):
		base = "ws://" + strings.TrimPrefix(base, "http://")
	}
	return base + path
}

func dialLive(ctx context.Context, addr string, opts []LiveOption) (*LiveConn, error) {
	o := liveOpts{header: http.Header{}, buffer: 4096}
	for _, f := range opts {
		f(&o)
	}
	lc := &LiveConn{frames: make(chan Frame, o.buffer), done: make(chan struct{})}
	timeout := 10 * time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	ws, resp, err := gws.NewClient(&liveHandler{lc: lc}, &gws.ClientOption{
		Addr: addr, RequestHeader: o.header, HandshakeTimeout: timeout,
		ReadMaxPayloadSize: 1 << 20, ReadBufferSize: 4096,
	})
	if err != nil {
		if resp != nil && resp.Body != nil {
			var e struct {
				Error Error `json:"error"`
			}
			if json.NewDecoder(resp.Body).Decode(&e) == nil && e.Error.Code != "" {
				e.Error.Status = resp.StatusCode
				resp.Body.Close()
				return nil, &e.Error
			}
			resp.Body.Close()
		}
		return nil, err
	}
	lc.ws = ws
	go ws.ReadLoop()
	return lc, nil
}

// Send sends a frame {"type": typ, "data": data}.
func (c *LiveConn) Send(typ string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return c.SendRaw(append(append([]byte(`{"type":"`+typ+`","data":`), b...), '}'))
}

// SendRaw sends bytes as one text frame, as they are.
func (c *LiveConn) SendRaw(b []byte) error { return c.ws.WriteMessage(gws.OpcodeText, b) }

// Next returns the next frame, waiting until ctx ends.
func (c *LiveConn) Next(ctx context.Context) (Frame, error) {
	select {
	case f, ok := <-c.frames:
		if !ok {
			return Frame{}, ErrConnClosed
		}
		return f, nil
	case <-ctx.Done():
		return Frame{}, ctx.Err()
	}
}

// NextOf returns the next frame of one of the types, skipping the others.
func (c *LiveConn) NextOf(ctx context.Context, types ...string) (Frame, error) {
	for {
		f, err := c.Next(ctx)
		if err != nil {
			return f, err
		}
		for _, t := range types {
			if f.Type == t {
				return f, nil
			}
		}
	}
}

// Done is closed when the connection has ended.
func (c *LiveConn) Done() <-chan struct{} { return c.done }

// Close ends the connection.
func (c *LiveConn) Close() error {
	return c.ws.WriteClose(1000, nil)
}

// Abort drops the connection without a close handshake, as a lost network does.
func (c *LiveConn) Abort() { _ = c.ws.NetConn().Close() }

type liveHandler struct {
	gws.BuiltinEventHandler
	lc *LiveConn
}

func (h *liveHandler) OnClose(ws *gws.Conn, err error) {
	var ce *gws.CloseError
	if errors.As(err, &ce) {
		h.lc.CloseCode, h.lc.CloseReason = ce.Code, string(ce.Reason)
	}
	close(h.lc.frames)
	close(h.lc.done)
}

func (h *liveHandler) OnPing(ws *gws.Conn, payload []byte) { _ = ws.WritePong(payload) }

func (h *liveHandler) OnMessage(ws *gws.Conn, m *gws.Message) {
	defer m.Close()
	var f Frame
	if err := json.Unmarshal(m.Bytes(), &f); err != nil {
		return
	}
	h.lc.frames <- f
}
