package httpapi

import (
	"net"
	"net/http"
	"net/url"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

// LoginRequest signs a person in. Tenant (a slug) is needed only when the
// address works in several tenants.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Tenant   string `json:"tenant,omitempty"`
}

// Me describes the caller.
type Me struct {
	User               *account.User `json:"user,omitempty"`
	Token              *TokenInfo    `json:"token,omitempty"`
	Tenant             tenant.Tenant `json:"tenant"`
	CSRFToken          string        `json:"csrf_token,omitempty"`
	MustChangePassword bool          `json:"must_change_password"`
}

// TokenInfo names the API token a request came with.
type TokenInfo struct {
	ID    string     `json:"id"`
	Name  string     `json:"name"`
	Scope auth.Scope `json:"scope"`
}

// PasswordChange is a user changing their own password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// ClientIP is the address a request came from (the direct peer: Switchboard
// does not trust forwarding headers it cannot verify).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// sameOrigin refuses a cross-site login form (login CSRF): a browser always
// sends Origin on a cross-site POST.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		site := r.Header.Get("Sec-Fetch-Site")
		return site == "" || site == "same-origin" || site == "none"
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	if !sameOrigin(r) {
		return apperr.New(apperr.Forbidden, "csrf", "")
	}
	var in LoginRequest
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	token, p, err := a.auth.Login(r.Context(), auth.LoginRequest{Email: in.Email, Password: in.Password, Tenant: in.Tenant,
		UserAgent: r.UserAgent(), IP: ClientIP(r)})
	if err != nil {
		return err
	}
	a.SetSessionCookie(w, token)
	me, err := a.describe(r, &p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, me)
	return nil
}

// SetSessionCookie sets the session cookie: HttpOnly, SameSite=Lax, and
// Secure with the __Host- prefix under TLS. It has no Max-Age: the server
// enforces the idle and absolute timeouts.
func (a *API) SetSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: a.SessionCookie(), Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: a.secure})
}

// ClearSessionCookie removes the session cookie.
func (a *API) ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: a.SessionCookie(), Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: a.secure, MaxAge: -1})
}

func (a *API) describe(r *http.Request, p *auth.Principal) (Me, error) {
	t, err := a.tenants.ByID(r.Context(), p.TenantID)
	if err != nil {
		return Me{}, err
	}
	me := Me{Tenant: t}
	if p.IsToken() {
		me.Token = &TokenInfo{ID: p.TokenID, Name: p.TokenName, Scope: p.Scope}
		return me, nil
	}
	u, err := a.accounts.GetUser(r.Context(), p.TenantID, p.UserID)
	if err != nil {
		return Me{}, err
	}
	me.User, me.CSRFToken, me.MustChangePassword = &u, p.CSRFToken, u.MustChangePassword
	return me, nil
}

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	me, err := a.describe(r, principal(r.Context()))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, me)
	return nil
}

func sessionOnly(p *auth.Principal) error {
	if p.IsToken() {
		return apperr.New(apperr.Forbidden, "session_only", "")
	}
	return nil
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	if err := sessionOnly(p); err != nil {
		return err
	}
	if err := a.auth.Logout(r.Context(), p, p.SessionID); err != nil {
		return err
	}
	a.ClearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) changePassword(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	if err := sessionOnly(p); err != nil {
		return err
	}
	var in PasswordChange
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if err := a.accounts.ChangePassword(r.Context(), p.TenantID, p.UserID, in.CurrentPassword, in.NewPassword); err != nil {
		return err
	}
	// A new password ends every other session: whoever knew the old one is out.
	if err := a.auth.LogoutAll(r.Context(), p.TenantID, p.UserID, p.SessionID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) mySessions(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	if err := sessionOnly(p); err != nil {
		return err
	}
	list, err := a.auth.Sessions(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, List[auth.Session]{Items: list})
	return nil
}

func (a *API) logoutAll(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	if err := sessionOnly(p); err != nil {
		return err
	}
	if err := a.auth.LogoutAll(r.Context(), p.TenantID, p.UserID, ""); err != nil {
		return err
	}
	a.ClearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) deleteSession(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	if err := sessionOnly(p); err != nil {
		return err
	}
	sid, err := pathID(r, "id", "session")
	if err != nil {
		return err
	}
	if err := a.auth.Logout(r.Context(), p, sid); err != nil {
		return err
	}
	if sid == p.SessionID {
		a.ClearSessionCookie(w)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
