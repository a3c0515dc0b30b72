package routing

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
)

// Status is an agent's availability for new conversations.
type Status string

// The agent statuses. Only online agents are given conversations; away and
// offline agents keep the ones they have.
const (
	Online  Status = "online"
	Away    Status = "away"
	Offline Status = "offline"
)

// Strategies choose among the capable agents with a free slot.
const (
	LeastBusy  = "least_busy"  // fewest open conversations, then longest since the last one
	RoundRobin = "round_robin" // longest since the last assignment
	Sticky     = "sticky"      // the agent who served the customer last, if free within the sticky wait; else least busy
)

// Limits on routing configuration.
const (
	MaxCapacity   = 50
	MaxRules      = 200
	MaxListItems  = 50
	MaxPriority   = 100
	MaxWaitSecond = 24 * 3600
)

// Settings are a tenant's routing settings.
type Settings struct {
	// Strategy is the default strategy (rules may set their own).
	Strategy string `json:"strategy"`
	// DefaultCapacity is an agent's capacity when neither they nor any of
	// their teams set one.
	DefaultCapacity int `json:"default_capacity"`
	// StickySeconds is how long a conversation waits for the agent who
	// served the customer last (strategy sticky).
	StickySeconds int `json:"sticky_seconds"`
	// AwayAfterSeconds: an online agent whose console has been disconnected
	// this long becomes away, and online again when it reconnects.
	AwayAfterSeconds int `json:"away_after_seconds"`
	// QueueLimit: beyond this many waiting conversations, visitors are told
	// the queue is full and offered to leave a message.
	QueueLimit int `json:"queue_limit"`
	// Fallback is where conversations go when no rule matches.
	Fallback Target `json:"fallback"`
}

// DefaultSettings are a tenant's settings until it saves its own.
func DefaultSettings() Settings {
	return Settings{Strategy: LeastBusy, DefaultCapacity: 3, StickySeconds: 30, AwayAfterSeconds: 60, QueueLimit: 100}
}

// Target is where a rule sends a conversation.
type Target struct {
	TeamID   string `json:"team_id,omitempty"` // empty: any agent
	Skill    string `json:"skill,omitempty"`   // empty: any skill
	Priority int    `json:"priority"`          // added to the conversation's priority
	Strategy string `json:"strategy,omitempty"`
	// OverflowTeamID: after OverflowAfterSeconds unanswered, that team's
	// agents may take it too.
	OverflowTeamID       string `json:"overflow_team_id,omitempty"`
	OverflowAfterSeconds int    `json:"overflow_after_seconds,omitempty"`
}

// Rule is one routing rule: when every condition it sets holds, Then.
type Rule struct {
	ID      string     `json:"id"`
	Name    string     `json:"name"`
	Enabled bool       `json:"enabled"`
	When    Conditions `json:"when"`
	Then    Target     `json:"then"`
	// Broken lists what the rule points to that no longer exists (a team,
	// a skill no team has); a broken rule is skipped. Computed, not stored.
	Broken []string `json:"broken,omitempty"`
}

// Conditions of a rule; an empty one always holds. Lists match any item.
type Conditions struct {
	Channels  []string `json:"channels,omitempty"`  // channel ids
	Languages []string `json:"languages,omitempty"` // the customer's language: "zh", "en"
	Intents   []string `json:"intents,omitempty"`   // the bot's detected knowledge entry or category ids
	Tags      []string `json:"tags,omitempty"`      // the customer's tags, e.g. "VIP"
	// ReturningDays > 0: the customer was served by an agent in the last N days.
	ReturningDays int `json:"returning_days,omitempty"`
	// PageURL: the page the visitor is on contains this text (case-insensitive).
	PageURL string `json:"page_url,omitempty"`
	// Hours: only within these hours.
	Hours *Hours `json:"hours,omitempty"`
}

// TeamProfile is what routing knows about a team.
type TeamProfile struct {
	Skills    []string `json:"skills"`    // e.g. "after-sales", "billing", "vip"
	Languages []string `json:"languages"` // languages the team answers in
	// Capacity is its members' default capacity (0: the tenant's default).
	Capacity int `json:"capacity"`
	// Hours are the team's business hours (nil: always open).
	Hours *Hours `json:"hours"`
}

