package storecontract

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

func (w *world) login(t *testing.T, email, pw, tenantSlug, ip string) (string, auth.Principal) {
	t.Helper()
	tok, p, err := w.auth.Login(ctx, auth.LoginRequest{Email: email, Password: pw, Tenant: tenantSlug, IP: ip, UserAgent: "contract-test"})
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return tok, p
}

func (w *world) live(t *testing.T, token string) auth.Principal {
	t.Helper()
	p, err := w.auth.SessionPrincipal(ctx, token)
	if err != nil {
		t.Fatalf("session should be live: %v", err)
	}
	return p
}

func (w *world) dead(t *testing.T, token string) {
	t.Helper()
	_, err := w.auth.SessionPrincipal(ctx, token)
	wantErr(t, err, apperr.Unauthorized, "session_expired", "")
}

func testSessions(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	t1, t2 := w.tenant(t, "one"), w.tenant(t, "two")
	ann := w.user(t, t1.ID, "ann@example.com", account.RoleAdmin)
	bob := w.user(t, t1.ID, "bob@example.com", account.RoleAgent)

	t.Run("login", func(t *testing.T) {
		tok, p := w.login(t, " ANN@example.com", goodPassword, "", "192.0.2.1")
		if tok == "" || p.TenantID != t1.ID || p.UserID != ann.ID || p.Role != account.RoleAdmin ||
			p.UserEmail != "ann@example.com" || p.SessionID == "" || p.CSRFToken == "" || p.IsToken() {
			t.Fatalf("principal after login: %+v", p)
		}
		got := w.live(t, tok)
		if got.SessionID != p.SessionID || got.UserID != ann.ID || got.CSRFToken != p.CSRFToken {
			t.Fatalf("SessionPrincipal = %+v, want the login's %+v", got, p)
		}
		if !auth.CheckCSRF(&got, p.CSRFToken) || auth.CheckCSRF(&got, "forged") || auth.CheckCSRF(&got, "") {
			t.Fatal("CSRF check does not tell the session's token from others")
		}
		if !got.Can(auth.ScopeAdmin) || !got.Can(auth.ScopeWrite) {
			t.Fatal("an administrator's session cannot administer")
		}
		tok2, p2 := w.login(t, "ann@example.com", goodPassword, "", "192.0.2.1")
		if tok2 == tok || p2.SessionID == p.SessionID {
			t.Fatal("two logins share a session")
		}
	})
	t.Run("refused logins", func(t *testing.T) {
		for _, tc := range []struct {
			name, email, pw string
			kind            apperr.Kind
			code, field     string
		}{
			{"wrong password", "ann@example.com", "not the right one", apperr.Unauthorized, "bad_credentials", ""},
			{"unknown address", "nobody@example.com", goodPassword, apperr.Unauthorized, "bad_credentials", ""},
			{"no address", " ", goodPassword, apperr.Invalid, "required", "email"},
			{"no password", "ann@example.com", "", apperr.Invalid, "required", "password"},
			{"absurdly long password", "ann@example.com", strings.Repeat("x", 1000), apperr.Invalid, "password_too_long", "password"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tok, _, err := w.auth.Login(ctx, auth.LoginRequest{Email: tc.email, Password: tc.pw, IP: "192.0.2.2"})
				wantErr(t, err, tc.kind, tc.code, tc.field)
				if tok != "" {
					t.Fatal("a refused login returned a session token")
				}
			})
		}
		for _, bad := range []string{"", "unknown", strings.Repeat("z", 101)} {
			w.dead(t, bad)
		}
	})
	t.Run("idle timeout", func(t *testing.T) {
		tok, _ := w.login(t, "bob@example.com", goodPassword, "", "192.0.2.3")
		w.clock.Advance(29 * time.Minute)
		w.live(t, tok) // activity moves the idle deadline
		w.clock.Advance(29 * time.Minute)
		w.live(t, tok)
		w.clock.Advance(31 * time.Minute)
		w.dead(t, tok)
	})
	t.Run("absolute lifetime", func(t *testing.T) {
		tok, _ := w.login(t, "bob@example.com", goodPassword, "", "192.0.2.3")
		for i := 0; i < 4; i++ { // 4 × 29 min = 116 min of steady activity
			w.clock.Advance(29 * time.Minute)
			w.live(t, tok)
		}
		w.clock.Advance(5 * time.Minute) // 121 min after login: past the 2 h lifetime
		w.dead(t, tok)
	})
	t.Run("an expired session stays dead", func(t *testing.T) {
		tok, _ := w.login(t, "bob@example.com", goodPassword, "", "192.0.2.3")
		w.clock.Advance(31 * time.Minute)
		w.dead(t, tok)
		w.clock.Advance(-31 * time.Minute) // even if the clock goes back
		w.dead(t, tok)
		w.clock.Advance(31 * time.Minute)
	})
	t.Run("list, logout and logout all", func(t *testing.T) {
		toks := make([]string, 3)
		ps := make([]auth.Principal, 3)
		for i := range toks {
			toks[i], ps[i] = w.login(t, "bob@example.com", goodPassword, "", "192.0.2.4")
		}
		annTok, _ := w.login(t, "ann@example.com", goodPassword, "", "192.0.2.4")

		list, err := w.auth.Sessions(ctx, &ps[1])
		must(t, err)
		var ids []string
		current := 0
		for _, s := range list {
			ids = append(ids, s.ID)
			if s.Current {
				current++
				if s.ID != ps[1].SessionID {
					t.Fatalf("session %s is marked current, want %s", s.ID, ps[1].SessionID)
				}
			}
		}
		sameSet(t, "bob's sessions", ids, []string{ps[0].SessionID, ps[1].SessionID, ps[2].SessionID})
		if current != 1 {
			t.Fatalf("%d sessions marked current", current)
		}

		must(t, w.auth.Logout(ctx, &ps[1], ps[2].SessionID))
		w.dead(t, toks[2])
		wantNotFound(t, w.auth.Logout(ctx, &ps[1], ps[2].SessionID))
		annP := w.live(t, annTok)
		wantNotFound(t, w.auth.Logout(ctx, &ps[1], annP.SessionID)) // not bob's
		w.live(t, annTok)

		toks = append(toks, "")
		toks[3], _ = w.login(t, "bob@example.com", goodPassword, "", "192.0.2.4")
		must(t, w.auth.LogoutAll(ctx, t1.ID, bob.ID, ps[0].SessionID))
		w.live(t, toks[0])
		w.dead(t, toks[1])
		w.dead(t, toks[3])
		w.live(t, annTok)

		must(t, w.auth.LogoutAll(ctx, t1.ID, bob.ID, ""))
		w.dead(t, toks[0])
		w.live(t, annTok)
	})
	t.Run("disabling or deleting a user ends their sessions", func(t *testing.T) {
		cy := w.user(t, t1.ID, "cy@example.com", account.RoleAgent)
		tok, _ := w.login(t, "cy@example.com", goodPassword, "", "192.0.2.5")
		_, err := w.accounts.UpdateUser(ctx, t1.ID, cy.ID, account.UserPatch{Disabled: ptr(true)})
		must(t, err)
		w.dead(t, tok)
		_, _, err = w.auth.Login(ctx, auth.LoginRequest{Email: "cy@example.com", Password: goodPassword, IP: "192.0.2.5"})
		wantErr(t, err, apperr.Unauthorized, "bad_credentials", "")
		_, err = w.accounts.UpdateUser(ctx, t1.ID, cy.ID, account.UserPatch{Disabled: ptr(false)})
		must(t, err)
		tok, _ = w.login(t, "cy@example.com", goodPassword, "", "192.0.2.5")
		must(t, w.accounts.DeleteUser(ctx, t1.ID, cy.ID))
		w.dead(t, tok)
	})
	t.Run("one-time password must be changed first", func(t *testing.T) {
		_, err := w.accounts.CreateUser(ctx, t1.ID, account.NewUser{Email: "new@example.com", Name: "New", Password: goodPassword, MustChangePassword: true})
		must(t, err)
		_, p := w.login(t, "new@example.com", goodPassword, "", "192.0.2.6")
		if !p.MustChangePassword || p.Can(auth.ScopeRead) {
			t.Fatalf("a user with a one-time password may act before changing it: %+v", p)
		}
	})
	t.Run("an address in two tenants chooses one", func(t *testing.T) {
		dee2 := w.user(t, t2.ID, "dee@example.com", account.RoleAgent)
		w.user(t, t1.ID, "dee@example.com", account.RoleAgent)
		_, _, err := w.auth.Login(ctx, auth.LoginRequest{Email: "dee@example.com", Password: goodPassword, IP: "192.0.2.7"})
		wantErr(t, err, apperr.Invalid, "choose_tenant", "tenant")
		_, p := w.login(t, "dee@example.com", goodPassword, "TWO", "192.0.2.7")
		if p.TenantID != t2.ID || p.UserID != dee2.ID {
			t.Fatalf("login to tenant two gave %+v", p)
		}
		_, _, err = w.auth.Login(ctx, auth.LoginRequest{Email: "dee@example.com", Password: goodPassword, Tenant: "nope", IP: "192.0.2.7"})
		wantErr(t, err, apperr.Unauthorized, "bad_credentials", "")
	})
	t.Run("purge keeps live sessions", func(t *testing.T) {
		tok, _ := w.login(t, "ann@example.com", goodPassword, "", "192.0.2.8")
		old, _ := w.login(t, "ann@example.com", goodPassword, "", "192.0.2.8")
		w.clock.Advance(20 * time.Minute)
		w.live(t, tok)
		w.clock.Advance(20 * time.Minute) // old is now idle for 40 min
		must(t, w.auth.Purge(ctx))
		w.live(t, tok)
		w.dead(t, old)
	})
}

