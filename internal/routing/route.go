package routing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// routeBatch bounds how many new waiting conversations one dispatch routes.
const routeBatch = 200

// Route is what the rules decided for a waiting conversation.
type Route struct {
	RuleID string // the rule that matched, or "fallback"
	Target Target
	// Sticky is the agent who served the customer last, reserved until
	// StickyUntil (unix millis).
	Sticky      string
	StickyUntil int64
	// Language is the customer's (primary subtag): agents whose teams
	// answer in it are preferred.
	Language string
}

// routeNew routes the tenant's waiting conversations the rules have not
// seen yet: each is routed once, when it starts waiting.
func (r *Router) routeNew(ctx context.Context, tenantID string) error {
	sc := r.db.Tenant(tenantID)
	rows, err := sc.Query(ctx, q.Get("Unrouted"), routeBatch)
	if err != nil {
		return err
	}
	type fresh struct {
		id, contactID, channelID string
		visitor                  conversation.VisitorInfo
	}
	var list []fresh
	for rows.Next() {
		var f fresh
		var vis string
		if err := rows.Scan(&f.id, &f.contactID, &f.channelID, &vis); err != nil {
			rows.Close()
			return err
		}
		_ = json.Unmarshal([]byte(vis), &f.visitor)
		list = append(list, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(list) == 0 {
		return err
	}
	snap, err := r.snapshot(ctx, tenantID)
	if err != nil {
		return err
	}
	for _, f := range list {
		facts, err := r.facts(ctx, sc, tenantID, f.id, f.contactID, f.channelID, f.visitor)
		if err != nil {
			return err
		}
		now := r.now()
		rt := snap.route(&facts, now)
		if err := r.saveRoute(ctx, sc, f.id, rt, now); err != nil {
			return err
		}
	}
	if r.o.OnQueueChange != nil {
		r.o.OnQueueChange(tenantID)
	}
	return nil
}

func (r *Router) saveRoute(ctx context.Context, sc store.Scope, convID string, rt Route, now time.Time) error {
	ms := now.UnixMilli()
	var overflowAt any
	if rt.Target.OverflowTeamID != "" {
		overflowAt = ms + int64(rt.Target.OverflowAfterSeconds)*1000
	}
	var stickyUntil any
	if rt.Sticky != "" {
		stickyUntil = rt.StickyUntil
	}
	_, err := sc.Exec(ctx, q.Get("SetRoute"), convID, ms, nullable(rt.Target.TeamID), rt.Target.Skill, rt.RuleID,
		rt.Target.Strategy, nullable(rt.Sticky), stickyUntil, nullable(rt.Target.OverflowTeamID), overflowAt, rt.Target.Priority,
		rt.Language)
	return err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// facts gathers what the rules look at about a waiting conversation.
func (r *Router) facts(ctx context.Context, sc store.Scope, tenantID, convID, contactID, channelID string, v conversation.VisitorInfo) (Facts, error) {
	f := Facts{ChannelID: channelID, Language: v.Language, PageURL: v.PageURL, Tags: []string{}}
	var tags string
	err := sc.QueryRow(ctx, q.Get("ContactTags"), contactID).Scan(&tags)
	if err != nil && !errors.Is(err, errNotFound) {
		return f, err
	}
	_ = json.Unmarshal([]byte(tags), &f.Tags)
	var agent sql.NullString
	var at int64
	err = sc.QueryRow(ctx, q.Get("LastServed"), contactID, convID).Scan(&agent, &at)
	if err != nil && !errors.Is(err, errNotFound) {
		return f, err
	}
	if err == nil && agent.Valid {
		f.LastAgentID, f.LastServed = agent.String, at
	}
	if r.o.Intents != nil {
		f.Intents = r.o.Intents(ctx, tenantID, convID)
	}
	return f, nil
}

// route applies the rules to facts at now: the first enabled rule that is
// not broken and whose conditions hold, else the fallback (itself ignored
// when broken: any agent).
func (s *snapshot) route(f *Facts, now time.Time) Route {
	lang, _, _ := strings.Cut(strings.ToLower(f.Language), "-")
	rt := Route{RuleID: "fallback", Target: s.settings.Fallback}
	for i := range s.rules {
		ru := &s.rules[i]
		if !ru.Enabled || len(ru.Broken) > 0 || !ru.When.matches(f, now) {
			continue
		}
		rt = Route{RuleID: ru.ID, Target: ru.Then}
		break
	}
	if rt.RuleID == "fallback" {
		if b := s.broken(&rt.Target); len(b) > 0 {
			rt.Target = Target{Priority: rt.Target.Priority, Strategy: rt.Target.Strategy}
		}
	}
	rt.Language = lang
	strategy := rt.Target.Strategy
	if strategy == "" {
		strategy = s.settings.Strategy
	}
	if strategy == Sticky && f.LastAgentID != "" && s.settings.StickySeconds > 0 {
		if _, ok := s.users[f.LastAgentID]; ok && s.memberOf(f.LastAgentID, rt.Target.TeamID) {
			rt.Sticky = f.LastAgentID
			rt.StickyUntil = now.UnixMilli() + int64(s.settings.StickySeconds)*1000
		}
	}
	return rt
}

// memberOf reports whether the user is in the team ("" : any team).
func (s *snapshot) memberOf(userID, teamID string) bool {
	if teamID == "" {
		return true
	}
	return slices.ContainsFunc(s.members[userID], func(t *team) bool { return t.id == teamID })
}
