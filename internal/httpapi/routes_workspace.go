package httpapi

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/workspace"
)

// workspaceRoutes are the workspace settings (close summaries, the
// response-time target) and the close summary of a conversation. The close
// route itself, which takes the summary, is in the main table.
func (a *API) workspaceRoutes() []Route {
	if a.workspace == nil {
		return nil
	}
	return []Route{
		{Method: "GET", Path: "/api/v1/workspace/settings", Summary: "The workspace settings: close-summary categories, whether a summary is required, the response-time target (defaults until saved)", Tag: "workspace", Access: Read, Out: workspace.Settings{}, Status: 200, handler: a.workspaceSettings},
		{Method: "PUT", Path: "/api/v1/workspace/settings", Summary: "Replace the workspace settings (≤ 50 categories of 1–60 characters, unique regardless of case; target 10–86400 s)", Tag: "workspace", Access: Admin, In: workspace.Settings{}, Out: workspace.Settings{}, Status: 200, handler: a.putWorkspaceSettings},
		{Method: "GET", Path: "/api/v1/conversations/{id}/summary", Summary: "The close summary of a conversation (404 when it was closed without one)", Tag: "workspace", Access: Read, Out: workspace.Summary{}, Status: 200, handler: a.conversationSummary},
	}
}

// CloseRequest is the optional body of a close: the close summary (会话小结).
// Without a body (or with both fields empty) the conversation closes
// without a summary, unless the tenant requires one (422 summary_required).
type CloseRequest struct {
	// Category is one of the tenant's summary categories (matched
	// regardless of case; unknown: 422 unknown_category).
	Category string `json:"category"`
	// Note is the resolution note, at most 2,000 characters.
	Note string `json:"note"`
}

func (a *API) workspaceSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := a.workspace.Settings(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) putWorkspaceSettings(w http.ResponseWriter, r *http.Request) error {
	var in workspace.Settings
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	st, err := a.workspace.PutSettings(r.Context(), tenantOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) conversationSummary(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "conversation")
	if err != nil {
		return err
	}
	if _, err := a.convs.Get(r.Context(), tenantOf(r), cid); err != nil {
		return err
	}
	sum, err := a.workspace.Summary(r.Context(), tenantOf(r), cid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sum)
	return nil
}

// closeConversation closes a conversation with the optional summary in the
// body; the closing user is recorded as the summary's agent.
func (a *API) closeConversation(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "conversation")
	if err != nil {
		return err
	}
	var in CloseRequest
	if err := a.decodeOptional(w, r, &in); err != nil {
		return err
	}
	if a.workspace == nil {
		c, err := a.convs.Close(r.Context(), tenantOf(r), cid)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, c)
		return nil
	}
	c, err := a.workspace.Close(r.Context(), a.convs, tenantOf(r), cid, principal(r.Context()).UserID,
		workspace.SummaryInput{Category: in.Category, Note: in.Note})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// decodeOptional is decode for a body that may be left out: an empty body
// leaves dst as it is.
func (a *API) decodeOptional(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeError(err)
		}
		return apperr.New(apperr.BadRequest, "malformed_json", "")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return apperr.New(apperr.BadRequest, "unsupported_media_type", "")
		}
	}
	return DecodeJSON(bytes.NewReader(body), dst)
}
