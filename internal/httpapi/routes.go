package httpapi

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

var pageParams = []Param{
	{"cursor", "next_cursor of the previous page"},
	{"limit", "page size, 1–200 (default 50)"},
}

// table is the whole API: every route, its access and its documentation.
func (a *API) table() []Route {
	return append([]Route{
		{Method: "GET", Path: "/api/v1/openapi.json", Summary: "This API as an OpenAPI 3.1 document", Tag: "meta", Access: Public, Out: OpenAPIDoc{}, Status: 200, handler: a.openAPI},

		{Method: "POST", Path: "/api/v1/auth/login", Summary: "Sign in with e-mail and password; sets the session cookie", Tag: "auth", Access: Public, In: LoginRequest{}, Out: Me{}, Status: 200, handler: a.login},
		{Method: "POST", Path: "/api/v1/auth/logout", Summary: "Sign out of this session", Tag: "auth", Access: Authenticated, Status: 204, handler: a.logout},
		{Method: "GET", Path: "/api/v1/me", Summary: "The caller: user or token, tenant, CSRF token", Tag: "auth", Access: Authenticated, Out: Me{}, Status: 200, handler: a.me},
		{Method: "PUT", Path: "/api/v1/me/password", Summary: "Change my password", Tag: "auth", Access: Authenticated, In: PasswordChange{}, Status: 204, handler: a.changePassword},
		{Method: "GET", Path: "/api/v1/me/sessions", Summary: "List my signed-in sessions", Tag: "auth", Access: Authenticated, Out: List[auth.Session]{}, Status: 200, handler: a.mySessions},
		{Method: "DELETE", Path: "/api/v1/me/sessions", Summary: "Sign out all my sessions, this one included", Tag: "auth", Access: Authenticated, Status: 204, handler: a.logoutAll},
		{Method: "DELETE", Path: "/api/v1/me/sessions/{id}", Summary: "Sign out one of my sessions", Tag: "auth", Access: Authenticated, Status: 204, handler: a.deleteSession},

		{Method: "GET", Path: "/api/v1/users", Summary: "List users", Tag: "users", Access: Read, Out: List[account.User]{}, Status: 200, Query: pageParams, handler: listRoute(a.accounts.ListUsers)},
		{Method: "POST", Path: "/api/v1/users", Summary: "Create a user", Tag: "users", Access: Admin, In: UserCreate{}, Out: account.User{}, Status: 201, handler: a.createUser},
		{Method: "GET", Path: "/api/v1/users/{id}", Summary: "Get a user", Tag: "users", Access: Read, Out: account.User{}, Status: 200, handler: oneRoute("user", a.accounts.GetUser)},
		{Method: "PATCH", Path: "/api/v1/users/{id}", Summary: "Change a user's name, role, language or disabled state", Tag: "users", Access: Admin, In: UserUpdate{}, Out: account.User{}, Status: 200, handler: a.updateUser},
		{Method: "DELETE", Path: "/api/v1/users/{id}", Summary: "Delete a user", Tag: "users", Access: Admin, Status: 204, handler: a.deleteUser},
		{Method: "PUT", Path: "/api/v1/users/{id}/password", Summary: "Set a user's password (by default they must change it at next login)", Tag: "users", Access: Admin, In: PasswordReset{}, Status: 204, handler: a.resetPassword},

		{Method: "GET", Path: "/api/v1/teams", Summary: "List teams", Tag: "teams", Access: Read, Out: List[account.Team]{}, Status: 200, Query: pageParams, handler: listRoute(a.accounts.ListTeams)},
		{Method: "POST", Path: "/api/v1/teams", Summary: "Create a team", Tag: "teams", Access: Admin, In: TeamInput{}, Out: account.Team{}, Status: 201, handler: a.createTeam},
		{Method: "GET", Path: "/api/v1/teams/{id}", Summary: "Get a team", Tag: "teams", Access: Read, Out: account.Team{}, Status: 200, handler: oneRoute("team", a.accounts.GetTeam)},
		{Method: "PATCH", Path: "/api/v1/teams/{id}", Summary: "Change a team", Tag: "teams", Access: Admin, In: TeamPatch{}, Out: account.Team{}, Status: 200, handler: a.updateTeam},
		{Method: "DELETE", Path: "/api/v1/teams/{id}", Summary: "Delete a team", Tag: "teams", Access: Admin, Status: 204, handler: deleteRoute("team", a.teamsChanged(a.accounts.DeleteTeam))},
		{Method: "GET", Path: "/api/v1/teams/{id}/members", Summary: "List a team's members", Tag: "teams", Access: Read, Out: List[account.User]{}, Status: 200, handler: a.teamMembers},
		{Method: "PUT", Path: "/api/v1/teams/{id}/members/{user_id}", Summary: "Add a user to a team", Tag: "teams", Access: Admin, Status: 204, handler: membershipRoute(a.membersChanged(a.accounts.AddMember))},
		{Method: "DELETE", Path: "/api/v1/teams/{id}/members/{user_id}", Summary: "Remove a user from a team", Tag: "teams", Access: Admin, Status: 204, handler: membershipRoute(a.membersChanged(a.accounts.RemoveMember))},

		{Method: "GET", Path: "/api/v1/tokens", Summary: "List API tokens (never their secrets)", Tag: "tokens", Access: Admin, Out: List[auth.Token]{}, Status: 200, Query: pageParams, handler: listRoute(a.auth.Tokens)},
		{Method: "POST", Path: "/api/v1/tokens", Summary: "Create an API token; its secret is in this response only", Tag: "tokens", Access: Admin, In: TokenCreate{}, Out: TokenCreated{}, Status: 201, handler: a.createToken},
		{Method: "GET", Path: "/api/v1/tokens/{id}", Summary: "Get an API token", Tag: "tokens", Access: Admin, Out: auth.Token{}, Status: 200, handler: oneRoute("token", a.auth.GetToken)},
		{Method: "DELETE", Path: "/api/v1/tokens/{id}", Summary: "Revoke an API token", Tag: "tokens", Access: Admin, Status: 204, handler: deleteRoute("token", a.auth.RevokeToken)},

		{Method: "GET", Path: "/api/v1/channels", Summary: "List website channels (with their widget snippets)", Tag: "channels", Access: Admin, Out: List[ChannelOut]{}, Status: 200, Query: pageParams, handler: a.listChannels},
		{Method: "POST", Path: "/api/v1/channels", Summary: "Create a website channel", Tag: "channels", Access: Admin, In: ChannelInput{}, Out: ChannelOut{}, Status: 201, handler: a.createChannel},
		{Method: "GET", Path: "/api/v1/channels/{id}", Summary: "Get a channel", Tag: "channels", Access: Admin, Out: ChannelOut{}, Status: 200, handler: a.getChannel},
		{Method: "PATCH", Path: "/api/v1/channels/{id}", Summary: "Change a channel's name or settings, or rotate its identity secret", Tag: "channels", Access: Admin, In: ChannelPatch{}, Out: ChannelOut{}, Status: 200, handler: a.updateChannel},
		{Method: "DELETE", Path: "/api/v1/channels/{id}", Summary: "Delete a channel (its conversations stay)", Tag: "channels", Access: Admin, Status: 204, handler: deleteRoute("channel", a.channels.Delete)},

		{Method: "GET", Path: "/api/v1/contacts", Summary: "List contacts", Tag: "contacts", Access: Read, Out: List[contact.Contact]{}, Status: 200,
			Query: append([]Param{{"email", "only the contact with this e-mail address"}}, pageParams...), handler: a.listContacts},
		{Method: "POST", Path: "/api/v1/contacts", Summary: "Create a contact", Tag: "contacts", Access: Write, In: ContactInput{}, Out: contact.Contact{}, Status: 201, handler: a.createContact},
		{Method: "GET", Path: "/api/v1/contacts/{id}", Summary: "Get a contact", Tag: "contacts", Access: Read, Out: contact.Contact{}, Status: 200, handler: oneRoute("contact", a.contacts.Get)},
		{Method: "PATCH", Path: "/api/v1/contacts/{id}", Summary: "Change a contact (lists replace, attributes merge, null removes)", Tag: "contacts", Access: Write, In: ContactInput{}, Out: contact.Contact{}, Status: 200, handler: a.updateContact},
		{Method: "DELETE", Path: "/api/v1/contacts/{id}", Summary: "Delete a contact and their conversations", Tag: "contacts", Access: Write, Status: 204, handler: deleteRoute("contact", a.contacts.Delete)},

		{Method: "GET", Path: "/api/v1/conversations", Summary: "List conversations, newest first", Tag: "conversations", Access: Read, Out: List[conversation.Conversation]{}, Status: 200,
			Query: append([]Param{{"status", "open or closed"}, {"assignee_id", "a user id, \"me\", or \"none\" for unassigned"}, {"contact_id", "one contact's conversations"}}, pageParams...), handler: a.listConversations},
		{Method: "POST", Path: "/api/v1/conversations", Summary: "Open a conversation, optionally with a first message", Tag: "conversations", Access: Write, In: ConversationCreate{}, Out: ConversationCreated{}, Status: 201, handler: a.createConversation},
		{Method: "GET", Path: "/api/v1/conversations/{id}", Summary: "Get a conversation", Tag: "conversations", Access: Read, Out: conversation.Conversation{}, Status: 200, handler: oneRoute("conversation", a.convs.Get)},
		{Method: "GET", Path: "/api/v1/conversations/{id}/messages", Summary: "Messages after a sequence number, in order", Tag: "conversations", Access: Read, Out: List[conversation.Message]{}, Status: 200,
			Query: []Param{{"after_seq", "return messages with a higher sequence number (default 0)"}, {"limit", "1–200 (default 200)"}}, handler: a.listMessages},
		{Method: "POST", Path: "/api/v1/conversations/{id}/messages", Summary: "Post a message (201), or get the one already stored with this client_id (200)", Tag: "conversations", Access: Write, In: MessageCreate{}, Out: conversation.Message{}, Status: 201, handler: a.postMessage},
		{Method: "POST", Path: "/api/v1/conversations/{id}/assign", Summary: "Assign to a user and/or team (null unassigns)", Tag: "conversations", Access: Write, In: AssignRequest{}, Out: conversation.Conversation{}, Status: 200, handler: a.assign},
		{Method: "POST", Path: "/api/v1/conversations/{id}/close", Summary: "Close a conversation, optionally with a close summary {category, note} (the body may be left out unless the tenant requires summaries: 422 summary_required)", Tag: "conversations", Access: Write, In: CloseRequest{}, Out: conversation.Conversation{}, Status: 200, handler: a.closeConversation},
		{Method: "POST", Path: "/api/v1/conversations/{id}/uploads", Summary: "Upload a file (multipart/form-data, field \"file\", ≤ 10 MiB) to attach to a message", Tag: "conversations", Access: Write, In: Multipart{}, Out: conversation.Attachment{}, Status: 201, handler: a.uploadToConversation},
		{Method: "POST", Path: "/api/v1/conversations/{id}/reopen", Summary: "Reopen a conversation", Tag: "conversations", Access: Write, Out: conversation.Conversation{}, Status: 200, handler: oneRoute("conversation", a.convs.Reopen)},
	}, slices.Concat(a.kbRoutes(), a.botRoutes(), a.routingRoutes(), a.quickReplyRoutes(), a.workspaceRoutes(),
		a.customerRoutes(), a.notificationRoutes(), a.csatRoutes())...)
}

// pathID returns a path id, answering 404 at once for one that cannot exist.
func pathID(r *http.Request, name, what string) (string, error) {
	v := r.PathValue(name)
	if !id.Valid(v) {
		return "", apperr.NotFoundf(what)
	}
	return v, nil
}

// page reads the cursor and limit query parameters.
func page(r *http.Request) (store.Page, error) {
	qv := r.URL.Query()
	var p store.Page
	after, err := store.DecodeCursor(qv.Get("cursor"))
	if err != nil {
		return p, apperr.New(apperr.BadRequest, "bad_cursor", "cursor")
	}
	p.After = after
	if l := qv.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > store.MaxPageSize {
			return p, apperr.New(apperr.BadRequest, "bad_limit", "limit", "max", store.MaxPageSize)
		}
		p.Limit = n
	}
	return p, nil
}
