package httpapi

import (
	"net/http"
	"strconv"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/quickreply"
)

// quickReplyRoutes are the quick replies (快捷回复): personal ones for
// every user, team and tenant-wide ones changed by supervisors and
// administrators (and admin-scope tokens).
func (a *API) quickReplyRoutes() []Route {
	if a.quick == nil {
		return nil
	}
	return []Route{
		{Method: "GET", Path: "/api/v1/quick-replies", Summary: "The quick replies the caller sees (own, their teams', tenant-wide), sorted by shortcut", Tag: "quick replies", Access: Read, Out: List[quickreply.QuickReply]{}, Status: 200,
			Query: []Param{{"q", "only those whose shortcut, title or body contains this (case-insensitive, ≤ 200 characters)"},
				{"scope", "personal, team or tenant"}, {"limit", "1–1000 (default 1000)"}}, handler: a.listQuickReplies},
		{Method: "POST", Path: "/api/v1/quick-replies", Summary: "Create a quick reply (team and tenant scope: supervisors and administrators)", Tag: "quick replies", Access: Write, In: QuickReplyInput{}, Out: quickreply.QuickReply{}, Status: 201, handler: a.createQuickReply},
		{Method: "GET", Path: "/api/v1/quick-replies/{id}", Summary: "Get a quick reply the caller sees", Tag: "quick replies", Access: Read, Out: quickreply.QuickReply{}, Status: 200, handler: a.getQuickReply},
		{Method: "PATCH", Path: "/api/v1/quick-replies/{id}", Summary: "Change a quick reply (absent fields stay as they are)", Tag: "quick replies", Access: Write, In: QuickReplyInput{}, Out: quickreply.QuickReply{}, Status: 200, handler: a.updateQuickReply},
		{Method: "DELETE", Path: "/api/v1/quick-replies/{id}", Summary: "Delete a quick reply", Tag: "quick replies", Access: Write, Status: 204, handler: a.deleteQuickReply},
	}
}

// QuickReplyInput creates a quick reply or changes one. scope is personal
// (the default), team (with team_id) or tenant; shortcut uses letters of
// any script, digits, '_' and '-' (1–32); title is at most 100 characters;
// body is 1–5,000 characters of plain text whose variables are
// {{customer.name}}, {{customer.email}}, {{customer.phone}},
// {{agent.name}} and {{agent.email}}.
type QuickReplyInput struct {
	Scope    *string `json:"scope,omitempty"`
	TeamID   *string `json:"team_id,omitempty"`
	Shortcut *string `json:"shortcut,omitempty"`
	Title    *string `json:"title,omitempty"`
	Body     *string `json:"body,omitempty"`
}

func (in QuickReplyInput) domain() quickreply.Input {
	out := quickreply.Input{TeamID: in.TeamID, Shortcut: in.Shortcut, Title: in.Title, Body: in.Body}
	if in.Scope != nil {
		s := quickreply.Scope(*in.Scope)
		out.Scope = &s
	}
	return out
}

// quickViewer describes the caller to the quick-reply service: a user with
// their teams (every team for a supervisor or administrator), or a token
// (an editor with the admin scope).
func (a *API) quickViewer(r *http.Request) (quickreply.Viewer, error) {
	p := principal(r.Context())
	ctx, tenantID := r.Context(), p.TenantID
	var v quickreply.Viewer
	if p.IsToken() {
		v.Editor = p.Scope == auth.ScopeAdmin
	} else {
		v.UserID, v.Editor = p.UserID, p.Role.AtLeast(account.RoleSupervisor)
	}
	var err error
	switch {
	case v.Editor:
		var teams []account.Team
		pg := store.Page{Limit: store.MaxPageSize}
		for {
			var next string
			teams, next, err = a.accounts.ListTeams(ctx, tenantID, pg)
			if err != nil {
				return v, err
			}
			for _, t := range teams {
				v.TeamIDs = append(v.TeamIDs, t.ID)
			}
			if next == "" {
				break
			}
			if pg.After, err = store.DecodeCursor(next); err != nil {
				return v, err
			}
		}
	case v.UserID != "":
		v.TeamIDs, err = a.accounts.UserTeams(ctx, tenantID, v.UserID)
	}
	return v, err
}

func (a *API) listQuickReplies(w http.ResponseWriter, r *http.Request) error {
	qv := r.URL.Query()
	f := quickreply.Filter{Query: qv.Get("q"), Scope: quickreply.Scope(qv.Get("scope"))}
	if l := qv.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > quickreply.MaxList {
			return apperr.New(apperr.BadRequest, "bad_limit", "limit", "max", quickreply.MaxList)
		}
		f.Limit = n
	}
	v, err := a.quickViewer(r)
	if err != nil {
		return err
	}
	items, err := a.quick.List(r.Context(), tenantOf(r), v, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[quickreply.QuickReply]{Items: items})
	return nil
}

func (a *API) createQuickReply(w http.ResponseWriter, r *http.Request) error {
	var in QuickReplyInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	v, err := a.quickViewer(r)
	if err != nil {
		return err
	}
	qr, err := a.quick.Create(r.Context(), tenantOf(r), v, in.domain())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, qr)
	return nil
}

func (a *API) getQuickReply(w http.ResponseWriter, r *http.Request) error {
	rid, err := pathID(r, "id", "quick_reply")
	if err != nil {
		return err
	}
	v, err := a.quickViewer(r)
	if err != nil {
		return err
	}
	qr, err := a.quick.Get(r.Context(), tenantOf(r), v, rid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, qr)
	return nil
}

func (a *API) updateQuickReply(w http.ResponseWriter, r *http.Request) error {
	rid, err := pathID(r, "id", "quick_reply")
	if err != nil {
		return err
	}
	var in QuickReplyInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	v, err := a.quickViewer(r)
	if err != nil {
		return err
	}
	qr, err := a.quick.Update(r.Context(), tenantOf(r), v, rid, in.domain())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, qr)
	return nil
}

func (a *API) deleteQuickReply(w http.ResponseWriter, r *http.Request) error {
	rid, err := pathID(r, "id", "quick_reply")
	if err != nil {
		return err
	}
	v, err := a.quickViewer(r)
	if err != nil {
		return err
	}
	if err := a.quick.Delete(r.Context(), tenantOf(r), v, rid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
