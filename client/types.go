package client

import (
	"encoding/json"
	"time"
)

// Tenant is an organisation served by a Switchboard deployment.
type Tenant struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// The roles of users.
const (
	RoleAdmin      = "admin"      // configures the tenant: users, teams, tokens
	RoleSupervisor = "supervisor" // watches and steers the work of agents
	RoleAgent      = "agent"      // answers customers
)

// The scopes of API tokens; each includes the ones before it.
const (
	ScopeRead  = "read"  // read everything of the tenant
	ScopeWrite = "write" // also create and change contacts, conversations and messages
	ScopeAdmin = "admin" // also manage users, teams and tokens
)

// User is a person who works in a tenant.
type User struct {
	ID                 string    `json:"id"`
	Email              string    `json:"email"`
	Name               string    `json:"name"`
	Role               string    `json:"role"`
	Locale             string    `json:"locale"`
	MustChangePassword bool      `json:"must_change_password"`
	Disabled           bool      `json:"disabled"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`

	// Permissions are rights granted beyond the role, such as "kb_review".
	Permissions []string `json:"permissions"`
}

// TokenInfo names the API token a request was made with.
type TokenInfo struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Scope string `json:"scope"`
}

// Me describes the caller: a signed-in user (User, with the session's CSRF
// token) or an API token (Token).
type Me struct {
	User               *User      `json:"user,omitempty"`
	Token              *TokenInfo `json:"token,omitempty"`
	Tenant             Tenant     `json:"tenant"`
	CSRFToken          string     `json:"csrf_token,omitempty"`
	MustChangePassword bool       `json:"must_change_password"`
}

// LoginRequest signs a person in. Tenant (a slug) is needed only when the
// address works in several tenants.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Tenant   string `json:"tenant,omitempty"`
}

