package httpapi

import (
	"context"
	"net/http"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/routing"
)

// routingRoutes are agents' status and capacity, teams' routing profiles,
// the tenant's routing rules, the queue and transfers.
func (a *API) routingRoutes() []Route {
	if a.router == nil {
		return nil
	}
	return []Route{
		{Method: "GET", Path: "/api/v1/routing", Summary: "Routing settings and ordered rules (broken rules marked), and the skills teams offer", Tag: "routing", Access: Read, Out: routing.Config{}, Status: 200, handler: a.routingConfig},
		{Method: "PUT", Path: "/api/v1/routing/settings", Summary: "Change the routing settings (default strategy and capacity, sticky wait, auto-away, queue limit, fallback)", Tag: "routing", Access: Admin, In: routing.Settings{}, Out: routing.Config{}, Status: 200, handler: a.putRoutingSettings},
		{Method: "PUT", Path: "/api/v1/routing/rules", Summary: "Replace the ordered routing rules (the first that matches decides)", Tag: "routing", Access: Admin, In: RoutingRules{}, Out: routing.Config{}, Status: 200, handler: a.putRoutingRules},
		{Method: "GET", Path: "/api/v1/routing/teams", Summary: "Every team's skills, languages, default capacity and business hours", Tag: "routing", Access: Read, Out: List[routing.TeamRouting]{}, Status: 200, handler: a.routingTeams},
		{Method: "PUT", Path: "/api/v1/routing/teams/{id}", Summary: "Change a team's skills, languages, default capacity and business hours (with holidays and time zone)", Tag: "routing", Access: Admin, In: routing.TeamProfile{}, Out: routing.TeamRouting{}, Status: 200, handler: a.putRoutingTeam},
		{Method: "GET", Path: "/api/v1/agents", Summary: "Every user's status, capacity and open conversations", Tag: "routing", Access: Read, Out: List[routing.Agent]{}, Status: 200, handler: a.listAgents},
		{Method: "GET", Path: "/api/v1/agents/me", Summary: "My status, capacity and open conversations", Tag: "routing", Access: Read, Out: routing.Agent{}, Status: 200, handler: a.myAgent},
		{Method: "PUT", Path: "/api/v1/agents/me/status", Summary: "Set my status: online, away or offline", Tag: "routing", Access: Read, In: AgentStatus{}, Out: routing.Agent{}, Status: 200, handler: a.setMyStatus},
		{Method: "PUT", Path: "/api/v1/agents/{id}/status", Summary: "Set an agent's status (supervisors and admins)", Tag: "routing", Access: Write, In: AgentStatus{}, Out: routing.Agent{}, Status: 200, handler: a.setAgentStatus},
		{Method: "PUT", Path: "/api/v1/agents/{id}/capacity", Summary: "Set an agent's own capacity, 1–50 (null: their teams' or the tenant's default)", Tag: "routing", Access: Admin, In: AgentCapacity{}, Out: routing.Agent{}, Status: 200, handler: a.setAgentCapacity},
		{Method: "GET", Path: "/api/v1/queue", Summary: "The waiting conversations in queue order, with position, estimated wait and whether anyone can serve them", Tag: "routing", Access: Read, Out: List[routing.Position]{}, Status: 200, handler: a.queue},
		{Method: "POST", Path: "/api/v1/conversations/{id}/transfer", Summary: "Transfer to an online agent with a free slot, or back to the queue for a team, with a note the receiver sees", Tag: "conversations", Access: Write, In: routing.Transfer{}, Out: conversation.Conversation{}, Status: 200, handler: a.transfer},
	}
}

// RoutingRules is the ordered rule list to save.
type RoutingRules struct {
	Rules []routing.Rule `json:"rules"`
}

// AgentStatus is a status to set.
type AgentStatus struct {
	Status routing.Status `json:"status"`
}

// AgentCapacity is a capacity to set (null clears it).
type AgentCapacity struct {
	Capacity *int `json:"capacity"`
}

