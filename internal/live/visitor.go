package live

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
)

// visitorState is what a visitor connection knows after its handshake.
type visitorState struct {
	ch      channel.Channel
	visitor conversation.VisitorInfo
	typing  time.Time
}

// ServeVisitor is GET /ws/visitor?channel=KEY: the widget's connection.
func (h *Hub) ServeVisitor(w http.ResponseWriter, r *http.Request) {
	if h.draining.Load() {
		h.refuseHTTP(w, r, apperr.New(apperr.TooMany, "shutting_down", ""))
		return
	}
	ch, err := h.o.Channels.ByKey(r.Context(), r.URL.Query().Get("channel"))
	if err != nil {
		h.refuseHTTP(w, r, err)
		return
	}
	origin := r.Header.Get("Origin")
	if origin != "" && !sameHost(origin, r.Host) && !ch.OriginAllowed(origin) {
		h.refuseHTTP(w, r, apperr.New(apperr.Forbidden, "origin_not_allowed", ""))
		return
	}
	c := newConn(h, nil, roleVisitor)
	c.tenantID, c.channelID = ch.TenantID, ch.ID
	c.language = h.o.Catalog.FromRequest(r)
	st := &visitorState{ch: ch, visitor: conversation.VisitorInfo{UserAgent: clip(r.UserAgent(), 300)}}
	if origin != "" && !sameHost(origin, r.Host) {
		st.visitor.Origin = origin
	}
	c.state = st
	h.accept(w, r, c)
}

func clip(s string, n int) string {
	s = strings.ToValidUTF8(strings.TrimSpace(s), "")
	if utf8.RuneCountInString(s) > n {
		return string([]rune(s)[:n])
	}
	return s
}

func (c *conn) onVisitorFrame(typ string, v any) {
	st := c.state.(*visitorState)
	switch typ {
	case TypeHello:
		c.visitorHello(st, v.(*VisitorHello))
	case TypeMessage:
		m := v.(*MessageIn)
		if !c.bucket.take(time.Now()) {
			c.fail(apperr.New(apperr.TooMany, "rate_limited", ""), m.ClientID)
			return
		}
		if m.ClientID == "" {
			c.fail(apperr.Invalidf("client_id", "required"), "")
			return
		}
		nm := conversation.NewMessage{ClientID: m.ClientID, SenderType: conversation.SenderContact, SenderID: c.contactID, Body: m.Body}
		if len(m.Attachments) > 0 {
			if c.hub.o.Attachments == nil {
				c.fail(apperr.Invalidf("attachments", "invalid_value"), m.ClientID)
				return
			}
			ctx, cancel := c.ctx()
			atts, err := c.hub.o.Attachments.Resolve(ctx, c.tenantID, "contact:"+c.contactID, m.Attachments)
			cancel()
			if err != nil {
				c.fail(err, m.ClientID)
				return
			}
			nm.Attachments = atts
		}
		c.receive(conversation.Inbound{TenantID: c.tenantID, ChannelID: c.channelID, Channel: channel.KindWeb,
			ContactID: c.contactID, Hint: c.current(), Visitor: st.visitor, Message: nm})
	case TypeTyping:
		t := v.(*TypingIn)
		conv := c.current()
		now := time.Now()
		if conv == "" || (t.On && now.Sub(st.typing) < time.Second) {
			return
		}
		st.typing = now
		ctx, cancel := c.ctx()
		defer cancel()
		_ = c.hub.o.Conversations.PublishEphemeral(ctx, conversation.Event{Type: conversation.EventTyping, TenantID: c.tenantID,
			ConversationID: conv, SenderType: conversation.SenderContact, SenderID: c.contactID, On: t.On})
	case TypeRead:
		rd := v.(*ReadIn)
		if conv := c.current(); conv != "" && rd.Seq > 0 {
			ctx, cancel := c.ctx()
			defer cancel()
			if err := c.hub.o.Conversations.MarkRead(ctx, c.tenantID, conv, conversation.SenderContact, c.contactID, rd.Seq); err != nil {
				c.fail(err, "")
			}
		}
	case TypeSync:
		if conv := c.current(); conv != "" {
			if err := c.replayHeld(conv, v.(*SyncIn).AfterSeq); err != nil {
				c.fail(err, "")
			}
		}
	case TypePage:
		p := v.(*PageIn)
		st.visitor.PageURL, st.visitor.PageTitle = clip(p.PageURL, 2000), clip(p.PageTitle, 300)
		if conv := c.current(); conv != "" {
			ctx, cancel := c.ctx()
			defer cancel()
			_, _ = c.hub.o.Conversations.UpdateVisitor(ctx, c.tenantID, conv, st.visitor)
		}
	case TypeRate:
		rt := v.(*RateIn)
		if c.hub.o.Ratings == nil || !id.Valid(rt.DecisionID) {
			c.fail(apperr.NotFoundf("decision"), "")
			return
		}
		ctx, cancel := c.ctx()
		defer cancel()
		owns := func(convID string) bool {
			cv, err := c.hub.o.Conversations.Get(ctx, c.tenantID, convID)
			return err == nil && cv.ContactID == c.contactID
		}
		if err := c.hub.o.Ratings.RateAnswer(ctx, c.tenantID, rt.DecisionID, rt.Up, owns); err != nil {
			c.fail(err, "")
		}
	case TypeCSAT:
		c.visitorCSAT(v.(*CSATIn))
	case TypeLeaveMessage:
		c.visitorLeaveMessage(st, v.(*LeaveMessageIn))
	default:
		c.fail(apperr.New(apperr.BadRequest, "unknown_type", "", "type", typ), "")
	}
}

