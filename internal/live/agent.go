package live

import (
	"context"
	"net/http"
	"time"

	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
)

// ServeAgent is GET /ws/agent: the console's connection, and the event
// stream of integrations (API token with at least the read scope).
func (h *Hub) ServeAgent(w http.ResponseWriter, r *http.Request) {
	if h.draining.Load() {
		h.refuseHTTP(w, r, apperr.New(apperr.TooMany, "shutting_down", ""))
		return
	}
	p, err := h.o.Auth.Authenticate(r)
	if err != nil {
		h.refuseHTTP(w, r, err)
		return
	}
	if p == nil {
		h.refuseHTTP(w, r, apperr.New(apperr.Unauthorized, "unauthenticated", ""))
		return
	}
	if !p.IsToken() {
		// A cookie rides along on cross-site requests too: only this site's
		// pages may open a console connection with it.
		if o := r.Header.Get("Origin"); o == "" || !sameHost(o, r.Host) {
			h.refuseHTTP(w, r, apperr.New(apperr.Forbidden, "csrf", ""))
			return
		}
		if p.MustChangePassword {
			h.refuseHTTP(w, r, apperr.New(apperr.Forbidden, "password_change_required", ""))
			return
		}
	}
	if !p.Can(auth.ScopeRead) {
		h.refuseHTTP(w, r, apperr.New(apperr.Forbidden, "forbidden", ""))
		return
	}
	c := newConn(h, nil, roleAgent)
	c.tenantID, c.principal = p.TenantID, p
	c.language = h.o.Catalog.FromRequest(r)
	if l, ok := i18n.Parse(p.Locale); ok && r.Header.Get("Accept-Language") == "" {
		c.language = l
	}
	h.accept(w, r, c)
}

func (c *conn) sender() (conversation.SenderType, string) {
	if c.principal.IsToken() {
		return conversation.SenderIntegration, c.principal.TokenID
	}
	return conversation.SenderAgent, c.principal.UserID
}

// owned checks that a conversation is the tenant's.
func (c *conn) owned(ctx context.Context, convID string) (conversation.Conversation, error) {
	if convID == "" {
		return conversation.Conversation{}, apperr.Invalidf("conversation_id", "required")
	}
	return c.hub.o.Conversations.Get(ctx, c.tenantID, convID)
}

func (c *conn) onAgentFrame(typ string, v any) {
	ctx, cancel := c.ctx()
	defer cancel()
	switch typ {
	case TypeHello:
		hello := v.(*AgentHello)
		c.mu.Lock()
		c.ready = true
		c.mu.Unlock()
		_ = c.ws.SetReadDeadline(time.Time{})
		// Live events wait until the subscriptions are replayed.
		c.hold()
		defer c.release()
		c.hub.register(c)
		if f := c.hub.o.OnAgentConnect; f != nil && !c.principal.IsToken() && c.principal.UserID != "" {
			go f(c.tenantID, c.principal.UserID)
		}
		c.send(encode(TypeWelcome, AgentWelcome{UserID: c.principal.UserID}))
		c.hub.sendCounts(c.tenantID, c)
		for _, s := range hello.Subscriptions {
			if _, err := c.owned(ctx, s.ConversationID); err != nil {
				c.fail(err, "")
				continue
			}
			if err := c.replay(s.ConversationID, s.AfterSeq); err != nil {
				c.fail(err, "")
			}
		}
	case TypeSubscribe, TypeSync:
		s := v.(*SyncIn)
		if _, err := c.owned(ctx, s.ConversationID); err != nil {
			c.fail(err, "")
			return
		}
		if err := c.replayHeld(s.ConversationID, s.AfterSeq); err != nil {
			c.fail(err, "")
		}
	case TypeUnsubscribe:
		// Agents receive every event of their tenant; nothing to stop.
	case TypeMessage:
		m := v.(*MessageIn)
		if !c.principal.Can(auth.ScopeWrite) {
			c.fail(apperr.New(apperr.Forbidden, "forbidden", ""), m.ClientID)
			return
		}
		if m.ClientID == "" {
			c.fail(apperr.Invalidf("client_id", "required"), "")
			return
		}
		if m.ConversationID == "" {
			c.fail(apperr.Invalidf("conversation_id", "required"), m.ClientID)
			return
		}
		st, sid := c.sender()
		nm := conversation.NewMessage{ClientID: m.ClientID, SenderType: st, SenderID: sid, Private: m.Private, Body: m.Body}
		if len(m.Attachments) > 0 {
			if c.hub.o.Attachments == nil {
				c.fail(apperr.Invalidf("attachments", "invalid_value"), m.ClientID)
				return
			}
			atts, err := c.hub.o.Attachments.Resolve(ctx, c.tenantID, "user:"+sid, m.Attachments)
			if err != nil {
				c.fail(err, m.ClientID)
				return
			}
			nm.Attachments = atts
		}
		c.receive(conversation.Inbound{TenantID: c.tenantID, ConversationID: m.ConversationID, Message: nm})
	case TypeTyping:
		t := v.(*TypingIn)
		if _, err := c.owned(ctx, t.ConversationID); err != nil {
			c.fail(err, "")
			return
		}
		st, sid := c.sender()
		_ = c.hub.o.Conversations.PublishEphemeral(ctx, conversation.Event{Type: conversation.EventTyping, TenantID: c.tenantID,
			ConversationID: t.ConversationID, SenderType: st, SenderID: sid, SenderName: c.principal.UserName, On: t.On})
	case TypeRead:
		rd := v.(*ReadIn)
		if _, err := c.owned(ctx, rd.ConversationID); err != nil {
			c.fail(err, "")
			return
		}
		st, sid := c.sender()
		if err := c.hub.o.Conversations.MarkRead(ctx, c.tenantID, rd.ConversationID, st, sid, rd.Seq); err != nil {
			c.fail(err, "")
		}
	default:
		c.fail(apperr.New(apperr.BadRequest, "unknown_type", "", "type", typ), "")
	}
}
