package routing

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"sync/atomic"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// snapshotAge is how long a tenant's routing configuration (settings,
// rules, teams and their members) is reused before it is read again. A
// change made on this node is seen at once; one made on another node within
// this time.
const snapshotAge = time.Second

// snapshot is a tenant's routing configuration as of one read.
type snapshot struct {
	at         time.Time
	refreshing atomic.Bool // a newer one is being read
	settings   Settings
	rules      []Rule
	teams      map[string]*team   // by id
	members    map[string][]*team // user id → their teams
	users      map[string]user    // enabled users
}

type team struct {
	id, name string
	profile  TeamProfile
	members  []string
}

type user struct {
	name, role string
}

// invalidate forgets a tenant's snapshot after a change on this node.
func (r *Router) invalidate(tenantID string) { r.cache.Delete(tenantID) }

// TeamsChanged tells the router that a team was deleted or its members
// changed (through the account service): this node routes by the change at
// once, other nodes within a second.
func (r *Router) TeamsChanged(tenantID string) {
	r.invalidate(tenantID)
	r.Poke(tenantID)
}

// snapshot returns the tenant's configuration. One older than snapshotAge
// is read again in the background while decisions go on with it (so no
// decision waits for the reload); one older than ten times that, or none,
// is read at once.
func (r *Router) snapshot(ctx context.Context, tenantID string) (*snapshot, error) {
	if v, ok := r.cache.Load(tenantID); ok {
		s := v.(*snapshot)
		age := time.Since(s.at)
		if age < snapshotAge {
			return s, nil
		}
		if age < 10*snapshotAge {
			if s.refreshing.CompareAndSwap(false, true) {
				go r.refresh(tenantID, s)
			}
			return s, nil
		}
	}
	s, err := r.loadSnapshot(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	r.cache.Store(tenantID, s)
	return s, nil
}

// refresh reads a tenant's configuration again in the background and puts
// it in place of old (unless a change on this node dropped old meanwhile).
func (r *Router) refresh(tenantID string, old *snapshot) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := r.loadSnapshot(ctx, tenantID)
	if err != nil {
		old.refreshing.Store(false)
		r.log.Warn("read the routing configuration", "tenant", tenantID, "err", err)
		return
	}
	r.cache.CompareAndSwap(tenantID, old, s)
}

