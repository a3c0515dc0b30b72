package routing

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
)

// Config is a tenant's routing configuration as the admin page shows it.
type Config struct {
	Settings Settings `json:"settings"`
	// FallbackBroken lists what the fallback points to that no longer
	// exists; routing then treats it as "any agent".
	FallbackBroken []string `json:"fallback_broken,omitempty"`
	Rules          []Rule   `json:"rules"`
	// Skills are every skill some team offers, for the rule editor.
	Skills []string `json:"skills"`
}

// Config returns the tenant's settings and rules, broken ones marked.
func (r *Router) Config(ctx context.Context, tenantID string) (Config, error) {
	snap, err := r.readSnapshot(ctx, tenantID)
	if err != nil {
		return Config{}, err
	}
	c := Config{Settings: snap.settings, Rules: snap.rules, Skills: []string{}}
	c.FallbackBroken = snap.broken(&c.Settings.Fallback)
	seen := map[string]bool{}
	for _, t := range snap.teams {
		for _, s := range t.profile.Skills {
			if !seen[s] {
				seen[s] = true
				c.Skills = append(c.Skills, s)
			}
		}
	}
	sort.Strings(c.Skills)
	return c, nil
}

// PutSettings replaces the tenant's routing settings.
func (r *Router) PutSettings(ctx context.Context, tenantID string, s Settings) (Config, error) {
	if err := s.normalize(); err != nil {
		return Config{}, err
	}
	snap, err := r.readSnapshot(ctx, tenantID)
	if err != nil {
		return Config{}, err
	}
	if err := snap.checkTarget("fallback", &s.Fallback); err != nil {
		return Config{}, err
	}
	b, _ := json.Marshal(s)
	if _, err := r.db.Tenant(tenantID).Exec(ctx, q.Get("PutSettings"), string(b), r.now().UnixMilli()); err != nil {
		return Config{}, err
	}
	return r.afterChange(ctx, tenantID)
}

// PutRules replaces the tenant's ordered rules. Rules must point to teams
// that exist when saved; a team deleted later makes its rules broken
// (shown, and skipped by routing).
func (r *Router) PutRules(ctx context.Context, tenantID string, rules []Rule) (Config, error) {
	if rules == nil {
		rules = []Rule{}
	}
	if err := normalizeRules(rules); err != nil {
		return Config{}, err
	}
	snap, err := r.readSnapshot(ctx, tenantID)
	if err != nil {
		return Config{}, err
	}
	for i := range rules {
		if err := snap.checkTarget("rules["+strconv.Itoa(i)+"].then", &rules[i].Then); err != nil {
			return Config{}, err
		}
	}
	b, _ := json.Marshal(rules)
	if _, err := r.db.Tenant(tenantID).Exec(ctx, q.Get("PutRules"), string(b), r.now().UnixMilli()); err != nil {
		return Config{}, err
	}
	return r.afterChange(ctx, tenantID)
}

func (r *Router) afterChange(ctx context.Context, tenantID string) (Config, error) {
	r.invalidate(tenantID)
	r.Poke(tenantID)
	return r.Config(ctx, tenantID)
}

// checkTarget refuses a target naming a team that does not exist, or a
// skill no team offers.
func (s *snapshot) checkTarget(field string, t *Target) error {
	for _, b := range s.broken(t) {
		return apperr.Invalidf(field+"."+b, "unknown_reference")
	}
	return nil
}

// TeamRouting is a team's routing profile with the team's name.
type TeamRouting struct {
	TeamID string `json:"team_id"`
	Name   string `json:"name"`
	TeamProfile
	Members []string `json:"members"`
}

// Teams lists every team's routing profile.
func (r *Router) Teams(ctx context.Context, tenantID string) ([]TeamRouting, error) {
	snap, err := r.readSnapshot(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := []TeamRouting{}
	for _, t := range snap.teams {
		out = append(out, t.routing(t.profile))
	}
	slices.SortFunc(out, func(a, b TeamRouting) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// PutTeam replaces a team's routing profile.
func (r *Router) PutTeam(ctx context.Context, tenantID, teamID string, p TeamProfile) (TeamRouting, error) {
	if !id.Valid(teamID) {
		return TeamRouting{}, apperr.NotFoundf("team")
	}
	if err := p.normalize(); err != nil {
		return TeamRouting{}, err
	}
	snap, err := r.readSnapshot(ctx, tenantID)
	if err != nil {
		return TeamRouting{}, err
	}
	if snap.teams[teamID] == nil {
		return TeamRouting{}, apperr.NotFoundf("team")
	}
	b, _ := json.Marshal(p)
	if _, err := r.db.Tenant(tenantID).Exec(ctx, q.Get("PutProfile"), teamID, string(b), r.now().UnixMilli()); err != nil {
		return TeamRouting{}, err
	}
	r.invalidate(tenantID)
	r.Poke(tenantID)
	if r.o.OnQueueChange != nil {
		r.o.OnQueueChange(tenantID)
	}
	return snap.teams[teamID].routing(p), nil
}

// routing is the team as the API shows it, with this profile.
func (t *team) routing(p TeamProfile) TeamRouting {
	m := slices.Clone(t.members)
	if m == nil {
		m = []string{}
	}
	slices.Sort(m)
	return TeamRouting{TeamID: t.id, Name: t.name, TeamProfile: p, Members: m}
}
