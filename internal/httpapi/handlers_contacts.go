package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
)

// ContactInput creates or changes a contact. In a change, absent fields stay
// as they are, lists given replace the old ones, and attributes merge (an
// attribute set to null is removed). Tags: at most 20, each 1–32
// characters without commas; repeats (in any case) are dropped.
type ContactInput struct {
	Name        *string                    `json:"name,omitempty"`
	Emails      []string                   `json:"emails,omitempty"`
	Phones      []string                   `json:"phones,omitempty"`
	ExternalIDs []contact.ExternalID       `json:"external_ids,omitempty"`
	Attributes  map[string]json.RawMessage `json:"attributes,omitempty"`
	Tags        []string                   `json:"tags,omitempty"`
}

func (in ContactInput) domain() contact.Input {
	return contact.Input{Name: in.Name, Emails: in.Emails, Phones: in.Phones, ExternalIDs: in.ExternalIDs, Attributes: in.Attributes,
		Tags: in.Tags}
}

// ConversationCreate opens a conversation.
type ConversationCreate struct {
	ContactID  string         `json:"contact_id"`
	Channel    string         `json:"channel,omitempty"`
	Subject    string         `json:"subject,omitempty"`
	AssigneeID string         `json:"assignee_id,omitempty"`
	TeamID     string         `json:"team_id,omitempty"`
	Message    *MessageCreate `json:"message,omitempty"`
}

// ConversationCreated is a new conversation with its first message.
type ConversationCreated struct {
	Conversation conversation.Conversation `json:"conversation"`
	Message      *conversation.Message     `json:"message"`
}

// MessageCreate posts a message. A user posts as themselves; an API token
// posts as an integration, or as the conversation's contact with
// "author": "contact" (a mobile app relaying its user). client_id makes
// retries safe: the same client_id is stored once.
type MessageCreate struct {
	Body     string `json:"body"`
	ClientID string `json:"client_id,omitempty"`
	Private  bool   `json:"private,omitempty"`
	Author   string `json:"author,omitempty"`
}

// AssignRequest assigns a conversation; null or empty clears a field.
type AssignRequest struct {
	AssigneeID *string `json:"assignee_id"`
	TeamID     *string `json:"team_id"`
}

func (a *API) listContacts(w http.ResponseWriter, r *http.Request) error {
	if email := r.URL.Query().Get("email"); email != "" {
		c, err := a.contacts.ByEmail(r.Context(), tenantOf(r), email)
		items := []contact.Contact{}
		if err == nil {
			items = append(items, c)
		} else if !apperr.IsKind(err, apperr.NotFound) {
			return err
		}
		writeJSON(w, http.StatusOK, List[contact.Contact]{Items: items})
		return nil
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	items, next, err := a.contacts.List(r.Context(), tenantOf(r), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[contact.Contact]{Items: items, NextCursor: next})
	return nil
}

func (a *API) createContact(w http.ResponseWriter, r *http.Request) error {
	var in ContactInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.contacts.Create(r.Context(), tenantOf(r), in.domain())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) updateContact(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "contact")
	if err != nil {
		return err
	}
	var in ContactInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.contacts.Update(r.Context(), tenantOf(r), cid, in.domain())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) listConversations(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	qv := r.URL.Query()
	f := conversation.Filter{Status: conversation.Status(qv.Get("status")), ContactID: qv.Get("contact_id")}
	switch v := qv.Get("assignee_id"); v {
	case "":
	case "none":
		f.AssigneeID = conversation.Unassigned
	case "me":
		f.AssigneeID = principal(r.Context()).UserID
		if f.AssigneeID == "" {
			return apperr.Invalidf("assignee_id", "me_needs_user")
		}
	default:
		if !id.Valid(v) {
			return apperr.Invalidf("assignee_id", "invalid_id")
		}
		f.AssigneeID = v
	}
	if f.ContactID != "" && !id.Valid(f.ContactID) {
		return apperr.Invalidf("contact_id", "invalid_id")
	}
	items, next, err := a.convs.List(r.Context(), tenantOf(r), f, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[conversation.Conversation]{Items: items, NextCursor: next})
	return nil
}

// author turns the caller and the requested author into a message sender.
func author(r *http.Request, m MessageCreate) (conversation.NewMessage, error) {
	p := principal(r.Context())
	nm := conversation.NewMessage{Body: m.Body, ClientID: m.ClientID, Private: m.Private}
	switch {
	case m.Author == "" && !p.IsToken():
		nm.SenderType, nm.SenderID = conversation.SenderAgent, p.UserID
	case m.Author == "" || m.Author == "integration":
		if !p.IsToken() {
			return nm, apperr.Invalidf("author", "invalid_author")
		}
		nm.SenderType, nm.SenderID = conversation.SenderIntegration, p.TokenID
	case m.Author == "contact" && p.IsToken():
		nm.SenderType = conversation.SenderContact
	default:
		return nm, apperr.Invalidf("author", "invalid_author")
	}
	return nm, nil
}

func (a *API) createConversation(w http.ResponseWriter, r *http.Request) error {
	var in ConversationCreate
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	nc := conversation.NewConversation{ContactID: in.ContactID, Channel: in.Channel, Subject: in.Subject,
		AssigneeID: in.AssigneeID, TeamID: in.TeamID}
	for field, v := range map[string]string{"contact_id": in.ContactID, "assignee_id": in.AssigneeID, "team_id": in.TeamID} {
		if v != "" && !id.Valid(v) {
			return apperr.Invalidf(field, "invalid_id")
		}
	}
	if in.Message != nil {
		m, err := author(r, *in.Message)
		if err != nil {
			return err
		}
		nc.Message = &m
	}
	c, m, err := a.convs.Create(r.Context(), tenantOf(r), nc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ConversationCreated{Conversation: c, Message: m})
	return nil
}

func (a *API) listMessages(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "conversation")
	if err != nil {
		return err
	}
	qv := r.URL.Query()
	var after int64
	if v := qv.Get("after_seq"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			return apperr.New(apperr.BadRequest, "bad_after_seq", "after_seq")
		}
	}
	limit := 0
	if v := qv.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 200 {
			return apperr.New(apperr.BadRequest, "bad_limit", "limit", "max", 200)
		}
	}
	msgs, err := a.convs.Messages(r.Context(), tenantOf(r), cid, after, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[conversation.Message]{Items: msgs})
	return nil
}

func (a *API) postMessage(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "conversation")
	if err != nil {
		return err
	}
	var in MessageCreate
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	nm, err := author(r, in)
	if err != nil {
		return err
	}
	m, created, err := a.convs.Post(r.Context(), tenantOf(r), cid, nm)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	writeJSON(w, status, m)
	return nil
}

func (a *API) assign(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "conversation")
	if err != nil {
		return err
	}
	var in AssignRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	deref := func(field string, p *string) (string, error) {
		if p == nil || *p == "" {
			return "", nil
		}
		if !id.Valid(*p) {
			return "", apperr.Invalidf(field, "invalid_id")
		}
		return *p, nil
	}
	assignee, err := deref("assignee_id", in.AssigneeID)
	if err != nil {
		return err
	}
	team, err := deref("team_id", in.TeamID)
	if err != nil {
		return err
	}
	c, err := a.convs.Assign(r.Context(), tenantOf(r), cid, assignee, team)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