// PasswordChange is a signed-in user changing their own password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// Session is one signed-in browser or program of the caller.
type Session struct {
	ID         string    `json:"id"`
	UserAgent  string    `json:"user_agent"`
	IP         string    `json:"ip"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Current    bool      `json:"current"`
}

// UserCreate creates a user. Unless MustChangePassword points to false, the
// user must choose a new password at first login.
type UserCreate struct {
	Email              string `json:"email"`
	Name               string `json:"name"`
	Role               string `json:"role"`
	Locale             string `json:"locale,omitempty"`
	Password           string `json:"password"`
	MustChangePassword *bool  `json:"must_change_password,omitempty"`
}

// UserUpdate changes a user; nil fields stay as they are.
type UserUpdate struct {
	Name     *string `json:"name,omitempty"`
	Role     *string `json:"role,omitempty"`
	Locale   *string `json:"locale,omitempty"`
	Disabled *bool   `json:"disabled,omitempty"`
	// Permissions, when not nil, replaces the user's granted permissions
	// (an empty list takes them all back).
	Permissions *[]string `json:"permissions,omitempty"`
}

// PasswordReset is an administrator setting a user's password. Unless
// MustChangePassword points to false, the user must change it at next login.
type PasswordReset struct {
	Password           string `json:"password"`
	MustChangePassword *bool  `json:"must_change_password,omitempty"`
}

// Team is a department: a group of users conversations can be routed to.
type Team struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// TeamInput creates a team.
type TeamInput struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// TeamPatch changes a team; nil fields stay as they are.
type TeamPatch struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

// Token is an API token as listed: its secret is never shown again.
type Token struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scope      string     `json:"scope"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// TokenCreate creates an API token with a name and a scope (ScopeRead,
// ScopeWrite or ScopeAdmin).
type TokenCreate struct {
	Name  string `json:"name"`
	Scope string `json:"scope"`
}

// TokenCreated is a new token with its secret, which is shown this once.
type TokenCreated struct {
	Token
	Secret string `json:"secret"`
}

// ExternalID is a contact's id in another system (a shop, a CRM).
type ExternalID struct {
	Source string `json:"source"`
	ID     string `json:"id"`
}

// Contact is a customer.
type Contact struct {
	ID          string                     `json:"id"`
	Name        string                     `json:"name"`
	Emails      []string                   `json:"emails"`
	Phones      []string                   `json:"phones"`
	ExternalIDs []ExternalID               `json:"external_ids"`
	Attributes  map[string]json.RawMessage `json:"attributes"`
	CreatedAt   time.Time                  `json:"created_at"`
	UpdatedAt   time.Time                  `json:"updated_at"`
}

// ContactInput creates or changes a contact. In a change, nil fields stay as
// they are, a list given (even an empty one) replaces the old one, and
// attributes merge: an attribute set to nil is removed. Attribute values are
// strings, numbers or booleans.
type ContactInput struct {
	Name        *string        `json:"name,omitempty"`
	Emails      []string       `json:"emails"`
	Phones      []string       `json:"phones"`
	ExternalIDs []ExternalID   `json:"external_ids"`
	Attributes  map[string]any `json:"attributes"`
}

// The statuses of conversations.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Conversation is one exchange between a contact and the tenant.
type Conversation struct {
	ID            string     `json:"id"`
	ContactID     string     `json:"contact_id"`
	Channel       string     `json:"channel"`
	Subject       string     `json:"subject"`
	Status        string     `json:"status"`
	AssigneeID    *string    `json:"assignee_id"`
	TeamID        *string    `json:"team_id"`
	LastSeq       int64      `json:"last_seq"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	LastMessageAt *time.Time `json:"last_message_at"`
	ClosedAt      *time.Time `json:"closed_at"`
}

// The authors of messages.
const (
	SenderContact     = "contact"     // the customer
	SenderAgent       = "agent"       // a user of the tenant
	SenderBot         = "bot"         // the bot
	SenderSystem      = "system"      // Switchboard itself
	SenderIntegration = "integration" // another system, through an API token
)

// Message is one message of a conversation. Seq numbers the messages of a
// conversation from 1 without gaps.
type Message struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	Seq            int64     `json:"seq"`
	ClientID       string    `json:"client_id,omitempty"`
	SenderType     string    `json:"sender_type"`
	SenderID       string    `json:"sender_id"`
	Private        bool      `json:"private"`
	Body           string    `json:"body"`
	CreatedAt      time.Time `json:"created_at"`
}

// MessageCreate posts a message. A user posts as themselves; an API token
// posts as an integration, or as the conversation's contact with Author
// "contact". A ClientID makes retries safe: a message with the same
// ClientID is stored once.
type MessageCreate struct {
	Body     string `json:"body"`
	ClientID string `json:"client_id,omitempty"`
	Private  bool   `json:"private,omitempty"`
	Author   string `json:"author,omitempty"`
}

// ConversationCreate opens a conversation, optionally with a first message.
type ConversationCreate struct {
	ContactID  string         `json:"contact_id"`
	Channel    string         `json:"channel,omitempty"`
	Subject    string         `json:"subject,omitempty"`
	AssigneeID string         `json:"assignee_id,omitempty"`
	TeamID     string         `json:"team_id,omitempty"`
	Message    *MessageCreate `json:"message,omitempty"`
}

// ConversationCreated is a new conversation with its first message, if any.
type ConversationCreated struct {
	Conversation Conversation `json:"conversation"`
	Message      *Message     `json:"message"`
}

// AssignRequest assigns a conversation to a user and/or a team; a nil or
// empty id clears that assignment.
type AssignRequest struct {
	AssigneeID *string `json:"assignee_id"`
	TeamID     *string `json:"team_id"`
}

// ListOptions page through a list: Cursor is the next cursor returned with
// the previous page ("" for the first page), Limit the page size (1–200;
// 0 for the server's default of 50).
type ListOptions struct {
	Cursor string
	Limit  int
}

// ConversationFilter selects and pages conversations. Status is StatusOpen
// or StatusClosed; AssigneeID a user id, "me" or "none" (unassigned).
type ConversationFilter struct {
	Status     string
	AssigneeID string
	ContactID  string
	ListOptions
}

// list is the shape of every list response.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}
