// Package httpapi is the REST API v1 edge: it translates HTTP and JSON to
// calls of the domain services and back, authenticates callers, checks
// CSRF tokens and permissions, and documents itself as OpenAPI 3.1.
package httpapi

import (
	"context"
	"github.com/switchboard-cs/switchboard/internal/bot/assistant"
	"log/slog"
	"net/http"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/attachment"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/csat"
	"github.com/switchboard-cs/switchboard/internal/kb"
	"github.com/switchboard-cs/switchboard/internal/notification"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
	"github.com/switchboard-cs/switchboard/internal/quickreply"
	"github.com/switchboard-cs/switchboard/internal/routing"
	"github.com/switchboard-cs/switchboard/internal/tenant"
	"github.com/switchboard-cs/switchboard/internal/workspace"
)

// Options are the services and settings the API is built from.
type Options struct {
	Tenants       *tenant.Service
	Accounts      *account.Service
	Auth          *auth.Service
	Contacts      *contact.Service
	Conversations *conversation.Service
	Channels      *channel.Service
	Attachments   *attachment.Service
	KB            *kb.Service
	Bot           *assistant.Bot // nil: no bot routes
	Router        *routing.Router
	QuickReplies  *quickreply.Service
	Workspace     *workspace.Service
	CSAT          *csat.Service
	Notifications *notification.Service
	Catalog       *i18n.Catalog
	Log           *slog.Logger
	MaxBodyBytes  int64
	SecureCookies bool
	PublicURL     string
	Version       string
}

// API is the REST API.
type API struct {
	tenants     *tenant.Service
	accounts    *account.Service
	auth        *auth.Service
	contacts    *contact.Service
	convs       *conversation.Service
	channels    *channel.Service
	attachments *attachment.Service
	kb          *kb.Service
	bot         *assistant.Bot
	router      *routing.Router
	quick       *quickreply.Service
	workspace   *workspace.Service
	csat        *csat.Service
	notes       *notification.Service
	cat         *i18n.Catalog
	log         *slog.Logger
	maxBody     int64
	secure      bool
	version     string
	publicURL   string
	routes      []Route
}

// New builds the API and its route table.
func New(o Options) *API {
	a := &API{tenants: o.Tenants, accounts: o.Accounts, auth: o.Auth, contacts: o.Contacts, convs: o.Conversations,
		cat: o.Catalog, log: o.Log, maxBody: o.MaxBodyBytes, secure: o.SecureCookies, version: o.Version,
		channels: o.Channels, attachments: o.Attachments, publicURL: o.PublicURL, kb: o.KB}
	if a.maxBody <= 0 {
		a.maxBody = 1 << 20
	}
	a.bot = o.Bot
	a.router, a.quick, a.workspace, a.csat, a.notes = o.Router, o.QuickReplies, o.Workspace, o.CSAT, o.Notifications
	a.routes = a.table()
	return a
}

// Access is what a route requires of its caller.
type Access int

// The access levels of routes.
const (
	Public        Access = iota // anyone
	Authenticated               // any signed-in user or token, even one who must change the password
	Read                        // read the tenant's data
	Write                       // change contacts, conversations, messages
	Admin                       // manage users, teams, tokens
)

// Route is one documented endpoint.
type Route struct {
	Method  string
	Path    string
	Summary string
	Tag     string
	Access  Access
	In      any     // request body type, nil for none
	Out     any     // response body type, nil for 204
	Status  int     // success status
	Query   []Param // documented query parameters
	handler handlerFunc
}

// Param documents a query parameter.
type Param struct {
	Name, Description string
}

// Pattern is the ServeMux pattern of the route.
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

// Routes returns the route table, for documentation and tests.
func (a *API) Routes() []Route { return a.routes }

// Register adds every route to mux.
func (a *API) Register(mux *http.ServeMux) {
	for _, rt := range a.routes {
		mux.Handle(rt.Pattern(), a.guard(rt))
	}
	mux.Handle("/api/", a.serve(func(w http.ResponseWriter, r *http.Request) error {
		return apperr.New(apperr.NotFound, "no_route", "")
	}))
}

type ctxKey int

const (
	principalKey ctxKey = iota
	requestIDKey
)

func principal(ctx context.Context) *auth.Principal {
	p, _ := ctx.Value(principalKey).(*auth.Principal)
	return p
}

// SessionCookie is the name of the session cookie; under TLS it carries the
// __Host- prefix, which pins it to this host and to Secure.
func (a *API) SessionCookie() string {
	if a.secure {
		return "__Host-sb_session"
	}
	return "sb_session"
}

// CSRFHeader carries the session's CSRF token on cookie-authenticated writes.
const CSRFHeader = "X-CSRF-Token"

// Authenticate finds the caller of a request: a bearer token, or a session
// cookie. It returns nil and no error for an anonymous request.
func (a *API) Authenticate(r *http.Request) (*auth.Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, apperr.New(apperr.Unauthorized, "bad_token", "")
		}
		p, err := a.auth.TokenPrincipal(r.Context(), strings.TrimSpace(tok))
		if err != nil {
			return nil, err
		}
		return &p, nil
	}
	ck, err := r.Cookie(a.SessionCookie())
	if err != nil {
		return nil, nil
	}
	p, err := a.auth.SessionPrincipal(r.Context(), ck.Value)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// guard authenticates the caller, checks CSRF and permissions, then runs the route.
func (a *API) guard(rt Route) http.Handler {
	return a.serve(func(w http.ResponseWriter, r *http.Request) error {
		if rt.Access == Public {
			return rt.handler(w, r)
		}
		p, err := a.Authenticate(r)
		if err != nil {
			return err
		}
		if p == nil {
			return apperr.New(apperr.Unauthorized, "unauthenticated", "")
		}
		if !p.IsToken() && unsafeMethod(r.Method) && !auth.CheckCSRF(p, r.Header.Get(CSRFHeader)) {
			return apperr.New(apperr.Forbidden, "csrf", "")
		}
		if ri := info(r.Context()); ri != nil {
			ri.tenant = p.TenantID
		}
		r = r.WithContext(context.WithValue(r.Context(), principalKey, p))
		if rt.Access > Authenticated {
			if !p.IsToken() && p.MustChangePassword {
				return apperr.New(apperr.Forbidden, "password_change_required", "")
			}
			need := map[Access]auth.Scope{Read: auth.ScopeRead, Write: auth.ScopeWrite, Admin: auth.ScopeAdmin}[rt.Access]
			if !p.Can(need) {
				return apperr.New(apperr.Forbidden, "forbidden", "")
			}
		}
		return rt.handler(w, r)
	})
}
