// Package account manages the people who work in Switchboard: users with a
// role (admin, supervisor, agent), their passwords, and teams (departments)
// with members.
package account

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/validate"
)

//go:embed *.sql
var sqlFS embed.FS

var q = store.MustLoadQueries(sqlFS)

// Queries exposes this package's statements to the store scoping tests.
func Queries() *store.Queries { return q }

// Role is what a user may do.
type Role string

// The roles, from most to least powerful.
const (
	RoleAdmin      Role = "admin"      // configures the tenant: users, teams, tokens, channels
	RoleSupervisor Role = "supervisor" // watches and steers the work of agents
	RoleAgent      Role = "agent"      // answers customers
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleSupervisor || r == RoleAgent }

// AtLeast reports whether r has every permission of min.
func (r Role) AtLeast(min Role) bool { return rank(r) >= rank(min) }

func rank(r Role) int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleSupervisor:
		return 2
	case RoleAgent:
		return 1
	}
	return 0
}

// User is a person who works in a tenant.
type User struct {
	ID                 string    `json:"id"`
	TenantID           string    `json:"-"`
	Email              string    `json:"email"`
	Name               string    `json:"name"`
	Role               Role      `json:"role"`
	Locale             string    `json:"locale"`
	MustChangePassword bool      `json:"must_change_password"`
	Disabled           bool      `json:"disabled"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`

	// Permissions are rights granted beyond the role (see Permission).
	Permissions []Permission `json:"permissions"`
}

// Permission is a right granted to a user beyond their role.
type Permission string

// The grantable permissions.
const (
	// PermKBReview lets an agent approve, reject and archive
	// knowledge-base entries, as administrators and supervisors can.
	PermKBReview Permission = "kb_review"
)

// Has reports whether the user was granted p.
func (u User) Has(p Permission) bool {
	for _, x := range u.Permissions {
		if x == p {
			return true
		}
	}
	return false
}

// NewUser is what creating a user takes.
type NewUser struct {
	Email    string
	Name     string
	Role     Role
	Locale   string
	Password string
	// MustChangePassword forces a new password at the next login, as for a
	// one-time password an administrator hands out.
	MustChangePassword bool
}

// UserPatch changes some fields of a user; nil fields stay as they are.
type UserPatch struct {
	Name     *string
	Role     *Role
	Locale   *string
	Disabled *bool
	// Permissions, when not nil, replace the user's granted permissions.
	Permissions []Permission
}

// Service is the account service.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the account service.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// NormalizeEmail checks an address and returns its canonical (lower-case) form.
func NormalizeEmail(field, email string) (string, error) { return validate.Email(field, email) }

func checkName(field, name string, required bool, max int) (string, error) {
	return validate.Name(field, name, required, max)
}

func checkLocale(l string) error {
	switch l {
	case "", "en", "zh":
		return nil
	}
	return apperr.Invalidf("locale", "invalid_locale")
}

// CreateUser adds a user to a tenant.
func (s *Service) CreateUser(ctx context.Context, tenantID string, nu NewUser) (User, error) {
	email, err := NormalizeEmail("email", nu.Email)
	if err != nil {
		return User{}, err
	}
	name, err := checkName("name", nu.Name, true, 200)
	if err != nil {
		return User{}, err
	}
	if nu.Role == "" {
		nu.Role = RoleAgent
	}
	if !nu.Role.Valid() {
		return User{}, apperr.Invalidf("role", "invalid_role")
	}
	if err := checkLocale(nu.Locale); err != nil {
		return User{}, err
	}
	if err := CheckPassword(nu.Password, email, name); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(ctx, nu.Password)
	if err != nil {
		return User{}, err
	}
	now := s.stamp()
	u := User{ID: id.New(), TenantID: tenantID, Email: email, Name: name, Role: nu.Role, Locale: nu.Locale,
		MustChangePassword: nu.MustChangePassword, Permissions: []Permission{}, CreatedAt: now, UpdatedAt: now}
	_, err = s.db.Tenant(tenantID).Exec(ctx, q.Get("CreateUser"), u.ID, u.Email, u.Name, string(u.Role), u.Locale,
		hash, u.MustChangePassword, false, store.Millis(now))
	if errors.Is(err, store.ErrConflict) {
		return User{}, apperr.Conflictf("email", err)
	}
	return u, err
}

