package httpapi

import (
	"net/http"

	"github.com/switchboard-cs/switchboard/internal/bot/assistant"
	"github.com/switchboard-cs/switchboard/internal/contact"
)

// customerRoutes serve the agent's customer panel and reply suggestions:
// a contact's tags one at a time, and the bot's best knowledge-base answers
// to the customer's last question in a conversation.
func (a *API) customerRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/api/v1/contacts/{id}/tags", Summary: "Add a tag to a contact (one it has in any case changes nothing); returns the contact", Tag: "contacts", Access: Write, In: TagInput{}, Out: contact.Contact{}, Status: 200, handler: a.addContactTag},
		{Method: "DELETE", Path: "/api/v1/contacts/{id}/tags/{tag}", Summary: "Remove a tag (in any case) from a contact; returns the contact", Tag: "contacts", Access: Write, Out: contact.Contact{}, Status: 200, handler: a.removeContactTag},
		{Method: "GET", Path: "/api/v1/conversations/{id}/suggestions", Summary: "The bot's top three knowledge-base answers (plain text) to the customer's last question in the conversation; empty items when there is none", Tag: "conversations", Access: Read, Out: assistant.Suggestions{}, Status: 200, handler: a.suggestions},
	}
}

// TagInput names one tag (1–32 characters, no comma).
type TagInput struct {
	Tag string `json:"tag"`
}

func (a *API) addContactTag(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "contact")
	if err != nil {
		return err
	}
	var in TagInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.contacts.AddTag(r.Context(), tenantOf(r), cid, in.Tag)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) removeContactTag(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "contact")
	if err != nil {
		return err
	}
	c, err := a.contacts.RemoveTag(r.Context(), tenantOf(r), cid, r.PathValue("tag"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) suggestions(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "conversation")
	if err != nil {
		return err
	}
	conv, err := a.convs.Get(r.Context(), tenantOf(r), cid)
	if err != nil {
		return err
	}
	msgs, err := a.convs.Messages(r.Context(), tenantOf(r), cid, max(0, conv.LastSeq-assistant.SuggestWindow), assistant.SuggestWindow)
	if err != nil {
		return err
	}
	out := assistant.Suggestions{Question: assistant.LastQuestion(msgs), Items: []assistant.Suggestion{}}
	if a.bot != nil {
		if out, err = a.bot.Suggest(r.Context(), tenantOf(r), msgs); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
