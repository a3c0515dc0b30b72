package apitest

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/config"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

const sessionCookie = "sb_session" // without TLS; __Host-sb_session under TLS

// loginCookie signs in with a raw request and returns the session cookie
// the server set, with all its attributes.
func loginCookie(t *testing.T, s *Server, c *client.Client) *http.Cookie {
	t.Helper()
	var me client.Me
	resp, err := c.Do(t.Context(), http.MethodPost, "/api/v1/auth/login", client.LoginRequest{Email: s.AdminEmail, Password: s.AdminPassword}, &me)
	ok(t, "login", err)
	c.SetCSRFToken(me.CSRFToken)
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			return ck
		}
	}
	t.Fatalf("login set no %s cookie: %v", sessionCookie, resp.Header.Values("Set-Cookie"))
	return nil
}

// withCookie is a client that presents a session cookie value it got
// elsewhere (a copied or stolen cookie).
func withCookie(t *testing.T, s *Server, value string) *client.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(s.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: value, Path: "/"}})
	return client.New(s.URL, client.WithHTTPClient(&http.Client{Jar: jar}))
}

// TestSessions covers browser sessions as a user meets them: the cookie,
// CSRF protection of writes, signing out, the session list, and timeouts.
func TestSessions(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		s := Start(t, e, WithConfig(func(c *config.Config) {
			c.SessionIdle = 30 * time.Minute
			c.SessionMax = 2 * time.Hour
		}))

		t.Run("cookie attributes and a new session on every login", func(t *testing.T) {
			c := s.Client()
			first := loginCookie(t, s, c)
			if !first.HttpOnly || first.SameSite != http.SameSiteLaxMode || first.Path != "/" {
				t.Errorf("session cookie %q: want HttpOnly, SameSite=Lax, Path=/", first.Raw)
			}
			if first.Secure {
				t.Errorf("session cookie %q is Secure on plain HTTP: the browser would drop it", first.Raw)
			}
			if first.MaxAge != 0 || !first.Expires.IsZero() {
				t.Errorf("session cookie %q should end with the browser; the server enforces the timeouts", first.Raw)
			}
			if len(first.Value) < 32 {
				t.Errorf("session id %q is too short to be unguessable", first.Value)
			}
			// Signing in again, with the old cookie still sent, gives a new session.
			second := loginCookie(t, s, c)
			if second.Value == first.Value {
				t.Fatal("a second login kept the session id")
			}
			sessions := must[[]client.Session](t, "my sessions")(c.MySessions(t.Context()))
			current := 0
			for _, se := range sessions {
				if se.Current {
					current++
				}
			}
			if len(sessions) != 2 || current != 1 {
				t.Fatalf("after two logins: %+v, want two sessions, one current", sessions)
			}
		})

		t.Run("CSRF", func(t *testing.T) {
			ctx := t.Context()
			c, me := s.Login(t, s.AdminEmail, s.AdminPassword)
			other, _ := s.Login(t, s.AdminEmail, s.AdminPassword)
			kept := must[*client.Contact](t, "create with the right CSRF token")(c.CreateContact(ctx, client.ContactInput{Name: ptr("Kept")}))
			if _, _, err := c.ListContacts(ctx, client.ListOptions{}); err != nil {
				t.Fatalf("reads need no CSRF token: %v", err)
			}
			for _, tc := range []struct{ name, token string }{
				{"no token", ""},
				{"wrong token", wrongToken(me.CSRFToken)},
				{"another session's token", other.CSRFToken()},
			} {
				t.Run(tc.name, func(t *testing.T) {
					c.SetCSRFToken(tc.token)
					defer c.SetCSRFToken(me.CSRFToken)
					before := countAll(t, ctx, other)
					_, err := c.CreateContact(ctx, client.ContactInput{Name: ptr("Forged")})
					wantError(t, "create", err, http.StatusForbidden, "csrf")
					_, err = c.UpdateContact(ctx, kept.ID, client.ContactInput{Name: ptr("Forged")})
					wantError(t, "update", err, http.StatusForbidden, "csrf")
					wantError(t, "delete", c.DeleteContact(ctx, kept.ID), http.StatusForbidden, "csrf")
					_, err = c.CreateToken(ctx, client.TokenCreate{Name: "forged", Scope: client.ScopeAdmin})
					wantError(t, "create token", err, http.StatusForbidden, "csrf")
					wantError(t, "logout", c.Logout(ctx), http.StatusForbidden, "csrf")
					if after := countAll(t, ctx, other); after != before {
						t.Errorf("a forged request changed something: %+v, then %+v", before, after)
					}
					if got := must[*client.Contact](t, "get")(other.GetContact(ctx, kept.ID)); got.Name != "Kept" {
						t.Errorf("a forged request renamed the contact to %q", got.Name)
					}
					if _, err := c.Me(ctx); err != nil {
						t.Errorf("a forged logout ended the session: %v", err)
					}
				})
			}
			if _, err := c.CreateContact(ctx, client.ContactInput{Name: ptr("Genuine")}); err != nil {
				t.Fatalf("with the right token the write works: %v", err)
			}
		})

		t.Run("logout", func(t *testing.T) {
			ctx := t.Context()
			c := s.Client()
			ck := loginCookie(t, s, c)
			ok(t, "logout", c.Logout(ctx))
			_, err := c.Me(ctx)
			wantError(t, "after logout", err, http.StatusUnauthorized, "unauthenticated")
			// A copy of the cookie is worthless once signed out.
			_, err = withCookie(t, s, ck.Value).Me(ctx)
			wantError(t, "the old cookie after logout", err, http.StatusUnauthorized, "session_expired")
		})

		t.Run("list and end my sessions", func(t *testing.T) {
			ctx := t.Context()
			laptop, _ := s.Login(t, s.AdminEmail, s.AdminPassword, client.WithUserAgent("Laptop browser"))
			phone, _ := s.Login(t, s.AdminEmail, s.AdminPassword, client.WithUserAgent("Phone app"))
			list := must[[]client.Session](t, "my sessions")(laptop.MySessions(ctx))
			var mine, theirs *client.Session
			for i := range list {
				switch list[i].UserAgent {
				case "Laptop browser":
					mine = &list[i]
				case "Phone app":
					theirs = &list[i]
				}
			}
			if mine == nil || theirs == nil || !mine.Current || theirs.Current {
				t.Fatalf("sessions as the laptop sees them: %+v", list)
			}
			if mine.IP != "127.0.0.1" || mine.ExpiresAt.Before(mine.CreatedAt) {
				t.Errorf("session details: %+v", mine)
			}
			ok(t, "end the phone's session", laptop.DeleteMySession(ctx, theirs.ID))
			_, err := phone.Me(ctx)
			wantError(t, "the ended session", err, http.StatusUnauthorized, "session_expired")
			if _, err := laptop.Me(ctx); err != nil {
				t.Fatalf("ending another session ended this one: %v", err)
			}
			for _, sid := range []string{theirs.ID, id.New(), "not-an-id"} {
				wantError(t, "end "+sid, laptop.DeleteMySession(ctx, sid), http.StatusNotFound, "not_found")
			}
		})

		t.Run("sign out everywhere", func(t *testing.T) {
			ctx := t.Context()
			a, _ := s.Login(t, s.AdminEmail, s.AdminPassword)
			b, _ := s.Login(t, s.AdminEmail, s.AdminPassword)
			ok(t, "sign out everywhere", a.DeleteAllMySessions(ctx))
			_, err := a.Me(ctx)
			wantError(t, "this session", err, http.StatusUnauthorized, "unauthenticated")
			_, err = b.Me(ctx)
			wantError(t, "the other session", err, http.StatusUnauthorized, "session_expired")
		})

		t.Run("idle timeout", func(t *testing.T) {
			ctx := t.Context()
			idle := s.App.Auth.IdleTimeout()
			c, _ := s.Login(t, s.AdminEmail, s.AdminPassword)
			// Activity keeps the session alive past the idle timeout...
			for i := 0; i < 3; i++ {
				s.Clock.Advance(idle - time.Minute)
				if _, err := c.Me(ctx); err != nil {
					t.Fatalf("active for %v: %v", time.Duration(i+1)*(idle-time.Minute), err)
				}
			}
			// ...and a pause longer than it ends the session.
			s.Clock.Advance(idle + time.Minute)
			_, err := c.Me(ctx)
			wantError(t, "after an idle pause", err, http.StatusUnauthorized, "session_expired")
			_, err = c.CreateContact(ctx, client.ContactInput{Name: ptr("Late")})
			wantError(t, "a write after the idle pause", err, http.StatusUnauthorized, "session_expired")
		})

		t.Run("absolute lifetime", func(t *testing.T) {
			ctx := t.Context()
			idle, max := s.App.Auth.IdleTimeout(), s.App.Auth.MaxLifetime()
			c, _ := s.Login(t, s.AdminEmail, s.AdminPassword)
			step := idle - time.Minute
			var elapsed time.Duration
			for elapsed+step < max {
				s.Clock.Advance(step)
				elapsed += step
				if _, err := c.Me(ctx); err != nil {
					t.Fatalf("active and %v old: %v", elapsed, err)
				}
			}
			s.Clock.Advance(step)
			_, err := c.Me(ctx)
			wantError(t, "past the lifetime however active", err, http.StatusUnauthorized, "session_expired")
		})
	})
}

// wrongToken changes the first character of a token, so that it is never
// the token itself (a random token may start with any character).
func wrongToken(tok string) string {
	if tok[0] == 'x' {
		return "y" + tok[1:]
	}
	return "x" + tok[1:]
}
