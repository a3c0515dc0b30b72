package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// consoleConfig is what the console script learns from the page (the rest
// it reads from the REST API and the live connection).
type consoleConfig struct {
	UserID   string `json:"user_id"`
	UserName string `json:"user_name"`
	Role     string `json:"role"`
	CanWrite bool   `json:"can_write"`
}

func (w *Web) consoleData(ctx context.Context, p *auth.Principal, r *http.Request) (any, error) {
	return consoleConfig{UserID: p.UserID, UserName: p.UserName, Role: string(p.Role), CanWrite: p.Can(auth.ScopeWrite)}, nil
}

// channelView is a channel as the channels page shows it.
type channelView struct {
	channel.Channel
	Snippet string
	// IdentitySnippet is the snippet with a signed-in user's id and signature.
	IdentitySnippet string
	// Origins are the allowed origins, one per line, for the edit form.
	Origins string
	HasLang map[string]bool
	New     bool // the empty form that creates a channel
	// Days are the week's days for the business-hours checkboxes.
	Days []dayView
}

// dayView is one day of the week in the business-hours form.
type dayView struct {
	N   int    // 0 = Sunday
	Key string // catalogue key of its name
	On  bool
}

// weekDays lists the days Monday first, marking the channel's business days.
func weekDays(h channel.Hours) []dayView {
	out := make([]dayView, 0, 7)
	for _, n := range []int{1, 2, 3, 4, 5, 6, 0} {
		out = append(out, dayView{N: n, Key: fmt.Sprintf("channels.day%d", n), On: slices.Contains(h.Days, n)})
	}
	return out
}

type channelsPage struct {
	Channels []channelView
	New      channelView
}

func (w *Web) channelsData(ctx context.Context, p *auth.Principal, r *http.Request) (any, error) {
	if w.o.Channels == nil {
		return nil, errors.New("channels page: no channel service")
	}
	list, err := allPages(func(pg store.Page) ([]channel.Channel, string, error) {
		return w.o.Channels.List(ctx, p.TenantID, pg)
	})
	if err != nil {
		return nil, err
	}
	base := w.o.API.BaseURL(r)
	out := make([]channelView, 0, len(list))
	for _, c := range list {
		v := channelView{Channel: c, Snippet: c.Snippet(base), Origins: strings.Join(c.Settings.AllowedOrigins, "\n"),
			HasLang: map[string]bool{}, Days: weekDays(c.Settings.Bot.Hours)}
		v.IdentitySnippet = strings.Replace(v.Snippet, ` async></script>`,
			` data-user-id="USER_ID" data-user-hash="HMAC_SHA256_HEX" async></script>`, 1)
		for _, l := range c.Settings.Languages {
			v.HasLang[l] = true
		}
		out = append(out, v)
	}
	def := channel.DefaultSettings()
	return channelsPage{Channels: out, New: channelView{Channel: channel.Channel{Settings: def},
		HasLang: map[string]bool{}, New: true, Days: weekDays(def.Bot.Hours)}}, nil
}
