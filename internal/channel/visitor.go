package channel

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// VisitorTokenLifetime is how long a browser keeps its conversation without
// coming back; each visit renews the token.
const VisitorTokenLifetime = 400 * 24 * time.Hour

// Visitor is what a visitor token vouches for.
type Visitor struct {
	TenantID  string `json:"t"`
	ChannelID string `json:"c"`
	ContactID string `json:"k"`
	// UserID is the site's user id, when the site signed it.
	UserID   string `json:"u,omitempty"`
	IssuedAt int64  `json:"i"`
}

// ErrBadVisitorToken is a forged, foreign or expired visitor token.
var ErrBadVisitorToken = errors.New("channel: bad visitor token")

// signer holds the deployment's token key, created once in the database and
// shared by every node.
type signer struct {
	db   *store.DB
	once sync.Mutex
	key  []byte
}

const tokenKeyName = "visitor_token_key"

func (g *signer) get(ctx context.Context) ([]byte, error) {
	g.once.Lock()
	defer g.once.Unlock()
	if g.key != nil {
		return g.key, nil
	}
	sc := g.db.Global()
	if _, err := sc.Exec(ctx, q.Get("PutSecret"), tokenKeyName, id.Secret(32), time.Now().UnixMilli()); err != nil {
		return nil, err
	}
	var v string
	if err := sc.QueryRow(ctx, q.Get("GetSecret"), tokenKeyName).Scan(&v); err != nil {
		return nil, err
	}
	g.key = []byte(v)
	return g.key, nil
}

func sign(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("visitor." + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// IssueVisitorToken signs v.
func (s *Service) IssueVisitorToken(ctx context.Context, v Visitor) (string, error) {
	key, err := s.key.get(ctx)
	if err != nil {
		return "", err
	}
	v.IssuedAt = s.now().Unix()
	b, _ := json.Marshal(v)
	payload := base64.RawURLEncoding.EncodeToString(b)
	return "v1." + payload + "." + sign(key, payload), nil
}

// ParseVisitorToken checks a token's signature and age, and that it was
// issued for this channel.
func (s *Service) ParseVisitorToken(ctx context.Context, ch *Channel, token string) (Visitor, error) {
	if len(token) > 1024 {
		return Visitor{}, ErrBadVisitorToken
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != "v1" {
		return Visitor{}, ErrBadVisitorToken
	}
	key, err := s.key.get(ctx)
	if err != nil {
		return Visitor{}, err
	}
	if !hmac.Equal([]byte(sign(key, parts[1])), []byte(parts[2])) {
		return Visitor{}, ErrBadVisitorToken
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return Visitor{}, ErrBadVisitorToken
	}
	var v Visitor
	if err := json.Unmarshal(b, &v); err != nil {
		return Visitor{}, ErrBadVisitorToken
	}
	issued := time.Unix(v.IssuedAt, 0)
	if v.TenantID != ch.TenantID || v.ChannelID != ch.ID || v.ContactID == "" ||
		s.now().Sub(issued) > VisitorTokenLifetime || issued.After(s.now().Add(time.Minute)) {
		return Visitor{}, ErrBadVisitorToken
	}
	return v, nil
}

// IdentityHash is what a site computes to vouch for its signed-in user:
// hex(HMAC-SHA256(identity secret, user id)).
func IdentityHash(secret, userID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(userID))
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyIdentity reports whether hash vouches for userID on this channel.
func (c *Channel) VerifyIdentity(userID, hash string) bool {
	if userID == "" || len(userID) > 200 || len(hash) != 64 {
		return false
	}
	return hmac.Equal([]byte(IdentityHash(c.IdentitySecret, userID)), []byte(strings.ToLower(hash)))
}
