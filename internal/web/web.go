// Package web serves the pages people use in a browser: sign-in, the
// first-login password change, the account page, the agent console and the
// admin area (users, teams, API tokens, website channels). Pages are
// html/template, rendered in the reader's language; forms are sent to the
// REST API by one small script, and the console is a set of ES modules that
// speak the live WebSocket protocol.
package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/httpapi"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// ContentSecurityPolicy is sent with every page: scripts and styles from
// this origin only, no inline script, no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

// Options are what the pages are built from.
type Options struct {
	API      *httpapi.API
	Accounts *account.Service
	Auth     *auth.Service
	Tenants  *tenant.Service
	Channels *channel.Service
	Catalog  *i18n.Catalog
	Log      *slog.Logger
	Demo     bool
}

// Web serves the pages.
type Web struct {
	o     Options
	pages map[string]*template.Template
}

// New parses the templates.
func New(o Options) *Web {
	w := &Web{o: o, pages: map[string]*template.Template{}}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	funcs := template.FuncMap{
		// t is replaced per request by the page's language.
		"t":    func(key string, args ...any) string { return key },
		"json": func(v any) (template.JS, error) { b, err := json.Marshal(v); return template.JS(b), err },
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		w.pages[base] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
	}
	return w
}

// Register adds the pages to mux.
func (w *Web) Register(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	mux.HandleFunc("GET /{$}", w.home)
	mux.HandleFunc("GET /login", w.page("login", pagePublic, nil))
	mux.HandleFunc("GET /password", w.page("password", pageAnyUser, nil))
	mux.HandleFunc("GET /account", w.page("account", pageUser, w.accountData))
	mux.HandleFunc("GET /console", w.page("console", pageUser, w.consoleData))
	mux.HandleFunc("GET /admin", func(rw http.ResponseWriter, r *http.Request) { http.Redirect(rw, r, "/admin/users", http.StatusFound) })
	mux.HandleFunc("GET /admin/users", w.page("users", pageAdmin, w.usersData))
	mux.HandleFunc("GET /admin/teams", w.page("teams", pageAdmin, w.teamsData))
	mux.HandleFunc("GET /admin/tokens", w.page("tokens", pageAdmin, w.tokensData))
	mux.HandleFunc("GET /admin/channels", w.page("channels", pageAdmin, w.channelsData))
	// The knowledge base and the unanswered questions are for every signed-in
	// user (agents write drafts); the bot's settings are for administrators.
	mux.HandleFunc("GET /kb", w.page("kb", pageUser, nil))
	mux.HandleFunc("GET /kb/unanswered", w.page("bot-unanswered", pageUser, nil))
	mux.HandleFunc("GET /admin/kb", func(rw http.ResponseWriter, r *http.Request) { http.Redirect(rw, r, "/kb", http.StatusFound) })
	mux.HandleFunc("GET /admin/bot", w.page("bot", pageAdmin, nil))
	mux.HandleFunc("GET /admin/routing", w.page("routing", pageAdmin, nil))
	mux.HandleFunc("GET /admin/workspace", w.page("workspace", pageAdmin, nil))
	mux.HandleFunc("GET /quick-replies", w.page("quickreplies", pageUser, nil))
	mux.HandleFunc("GET /ratings", w.page("ratings", pageUser, nil))
	mux.HandleFunc("GET /admin/bot/unanswered", func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, "/kb/unanswered", http.StatusFound)
	})
	mux.HandleFunc("GET /lang/{code}", w.setLang)
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Cache-Control", "public, max-age=300")
		h.ServeHTTP(rw, r)
	})
}

type access int

const (
	pagePublic  access = iota
	pageAnyUser        // signed in, even if the password must be changed first
	pageUser           // signed in with a usable password
	pageAdmin          // administrators
)

// view is what every template receives.
type view struct {
	Lang      i18n.Lang
	Page      string
	Principal *auth.Principal
	Tenant    tenant.Tenant
	CSRF      string
	Data      any
	Messages  map[string]string // for the script
	Demo      bool
	Next      string
	Path      string // this page, for the language switch to come back to
}

