// Package tenant manages tenants: the companies one Switchboard deployment
// serves, each fully isolated from the others.
package tenant

import (
	"context"
	"embed"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

//go:embed *.sql
var sqlFS embed.FS

var q = store.MustLoadQueries(sqlFS)

// Queries exposes this package's statements to the store scoping tests.
func Queries() *store.Queries { return q }

// DefaultSlug is the tenant created on first run.
const DefaultSlug = "default"

// Tenant is one company using Switchboard.
type Tenant struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Service creates and finds tenants.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the tenant service.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// Create adds a tenant. The slug is lower-case letters, digits and dashes.
func (s *Service) Create(ctx context.Context, slug, name string) (Tenant, error) {
	slug = strings.ToLower(strings.TrimSpace(slug))
	name = strings.TrimSpace(name)
	if !slugRE.MatchString(slug) {
		return Tenant{}, apperr.Invalidf("slug", "invalid_slug")
	}
	if name == "" {
		name = slug
	}
	if utf8.RuneCountInString(name) > 200 {
		return Tenant{}, apperr.Invalidf("name", "too_long", "max", 200)
	}
	t := Tenant{ID: id.New(), Slug: slug, Name: name, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	_, err := s.db.Global().Exec(ctx, q.Get("CreateTenant"), t.ID, t.Slug, t.Name, store.Millis(t.CreatedAt))
	if errors.Is(err, store.ErrConflict) {
		return Tenant{}, apperr.Conflictf("slug", err)
	}
	return t, err
}

func scan(r interface{ Scan(...any) error }) (Tenant, error) {
	var t Tenant
	var created int64
	err := r.Scan(&t.ID, &t.Slug, &t.Name, &created)
	t.CreatedAt = store.Time(created)
	return t, err
}

// BySlug finds a tenant by its slug.
func (s *Service) BySlug(ctx context.Context, slug string) (Tenant, error) {
	t, err := scan(s.db.Global().QueryRow(ctx, q.Get("TenantBySlug"), strings.ToLower(slug)))
	if errors.Is(err, store.ErrNotFound) {
		return t, apperr.NotFoundf("tenant")
	}
	return t, err
}

// ByID finds a tenant by id.
func (s *Service) ByID(ctx context.Context, tenantID string) (Tenant, error) {
	t, err := scan(s.db.Global().QueryRow(ctx, q.Get("TenantByID"), tenantID))
	if errors.Is(err, store.ErrNotFound) {
		return t, apperr.NotFoundf("tenant")
	}
	return t, err
}

// List returns every tenant, oldest first.
func (s *Service) List(ctx context.Context) ([]Tenant, error) {
	rows, err := s.db.Global().Query(ctx, q.Get("ListTenants"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Tenant
	for rows.Next() {
		t, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// EnsureDefault returns the default tenant, creating it when missing.
func (s *Service) EnsureDefault(ctx context.Context) (Tenant, error) {
	t, err := s.BySlug(ctx, DefaultSlug)
	if err == nil {
		return t, nil
	}
	if !apperr.IsKind(err, apperr.NotFound) {
		return t, err
	}
	t, err = s.Create(ctx, DefaultSlug, "Default")
	if apperr.IsKind(err, apperr.Conflict) { // created meanwhile by another process
		return s.BySlug(ctx, DefaultSlug)
	}
	return t, err
}