func testTokens(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	t1 := w.tenant(t, "one")

	secret, tok, err := w.auth.CreateToken(ctx, t1.ID, " ci deploy ", auth.ScopeWrite, "user-1")
	must(t, err)
	t.Run("create", func(t *testing.T) {
		if !strings.HasPrefix(secret, auth.TokenPrefix) || len(secret) < 40 || strings.ContainsAny(secret, " \n") {
			t.Fatalf("secret %q", secret)
		}
		if tok.Name != "ci deploy" || tok.Scope != auth.ScopeWrite || tok.CreatedBy != "user-1" || tok.Prefix != secret[:len(auth.TokenPrefix)+6] {
			t.Fatalf("token %+v", tok)
		}
		got, err := w.auth.GetToken(ctx, t1.ID, tok.ID)
		must(t, err)
		if got.Name != tok.Name || got.Prefix != tok.Prefix || got.Scope != tok.Scope || got.LastUsedAt != nil || got.RevokedAt != nil {
			t.Fatalf("GetToken = %+v", got)
		}
		other, _, err := w.auth.CreateToken(ctx, t1.ID, "ci deploy", auth.ScopeRead, "")
		must(t, err)
		if other == secret {
			t.Fatal("two tokens share a secret")
		}
	})
	t.Run("invalid", func(t *testing.T) {
		_, _, err := w.auth.CreateToken(ctx, t1.ID, " ", auth.ScopeRead, "")
		wantErr(t, err, apperr.Invalid, "required", "name")
		_, _, err = w.auth.CreateToken(ctx, t1.ID, strings.Repeat("n", 101), auth.ScopeRead, "")
		wantErr(t, err, apperr.Invalid, "too_long", "name")
		_, _, err = w.auth.CreateToken(ctx, t1.ID, "x", auth.Scope("root"), "")
		wantErr(t, err, apperr.Invalid, "invalid_scope", "scope")
	})
	t.Run("lookup", func(t *testing.T) {
		p, err := w.auth.TokenPrincipal(ctx, secret)
		must(t, err)
		if !p.IsToken() || p.TenantID != t1.ID || p.TokenID != tok.ID || p.TokenName != "ci deploy" || p.Scope != auth.ScopeWrite {
			t.Fatalf("TokenPrincipal = %+v", p)
		}
		if !p.Can(auth.ScopeRead) || !p.Can(auth.ScopeWrite) || p.Can(auth.ScopeAdmin) {
			t.Fatal("a write token's permissions are wrong")
		}
		for _, bad := range []string{"", "sbt_", "sbt_unknown", secret[:len(secret)-1], strings.TrimPrefix(secret, auth.TokenPrefix), secret + "x", auth.TokenPrefix + strings.Repeat("a", 100)} {
			_, err := w.auth.TokenPrincipal(ctx, bad)
			wantErr(t, err, apperr.Unauthorized, "bad_token", "")
		}
	})
	t.Run("last used", func(t *testing.T) {
		used := func() *time.Time {
			t.Helper()
			got, err := w.auth.GetToken(ctx, t1.ID, tok.ID)
			must(t, err)
			return got.LastUsedAt
		}
		first := w.clock.Now()
		if u := used(); u == nil || !u.Equal(first) {
			t.Fatalf("last used %v, want %v", u, first)
		}
		w.clock.Advance(30 * time.Second)
		_, err := w.auth.TokenPrincipal(ctx, secret)
		must(t, err)
		if u := used(); !u.Equal(first) {
			t.Fatalf("last used written again within a minute: %v", u)
		}
		w.clock.Advance(2 * time.Minute)
		_, err = w.auth.TokenPrincipal(ctx, secret)
		must(t, err)
		if u := used(); !u.Equal(w.clock.Now()) {
			t.Fatalf("last used %v, want %v", u, w.clock.Now())
		}
	})
	t.Run("revoke", func(t *testing.T) {
		must(t, w.auth.RevokeToken(ctx, t1.ID, tok.ID))
		_, err := w.auth.TokenPrincipal(ctx, secret)
		wantErr(t, err, apperr.Unauthorized, "bad_token", "")
		got, err := w.auth.GetToken(ctx, t1.ID, tok.ID)
		must(t, err)
		if got.RevokedAt == nil || !got.RevokedAt.Equal(w.clock.Now()) {
			t.Fatalf("revoked at %v", got.RevokedAt)
		}
		w.clock.Advance(time.Hour)
		must(t, w.auth.RevokeToken(ctx, t1.ID, tok.ID)) // again: no change
		again, err := w.auth.GetToken(ctx, t1.ID, tok.ID)
		must(t, err)
		if !again.RevokedAt.Equal(*got.RevokedAt) {
			t.Fatalf("revoking twice moved revoked_at from %v to %v", got.RevokedAt, again.RevokedAt)
		}
		wantNotFound(t, w.auth.RevokeToken(ctx, t1.ID, id.New()))
		_, err = w.auth.GetToken(ctx, t1.ID, id.New())
		wantNotFound(t, err)
	})
	t.Run("list includes revoked tokens, page by page", func(t *testing.T) {
		var want []string
		list, _, err := w.auth.Tokens(ctx, t1.ID, store.Page{})
		must(t, err)
		for _, x := range list {
			want = append(want, x.ID)
		}
		for i := 0; i < 4; i++ {
			_, x, err := w.auth.CreateToken(ctx, t1.ID, "bulk", auth.ScopeRead, "")
			must(t, err)
			want = append(want, x.ID)
		}
		got := walk(t, 2, func(p store.Page) ([]string, string, error) {
			ts, next, err := w.auth.Tokens(ctx, t1.ID, p)
			ids := make([]string, len(ts))
			for i, x := range ts {
				ids[i] = x.ID
				if x.ID == tok.ID && x.RevokedAt == nil {
					t.Error("the revoked token is listed as active")
				}
			}
			return ids, next, err
		})
		sameSet(t, "tokens", got, want)
		if len(got) != 6 {
			t.Fatalf("listed %d tokens, want 6", len(got))
		}
	})
}

