package live

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/lxzan/gws"

	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
)

// HelloTimeout is how long a new connection may take to say hello.
const HelloTimeout = 10 * time.Second

// slot is the per-connection storage gws keeps: just our conn.
type slot struct{ c *conn }

func (s *slot) Len() int { return 1 }
func (s *slot) Load(string) (any, bool) {
	return s.c, s.c != nil
}
func (s *slot) Delete(string)                {}
func (s *slot) Store(string, any)            {}
func (s *slot) Range(func(string, any) bool) {}
func connOf(ws *gws.Conn) *conn              { return ws.Session().(*slot).c }
func (c *conn) touch()                       { c.lastSeen.Store(time.Now().UnixNano()) }
func (c *conn) isReady() bool                { c.mu.Lock(); defer c.mu.Unlock(); return c.ready }
func (c *conn) current() string              { c.mu.Lock(); defer c.mu.Unlock(); return c.convID }
func (c *conn) setCurrent(id string)         { c.mu.Lock(); c.convID = id; c.mu.Unlock() }
func (c *conn) lang() i18n.Lang              { return c.language }
func (c *conn) ctx() (context.Context, func()) {
	return context.WithTimeout(context.Background(), 15*time.Second)
}

type handler struct{ h *Hub }

func (hd *handler) OnOpen(ws *gws.Conn) {
	_ = ws.SetReadDeadline(time.Now().Add(HelloTimeout))
}

func (hd *handler) OnClose(ws *gws.Conn, err error) {
	c := connOf(ws)
	hd.h.all.Delete(c)
	hd.h.unregister(c)
	hd.h.connections.Add(-1)
	c.qmu.Lock()
	c.closing, c.queue = true, nil
	c.qmu.Unlock()
}

func (hd *handler) OnPing(ws *gws.Conn, payload []byte) {
	connOf(ws).touch()
	_ = ws.WritePong(payload)
}

func (hd *handler) OnPong(ws *gws.Conn, payload []byte) { connOf(ws).touch() }

func (hd *handler) OnMessage(ws *gws.Conn, msg *gws.Message) {
	defer msg.Close()
	c := connOf(ws)
	c.touch()
	typ, v, err := DecodeFrame(msg.Bytes(), c.role == roleAgent)
	if err != nil {
		code := "bad_frame"
		switch {
		case errors.Is(err, errUnknownType):
			code = "unknown_type"
		case errors.Is(err, errTooLarge):
			code = "frame_too_large"
		}
		c.fail(apperr.New(apperr.BadRequest, code, "", "type", typ), "")
		return
	}
	if typ == TypePing {
		c.send(encode(TypePong, Pong{Time: time.Now().UTC()}))
		return
	}
	if typ != TypeHello && !c.isReady() {
		c.fail(apperr.New(apperr.BadRequest, "hello_first", ""), "")
		return
	}
	if typ == TypeHello && c.isReady() {
		c.fail(apperr.New(apperr.BadRequest, "hello_twice", ""), "")
		return
	}
	if c.role == roleVisitor {
		c.onVisitorFrame(typ, v)
	} else {
		c.onAgentFrame(typ, v)
	}
}

// fail sends an error frame for a refused frame; the connection stays.
func (c *conn) fail(err error, clientID string) {
	e, ok := apperr.As(err)
	if !ok {
		c.hub.o.Log.Error("live: frame failed", "err", err)
		e = apperr.New(apperr.Internal, "internal", "")
	}
	msg := c.hub.o.Catalog.Error(c.lang(), e)
	c.send(encode(TypeError, ErrorOut{Code: e.Code, Message: msg, ClientID: clientID, Field: e.Field}))
}

// refuse closes the connection after an error that ends the session; the
// farewell says whether the client was refused or the server failed.
func (c *conn) refuse(err error, code uint16) {
	c.fail(err, "")
	reason := "unauthorized"
	if code == 1011 {
		reason = "server_error"
	}
	c.closeWith(code, reason)
}

// replayHeld replays a conversation with the live stream held, so that
// the replayed messages come first.
func (c *conn) replayHeld(convID string, after int64) error {
	c.hold()
	defer c.release()
	return c.replay(convID, after)
}

