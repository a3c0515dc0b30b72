package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// Login signs a person in. The session cookie goes to the HTTP client's
// cookie jar and the session's CSRF token is kept for the writes that follow.
// A user whose password was set for one use only (Me.MustChangePassword)
// must call ChangePassword before anything else.
func (c *Client) Login(ctx context.Context, in LoginRequest) (*Me, error) {
	var me Me
	if _, err := c.Do(ctx, http.MethodPost, path("auth", "login"), in, &me); err != nil {
		return nil, err
	}
	c.SetCSRFToken(me.CSRFToken)
	return &me, nil
}

// Logout ends the signed-in session.
func (c *Client) Logout(ctx context.Context) error {
	if _, err := c.Do(ctx, http.MethodPost, path("auth", "logout"), nil, nil); err != nil {
		return err
	}
	c.forgetSession()
	return nil
}

func (c *Client) forgetSession() {
	c.mu.Lock()
	c.csrf, c.session = "", nil
	c.mu.Unlock()
}

// Me describes the caller. For a session it also refreshes the CSRF token
// the client sends with writes.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	var me Me
	if _, err := c.Do(ctx, http.MethodGet, path("me"), nil, &me); err != nil {
		return nil, err
	}
	if me.CSRFToken != "" {
		c.SetCSRFToken(me.CSRFToken)
	}
	return &me, nil
}

// ChangePassword changes the signed-in user's password. Every other session
// of the user ends; this one stays signed in.
func (c *Client) ChangePassword(ctx context.Context, current, next string) error {
	_, err := c.Do(ctx, http.MethodPut, path("me", "password"), PasswordChange{CurrentPassword: current, NewPassword: next}, nil)
	return err
}

// MySessions lists the signed-in user's live sessions, most recently used
// first; the one making the request has Current set.
func (c *Client) MySessions(ctx context.Context) ([]Session, error) {
	items, _, err := getList[Session](ctx, c, path("me", "sessions"), nil)
	return items, err
}

// DeleteMySession ends one session of the signed-in user.
func (c *Client) DeleteMySession(ctx context.Context, id string) error {
	_, err := c.Do(ctx, http.MethodDelete, path("me", "sessions", id), nil, nil)
	return err
}

// DeleteAllMySessions ends every session of the signed-in user, this one
// included ("sign out everywhere").
func (c *Client) DeleteAllMySessions(ctx context.Context) error {
	if _, err := c.Do(ctx, http.MethodDelete, path("me", "sessions"), nil, nil); err != nil {
		return err
	}
	c.forgetSession()
	return nil
}

// ListUsers returns one page of the tenant's users and the cursor of the
// next page ("" after the last).
func (c *Client) ListUsers(ctx context.Context, o ListOptions) ([]User, string, error) {
	return getList[User](ctx, c, path("users"), o.values())
}