func testThrottle(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)
	tn := w.tenant(t, "throttle")
	w.user(t, tn.ID, "tom@example.com", account.RoleAgent)
	w.user(t, tn.ID, "una@example.com", account.RoleAgent)

	attempt := func(email, pw, ip string) error {
		_, _, err := w.auth.Login(ctx, auth.LoginRequest{Email: email, Password: pw, IP: ip})
		return err
	}
	wantLocked := func(t *testing.T, err error, wait time.Duration) {
		t.Helper()
		wantErr(t, err, apperr.TooMany, "too_many_attempts", "")
		var re *auth.RetryError
		if !errors.As(err, &re) || re.After != wait {
			t.Fatalf("retry after %v, want %v", re, wait)
		}
	}
	const wrong = "definitely wrong password"

	t.Run("an account locks after five failures and doubles", func(t *testing.T) {
		for i := 1; i <= 6; i++ {
			wantErr(t, attempt("tom@example.com", wrong, "198.51.100.1"), apperr.Unauthorized, "bad_credentials", "")
		}
		// locked now: even the right password is refused, from any address
		wantLocked(t, attempt("tom@example.com", goodPassword, "198.51.100.2"), 15*time.Second)
		// other accounts are not affected
		if err := attempt("una@example.com", goodPassword, "198.51.100.3"); err != nil {
			t.Fatalf("another account is locked too: %v", err)
		}
		w.clock.Advance(16 * time.Second)
		wantErr(t, attempt("tom@example.com", wrong, "198.51.100.1"), apperr.Unauthorized, "bad_credentials", "")
		wantLocked(t, attempt("tom@example.com", goodPassword, "198.51.100.1"), 30*time.Second)
		w.clock.Advance(31 * time.Second)
		if err := attempt("tom@example.com", goodPassword, "198.51.100.1"); err != nil {
			t.Fatalf("login after the lock-out: %v", err)
		}
		// a successful login resets the account's counter
		for i := 1; i <= 5; i++ {
			wantErr(t, attempt("tom@example.com", wrong, "198.51.100.4"), apperr.Unauthorized, "bad_credentials", "")
		}
		if err := attempt("tom@example.com", goodPassword, "198.51.100.4"); err != nil {
			t.Fatalf("five failures after a success locked the account: %v", err)
		}
	})
	t.Run("failures older than the window are forgotten", func(t *testing.T) {
		for i := 1; i <= 5; i++ {
			wantErr(t, attempt("una@example.com", wrong, "198.51.100.5"), apperr.Unauthorized, "bad_credentials", "")
		}
		w.clock.Advance(61 * time.Minute)
		wantErr(t, attempt("una@example.com", wrong, "198.51.100.5"), apperr.Unauthorized, "bad_credentials", "")
		if err := attempt("una@example.com", goodPassword, "198.51.100.5"); err != nil {
			t.Fatalf("old failures still counted: %v", err)
		}
	})
	t.Run("an address locks after thirty failures", func(t *testing.T) {
		const ip = "203.0.113.9"
		for i := 1; i <= 31; i++ {
			email := "guess" + strings.Repeat("x", i) + "@example.com" // a new account each time
			wantErr(t, attempt(email, wrong, ip), apperr.Unauthorized, "bad_credentials", "")
		}
		wantLocked(t, attempt("una@example.com", goodPassword, ip), 30*time.Second)
		if err := attempt("una@example.com", goodPassword, "203.0.113.10"); err != nil {
			t.Fatalf("the account is locked by another address's failures: %v", err)
		}
		must(t, w.auth.Purge(ctx)) // keeps counters that are still locking
		wantLocked(t, attempt("una@example.com", goodPassword, ip), 30*time.Second)
	})
}
