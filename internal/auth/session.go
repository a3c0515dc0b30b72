package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// Session is one signed-in browser of a user, as the user sees it in
// "my sessions".
type Session struct {
	ID         string    `json:"id"`
	UserAgent  string    `json:"user_agent"`
	IP         string    `json:"ip"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Current    bool      `json:"current"`
}

// LoginRequest is what a person types on the login page.
type LoginRequest struct {
	Email     string
	Password  string
	Tenant    string // tenant slug, needed only when the address works in several tenants
	UserAgent string
	IP        string
}

// touchEvery limits how often a session's last-seen time is written.
const touchEvery = time.Minute

// Login checks the credentials and, when they are right, opens a new session
// (always a new id: a session id is never carried over from before login).
// Failed attempts are throttled per account and per address.
func (s *Service) Login(ctx context.Context, r LoginRequest) (string, Principal, error) {
	email := strings.ToLower(strings.TrimSpace(r.Email))
	if email == "" {
		return "", Principal{}, apperr.Invalidf("email", "required")
	}
	if r.Password == "" {
		return "", Principal{}, apperr.Invalidf("password", "required")
	}
	if len(r.Password) > 4*account.MaxPasswordLen {
		return "", Principal{}, apperr.Invalidf("password", "password_too_long", "max", account.MaxPasswordLen)
	}
	keys := []throttleKey{{"acct:" + hashSecret(email), accountLimit}, {"addr:" + hashSecret(r.IP), addressLimit}}
	if err := s.checkThrottle(ctx, keys); err != nil {
		return "", Principal{}, err
	}
	matches, err := s.accounts.Authenticate(ctx, email, r.Password)
	if err != nil {
		return "", Principal{}, err
	}
	if slug := strings.TrimSpace(r.Tenant); slug != "" && len(matches) > 0 {
		t, err := s.tenants.BySlug(ctx, slug)
		if err != nil && !apperr.IsKind(err, apperr.NotFound) {
			return "", Principal{}, err
		}
		var kept []account.LoginMatch
		for _, m := range matches {
			if m.TenantID == t.ID {
				kept = append(kept, m)
			}
		}
		matches = kept
	}
	if len(matches) == 0 {
		if err := s.recordFailure(ctx, keys); err != nil {
			return "", Principal{}, err
		}
		return "", Principal{}, apperr.New(apperr.Unauthorized, "bad_credentials", "")
	}
	if len(matches) > 1 {
		return "", Principal{}, apperr.Invalidf("tenant", "choose_tenant")
	}
	if err := s.resetThrottle(ctx, keys[0]); err != nil {
		return "", Principal{}, err
	}
	token, err := s.open(ctx, matches[0].TenantID, matches[0].UserID, r.UserAgent, r.IP)
	if err != nil {
		return "", Principal{}, err
	}
	p, err := s.SessionPrincipal(ctx, token)
	return token, p, err
}

func (s *Service) open(ctx context.Context, tenantID, userID, ua, ip string) (string, error) {
	token := id.Secret(32) // 256 bits
	now := s.now()
	if len(ua) > 300 {
		ua = ua[:300]
	}
	_, err := s.db.Tenant(tenantID).Exec(ctx, q.Get("CreateSession"), id.New(), hashSecret(token), id.Secret(24),
		userID, ua, ip, store.Millis(now), store.Millis(now.Add(s.max)))
	return token, err
}

var errNoSession = apperr.New(apperr.Unauthorized, "session_expired", "")

// SessionPrincipal returns the caller of a session cookie, or a 401 when the
// session is unknown, idle too long, past its lifetime, or its user disabled.
func (s *Service) SessionPrincipal(ctx context.Context, token string) (Principal, error) {
	if token == "" || len(token) > 100 {
		return Principal{}, errNoSession
	}
	var p Principal
	var lastSeen, expires int64
	var role string
	var disabled bool
	err := s.db.Global().QueryRow(ctx, q.Get("SessionByToken"), hashSecret(token)).Scan(&p.TenantID, &p.SessionID,
		&p.UserID, &p.CSRFToken, &lastSeen, &expires, &role, &p.MustChangePassword, &disabled, &p.UserName, &p.UserEmail, &p.Locale)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, errNoSession
	}
	if err != nil {
		return Principal{}, err
	}
	p.Role = account.Role(role)
	now := s.now()
	if disabled || now.After(store.Time(expires)) || now.Sub(store.Time(lastSeen)) > s.idle {
		_, _ = s.db.Tenant(p.TenantID).Exec(ctx, q.Get("DeleteSession"), p.SessionID, p.UserID)
		return Principal{}, errNoSession
	}
	if now.Sub(store.Time(lastSeen)) > touchEvery {
		if _, err := s.db.Tenant(p.TenantID).Exec(ctx, q.Get("TouchSession"), p.SessionID, store.Millis(now)); err != nil {
			return Principal{}, err
		}
	}
	return p, nil
}

// CheckCSRF compares the token a form or header sent with the session's.
func CheckCSRF(p *Principal, sent string) bool {
	return p.CSRFToken != "" && subtle.ConstantTimeCompare([]byte(p.CSRFToken), []byte(sent)) == 1
}

// Logout ends one session of the user.
func (s *Service) Logout(ctx context.Context, p *Principal, sessionID string) error {
	err := s.db.Tenant(p.TenantID).ExecOne(ctx, q.Get("DeleteSession"), sessionID, p.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return apperr.NotFoundf("session")
	}
	return err
}

// LogoutAll ends every session of the user, except keep when not empty.
func (s *Service) LogoutAll(ctx context.Context, tenantID, userID, keep string) error {
	_, err := s.db.Tenant(tenantID).Exec(ctx, q.Get("DeleteUserSessions"), userID, keep)
	return err
}

// Sessions lists the user's live sessions, most recently used first.
func (s *Service) Sessions(ctx context.Context, p *Principal) ([]Session, error) {
	now := s.now()
	rows, err := s.db.Tenant(p.TenantID).Query(ctx, q.Get("ListUserSessions"), p.UserID,
		store.Millis(now.Add(-s.idle)), store.Millis(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		var se Session
		var created, seen, exp int64
		if err := rows.Scan(&se.ID, &se.UserAgent, &se.IP, &created, &seen, &exp); err != nil {
			return nil, err
		}
		se.CreatedAt, se.LastSeenAt, se.ExpiresAt = store.Time(created), store.Time(seen), store.Time(exp)
		se.Current = se.ID == p.SessionID
		out = append(out, se)
	}
	return out, rows.Err()
}