func (r *Router) readSnapshot(ctx context.Context, tenantID string) (*snapshot, error) {
	sc := r.db.Tenant(tenantID)
	s := &snapshot{at: time.Now(), teams: map[string]*team{}, members: map[string][]*team{}, users: map[string]user{}}
	var err error
	if s.settings, s.rules, err = readConfig(ctx, sc); err != nil {
		return nil, err
	}
	rows, err := sc.Query(ctx, q.Get("Teams"))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		t := &team{}
		var profile string
		if err := rows.Scan(&t.id, &t.name, &profile); err != nil {
			rows.Close()
			return nil, err
		}
		t.profile = TeamProfile{Skills: []string{}, Languages: []string{}}
		if profile != "" {
			_ = json.Unmarshal([]byte(profile), &t.profile)
		}
		s.teams[t.id] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if rows, err = sc.Query(ctx, q.Get("Users")); err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var u user
		var disabled bool
		if err := rows.Scan(&id, &u.name, &u.role, &disabled); err != nil {
			rows.Close()
			return nil, err
		}
		if !disabled {
			s.users[id] = u
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if rows, err = sc.Query(ctx, q.Get("Members")); err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var teamID, userID string
		if err := rows.Scan(&teamID, &userID); err != nil {
			return nil, err
		}
		if t := s.teams[teamID]; t != nil {
			t.members = append(t.members, userID)
			s.members[userID] = append(s.members[userID], t)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.markBroken()
	return s, nil
}

// loadSnapshot reads the configuration the dispatcher works with, after
// making conversations that wait for a team deleted since wait for anyone.
func (r *Router) loadSnapshot(ctx context.Context, tenantID string) (*snapshot, error) {
	s, err := r.readSnapshot(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return s, forgetDeletedTeams(ctx, r.db.Tenant(tenantID), s)
}

// forgetDeletedTeams makes conversations that wait for a team deleted since
// wait for anyone (and no longer overflow to it): routing reads the queue
// by team.
func forgetDeletedTeams(ctx context.Context, sc store.Scope, s *snapshot) error {
	rows, err := sc.Query(ctx, q.Get("RoutedTeams"))
	if err != nil {
		return err
	}
	var gone []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		if s.teams[id] == nil {
			gone = append(gone, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range gone {
		if _, err := sc.Exec(ctx, q.Get("ForgetTeam"), id); err != nil {
			return err
		}
	}
	return nil
}

// teamsOf lists the teams of the agents, each once.
func (s *snapshot) teamsOf(agents []*freeAgent) []string {
	var out []string
	for _, a := range agents {
		for _, t := range s.members[a.id] {
			if !slices.Contains(out, t.id) {
				out = append(out, t.id)
			}
		}
	}
	return out
}

func readConfig(ctx context.Context, sc store.Scope) (Settings, []Rule, error) {
	st, rules := DefaultSettings(), []Rule{}
	var settings, list string
	err := sc.QueryRow(ctx, q.Get("GetConfig")).Scan(&settings, &list)
	if errors.Is(err, errNotFound) {
		return st, rules, nil
	}
	if err != nil {
		return st, rules, err
	}
	if settings != "" && settings != "{}" {
		_ = json.Unmarshal([]byte(settings), &st)
	}
	_ = json.Unmarshal([]byte(list), &rules)
	return st, rules, nil
}

// markBroken notes, on each rule and on the fallback, what they point to
// that no longer exists.
func (s *snapshot) markBroken() {
	for i := range s.rules {
		s.rules[i].Broken = s.broken(&s.rules[i].Then)
	}
}

// broken lists what a target points to that does not exist: a deleted
// team ("team_id", "overflow_team_id") or a skill no team offers ("skill").
func (s *snapshot) broken(t *Target) []string {
	var out []string
	if t.TeamID != "" && s.teams[t.TeamID] == nil {
		out = append(out, "team_id")
	}
	if t.OverflowTeamID != "" && s.teams[t.OverflowTeamID] == nil {
		out = append(out, "overflow_team_id")
	}
	if t.Skill != "" && !s.skillExists(t.Skill) {
		out = append(out, "skill")
	}
	return out
}

func (s *snapshot) skillExists(skill string) bool {
	for _, t := range s.teams {
		if slices.Contains(t.profile.Skills, skill) {
			return true
		}
	}
	return false
}

// capacity is an agent's capacity: their own, else the largest their teams
// set, else the tenant's default.
func (s *snapshot) capacity(userID string, own sql.NullInt64) int {
	if own.Valid && own.Int64 > 0 {
		return int(own.Int64)
	}
	best := 0
	for _, t := range s.members[userID] {
		best = max(best, t.profile.Capacity)
	}
	if best > 0 {
		return best
	}
	return s.settings.DefaultCapacity
}

// targetTeams are the teams whose members may serve w at now: its team,
// and its overflow team once the overflow time has passed. nil means any
// agent. A team deleted while the conversation waited no longer restricts it.
func (s *snapshot) targetTeams(w *waiting, now time.Time) []*team {
	if w.teamID == "" || s.teams[w.teamID] == nil {
		return nil
	}
	out := []*team{s.teams[w.teamID]}
	if w.overflowTo != "" && w.overflowAt > 0 && now.UnixMilli() >= w.overflowAt {
		if t := s.teams[w.overflowTo]; t != nil && t != out[0] {
			out = append(out, t)
		}
	}
	return out
}

// servingTeam is the team through which agent may serve w at now (nil, true
// when any agent may and no team is involved), or false when they may not.
func (s *snapshot) servingTeam(w *waiting, agent string, now time.Time) (*team, bool) {
	targets := s.targetTeams(w, now)
	skill := w.skill
	if skill != "" && !s.skillExists(skill) {
		skill = "" // a skill no team offers any more no longer restricts it
	}
	if targets == nil && skill == "" {
		return nil, true
	}
	for _, t := range s.members[agent] {
		if targets != nil && !slices.Contains(targets, t) {
			continue
		}
		if skill != "" && !slices.Contains(t.profile.Skills, skill) {
			continue
		}
		if !t.profile.Hours.Open(now) {
			continue
		}
		return t, true
	}
	return nil, false
}

// capable reports whether agent may serve w at now.
func (s *snapshot) capable(w *waiting, agent string, now time.Time) bool {
	_, ok := s.servingTeam(w, agent, now)
	return ok
}

// assignedTeam is the team to record on the conversation when agent takes
// w ("" keeps the conversation's team).
func (s *snapshot) assignedTeam(w *waiting, agent string, now time.Time) string {
	if t, ok := s.servingTeam(w, agent, now); ok && t != nil {
		return t.id
	}
	return ""
}

// choose picks the agent among free to serve w, or nil. online are all
// online agents (free or not), for the sticky wait.
func (s *snapshot) choose(w *waiting, free, online []*freeAgent, now time.Time, strategy string) *freeAgent {
	if w.stickyAgent != "" && now.UnixMilli() < w.stickyUntil &&
		slices.ContainsFunc(online, func(a *freeAgent) bool { return a.id == w.stickyAgent }) {
		// Reserved for the agent who served the customer last, while they
		// are online and the sticky wait lasts.
		for _, a := range free {
			if a.id == w.stickyAgent && s.capable(w, a.id, now) {
				return a
			}
		}
		return nil
	}
	var best *freeAgent
	bestSpeaks := false
	for _, a := range free {
		if !s.capable(w, a.id, now) {
			continue
		}
		speaks := s.speaks(a.id, w.language)
		if best == nil || (speaks && !bestSpeaks) || (speaks == bestSpeaks && better(a, best, strategy)) {
			best, bestSpeaks = a, speaks
		}
	}
	return best
}

// speaks reports whether one of the agent's teams answers in lang (a
// primary subtag; "" is nobody's).
func (s *snapshot) speaks(agent, lang string) bool {
	if lang == "" {
		return false
	}
	for _, t := range s.members[agent] {
		if slices.ContainsFunc(t.profile.Languages, func(l string) bool { return sameLanguage(l, lang) }) {
			return true
		}
	}
	return false
}

// better reports whether a should be chosen over b.
func better(a, b *freeAgent, strategy string) bool {
	if strategy != RoundRobin {
		if c := cmp.Compare(a.load, b.load); c != 0 {
			return c < 0
		}
	}
	if c := cmp.Compare(a.last, b.last); c != 0 {
		return c < 0
	}
	return a.id < b.id
}
