package live

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	"github.com/switchboard-cs/switchboard/internal/conversation"
)

// Envelope is the shape of every frame: {"type": …, "data": …}.
type Envelope struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data,omitempty"`
}

// Frame types a client sends.
const (
	TypeHello       = "hello"
	TypeMessage     = "message"
	TypeTyping      = "typing"
	TypeRead        = "read"
	TypeSync        = "sync"
	TypePage        = "page"
	TypeRate        = "rate" // visitors: 👍/👎 on a bot answer
	TypePing        = "ping"
	TypeSubscribe   = "subscribe"
	TypeUnsubscribe = "unsubscribe"
)

// Frame types the server sends.
const (
	TypeWelcome      = "welcome"
	TypeAck          = "ack"
	TypeConversation = "conversation"
	TypeCounts       = "counts"
	TypeError        = "error"
	TypeBye          = "bye"
	TypePong         = "pong"
	TypeSynced       = "synced"
)

// VisitorHello opens a visitor session.
type VisitorHello struct {
	Token          string `json:"token,omitempty"`
	ConversationID string `json:"conversation_id,omitempty"`
	LastSeq        int64  `json:"last_seq,omitempty"`
	Name           string `json:"name,omitempty"`
	Email          string `json:"email,omitempty"`
	UserID         string `json:"user_id,omitempty"`
	UserHash       string `json:"user_hash,omitempty"`
	PageURL        string `json:"page_url,omitempty"`
	PageTitle      string `json:"page_title,omitempty"`
	Referrer       string `json:"referrer,omitempty"`
	Lang           string `json:"lang,omitempty"`
	// Origin is the page embedding the widget, as the widget frame sees it.
	Origin string `json:"origin,omitempty"`
}

// AgentHello opens an agent stream, resuming conversations it follows.
type AgentHello struct {
	Subscriptions []Subscription `json:"subscriptions,omitempty"`
}

// Subscription names a conversation and the last seq the client has.
type Subscription struct {
	ConversationID string `json:"conversation_id"`
	AfterSeq       int64  `json:"after_seq"`
}

// MessageIn is a message a client sends.
type MessageIn struct {
	ConversationID string   `json:"conversation_id,omitempty"` // agents only
	ClientID       string   `json:"client_id"`
	Body           string   `json:"body"`
	Private        bool     `json:"private,omitempty"` // agents only
	Attachments    []string `json:"attachments,omitempty"`
}

// TypingIn says the sender is (not) typing.
type TypingIn struct {
	ConversationID string `json:"conversation_id,omitempty"`
	On             bool   `json:"on"`
}

// ReadIn says the sender has read up to Seq.
type ReadIn struct {
	ConversationID string `json:"conversation_id,omitempty"`
	Seq            int64  `json:"seq"`
}

// SyncIn asks for the messages after AfterSeq again.
type SyncIn struct {
	ConversationID string `json:"conversation_id,omitempty"`
	AfterSeq       int64  `json:"after_seq"`
}

// PageIn tells that the visitor moved to another page.
type PageIn struct {
	PageURL   string `json:"page_url"`
	PageTitle string `json:"page_title"`
}

// RateIn rates a bot answer (the decision_id of its meta) up or down.
type RateIn struct {
	DecisionID string `json:"decision_id"`
	Up         bool   `json:"up"`
}

// ChannelInfo is what the widget shows of its channel.
type ChannelInfo struct {
	Name      string   `json:"name"`
	Greeting  string   `json:"greeting"`
	Color     string   `json:"color"`
	Position  string   `json:"position"`
	Languages []string `json:"languages"`
	PreChat   struct {
		Enabled      bool `json:"enabled"`
		RequireEmail bool `json:"require_email"`
	} `json:"prechat"`
}

// VisitorWelcome opens the visitor session.
type VisitorWelcome struct {
	Token          string      `json:"token"`
	ContactID      string      `json:"contact_id"`
	ConversationID string      `json:"conversation_id,omitempty"`
	Status         string      `json:"status,omitempty"`
	LastSeq        int64       `json:"last_seq"`
	AgentReadSeq   int64       `json:"agent_read_seq"`
	Channel        ChannelInfo `json:"channel"`
}

// AgentWelcome opens the agent stream.
type AgentWelcome struct {
	UserID string    `json:"user_id,omitempty"`
	Counts CountsOut `json:"counts"`
}