type dataFunc func(ctx context.Context, p *auth.Principal, r *http.Request) (any, error)

func (w *Web) home(rw http.ResponseWriter, r *http.Request) {
	p, _ := w.o.API.Authenticate(r)
	switch {
	case p == nil || p.IsToken():
		http.Redirect(rw, r, "/login", http.StatusFound)
	case p.MustChangePassword:
		http.Redirect(rw, r, "/password", http.StatusFound)
	default:
		// Agents, supervisors and administrators all work in the console;
		// administrators reach the admin area from the navigation.
		http.Redirect(rw, r, "/console", http.StatusFound)
	}
}

func (w *Web) page(name string, need access, data dataFunc) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		lang := w.o.Catalog.FromRequest(r)
		v := view{Lang: lang, Page: name, Demo: w.o.Demo, Path: r.URL.Path}
		p, err := w.o.API.Authenticate(r)
		if err != nil || (p != nil && p.IsToken()) {
			p = nil
		}
		if p != nil && r.URL.Query().Get("lang") == "" {
			if l, ok := i18n.Parse(p.Locale); ok {
				if _, err := r.Cookie(i18n.CookieName); err != nil {
					lang, v.Lang = l, l
				}
			}
		}
		if need > pagePublic && p == nil {
			http.Redirect(rw, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusFound)
			return
		}
		if need >= pageUser && p.MustChangePassword {
			http.Redirect(rw, r, "/password", http.StatusFound)
			return
		}
		if need == pageAdmin && p.Role != account.RoleAdmin {
			w.render(rw, r, http.StatusForbidden, "forbidden", v)
			return
		}
		if name == "login" || name == "password" {
			if next := r.URL.Query().Get("next"); localPath(next) {
				v.Next = next
			}
		}
		v.Principal = p
		if p != nil {
			v.CSRF = p.CSRFToken
			if t, err := w.o.Tenants.ByID(r.Context(), p.TenantID); err == nil {
				v.Tenant = t
			}
		}
		if data != nil {
			d, err := data(r.Context(), p, r)
			if err != nil {
				w.o.Log.ErrorContext(r.Context(), "page data", "page", name, "err", err)
				http.Error(rw, w.o.Catalog.T(lang, "err.internal"), http.StatusInternalServerError)
				return
			}
			v.Data = d
		}
		w.render(rw, r, http.StatusOK, name, v)
	}
}

func (w *Web) render(rw http.ResponseWriter, r *http.Request, status int, name string, v view) {
	tpl, ok := w.pages[name]
	if !ok {
		http.NotFound(rw, r)
		return
	}
	cat := w.o.Catalog
	v.Messages = clientMessages(cat, v.Lang, name)
	t, err := tpl.Clone()
	if err == nil {
		t.Funcs(template.FuncMap{"t": func(key string, args ...any) string { return cat.T(v.Lang, key, args...) }})
	}
	var buf bytes.Buffer
	if err == nil {
		err = t.Execute(&buf, v)
	}
	if err != nil {
		w.o.Log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("Cache-Control", "no-store")
	rw.WriteHeader(status)
	_, _ = rw.Write(buf.Bytes())
}

// clientMessages are the catalogue entries the page scripts show: the few
// every page needs, and the whole area of a page that has its own script
// (console.*, channels.*).
func clientMessages(cat *i18n.Catalog, l i18n.Lang, page string) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"ui.saved", "ui.confirm_delete", "ui.copied", "err.network", "err.internal"} {
		out[k] = cat.T(l, k)
	}
	if prefix, ok := scriptAreas[page]; ok {
		for k, v := range cat.Messages(l) {
			if strings.HasPrefix(k, prefix) {
				out[k] = v
			}
		}
		// A key missing in this language falls back to English, as cat.T does.
		for k, v := range cat.Messages(i18n.English) {
			if _, ok := out[k]; !ok && strings.HasPrefix(k, prefix) {
				out[k] = v
			}
		}
	}
	return out
}