func (a *API) routingConfig(w http.ResponseWriter, r *http.Request) error {
	c, err := a.router.Config(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) putRoutingSettings(w http.ResponseWriter, r *http.Request) error {
	var in routing.Settings
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.router.PutSettings(r.Context(), tenantOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) putRoutingRules(w http.ResponseWriter, r *http.Request) error {
	var in RoutingRules
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.router.PutRules(r.Context(), tenantOf(r), in.Rules)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) routingTeams(w http.ResponseWriter, r *http.Request) error {
	teams, err := a.router.Teams(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[routing.TeamRouting]{Items: teams})
	return nil
}

func (a *API) putRoutingTeam(w http.ResponseWriter, r *http.Request) error {
	teamID, err := pathID(r, "id", "team")
	if err != nil {
		return err
	}
	var in routing.TeamProfile
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	t, err := a.router.PutTeam(r.Context(), tenantOf(r), teamID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (a *API) listAgents(w http.ResponseWriter, r *http.Request) error {
	list, err := a.router.Agents(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[routing.Agent]{Items: list})
	return nil
}

// me is the signed-in user calling (tokens are not agents).
func me(r *http.Request) (string, error) {
	p := principal(r.Context())
	if p.IsToken() || p.UserID == "" {
		return "", apperr.New(apperr.Forbidden, "users_only", "")
	}
	return p.UserID, nil
}

func (a *API) myAgent(w http.ResponseWriter, r *http.Request) error {
	uid, err := me(r)
	if err != nil {
		return err
	}
	ag, err := a.router.Agent(r.Context(), tenantOf(r), uid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ag)
	return nil
}

func (a *API) setMyStatus(w http.ResponseWriter, r *http.Request) error {
	uid, err := me(r)
	if err != nil {
		return err
	}
	return a.setStatus(w, r, uid)
}

func (a *API) setAgentStatus(w http.ResponseWriter, r *http.Request) error {
	uid, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	if p := principal(r.Context()); !p.IsToken() && p.UserID != uid && !p.Role.AtLeast(account.RoleSupervisor) {
		return apperr.New(apperr.Forbidden, "forbidden", "")
	}
	return a.setStatus(w, r, uid)
}

func (a *API) setStatus(w http.ResponseWriter, r *http.Request, uid string) error {
	var in AgentStatus
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	ag, err := a.router.SetStatus(r.Context(), tenantOf(r), uid, in.Status)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ag)
	return nil
}

func (a *API) setAgentCapacity(w http.ResponseWriter, r *http.Request) error {
	uid, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	var in AgentCapacity
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	ag, err := a.router.SetCapacity(r.Context(), tenantOf(r), uid, in.Capacity)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ag)
	return nil
}

func (a *API) queue(w http.ResponseWriter, r *http.Request) error {
	list, err := a.router.Positions(r.Context(), tenantOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[routing.Position]{Items: list})
	return nil
}

func (a *API) transfer(w http.ResponseWriter, r *http.Request) error {
	convID, err := pathID(r, "id", "conversation")
	if err != nil {
		return err
	}
	var in routing.Transfer
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	by := ""
	if p := principal(r.Context()); !p.IsToken() {
		by = p.UserID
	}
	c, err := a.router.Transfer(r.Context(), tenantOf(r), convID, by, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// teamsChanged wraps the deletion of a team so that the router sees it at once.
func (a *API) teamsChanged(del func(ctx context.Context, tenantID, id string) error) func(context.Context, string, string) error {
	return func(ctx context.Context, tenantID, id string) error {
		err := del(ctx, tenantID, id)
		if err == nil && a.router != nil {
			a.router.TeamsChanged(tenantID)
		}
		return err
	}
}

// membersChanged wraps a change of a team's members so that the router sees it at once.
func (a *API) membersChanged(fn func(ctx context.Context, tenantID, teamID, userID string) error) func(context.Context, string, string, string) error {
	return func(ctx context.Context, tenantID, teamID, userID string) error {
		err := fn(ctx, tenantID, teamID, userID)
		if err == nil && a.router != nil {
			a.router.TeamsChanged(tenantID)
		}
		return err
	}
}