func scanUser(tenantID string, r interface{ Scan(...any) error }) (User, error) {
	var u User
	var created, updated int64
	var role, perms string
	err := r.Scan(&u.ID, &u.Email, &u.Name, &role, &u.Locale, &u.MustChangePassword, &u.Disabled, &created, &updated, &perms)
	u.TenantID, u.Role, u.CreatedAt, u.UpdatedAt = tenantID, Role(role), store.Time(created), store.Time(updated)
	u.Permissions = []Permission{}
	if err == nil && perms != "" {
		if jerr := json.Unmarshal([]byte(perms), &u.Permissions); jerr != nil {
			return u, fmt.Errorf("user %s: stored permissions: %w", u.ID, jerr)
		}
	}
	return u, err
}

func notFound(err error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return apperr.NotFoundf(what)
	}
	return err
}

// GetUser returns one user of a tenant.
func (s *Service) GetUser(ctx context.Context, tenantID, userID string) (User, error) {
	u, err := scanUser(tenantID, s.db.Tenant(tenantID).QueryRow(ctx, q.Get("GetUser"), userID))
	return u, notFound(err, "user")
}

// UserByEmail returns the user of a tenant with this e-mail address.
func (s *Service) UserByEmail(ctx context.Context, tenantID, email string) (User, error) {
	u, err := scanUser(tenantID, s.db.Tenant(tenantID).QueryRow(ctx, q.Get("UserByEmail"), strings.ToLower(strings.TrimSpace(email))))
	return u, notFound(err, "user")
}

// ListUsers returns one page of a tenant's users, oldest first.
func (s *Service) ListUsers(ctx context.Context, tenantID string, p store.Page) ([]User, string, error) {
	p = p.Normalized()
	rows, err := s.db.Tenant(tenantID).Query(ctx, q.Get("ListUsers"), p.After, p.Limit+1)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(tenantID, rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := store.NextCursor(out, p.Limit, func(u User) string { return u.ID })
	return out, next, nil
}

// UpdateUser changes a user. The last active administrator of a tenant can
// neither be demoted nor disabled, so that a tenant is never left without one.
func (s *Service) UpdateUser(ctx context.Context, tenantID, userID string, p UserPatch) (User, error) {
	var out User
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		u, err := scanUser(tenantID, tx.QueryRow(ctx, q.Get("GetUser"), userID))
		if err != nil {
			return notFound(err, "user")
		}
		wasActiveAdmin := u.Role == RoleAdmin && !u.Disabled
		if p.Name != nil {
			if u.Name, err = checkName("name", *p.Name, true, 200); err != nil {
				return err
			}
		}
		if p.Role != nil {
			if !p.Role.Valid() {
				return apperr.Invalidf("role", "invalid_role")
			}
			u.Role = *p.Role
		}
		if p.Locale != nil {
			if err := checkLocale(*p.Locale); err != nil {
				return err
			}
			u.Locale = *p.Locale
		}
		if p.Disabled != nil {
			u.Disabled = *p.Disabled
		}
		if p.Permissions != nil {
			if u.Permissions, err = checkPermissions(p.Permissions); err != nil {
				return err
			}
		}
		if wasActiveAdmin && (u.Role != RoleAdmin || u.Disabled) {
			if err := lastAdminGuard(ctx, tx); err != nil {
				return err
			}
		}
		u.UpdatedAt = s.stamp()
		perms, _ := json.Marshal(u.Permissions)
		if err := tx.ExecOne(ctx, q.Get("UpdateUser"), u.ID, u.Name, string(u.Role), u.Locale, u.Disabled, store.Millis(u.UpdatedAt), string(perms)); err != nil {
			return err
		}
		out = u
		return nil
	})
	return out, err
}

