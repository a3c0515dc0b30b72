// Package channel manages the ways customers reach a tenant. The website
// channel is the chat widget: its public key goes into the snippet, its
// settings shape the widget, and its identity secret lets a site vouch for
// its signed-in users. Visitor tokens, signed by the server, let a browser
// keep its conversation across reloads and tabs.
package channel

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/tz"
	"github.com/switchboard-cs/switchboard/internal/platform/validate"
)

//go:embed *.sql
var sqlFS embed.FS

var q = store.MustLoadQueries(sqlFS)

// Queries exposes this package's statements to the store scoping tests.
func Queries() *store.Queries { return q }

// KindWeb is the website chat widget.
const KindWeb = "web"

// Limits on a channel's settings.
const (
	MaxOrigins     = 20
	MaxGreetingLen = 500
)

// PreChat is the optional form a visitor fills in before the first message.
type PreChat struct {
	Enabled      bool `json:"enabled"`
	RequireEmail bool `json:"require_email"`
}

// Settings shape the widget and who may use it.
type Settings struct {
	// AllowedOrigins are the sites that may embed the widget
	// ("https://shop.example.com"); empty allows every site.
	AllowedOrigins []string `json:"allowed_origins"`
	Greeting       string   `json:"greeting"`
	Color          string   `json:"color"`     // "#1f6feb"
	Position       string   `json:"position"`  // "right" or "left"
	Languages      []string `json:"languages"` // of "zh", "en"; the widget follows the browser among them
	PreChat        PreChat  `json:"prechat"`
	// RequireIdentity refuses visitors whose site did not sign their user id.
	RequireIdentity bool `json:"require_identity"`
	// Bot says when the bot answers first on this channel.
	Bot BotMode `json:"bot"`
}

// The bot modes of a channel.
const (
	BotFirst        = "bot_first"         // the bot answers, people take over when needed
	HumanFirst      = "human_first"       // conversations go straight to people
	BotOutsideHours = "bot_outside_hours" // people during business hours, the bot outside them
)

// BotMode is who answers a channel's new conversations first.
type BotMode struct {
	Mode  string `json:"mode"`
	Hours Hours  `json:"hours"` // used by BotOutsideHours
}

// Hours are weekly business hours in a time zone.
type Hours struct {
	TimeZone string `json:"time_zone"` // IANA name, e.g. "Asia/Shanghai"; default UTC
	Days     []int  `json:"days"`      // 0 = Sunday … 6 = Saturday; default Monday to Friday
	Open     string `json:"open"`      // "09:00"
	Close    string `json:"close"`     // "18:00", after Open
}

// BotFirstAt reports whether the bot answers first on the channel at t.
func (m BotMode) BotFirstAt(t time.Time) bool {
	switch m.Mode {
	case HumanFirst:
		return false
	case BotOutsideHours:
		return !m.Hours.Contains(t)
	default:
		return true
	}
}

// Contains reports whether t falls within the business hours.
func (h Hours) Contains(t time.Time) bool {
	loc, err := tz.Load(h.TimeZone)
	if err != nil || h.TimeZone == "" {
		loc = time.UTC
	}
	lt := t.In(loc)
	day := int(lt.Weekday())
	if !slices.Contains(h.Days, day) {
		return false
	}
	open, _ := clockMinutes(h.Open)
	closing, _ := clockMinutes(h.Close)
	now := lt.Hour()*60 + lt.Minute()
	return now >= open && now < closing
}