// MessageOut is a stored message as clients see it.
type MessageOut struct {
	ConversationID string                    `json:"conversation_id"`
	Seq            int64                     `json:"seq"`
	ID             string                    `json:"id"`
	ClientID       string                    `json:"client_id,omitempty"`
	SenderType     conversation.SenderType   `json:"sender_type"`
	SenderID       string                    `json:"sender_id,omitempty"`
	SenderName     string                    `json:"sender_name,omitempty"`
	Private        bool                      `json:"private,omitempty"`
	Body           string                    `json:"body"`
	Attachments    []conversation.Attachment `json:"attachments"`
	Meta           json.RawMessage           `json:"meta,omitempty"` // a bot message's HTML, buttons, rating handle
	CreatedAt      time.Time                 `json:"created_at"`
}

// Ack confirms that a client message is stored.
type Ack struct {
	ClientID       string `json:"client_id"`
	ConversationID string `json:"conversation_id"`
	Seq            int64  `json:"seq"`
	ID             string `json:"id"`
	Duplicate      bool   `json:"duplicate"`
}

// VisitorConversation tells the visitor that their conversation changed.
type VisitorConversation struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	AssigneeName string `json:"assignee_name,omitempty"`
	LastSeq      int64  `json:"last_seq"`
}

// AgentConversation is a conversation as the agent console sees it.
type AgentConversation struct {
	conversation.Conversation
	ContactName  string `json:"contact_name"`
	AssigneeName string `json:"assignee_name,omitempty"`
}

// CountsOut are the inbox counts of one agent.
type CountsOut struct {
	Unassigned int `json:"unassigned"`
	Mine       int `json:"mine"`
	Open       int `json:"open"`
}

// TypingOut tells that someone is (not) typing.
type TypingOut struct {
	ConversationID string                  `json:"conversation_id,omitempty"`
	SenderType     conversation.SenderType `json:"sender_type"`
	SenderID       string                  `json:"sender_id,omitempty"`
	Name           string                  `json:"name,omitempty"`
	On             bool                    `json:"on"`
}

// ReadOut tells that someone read up to Seq.
type ReadOut struct {
	ConversationID string                  `json:"conversation_id,omitempty"`
	Reader         conversation.SenderType `json:"reader"`
	Seq            int64                   `json:"seq"`
}

// ErrorOut refuses a frame; nothing from it was stored.
type ErrorOut struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	ClientID string `json:"client_id,omitempty"`
	Field    string `json:"field,omitempty"`
}

// Bye says why the server closes the connection.
type Bye struct {
	Reason string `json:"reason"`
}

// Synced ends a replay: the client has every message it may see up to LastSeq.
type Synced struct {
	ConversationID string `json:"conversation_id"`
	LastSeq        int64  `json:"last_seq"`
}

// Pong answers a ping.
type Pong struct {
	Time time.Time `json:"time"`
}

// encode makes a frame. Encoding cannot fail for these types.
func encode(typ string, data any) []byte {
	b, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	out := make([]byte, 0, len(b)+len(typ)+20)
	out = append(out, `{"type":"`...)
	out = append(out, typ...)
	out = append(out, `","data":`...)
	out = append(out, b...)
	return append(out, '}')
}

// Limits on frames.
const (
	MaxFrameBytes = 64 << 10
)

var (
	errMalformed   = errors.New("malformed frame")
	errUnknownType = errors.New("unknown frame type")
	errTooLarge    = errors.New("frame too large")
)

// DecodeFrame reads a client frame: the envelope, then the typed body of a
// known type. Unknown fields are ignored (newer clients), unknown types are
// an error. It is the entry point of the WebSocket fuzz target.
func DecodeFrame(b []byte, agent bool) (string, any, error) {
	if len(b) > MaxFrameBytes {
		return "", nil, errTooLarge
	}
	var env Envelope
	if err := json.Unmarshal(b, &env); err != nil || env.Type == "" {
		return "", nil, errMalformed
	}
	var v any
	switch env.Type {
	case TypeHello:
		if agent {
			v = &AgentHello{}
		} else {
			v = &VisitorHello{}
		}
	case TypeMessage:
		v = &MessageIn{}
	case TypeTyping:
		v = &TypingIn{}
	case TypeRead:
		v = &ReadIn{}
	case TypeSync, TypeSubscribe:
		v = &SyncIn{}
	case TypeUnsubscribe:
		v = &SyncIn{}
	case TypePage:
		v = &PageIn{}
	case TypeRate:
		v = &RateIn{}
	case TypeCSAT:
		v = &CSATIn{}
	case TypeLeaveMessage:
		v = &LeaveMessageIn{}
	case TypePing:
		return env.Type, nil, nil
	default:
		return env.Type, nil, errUnknownType
	}
	data := bytes.TrimSpace(env.Data)
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		data = []byte("{}")
	}
	if data[0] != '{' {
		return env.Type, nil, errMalformed
	}
	if err := json.Unmarshal(data, v); err != nil {
		return env.Type, nil, errMalformed
	}
	return env.Type, v, nil
}