// replay sends the messages of a conversation after a seq, in order; a
// visitor never receives internal notes. The live stream must be held.
func (c *conn) replay(convID string, after int64) error {
	ctx, cancel := c.ctx()
	defer cancel()
	c.resumeFrom(convID, after)
	for {
		msgs, err := c.hub.o.Conversations.Messages(ctx, c.tenantID, convID, after, 200)
		if err != nil {
			return err
		}
		for i := range msgs {
			m := &msgs[i]
			after = m.Seq
			if c.role == roleVisitor && m.Private {
				continue
			}
			out := MessageOut{ConversationID: convID, Seq: m.Seq, ID: m.ID, ClientID: m.ClientID, SenderType: m.SenderType,
				SenderID: m.SenderID, Private: m.Private, Body: m.Body, Attachments: m.Attachments, Meta: m.Meta, CreatedAt: m.CreatedAt}
			out.SenderName = c.hub.senderName(ctx, c.tenantID, m)
			if c.role == roleVisitor {
				out.SenderID = ""
				if m.SenderType != conversation.SenderContact {
					out.ClientID = ""
				}
			}
			c.replayed(convID, m.Seq, encode(TypeMessage, out))
		}
		if len(msgs) == 200 {
			// A long history goes out page by page at the client's pace,
			// so that a replay alone never trips the slow-consumer limit.
			if err := c.waitQueueBelow(ctx, maxQueuedFrames/4); err != nil {
				return err
			}
		}
		if len(msgs) < 200 {
			// The client now has everything up to after: gaps below it are
			// internal notes a visitor does not see.
			c.send(encode(TypeSynced, Synced{ConversationID: convID, LastSeq: after}))
			return nil
		}
	}
}

// receive queues a message for the group commit and answers with ack or
// error once it is committed. At most cap(c.inflight) messages of one client
// wait at once; beyond that the client's reads stop (TCP back-pressure).
func (c *conn) receive(in conversation.Inbound) { c.receiveThen(in, nil) }

// receiveThen is receive that also calls then once the message is stored,
// before the ack is sent.
func (c *conn) receiveThen(in conversation.Inbound, then func(conversation.Stored)) {
	clientID := in.Message.ClientID
	c.inflight <- struct{}{}
	err := c.hub.o.Conversations.ReceiveAsync(in, func(st conversation.Stored, err error) {
		<-c.inflight
		if err != nil {
			c.fail(err, clientID)
			return
		}
		if c.role == roleVisitor {
			c.setCurrent(st.Conversation.ID)
		}
		if then != nil {
			then(st)
		}
		c.send(encode(TypeAck, Ack{ClientID: clientID, ConversationID: st.Conversation.ID, Seq: st.Message.Seq,
			ID: st.Message.ID, Duplicate: st.Duplicate}))
	})
	if err != nil {
		<-c.inflight
		c.fail(err, clientID)
	}
}

// accept registers a new connection and starts reading it.
func (h *Hub) accept(w http.ResponseWriter, r *http.Request, c *conn) {
	ws, err := h.upgrader.Upgrade(w, r)
	if err != nil {
		return // gws answered the handshake error
	}
	c.ws = ws
	ws.Session().(*slot).c = c
	h.all.Store(c, struct{}{})
	h.connections.Add(1)
	if h.draining.Load() {
		// Accepted while the drain went through the list: send this one
		// elsewhere too.
		c.closeWith(CloseServiceRestart, "shutdown")
	}
	go ws.ReadLoop()
}

// refuseHTTP answers a request that cannot become a WebSocket.
func (h *Hub) refuseHTTP(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := apperr.As(err)
	if !ok {
		h.o.Log.Error("live: handshake failed", "err", err)
		e = apperr.New(apperr.Internal, "internal", "")
	}
	status := map[apperr.Kind]int{apperr.NotFound: 404, apperr.Unauthorized: 401, apperr.Forbidden: 403,
		apperr.BadRequest: 400, apperr.Internal: 500, apperr.TooMany: 503}[e.Kind]
	if status == 0 {
		status = 400
	}
	msg := h.o.Catalog.Error(h.o.Catalog.FromRequest(r), e)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Error: ErrorOut{Code: e.Code, Message: msg}})
}

type errorBody struct {
	Error ErrorOut `json:"error"`
}

// sameHost reports whether an Origin header names this server.
func sameHost(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host == host
}