// CreateUser adds a user (administrators only).
func (c *Client) CreateUser(ctx context.Context, in UserCreate) (*User, error) {
	var u User
	if _, err := c.Do(ctx, http.MethodPost, path("users"), in, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// GetUser returns one user.
func (c *Client) GetUser(ctx context.Context, id string) (*User, error) {
	var u User
	if _, err := c.Do(ctx, http.MethodGet, path("users", id), nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// UpdateUser changes a user's name, role, language or disabled state
// (administrators only). Disabling a user ends their sessions.
func (c *Client) UpdateUser(ctx context.Context, id string, in UserUpdate) (*User, error) {
	var u User
	if _, err := c.Do(ctx, http.MethodPatch, path("users", id), in, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// DeleteUser removes a user (administrators only).
func (c *Client) DeleteUser(ctx context.Context, id string) error {
	_, err := c.Do(ctx, http.MethodDelete, path("users", id), nil, nil)
	return err
}

// SetUserPassword sets a user's password (administrators only) and ends
// their other sessions.
func (c *Client) SetUserPassword(ctx context.Context, id string, in PasswordReset) error {
	_, err := c.Do(ctx, http.MethodPut, path("users", id, "password"), in, nil)
	return err
}

// ListTeams returns one page of teams and the cursor of the next page.
func (c *Client) ListTeams(ctx context.Context, o ListOptions) ([]Team, string, error) {
	return getList[Team](ctx, c, path("teams"), o.values())
}

// CreateTeam adds a team (administrators only).
func (c *Client) CreateTeam(ctx context.Context, in TeamInput) (*Team, error) {
	var t Team
	if _, err := c.Do(ctx, http.MethodPost, path("teams"), in, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// GetTeam returns one team.
func (c *Client) GetTeam(ctx context.Context, id string) (*Team, error) {
	var t Team
	if _, err := c.Do(ctx, http.MethodGet, path("teams", id), nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// UpdateTeam renames or re-describes a team (administrators only).
func (c *Client) UpdateTeam(ctx context.Context, id string, in TeamPatch) (*Team, error) {
	var t Team
	if _, err := c.Do(ctx, http.MethodPatch, path("teams", id), in, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// DeleteTeam removes a team; its members stay users (administrators only).
func (c *Client) DeleteTeam(ctx context.Context, id string) error {
	_, err := c.Do(ctx, http.MethodDelete, path("teams", id), nil, nil)
	return err
}

// TeamMembers lists a team's members.
func (c *Client) TeamMembers(ctx context.Context, teamID string) ([]User, error) {
	items, _, err := getList[User](ctx, c, path("teams", teamID, "members"), nil)
	return items, err
}

// AddTeamMember puts a user in a team; adding twice is harmless
// (administrators only).
func (c *Client) AddTeamMember(ctx context.Context, teamID, userID string) error {
	_, err := c.Do(ctx, http.MethodPut, path("teams", teamID, "members", userID), nil, nil)
	return err
}

// RemoveTeamMember takes a user out of a team (administrators only).
func (c *Client) RemoveTeamMember(ctx context.Context, teamID, userID string) error {
	_, err := c.Do(ctx, http.MethodDelete, path("teams", teamID, "members", userID), nil, nil)
	return err
}

// ListTokens returns one page of API tokens, revoked ones included, and the
// cursor of the next page (administrators only).
func (c *Client) ListTokens(ctx context.Context, o ListOptions) ([]Token, string, error) {
	return getList[Token](ctx, c, path("tokens"), o.values())
}

// CreateToken makes an API token (administrators only). Its secret is in
// the result only: the server keeps a hash.
func (c *Client) CreateToken(ctx context.Context, in TokenCreate) (*TokenCreated, error) {
	var t TokenCreated
	if _, err := c.Do(ctx, http.MethodPost, path("tokens"), in, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// GetToken returns one API token, without its secret (administrators only).
func (c *Client) GetToken(ctx context.Context, id string) (*Token, error) {
	var t Token
	if _, err := c.Do(ctx, http.MethodGet, path("tokens", id), nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// RevokeToken stops an API token from working; it stays listed as revoked
// (administrators only).
func (c *Client) RevokeToken(ctx context.Context, id string) error {
	_, err := c.Do(ctx, http.MethodDelete, path("tokens", id), nil, nil)
	return err
}

// ListContacts returns one page of contacts, oldest first, and the cursor of
// the next page.
func (c *Client) ListContacts(ctx context.Context, o ListOptions) ([]Contact, string, error) {
	return getList[Contact](ctx, c, path("contacts"), o.values())
}

// ListContactsByEmail returns the contact with this e-mail address: a list
// of one, or an empty list.
func (c *Client) ListContactsByEmail(ctx context.Context, email string) ([]Contact, error) {
	items, _, err := getList[Contact](ctx, c, path("contacts"), url.Values{"email": {email}})
	return items, err
}

// CreateContact adds a contact.
func (c *Client) CreateContact(ctx context.Context, in ContactInput) (*Contact, error) {
	var out Contact
	if _, err := c.Do(ctx, http.MethodPost, path("contacts"), in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetContact returns one contact.
func (c *Client) GetContact(ctx context.Context, id string) (*Contact, error) {
	var out Contact
	if _, err := c.Do(ctx, http.MethodGet, path("contacts", id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateContact changes a contact (see ContactInput for what changes).
func (c *Client) UpdateContact(ctx context.Context, id string, in ContactInput) (*Contact, error) {
	var out Contact
	if _, err := c.Do(ctx, http.MethodPatch, path("contacts", id), in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteContact removes a contact and their conversations.
func (c *Client) DeleteContact(ctx context.Context, id string) error {
	_, err := c.Do(ctx, http.MethodDelete, path("contacts", id), nil, nil)
	return err
}

// CreateConversation opens a conversation, with its first message when
// in.Message is set.
func (c *Client) CreateConversation(ctx context.Context, in ConversationCreate) (*ConversationCreated, error) {
	var out ConversationCreated
	if _, err := c.Do(ctx, http.MethodPost, path("conversations"), in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListConversations returns one page of conversations, newest first, and
// the cursor of the next page.
func (c *Client) ListConversations(ctx context.Context, f ConversationFilter) ([]Conversation, string, error) {
	q := f.ListOptions.values()
	for k, v := range map[string]string{"status": f.Status, "assignee_id": f.AssigneeID, "contact_id": f.ContactID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return getList[Conversation](ctx, c, path("conversations"), q)
}

// GetConversation returns one conversation.
func (c *Client) GetConversation(ctx context.Context, id string) (*Conversation, error) {
	var out Conversation
	if _, err := c.Do(ctx, http.MethodGet, path("conversations", id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListMessages returns, in order, up to limit messages (0 for the server's
// maximum of 200) with a sequence number above afterSeq: what a client that
// has seen message afterSeq is missing.
func (c *Client) ListMessages(ctx context.Context, conversationID string, afterSeq int64, limit int) ([]Message, error) {
	q := url.Values{}
	if afterSeq != 0 {
		q.Set("after_seq", strconv.FormatInt(afterSeq, 10))
	}
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	items, _, err := getList[Message](ctx, c, path("conversations", conversationID, "messages"), q)
	return items, err
}

// PostMessage posts a message. created is false when a message with the same
// client id was stored before: then that message is returned and nothing
// changes, so a retry after a lost response is safe.
func (c *Client) PostMessage(ctx context.Context, conversationID string, in MessageCreate) (msg *Message, created bool, err error) {
	var out Message
	resp, err := c.Do(ctx, http.MethodPost, path("conversations", conversationID, "messages"), in, &out)
	if err != nil {
		return nil, false, err
	}
	return &out, resp.StatusCode == http.StatusCreated, nil
}

// Assign assigns a conversation to a user and/or a team.
func (c *Client) Assign(ctx context.Context, conversationID string, in AssignRequest) (*Conversation, error) {
	var out Conversation
	if _, err := c.Do(ctx, http.MethodPost, path("conversations", conversationID, "assign"), in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CloseConversation closes a conversation; closing a closed one changes nothing.
func (c *Client) CloseConversation(ctx context.Context, id string) (*Conversation, error) {
	var out Conversation
	if _, err := c.Do(ctx, http.MethodPost, path("conversations", id, "close"), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReopenConversation opens a closed conversation again.
func (c *Client) ReopenConversation(ctx context.Context, id string) (*Conversation, error) {
	var out Conversation
	if _, err := c.Do(ctx, http.MethodPost, path("conversations", id, "reopen"), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
