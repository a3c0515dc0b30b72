// Package widget serves what a company's website loads: widget.js (the
// launcher that a one-line snippet adds to a page), the chat frame it opens,
// the frame's assets, visitor uploads, attachment files, and the /demo shop.
//
// The page that embeds the widget is not ours: widget.js only creates a
// button and an iframe (styled through the CSSOM, so that it works under a
// strict Content-Security-Policy) and talks to the frame with postMessage.
// Everything else — the conversation, the visitor token, uploads — lives in
// the frame, on this server's origin.
package widget

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/attachment"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
)

//go:embed static
var staticFS embed.FS

//go:embed templates/*.html
var templateFS embed.FS

// Options are what the widget pages are built from.
type Options struct {
	Channels    *channel.Service
	Attachments *attachment.Service
	Catalog     *i18n.Catalog
	Log         *slog.Logger
	// DemoChannelKey is the demo tenant's website channel, when --demo is on.
	DemoChannelKey func() string
}

// Widget serves the widget.
type Widget struct {
	o       Options
	static  fs.FS
	version string // of the static files, for cache busting
	pages   map[string]*template.Template
	uploads *limiter
}

// New builds the widget edge.
func New(o Options) *Widget {
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	w := &Widget{o: o, static: static, version: contentVersion(static), pages: map[string]*template.Template{},
		uploads: newLimiter(uploadBurst, uploadEvery)}
	for _, name := range []string{"frame", "notfound", "demo"} {
		w.pages[name] = template.Must(template.New(name+".html").Funcs(template.FuncMap{
			// t is replaced per request by the page's language.
			"t": func(key string, args ...any) string { return key },
		}).ParseFS(templateFS, "templates/"+name+".html"))
	}
	return w
}

// Register adds the widget's routes to mux.
func (w *Widget) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /widget.js", w.loader)
	mux.HandleFunc("GET /widget/frame", w.frame)
	mux.HandleFunc("GET /widget/static/", w.asset)
	mux.HandleFunc("POST /widget/uploads", w.upload)
	mux.HandleFunc("GET /files/{id}/{key}/{name}", w.file)
	mux.HandleFunc("GET /demo", w.demo)
}

// contentVersion is a short hash of every static file: asset URLs carry it,
// so that browsers may cache them for long and still see a new release.
func contentVersion(static fs.FS) string {
	var names []string
	_ = fs.WalkDir(static, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, _ := fs.ReadFile(static, n)
		h.Write([]byte(n))
		h.Write([]byte{0})
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
}

// loader is GET /widget.js. Sites embed it under a fixed URL, so it is
// cached briefly; it may be loaded by any site.
func (w *Widget) loader(rw http.ResponseWriter, r *http.Request) {
	w.serveStatic(rw, r, "widget.js", "public, max-age=300")
}

// asset is GET /widget/static/[v-VERSION/]NAME. A versioned URL of the
// current release is immutable; anything else is cached for minutes.
func (w *Widget) asset(rw http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/widget/static/")
	cache := "public, max-age=300"
	if v, rest, ok := strings.Cut(name, "/"); ok && strings.HasPrefix(v, "v-") {
		name = rest
		if v == "v-"+w.version {
			cache = "public, max-age=31536000, immutable"
		}
	}
	if name == "widget.js" || strings.Contains(name, "/") {
		http.NotFound(rw, r)
		return
	}
	w.serveStatic(rw, r, name, cache)
}

func (w *Widget) serveStatic(rw http.ResponseWriter, r *http.Request, name, cache string) {
	ct, ok := contentTypes[path.Ext(name)]
	if !ok {
		http.NotFound(rw, r)
		return
	}
	b, err := fs.ReadFile(w.static, name)
	if err != nil {
		http.NotFound(rw, r)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", cache)
	h.Set("X-Content-Type-Options", "nosniff")
	// Other sites load widget.js; the frame's assets are ours only.
	if name == "widget.js" {
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	} else {
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
	}
	http.ServeContent(rw, r, name, startTime, strings.NewReader(string(b)))
}

// startTime stands for the static files' modification time: they change
// only with a new build.
var startTime = time.Now().UTC().Truncate(time.Second)
