package httpapi

import (
	"net/http"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/csat"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
)

var csatFilterParams = []Param{
	{"agent_id", "one agent's ratings (an agent always sees only their own)"},
	{"team_id", "one team's ratings"},
	{"channel_id", "one channel's ratings"},
	{"from", "rated at or after this time (RFC 3339, or a date YYYY-MM-DD in UTC)"},
	{"to", "rated before this time (RFC 3339, or a date YYYY-MM-DD in UTC: up to the end of that day)"},
}

// csatRoutes are the customers' satisfaction ratings: lists, summaries per
// agent, team or channel, and the rating of one conversation. Agents see
// only their own ratings; supervisors, administrators and tokens see all.
func (a *API) csatRoutes() []Route {
	if a.csat == nil {
		return nil
	}
	return []Route{
		{Method: "GET", Path: "/api/v1/csat/ratings", Summary: "Satisfaction ratings, newest first (an agent's own only)", Tag: "csat", Access: Read,
			Out: List[csat.Rating]{}, Status: 200, Query: append(append([]Param{}, csatFilterParams...), pageParams...), handler: a.csatRatings},
		{Method: "GET", Path: "/api/v1/csat/summary", Summary: "Count, average and distribution of the ratings, in all and per agent, team or channel (an agent's own only)", Tag: "csat", Access: Read,
			Out: csat.Summary{}, Status: 200, Query: append([]Param{{"group", "agent, team or channel (empty: the total only)"}}, csatFilterParams...), handler: a.csatSummary},
		{Method: "GET", Path: "/api/v1/conversations/{id}/csat", Summary: "The customer's rating of a conversation (404 when not rated; an agent only their own)", Tag: "csat", Access: Read,
			Out: csat.Rating{}, Status: 200, handler: a.csatOfConversation},
	}
}

// ownRatingsOnly reports whether the caller is an agent, who sees only the
// ratings of conversations they served.
func ownRatingsOnly(p *auth.Principal) bool {
	return !p.IsToken() && p.Role == account.RoleAgent
}

// csatFilter reads the filter of the query; an agent's is forced to their
// own ratings (403 when asking for someone else's).
func csatFilter(r *http.Request) (csat.Filter, error) {
	qv := r.URL.Query()
	f := csat.Filter{AgentID: qv.Get("agent_id"), TeamID: qv.Get("team_id"), ChannelID: qv.Get("channel_id")}
	for _, x := range []struct{ field, v string }{{"agent_id", f.AgentID}, {"team_id", f.TeamID}, {"channel_id", f.ChannelID}} {
		if x.v != "" && !id.Valid(x.v) {
			return f, apperr.Invalidf(x.field, "invalid_id")
		}
	}
	var err error
	if f.From, err = csatTime("from", qv.Get("from"), false); err != nil {
		return f, err
	}
	if f.To, err = csatTime("to", qv.Get("to"), true); err != nil {
		return f, err
	}
	if p := principal(r.Context()); ownRatingsOnly(p) {
		if f.AgentID != "" && f.AgentID != p.UserID {
			return f, apperr.New(apperr.Forbidden, "forbidden", "agent_id")
		}
		f.AgentID = p.UserID
	}
	return f, nil
}

// csatTime reads a time bound: RFC 3339, or a day (the start of it; for the
// upper bound, the start of the next day, so that the day is included).
func csatTime(field, v string, upper bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if len(v) > 40 {
		return time.Time{}, apperr.Invalidf(field, "csat_invalid_time")
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil && t.Year() >= 1970 && t.Year() < 10000 {
		return t, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil || d.Year() < 1970 {
		return time.Time{}, apperr.Invalidf(field, "csat_invalid_time")
	}
	if upper {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

func (a *API) csatRatings(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	f, err := csatFilter(r)
	if err != nil {
		return err
	}
	items, next, err := a.csat.List(r.Context(), tenantOf(r), f, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[csat.Rating]{Items: items, NextCursor: next})
	return nil
}

func (a *API) csatSummary(w http.ResponseWriter, r *http.Request) error {
	f, err := csatFilter(r)
	if err != nil {
		return err
	}
	s, err := a.csat.Summarize(r.Context(), tenantOf(r), r.URL.Query().Get("group"), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

func (a *API) csatOfConversation(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id", "conversation")
	if err != nil {
		return err
	}
	if _, err := a.convs.Get(r.Context(), tenantOf(r), cid); err != nil {
		return err
	}
	rt, err := a.csat.ForConversation(r.Context(), tenantOf(r), cid)
	if err != nil {
		return err
	}
	if p := principal(r.Context()); ownRatingsOnly(p) && rt.AgentID != p.UserID {
		return apperr.New(apperr.Forbidden, "forbidden", "")
	}
	writeJSON(w, http.StatusOK, rt)
	return nil
}