var (
	skillRE = regexp.MustCompile(`^[\p{L}\p{N}_-]{1,40}$`)
	langRE  = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)
)

func checkStrategy(field, s string, empty bool) error {
	switch s {
	case LeastBusy, RoundRobin, Sticky:
		return nil
	case "":
		if empty {
			return nil
		}
	}
	return apperr.Invalidf(field, "invalid_value")
}

// normalize validates settings in place.
func (s *Settings) normalize() error {
	if s.Strategy == "" {
		s.Strategy = LeastBusy
	}
	if err := checkStrategy("strategy", s.Strategy, false); err != nil {
		return err
	}
	if s.DefaultCapacity < 1 || s.DefaultCapacity > MaxCapacity {
		return apperr.Invalidf("default_capacity", "invalid_capacity", "max", MaxCapacity)
	}
	if s.StickySeconds < 0 || s.StickySeconds > 3600 {
		return apperr.Invalidf("sticky_seconds", "out_of_range", "min", 0, "max", 3600)
	}
	if s.AwayAfterSeconds < 10 || s.AwayAfterSeconds > MaxWaitSecond {
		return apperr.Invalidf("away_after_seconds", "out_of_range", "min", 10, "max", MaxWaitSecond)
	}
	if s.QueueLimit < 1 || s.QueueLimit > 100000 {
		return apperr.Invalidf("queue_limit", "out_of_range", "min", 1, "max", 100000)
	}
	return s.Fallback.normalize("fallback")
}

func (t *Target) normalize(field string) error {
	if t.TeamID != "" && !id.Valid(t.TeamID) {
		return apperr.Invalidf(field+".team_id", "unknown_reference")
	}
	if t.OverflowTeamID != "" && !id.Valid(t.OverflowTeamID) {
		return apperr.Invalidf(field+".overflow_team_id", "unknown_reference")
	}
	t.Skill = strings.ToLower(strings.TrimSpace(t.Skill))
	if t.Skill != "" && !skillRE.MatchString(t.Skill) {
		return apperr.Invalidf(field+".skill", "invalid_value")
	}
	if t.Priority < -MaxPriority || t.Priority > MaxPriority {
		return apperr.Invalidf(field+".priority", "out_of_range", "min", -MaxPriority, "max", MaxPriority)
	}
	if err := checkStrategy(field+".strategy", t.Strategy, true); err != nil {
		return err
	}
	if t.OverflowAfterSeconds < 0 || t.OverflowAfterSeconds > MaxWaitSecond {
		return apperr.Invalidf(field+".overflow_after_seconds", "out_of_range", "min", 0, "max", MaxWaitSecond)
	}
	if t.OverflowTeamID == "" {
		t.OverflowAfterSeconds = 0
	} else if t.OverflowAfterSeconds == 0 {
		t.OverflowAfterSeconds = 60
	}
	return nil
}

// normalizeRules validates an ordered rule list in place, giving new rules ids.
func normalizeRules(rules []Rule) error {
	if len(rules) > MaxRules {
		return apperr.Invalidf("rules", "too_many", "max", MaxRules)
	}
	seen := map[string]bool{}
	for i := range rules {
		r := &rules[i]
		f := fmt.Sprintf("rules[%d]", i)
		if r.ID == "" {
			r.ID = id.New()
		}
		if !id.Valid(r.ID) || seen[r.ID] {
			return apperr.Invalidf(f+".id", "invalid_value")
		}
		seen[r.ID] = true
		r.Name = strings.TrimSpace(r.Name)
		if r.Name == "" {
			return apperr.Invalidf(f+".name", "required")
		}
		if utf8.RuneCountInString(r.Name) > 100 {
			return apperr.Invalidf(f+".name", "too_long", "max", 100)
		}
		r.Broken = nil
		if err := r.When.normalize(f + ".when"); err != nil {
			return err
		}
		if err := r.Then.normalize(f + ".then"); err != nil {
			return err
		}
	}
	return nil
}

