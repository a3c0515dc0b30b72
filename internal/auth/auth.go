// Package auth decides who is calling: login with throttling, browser
// sessions with idle and absolute timeouts, CSRF tokens, and API tokens with
// scopes. The result of every check is a Principal.
package auth

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

//go:embed *.sql
var sqlFS embed.FS

var q = store.MustLoadQueries(sqlFS)

// Queries exposes this package's statements to the store scoping tests.
func Queries() *store.Queries { return q }

// Scope is what an API token may do. Each scope includes the ones below it.
type Scope string

// The token scopes.
const (
	ScopeRead  Scope = "read"  // GET anything of the tenant
	ScopeWrite Scope = "write" // create and change contacts, conversations, messages
	ScopeAdmin Scope = "admin" // manage users, teams and tokens too
)

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return s == ScopeRead || s == ScopeWrite || s == ScopeAdmin }

func (s Scope) rank() int {
	switch s {
	case ScopeAdmin:
		return 3
	case ScopeWrite:
		return 2
	case ScopeRead:
		return 1
	}
	return 0
}

// Principal is an authenticated caller: a user with a session, or an API token.
type Principal struct {
	TenantID string
	// A user's session:
	UserID             string
	UserName           string
	UserEmail          string
	Locale             string
	Role               account.Role
	SessionID          string
	CSRFToken          string
	MustChangePassword bool
	// An API token:
	TokenID   string
	TokenName string
	Scope     Scope
}

// IsToken reports whether the caller is an API token rather than a person.
func (p *Principal) IsToken() bool { return p.TokenID != "" }

// Can reports whether the caller holds the permission named by a scope:
// read and write for every user, admin for administrators; a token holds its
// scope. A user who must change their password can do nothing else first.
func (p *Principal) Can(need Scope) bool {
	if p.IsToken() {
		return p.Scope.rank() >= need.rank()
	}
	if p.MustChangePassword {
		return false
	}
	if need == ScopeAdmin {
		return p.Role == account.RoleAdmin
	}
	return p.Role.Valid()
}

// Accounts is what auth needs from the account service.
type Accounts interface {
	Authenticate(ctx context.Context, email, pw string) ([]account.LoginMatch, error)
}

// Tenants is what auth needs from the tenant service.
type Tenants interface {
	BySlug(ctx context.Context, slug string) (tenant.Tenant, error)
}

// Options configure the auth service.
type Options struct {
	DB          *store.DB
	Accounts    Accounts
	Tenants     Tenants
	IdleTimeout time.Duration // default 30 min
	MaxLifetime time.Duration // default 12 h
	Now         func() time.Time
}

// Service authenticates callers.
type Service struct {
	db       *store.DB
	accounts Accounts
	tenants  Tenants
	idle     time.Duration
	max      time.Duration
	now      func() time.Time
}

// New returns the auth service.
func New(o Options) *Service {
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 30 * time.Minute
	}
	if o.MaxLifetime <= 0 {
		o.MaxLifetime = 12 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{db: o.DB, accounts: o.Accounts, tenants: o.Tenants, idle: o.IdleTimeout, max: o.MaxLifetime, now: o.Now}
}

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// IdleTimeout is the configured idle timeout.
func (s *Service) IdleTimeout() time.Duration { return s.idle }

// MaxLifetime is the configured absolute session lifetime.
func (s *Service) MaxLifetime() time.Duration { return s.max }

func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Purge deletes expired sessions and stale throttle counters.
func (s *Service) Purge(ctx context.Context) error {
	now := s.now()
	g := s.db.Global()
	if _, err := g.Exec(ctx, q.Get("PurgeSessions"), store.Millis(now), store.Millis(now.Add(-s.idle))); err != nil {
		return err
	}
	_, err := g.Exec(ctx, q.Get("ThrottlePurge"), store.Millis(now.Add(-throttleWindow)))
	return err
}