// checkPermissions validates a list of permissions and removes repeats.
func checkPermissions(ps []Permission) ([]Permission, error) {
	out := []Permission{}
	for _, p := range ps {
		if p != PermKBReview {
			return nil, apperr.Invalidf("permissions", "invalid_permission")
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

func lastAdminGuard(ctx context.Context, tx store.Scope) error {
	var n int
	if err := tx.QueryRow(ctx, q.Get("CountAdmins"), false).Scan(&n); err != nil {
		return err
	}
	if n <= 1 {
		return apperr.New(apperr.Conflict, "last_admin", "role")
	}
	return nil
}

// DeleteUser removes a user and their sessions and team memberships.
func (s *Service) DeleteUser(ctx context.Context, tenantID, userID string) error {
	return s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		u, err := scanUser(tenantID, tx.QueryRow(ctx, q.Get("GetUser"), userID))
		if err != nil {
			return notFound(err, "user")
		}
		if u.Role == RoleAdmin && !u.Disabled {
			if err := lastAdminGuard(ctx, tx); err != nil {
				return err
			}
		}
		return tx.ExecOne(ctx, q.Get("DeleteUser"), userID)
	})
}

// SetPassword replaces a user's password (an administrator resetting it,
// or the CLI). mustChange forces another change at the next login.
func (s *Service) SetPassword(ctx context.Context, tenantID, userID, pw string, mustChange bool) error {
	u, err := s.GetUser(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	if err := CheckPassword(pw, u.Email, u.Name); err != nil {
		return err
	}
	hash, err := HashPassword(ctx, pw)
	if err != nil {
		return err
	}
	return notFound(s.db.Tenant(tenantID).ExecOne(ctx, q.Get("SetPassword"), userID, hash, mustChange, store.Millis(s.stamp())), "user")
}

// ChangePassword is a user changing their own password: the current one
// must be right and the new one different.
func (s *Service) ChangePassword(ctx context.Context, tenantID, userID, current, next string) error {
	var hash string
	if err := s.db.Tenant(tenantID).QueryRow(ctx, q.Get("PasswordHash"), userID).Scan(&hash); err != nil {
		return notFound(err, "user")
	}
	ok, err := VerifyPassword(ctx, hash, current)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Invalidf("current_password", "wrong_password")
	}
	if current == next {
		return apperr.Invalidf("new_password", "password_unchanged")
	}
	err = s.SetPassword(ctx, tenantID, userID, next, false)
	if e, ok := apperr.As(err); ok && e.Field == "password" {
		// The rules name "password"; here the field at fault is the new one.
		fe := *e
		fe.Field = "new_password"
		return &fe
	}
	return err
}

// LoginMatch is a user whose e-mail and password matched.
type LoginMatch struct {
	TenantID string
	UserID   string
}

// Authenticate checks an e-mail and password against every tenant's users
// (an address may work in several tenants). It takes as long for an unknown
// address as for a wrong password.
func (s *Service) Authenticate(ctx context.Context, email, pw string) ([]LoginMatch, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	rows, err := s.db.Global().Query(ctx, q.Get("LoginCandidates"), email, false)
	if err != nil {
		return nil, err
	}
	type cand struct{ tenant, user, hash string }
	var cands []cand
	for rows.Next() {
		var c cand
		if err := rows.Scan(&c.tenant, &c.user, &c.hash); err != nil {
			rows.Close()
			return nil, err
		}
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cands) == 0 {
		_, err := VerifyPassword(ctx, dummyHash(), pw)
		return nil, err
	}
	var out []LoginMatch
	for _, c := range cands {
		ok, err := VerifyPassword(ctx, c.hash, pw)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, LoginMatch{TenantID: c.tenant, UserID: c.user})
		}
	}
	return out, nil
}

// AnyAdmin reports whether any tenant has an administrator yet (first run).
func (s *Service) AnyAdmin(ctx context.Context) (bool, error) {
	var n int
	err := s.db.Global().QueryRow(ctx, q.Get("AnyAdmin")).Scan(&n)
	return n > 0, err
}