func (c *Conditions) normalize(field string) error {
	lists := []struct {
		name string
		v    *[]string
		ok   func(string) bool
	}{
		{"channels", &c.Channels, id.Valid},
		{"languages", &c.Languages, langRE.MatchString},
		{"intents", &c.Intents, id.Valid},
		{"tags", &c.Tags, func(s string) bool { return s != "" && utf8.RuneCountInString(s) <= 32 }},
	}
	for _, l := range lists {
		if len(*l.v) > MaxListItems {
			return apperr.Invalidf(field+"."+l.name, "too_many", "max", MaxListItems)
		}
		out := (*l.v)[:0]
		for i, s := range *l.v {
			s = strings.TrimSpace(s)
			if !l.ok(s) {
				return apperr.Invalidf(fmt.Sprintf("%s.%s[%d]", field, l.name, i), "invalid_value")
			}
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		*l.v = out
	}
	if c.ReturningDays < 0 || c.ReturningDays > 3650 {
		return apperr.Invalidf(field+".returning_days", "out_of_range", "min", 0, "max", 3650)
	}
	c.PageURL = strings.TrimSpace(c.PageURL)
	if len(c.PageURL) > 500 {
		return apperr.Invalidf(field+".page_url", "too_long", "max", 500)
	}
	if c.Hours != nil {
		return c.Hours.normalize(field + ".hours")
	}
	return nil
}

// normalize validates a team profile in place.
func (p *TeamProfile) normalize() error {
	for _, l := range []struct {
		name string
		v    *[]string
		re   *regexp.Regexp
	}{{"skills", &p.Skills, skillRE}, {"languages", &p.Languages, langRE}} {
		if len(*l.v) > MaxListItems {
			return apperr.Invalidf(l.name, "too_many", "max", MaxListItems)
		}
		out := []string{}
		for i, s := range *l.v {
			s = strings.TrimSpace(s)
			if l.name == "skills" {
				s = strings.ToLower(s)
			}
			if !l.re.MatchString(s) {
				return apperr.Invalidf(fmt.Sprintf("%s[%d]", l.name, i), "invalid_value")
			}
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		*l.v = out
	}
	if p.Capacity < 0 || p.Capacity > MaxCapacity {
		return apperr.Invalidf("capacity", "invalid_capacity", "max", MaxCapacity)
	}
	if p.Hours != nil {
		return p.Hours.normalize("hours")
	}
	return nil
}

// Facts are what the rules look at about a waiting conversation.
type Facts struct {
	ChannelID string
	Language  string
	PageURL   string
	Tags      []string
	Intents   []string // the bot's detected entry and category ids
	// LastAgentID served the customer last, LastServed is when (zero: never).
	LastAgentID string
	LastServed  int64 // unix millis
}

// matches reports whether the conditions hold for the facts at now.
func (c *Conditions) matches(f *Facts, now time.Time) bool {
	if len(c.Channels) > 0 && !slices.Contains(c.Channels, f.ChannelID) {
		return false
	}
	if len(c.Languages) > 0 && !slices.ContainsFunc(c.Languages, func(l string) bool { return sameLanguage(l, f.Language) }) {
		return false
	}
	if len(c.Intents) > 0 && !slices.ContainsFunc(c.Intents, func(i string) bool { return slices.Contains(f.Intents, i) }) {
		return false
	}
	if len(c.Tags) > 0 && !slices.ContainsFunc(c.Tags, func(t string) bool {
		return slices.ContainsFunc(f.Tags, func(x string) bool { return strings.EqualFold(x, t) })
	}) {
		return false
	}
	if c.ReturningDays > 0 && (f.LastServed == 0 || now.UnixMilli()-f.LastServed > int64(c.ReturningDays)*86400_000) {
		return false
	}
	if c.PageURL != "" && !strings.Contains(strings.ToLower(pageText(f.PageURL)), strings.ToLower(c.PageURL)) {
		return false
	}
	return c.Hours == nil || c.Hours.Open(now)
}

// sameLanguage compares the primary subtags ("zh" matches "zh-CN").
func sameLanguage(a, b string) bool {
	pa, _, _ := strings.Cut(strings.ToLower(a), "-")
	pb, _, _ := strings.Cut(strings.ToLower(b), "-")
	return pa != "" && pa == pb
}

// pageText is the URL as a person reads it (percent-escapes decoded).
func pageText(u string) string {
	if s, err := url.PathUnescape(u); err == nil {
		return s
	}
	return u
}