// clockMinutes parses "HH:MM" into minutes after midnight.
func clockMinutes(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// normalizeBot validates the bot mode in place, filling defaults.
func normalizeBot(m *BotMode) error {
	if m.Mode == "" {
		m.Mode = BotFirst
	}
	if m.Mode != BotFirst && m.Mode != HumanFirst && m.Mode != BotOutsideHours {
		return apperr.Invalidf("settings.bot.mode", "invalid_value")
	}
	h := &m.Hours
	if h.TimeZone == "" {
		h.TimeZone = "UTC"
	}
	if len(h.TimeZone) > 64 {
		return apperr.Invalidf("settings.bot.hours.time_zone", "unknown_time_zone")
	}
	if _, err := tz.Load(h.TimeZone); err != nil {
		return apperr.Invalidf("settings.bot.hours.time_zone", "unknown_time_zone")
	}
	if h.Days == nil {
		h.Days = []int{1, 2, 3, 4, 5}
	}
	if len(h.Days) > 7 {
		return apperr.Invalidf("settings.bot.hours.days", "invalid_value")
	}
	for _, d := range h.Days {
		if d < 0 || d > 6 {
			return apperr.Invalidf("settings.bot.hours.days", "invalid_value")
		}
	}
	slices.Sort(h.Days)
	h.Days = slices.Compact(h.Days)
	if h.Open == "" {
		h.Open = "09:00"
	}
	if h.Close == "" {
		h.Close = "18:00"
	}
	open, ok := clockMinutes(h.Open)
	if !ok {
		return apperr.Invalidf("settings.bot.hours.open", "invalid_time")
	}
	closing, ok := clockMinutes(h.Close)
	if !ok {
		return apperr.Invalidf("settings.bot.hours.close", "invalid_time")
	}
	if closing <= open {
		return apperr.Invalidf("settings.bot.hours.close", "close_before_open")
	}
	return nil
}

// Channel is one way in for customers.
type Channel struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"`
	Name     string   `json:"name"`
	Key      string   `json:"key"`
	Settings Settings `json:"settings"`
	// IdentitySecret signs the site's user ids (HMAC-SHA256); shown to administrators.
	IdentitySecret string    `json:"identity_secret"`
	TenantID       string    `json:"-"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Service manages channels and visitor tokens.
type Service struct {
	db  *store.DB
	now func() time.Time
	key *signer
}

// New returns the channel service.
func New(db *store.DB) *Service {
	s := &Service{db: db, now: time.Now}
	s.key = &signer{db: db}
	return s
}

var (
	colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	keyRE   = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)
)

// DefaultSettings are a new channel's settings.
func DefaultSettings() Settings {
	st := Settings{Color: "#1f6feb", Position: "right", Languages: []string{"zh", "en"}, AllowedOrigins: []string{}}
	_ = normalizeBot(&st.Bot)
	return st
}

// normalize validates settings in place.
func normalize(st *Settings) error {
	if len(st.AllowedOrigins) > MaxOrigins {
		return apperr.Invalidf("settings.allowed_origins", "too_many", "max", MaxOrigins)
	}
	seen := map[string]bool{}
	origins := []string{}
	for i, o := range st.AllowedOrigins {
		n, ok := NormalizeOrigin(o)
		if !ok {
			return apperr.Invalidf(fmt.Sprintf("settings.allowed_origins[%d]", i), "invalid_origin")
		}
		if !seen[n] {
			seen[n] = true
			origins = append(origins, n)
		}
	}
	st.AllowedOrigins = origins
	g, err := validate.Text("settings.greeting", strings.TrimSpace(st.Greeting), MaxGreetingLen)
	if err != nil {
		return err
	}
	st.Greeting = g
	if st.Color == "" {
		st.Color = "#1f6feb"
	}
	if !colorRE.MatchString(st.Color) {
		return apperr.Invalidf("settings.color", "invalid_color")
	}
	st.Color = strings.ToLower(st.Color)
	if st.Position == "" {
		st.Position = "right"
	}
	if st.Position != "right" && st.Position != "left" {
		return apperr.Invalidf("settings.position", "invalid_value")
	}
	if len(st.Languages) == 0 {
		st.Languages = []string{"zh", "en"}
	}
	langs := []string{}
	for _, l := range st.Languages {
		if l != "zh" && l != "en" {
			return apperr.Invalidf("settings.languages", "invalid_locale")
		}
		if !seen["lang:"+l] {
			seen["lang:"+l] = true
			langs = append(langs, l)
		}
	}
	st.Languages = langs
	return normalizeBot(&st.Bot)
}

// NormalizeOrigin checks "scheme://host[:port]" and returns it lower-case
// without a trailing slash.
func NormalizeOrigin(o string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}

// OriginAllowed reports whether a page of origin may use the channel.
func (c *Channel) OriginAllowed(origin string) bool {
	if len(c.Settings.AllowedOrigins) == 0 {
		return true
	}
	n, ok := NormalizeOrigin(origin)
	if !ok {
		return false
	}
	for _, a := range c.Settings.AllowedOrigins {
		if a == n {
			return true
		}
	}
	return false
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Create adds a website channel with a new public key and identity secret.
func (s *Service) Create(ctx context.Context, tenantID, name string, st Settings) (Channel, error) {
	name, err := validate.Name("name", name, true, 100)
	if err != nil {
		return Channel{}, err
	}
	if err := normalize(&st); err != nil {
		return Channel{}, err
	}
	now := s.stamp()
	c := Channel{ID: id.New(), Kind: KindWeb, Name: name, Key: id.Secret(18), Settings: st,
		IdentitySecret: id.Secret(32), TenantID: tenantID, CreatedAt: now, UpdatedAt: now}
	b, _ := json.Marshal(c.Settings)
	_, err = s.db.Tenant(tenantID).Exec(ctx, q.Get("CreateChannel"), c.ID, c.Kind, c.Name, c.Key, string(b), c.IdentitySecret, store.Millis(now))
	return c, err
}

func scanChannel(r interface{ Scan(...any) error }, tenantID string, withTenant bool) (Channel, error) {
	var c Channel
	var settings string
	var created, updated int64
	dest := []any{&c.ID, &c.Kind, &c.Name, &c.Key, &settings, &c.IdentitySecret, &created, &updated}
	if withTenant {
		dest = append([]any{&c.TenantID}, dest...)
	}
	if err := r.Scan(dest...); err != nil {
		return c, err
	}
	if !withTenant {
		c.TenantID = tenantID
	}
	c.CreatedAt, c.UpdatedAt = store.Time(created), store.Time(updated)
	c.Settings = DefaultSettings()
	if err := json.Unmarshal([]byte(settings), &c.Settings); err != nil {
		return c, fmt.Errorf("channel %s: stored settings: %w", c.ID, err)
	}
	return c, nil
}

// Get returns one channel.
func (s *Service) Get(ctx context.Context, tenantID, channelID string) (Channel, error) {
	c, err := scanChannel(s.db.Tenant(tenantID).QueryRow(ctx, q.Get("GetChannel"), channelID), tenantID, false)
	if errors.Is(err, store.ErrNotFound) {
		return c, apperr.NotFoundf("channel")
	}
	return c, err
}

// ByKey returns the channel with this public key, whatever its tenant.
func (s *Service) ByKey(ctx context.Context, key string) (Channel, error) {
	if !keyRE.MatchString(key) {
		return Channel{}, apperr.NotFoundf("channel")
	}
	c, err := scanChannel(s.db.Global().QueryRow(ctx, q.Get("ChannelByKey"), key), "", true)
	if errors.Is(err, store.ErrNotFound) {
		return c, apperr.NotFoundf("channel")
	}
	return c, err
}

// List returns one page of channels.
func (s *Service) List(ctx context.Context, tenantID string, p store.Page) ([]Channel, string, error) {
	p = p.Normalized()
	rows, err := s.db.Tenant(tenantID).Query(ctx, q.Get("ListChannels"), p.After, p.Limit+1)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []Channel{}
	for rows.Next() {
		c, err := scanChannel(rows, tenantID, false)
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := store.NextCursor(out, p.Limit, func(c Channel) string { return c.ID })
	return out, next, nil
}

// Patch changes a channel; nil fields stay as they are.
type Patch struct {
	Name                 *string
	Settings             *Settings
	RotateIdentitySecret bool
}

// Update changes a channel's name or settings, or rotates its identity secret.
func (s *Service) Update(ctx context.Context, tenantID, channelID string, p Patch) (Channel, error) {
	c, err := s.Get(ctx, tenantID, channelID)
	if err != nil {
		return c, err
	}
	if p.Name != nil {
		if c.Name, err = validate.Name("name", *p.Name, true, 100); err != nil {
			return c, err
		}
	}
	if p.Settings != nil {
		st := *p.Settings
		if err := normalize(&st); err != nil {
			return c, err
		}
		c.Settings = st
	}
	if p.RotateIdentitySecret {
		c.IdentitySecret = id.Secret(32)
	}
	c.UpdatedAt = s.stamp()
	b, _ := json.Marshal(c.Settings)
	err = s.db.Tenant(tenantID).ExecOne(ctx, q.Get("UpdateChannel"), c.ID, c.Name, string(b), c.IdentitySecret, store.Millis(c.UpdatedAt))
	if errors.Is(err, store.ErrNotFound) {
		return c, apperr.NotFoundf("channel")
	}
	return c, err
}

// Delete removes a channel; its conversations stay.
func (s *Service) Delete(ctx context.Context, tenantID, channelID string) error {
	err := s.db.Tenant(tenantID).ExecOne(ctx, q.Get("DeleteChannel"), channelID)
	if errors.Is(err, store.ErrNotFound) {
		return apperr.NotFoundf("channel")
	}
	return err
}

// Snippet is the one line a site pastes to show the widget.
func (c *Channel) Snippet(baseURL string) string {
	return fmt.Sprintf(`<script src="%s/widget.js" data-channel="%s" async></script>`, strings.TrimSuffix(baseURL, "/"), c.Key)
}
