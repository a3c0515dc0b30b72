package widget

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/switchboard-cs/switchboard/internal/attachment"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
)

// frameConfig is what the frame's script starts from.
type frameConfig struct {
	Key            string            `json:"key"`
	Lang           string            `json:"lang"`
	Name           string            `json:"name"`
	Greeting       string            `json:"greeting"`
	Color          string            `json:"color"`
	Position       string            `json:"position"`
	Languages      []string          `json:"languages"`
	PreChat        channel.PreChat   `json:"prechat"`
	AllowedOrigins []string          `json:"allowed_origins"`
	MaxFileSize    int               `json:"max_file_size"`
	MaxBodyLen     int               `json:"max_body_len"`
	Messages       map[string]string `json:"messages"`
}

type framePage struct {
	Lang    i18n.Lang
	Version string
	Config  template.JS
	Name    string
	Color   string
}

// frame is GET /widget/frame?channel=KEY: the chat inside the iframe.
func (w *Widget) frame(rw http.ResponseWriter, r *http.Request) {
	ch, err := w.o.Channels.ByKey(r.Context(), r.URL.Query().Get("channel"))
	if err != nil {
		if !apperr.IsKind(err, apperr.NotFound) {
			w.o.Log.ErrorContext(r.Context(), "widget frame", "err", err)
			http.Error(rw, w.o.Catalog.T(w.o.Catalog.FromRequest(r), "err.internal"), http.StatusInternalServerError)
			return
		}
		w.notFound(rw, r)
		return
	}
	lang := pickLang(r, ch.Settings.Languages)
	cfg := frameConfig{Key: ch.Key, Lang: string(lang), Name: ch.Name, Greeting: ch.Settings.Greeting,
		Color: ch.Settings.Color, Position: ch.Settings.Position, Languages: ch.Settings.Languages, PreChat: ch.Settings.PreChat,
		AllowedOrigins: ch.Settings.AllowedOrigins, MaxFileSize: attachment.MaxSize, MaxBodyLen: conversation.MaxBodyLen,
		Messages: w.messages(lang)}
	if cfg.AllowedOrigins == nil {
		cfg.AllowedOrigins = []string{}
	}
	b, err := json.Marshal(cfg) // escapes <, > and &: safe inside <script>
	if err != nil {
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Del("X-Frame-Options") // frame-ancestors below says who may embed the frame
	h.Set("Content-Security-Policy", FrameCSP(r.Host, ch.Settings.AllowedOrigins))
	h.Set("Cache-Control", "no-cache")
	w.render(rw, r, http.StatusOK, "frame", lang, framePage{Lang: lang, Version: w.version, Config: template.JS(b),
		Name: ch.Name, Color: ch.Settings.Color})
}

// messages are the catalogue entries the frame's script shows.
func (w *Widget) messages(l i18n.Lang) map[string]string {
	out := map[string]string{}
	for k, v := range w.o.Catalog.Messages(l) {
		if strings.HasPrefix(k, "widget.") {
			out[strings.TrimPrefix(k, "widget.")] = v
		}
	}
	return out
}

var hostRE = regexp.MustCompile(`^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$`)

// FrameCSP is the frame's Content-Security-Policy: everything from this
// server only, and embedding by the channel's allowed sites (any site when
// the channel names none).
func FrameCSP(host string, allowedOrigins []string) string {
	connect := "'self'"
	if hostRE.MatchString(host) {
		// 'self' covers ws: and wss: in current browsers; older ones need them spelt out.
		connect += " ws://" + host + " wss://" + host
	}
	ancestors := "*"
	if len(allowedOrigins) > 0 {
		ancestors = "'self' " + strings.Join(allowedOrigins, " ")
	}
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src " + connect +
		"; font-src 'self'; media-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors " + ancestors
}

// pickLang chooses the frame's language among the channel's: the page's
// data-lang (?lang=), else the browser's preference, else the channel's first.
func pickLang(r *http.Request, allowed []string) i18n.Lang {
	ok := func(l i18n.Lang) bool { return len(allowed) == 0 || slices.Contains(allowed, string(l)) }
	if l, good := i18n.Parse(r.URL.Query().Get("lang")); good && ok(l) {
		return l
	}
	if tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language")); err == nil {
		for _, t := range tags {
			if l, good := i18n.Parse(t.String()); good && ok(l) {
				return l
			}
		}
	}
	if len(allowed) > 0 {
		if l, good := i18n.Parse(allowed[0]); good {
			return l
		}
	}
	return i18n.English
}

// notFound answers an unknown channel key with a small page.
func (w *Widget) notFound(rw http.ResponseWriter, r *http.Request) {
	lang := w.o.Catalog.FromRequest(r)
	// Shown inside the site's iframe (which stays hidden): nothing in it to protect.
	rw.Header().Del("X-Frame-Options")
	rw.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'")
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, http.StatusNotFound, "notfound", lang, framePage{Lang: lang, Version: w.version})
}

func (w *Widget) render(rw http.ResponseWriter, r *http.Request, status int, name string, lang i18n.Lang, data any) {
	cat := w.o.Catalog
	t, err := w.pages[name].Clone()
	if err == nil {
		t.Funcs(template.FuncMap{"t": func(key string, args ...any) string { return cat.T(lang, key, args...) }})
	}
	var buf bytes.Buffer
	if err == nil {
		err = t.Execute(&buf, data)
	}
	if err != nil {
		w.o.Log.ErrorContext(r.Context(), "render widget page", "page", name, "err", err)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	rw.WriteHeader(status)
	_, _ = rw.Write(buf.Bytes())
}