// scriptAreas maps a page to the catalogue area its script shows.
var scriptAreas = map[string]string{"console": "console.", "channels": "channels.",
	"kb": "adminkb.", "bot": "adminkb.", "bot-unanswered": "adminkb.",
	"ratings": "csat."}

func (w *Web) setLang(rw http.ResponseWriter, r *http.Request) {
	l, ok := i18n.Parse(r.PathValue("code"))
	if !ok {
		http.NotFound(rw, r)
		return
	}
	http.SetCookie(rw, &http.Cookie{Name: i18n.CookieName, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
		SameSite: http.SameSiteLaxMode, HttpOnly: true})
	back := r.URL.Query().Get("back")
	if !localPath(back) {
		back = "/"
	}
	http.Redirect(rw, r, back, http.StatusFound)
}

// localPath reports whether s is a path on this site, safe to send the
// reader to. Browsers read a backslash as "/" and drop tabs and newlines
// from URLs, so "/\host" and "/<tab>/host" would lead to another site.
func localPath(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return false
	}
	return !strings.ContainsFunc(s, func(c rune) bool { return c == '\\' || c < 0x20 || c == 0x7f })
}

// usersPage lists users with the teams they are in.
type usersPage struct {
	Users []account.User
	Roles []account.Role
}

func (w *Web) usersData(ctx context.Context, p *auth.Principal, r *http.Request) (any, error) {
	users, err := allPages(func(pg store.Page) ([]account.User, string, error) {
		return w.o.Accounts.ListUsers(ctx, p.TenantID, pg)
	})
	return usersPage{Users: users, Roles: []account.Role{account.RoleAgent, account.RoleSupervisor, account.RoleAdmin}}, err
}

type teamView struct {
	account.Team
	Members []account.User
	// Others are the users not in the team yet, offered by "Add member".
	Others []account.User
}

type teamsPage struct {
	Teams []teamView
	Users []account.User
}

func (w *Web) teamsData(ctx context.Context, p *auth.Principal, r *http.Request) (any, error) {
	teams, err := allPages(func(pg store.Page) ([]account.Team, string, error) {
		return w.o.Accounts.ListTeams(ctx, p.TenantID, pg)
	})
	if err != nil {
		return nil, err
	}
	out := teamsPage{}
	out.Users, err = allPages(func(pg store.Page) ([]account.User, string, error) {
		return w.o.Accounts.ListUsers(ctx, p.TenantID, pg)
	})
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		m, err := w.o.Accounts.Members(ctx, p.TenantID, t.ID)
		if err != nil {
			return nil, err
		}
		in := map[string]bool{}
		for _, u := range m {
			in[u.ID] = true
		}
		tv := teamView{Team: t, Members: m}
		for _, u := range out.Users {
			if !in[u.ID] {
				tv.Others = append(tv.Others, u)
			}
		}
		out.Teams = append(out.Teams, tv)
	}
	return out, nil
}

func (w *Web) tokensData(ctx context.Context, p *auth.Principal, r *http.Request) (any, error) {
	return allPages(func(pg store.Page) ([]auth.Token, string, error) { return w.o.Auth.Tokens(ctx, p.TenantID, pg) })
}

func (w *Web) accountData(ctx context.Context, p *auth.Principal, r *http.Request) (any, error) {
	return w.o.Auth.Sessions(ctx, p)
}

// allPages reads every page of a list (admin pages show whole tenants' lists,
// which are small: users, teams, tokens).
func allPages[T any](list func(store.Page) ([]T, string, error)) ([]T, error) {
	var out []T
	p := store.Page{Limit: store.MaxPageSize}
	for i := 0; i < 50; i++ {
		items, next, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			break
		}
		if p.After, err = store.DecodeCursor(next); err != nil {
			return nil, err
		}
	}
	return out, nil
}
