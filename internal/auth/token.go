package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// TokenPrefix starts every API token, so that leaked tokens are easy to find
// in logs and code.
const TokenPrefix = "sbt_"

// Token is an API token as listed: never the secret, which is shown once.
type Token struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scope      Scope      `json:"scope"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// CreateToken makes a named token with a scope and returns its secret, which
// is stored only as a hash and cannot be shown again.
func (s *Service) CreateToken(ctx context.Context, tenantID, name string, scope Scope, createdBy string) (string, Token, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", Token{}, apperr.Invalidf("name", "required")
	}
	if len([]rune(name)) > 100 {
		return "", Token{}, apperr.Invalidf("name", "too_long", "max", 100)
	}
	if !scope.Valid() {
		return "", Token{}, apperr.Invalidf("scope", "invalid_scope")
	}
	secret := TokenPrefix + id.Secret(32)
	now := s.now().UTC().Truncate(time.Millisecond)
	t := Token{ID: id.New(), Name: name, Prefix: secret[:len(TokenPrefix)+6], Scope: scope, CreatedBy: createdBy, CreatedAt: now}
	_, err := s.db.Tenant(tenantID).Exec(ctx, q.Get("CreateToken"), t.ID, t.Name, t.Prefix, hashSecret(secret),
		string(scope), createdBy, store.Millis(now))
	return secret, t, err
}

var errBadToken = apperr.New(apperr.Unauthorized, "bad_token", "")

// TokenPrincipal returns the caller of a bearer token, or a 401 for an
// unknown or revoked one. It records when the token was last used.
func (s *Service) TokenPrincipal(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 100 {
		return Principal{}, errBadToken
	}
	var p Principal
	var scope string
	var used, revoked sql.NullInt64
	err := s.db.Global().QueryRow(ctx, q.Get("TokenByHash"), hashSecret(secret)).Scan(&p.TenantID, &p.TokenID, &p.TokenName, &scope, &used, &revoked)
	if errors.Is(err, store.ErrNotFound) || revoked.Valid {
		return Principal{}, errBadToken
	}
	if err != nil {
		return Principal{}, err
	}
	p.Scope = Scope(scope)
	now := s.now()
	if !used.Valid || now.Sub(store.Time(used.Int64)) > touchEvery {
		if _, err := s.db.Tenant(p.TenantID).Exec(ctx, q.Get("TouchToken"), p.TokenID, store.Millis(now)); err != nil {
			return Principal{}, err
		}
	}
	return p, nil
}

func scanToken(r interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var scope string
	var created int64
	var used, revoked sql.NullInt64
	err := r.Scan(&t.ID, &t.Name, &t.Prefix, &scope, &t.CreatedBy, &created, &used, &revoked)
	t.Scope, t.CreatedAt = Scope(scope), store.Time(created)
	if used.Valid {
		u := store.Time(used.Int64)
		t.LastUsedAt = &u
	}
	if revoked.Valid {
		r := store.Time(revoked.Int64)
		t.RevokedAt = &r
	}
	return t, err
}

// Tokens returns one page of a tenant's tokens, revoked ones included.
func (s *Service) Tokens(ctx context.Context, tenantID string, p store.Page) ([]Token, string, error) {
	p = p.Normalized()
	rows, err := s.db.Tenant(tenantID).Query(ctx, q.Get("ListTokens"), p.After, p.Limit+1)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := store.NextCursor(out, p.Limit, func(t Token) string { return t.ID })
	return out, next, nil
}

// GetToken returns one token.
func (s *Service) GetToken(ctx context.Context, tenantID, tokenID string) (Token, error) {
	t, err := scanToken(s.db.Tenant(tenantID).QueryRow(ctx, q.Get("GetToken"), tokenID))
	if errors.Is(err, store.ErrNotFound) {
		return t, apperr.NotFoundf("token")
	}
	return t, err
}

// RevokeToken stops a token from working; it stays listed as revoked.
func (s *Service) RevokeToken(ctx context.Context, tenantID, tokenID string) error {
	if _, err := s.GetToken(ctx, tenantID, tokenID); err != nil {
		return err
	}
	_, err := s.db.Tenant(tenantID).Exec(ctx, q.Get("RevokeToken"), tokenID, store.Millis(s.now()))
	return err
}