// visitorHello identifies the visitor (token, signed site user, or new),
// sends welcome, and replays what the widget has not seen.
func (c *conn) visitorHello(st *visitorState, hello *VisitorHello) {
	ctx, cancel := c.ctx()
	defer cancel()
	h, ch := c.hub, &st.ch
	if l, ok := i18n.Parse(hello.Lang); ok {
		c.language = l
	}
	if hello.Origin != "" && !ch.OriginAllowed(hello.Origin) {
		c.refuse(apperr.New(apperr.Forbidden, "origin_not_allowed", ""), CloseUnauthorized)
		return
	}
	var contactID, userID string
	if hello.Token != "" {
		v, err := h.o.Channels.ParseVisitorToken(ctx, ch, hello.Token)
		switch {
		case err == nil && v.UserID != "" && hello.UserID == "":
			// The site's user signed out: whoever uses this browser now
			// must not see that user's conversation.
		case err == nil:
			contactID, userID = v.ContactID, v.UserID
		default:
			// Forged, expired or another channel's: say so, and go on as a
			// new visitor (the token never reveals anyone's conversation).
			c.fail(apperr.New(apperr.Unauthorized, "visitor_token_invalid", ""), "")
		}
	}
	if hello.UserID != "" {
		if !ch.VerifyIdentity(hello.UserID, hello.UserHash) {
			c.refuse(apperr.New(apperr.Unauthorized, "identity_invalid", ""), CloseUnauthorized)
			return
		}
		if userID != hello.UserID {
			contactID = ""
			if ct, err := h.o.Contacts.ByExternalID(ctx, c.tenantID, "site", hello.UserID); err == nil {
				contactID = ct.ID
			} else if !apperr.IsKind(err, apperr.NotFound) {
				c.refuse(err, 1011)
				return
			}
			userID = hello.UserID
		}
	} else if ch.Settings.RequireIdentity {
		c.refuse(apperr.New(apperr.Unauthorized, "identity_required", ""), CloseUnauthorized)
		return
	}
	name := clip(hello.Name, 200)
	if contactID != "" {
		ct, err := h.o.Contacts.Get(ctx, c.tenantID, contactID)
		if apperr.IsKind(err, apperr.NotFound) {
			contactID = "" // the contact was deleted: start afresh
		} else if err != nil {
			c.refuse(err, 1011)
			return
		} else if name != "" && ct.Name == "" {
			_, _ = h.o.Contacts.Update(ctx, c.tenantID, contactID, contact.Input{Name: &name})
			h.names.forget("c:" + c.tenantID + ":" + contactID)
		}
	}
	if contactID == "" {
		in := contact.Input{Name: &name}
		if userID != "" {
			in.ExternalIDs = []contact.ExternalID{{Source: "site", ID: userID}}
		}
		ct, err := h.o.Contacts.Create(ctx, c.tenantID, in)
		if err != nil {
			c.refuse(err, 1011)
			return
		}
		contactID = ct.ID
	}
	if hello.Email != "" {
		// Unverified: the address joins this contact only if no other contact has it.
		_ = h.o.Contacts.AddEmail(ctx, c.tenantID, contactID, hello.Email)
	}
	token, err := h.o.Channels.IssueVisitorToken(ctx, channel.Visitor{TenantID: c.tenantID, ChannelID: ch.ID, ContactID: contactID, UserID: userID})
	if err != nil {
		c.refuse(err, 1011)
		return
	}
	st.visitor.PageURL, st.visitor.PageTitle = clip(hello.PageURL, 2000), clip(hello.PageTitle, 300)
	st.visitor.Referrer, st.visitor.Language = clip(hello.Referrer, 2000), clip(hello.Lang, 20)
	if hello.Origin != "" {
		st.visitor.Origin = clip(hello.Origin, 200)
	}
	welcome := VisitorWelcome{Token: token, ContactID: contactID, Channel: channelInfo(ch)}
	conv, err := h.o.Conversations.Latest(ctx, c.tenantID, contactID, ch.ID)
	if err == nil {
		welcome.ConversationID, welcome.Status, welcome.LastSeq, welcome.AgentReadSeq = conv.ID, string(conv.Status), conv.LastSeq, conv.AgentReadSeq
	} else if !apperr.IsKind(err, apperr.NotFound) {
		c.refuse(err, 1011)
		return
	}
	c.mu.Lock()
	c.contactID, c.convID, c.ready = contactID, welcome.ConversationID, true
	c.mu.Unlock()
	_ = c.ws.SetReadDeadline(time.Time{})
	// Register before replaying, holding the live stream until the replay
	// is sent: an event committed meanwhile follows the replay, and a
	// message the replay already carried is not sent twice.
	c.hold()
	defer c.release()
	h.register(c)
	c.send(encode(TypeWelcome, welcome))
	if conv.ID != "" {
		after := int64(0)
		if hello.ConversationID == conv.ID {
			after = hello.LastSeq
		}
		if err := c.replay(conv.ID, after); err != nil {
			c.fail(err, "")
		}
		c.csatState(ctx, conv)
		if conv.Owner == conversation.OwnerQueue {
			h.markQueueDirty(c.tenantID) // tell the returning visitor their place
		}
		if conv.Status == conversation.StatusOpen && conv.Visitor != st.visitor {
			_, _ = h.o.Conversations.UpdateVisitor(ctx, c.tenantID, conv.ID, st.visitor)
		}
	}
}

func channelInfo(ch *channel.Channel) ChannelInfo {
	info := ChannelInfo{Name: ch.Name, Greeting: ch.Settings.Greeting, Color: ch.Settings.Color,
		Position: ch.Settings.Position, Languages: ch.Settings.Languages}
	info.PreChat.Enabled, info.PreChat.RequireEmail = ch.Settings.PreChat.Enabled, ch.Settings.PreChat.RequireEmail
	return info
}
