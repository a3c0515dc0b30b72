package live

import (
	"context"
	"regexp"
	"time"

	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/csat"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
)

// TypeCSAT is the visitor's satisfaction rating of a closed conversation
// (client → server), and what the visitor may do about it (server → client).
const TypeCSAT = "csat"

// CSAT records customers' satisfaction ratings of closed conversations.
type CSAT interface {
	Rate(ctx context.Context, tenantID, convID string, score int, comment string) (csat.Rating, error)
	StateOf(ctx context.Context, tenantID, convID string) (csat.State, error)
}

// CSATIn rates the visitor's own closed conversation: a score of 1–5 and
// an optional comment. ClientID, when given, comes back in the ack or error.
type CSATIn struct {
	ConversationID string `json:"conversation_id"`
	Score          int    `json:"score"`
	Comment        string `json:"comment"`
	ClientID       string `json:"client_id,omitempty"`
}

// CSATAck confirms a rating; CSAT is the conversation's rating state now.
type CSATAck struct {
	ClientID       string     `json:"client_id,omitempty"`
	ConversationID string     `json:"conversation_id"`
	CSAT           csat.State `json:"csat"`
}

var csatClientIDRE = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

// visitorCSAT stores the visitor's rating of their own closed conversation
// and answers with ack, or with error (the conversation is open, the time
// to rate is over, the score is out of range…).
func (c *conn) visitorCSAT(in *CSATIn) {
	clientID := in.ClientID
	if clientID != "" && !csatClientIDRE.MatchString(clientID) {
		c.fail(apperr.Invalidf("client_id", "invalid_client_id"), "")
		return
	}
	if c.hub.o.CSAT == nil {
		c.fail(apperr.New(apperr.BadRequest, "unknown_type", "", "type", TypeCSAT), clientID)
		return
	}
	if !c.bucket.take(time.Now()) {
		c.fail(apperr.New(apperr.TooMany, "rate_limited", ""), clientID)
		return
	}
	ctx, cancel := c.ctx()
	defer cancel()
	if !c.ownsConversation(ctx, in.ConversationID) {
		c.fail(apperr.NotFoundf("conversation"), clientID)
		return
	}
	if _, err := c.hub.o.CSAT.Rate(ctx, c.tenantID, in.ConversationID, in.Score, in.Comment); err != nil {
		c.fail(err, clientID)
		return
	}
	st, err := c.hub.o.CSAT.StateOf(ctx, c.tenantID, in.ConversationID)
	if err != nil {
		c.fail(err, clientID)
		return
	}
	c.send(encode(TypeAck, CSATAck{ClientID: clientID, ConversationID: in.ConversationID, CSAT: st}))
}

// ownsConversation reports whether a conversation is this visitor's, on
// this channel.
func (c *conn) ownsConversation(ctx context.Context, convID string) bool {
	if !id.Valid(convID) {
		return false
	}
	cv, err := c.hub.o.Conversations.Get(ctx, c.tenantID, convID)
	return err == nil && cv.ContactID == c.contactID && cv.ChannelID != nil && *cv.ChannelID == c.channelID
}

// csatState tells a visitor who comes back to a closed conversation whether
// they rated it and whether they still may (a csat frame); nothing for an
// open conversation.
func (c *conn) csatState(ctx context.Context, cv conversation.Conversation) {
	if c.hub.o.CSAT == nil || cv.Status != conversation.StatusClosed {
		return
	}
	st, err := c.hub.o.CSAT.StateOf(ctx, c.tenantID, cv.ID)
	if err != nil {
		c.hub.o.Log.Error("live: rating state", "err", err)
		return
	}
	c.send(encode(TypeCSAT, st))
}
