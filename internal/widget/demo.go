package widget

import (
	"net/http"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
)

// demoCSP lets the demo shop load only this server's script, styles and
// frame: the same strict policy a careful site would have.
const demoCSP = "default-src 'none'; script-src 'self'; frame-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

type demoProduct struct {
	Key, Price string
}

type demoPage struct {
	Lang     i18n.Lang
	Other    i18n.Lang
	Version  string
	Key      string
	Snippet  string
	Products []demoProduct
}

var demoProducts = []demoProduct{
	{"cup", "¥68"},
	{"teapot", "¥298"},
	{"longjing", "¥158"},
	{"gift", "¥399"},
}

// demo is GET /demo: a sample shop with the demo channel's widget, so that a
// newcomer can chat with themselves (the agent console in another tab).
func (w *Widget) demo(rw http.ResponseWriter, r *http.Request) {
	key := ""
	if w.o.DemoChannelKey != nil {
		key = w.o.DemoChannelKey()
	}
	if key == "" {
		http.NotFound(rw, r)
		return
	}
	lang := w.o.Catalog.FromRequest(r)
	other := i18n.Chinese
	if lang == i18n.Chinese {
		other = i18n.English
	}
	ch := channel.Channel{Key: key}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	h := rw.Header()
	h.Set("Content-Security-Policy", demoCSP)
	h.Set("Cache-Control", "no-store")
	w.render(rw, r, http.StatusOK, "demo", lang, demoPage{Lang: lang, Other: other, Version: w.version, Key: key,
		Snippet: ch.Snippet(scheme + "://" + r.Host), Products: demoProducts})
}
