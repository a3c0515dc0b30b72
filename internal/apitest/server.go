// Package apitest holds the black-box tests of the REST API v1: each starts
// the real server in-process on a fresh database and drives it only through
// the public client package, the way an integrator would.
package apitest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/app"
	"github.com/switchboard-cs/switchboard/internal/platform/config"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// The first administrator of every test server, unless OneTimeAdmin is used.
const (
	AdminEmail    = "admin@example.com"
	AdminPassword = "amber kettle window parade"
)

// Clock is a movable clock: real time plus an offset that tests advance.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Server is a running Switchboard with its address and the first
// administrator's credentials.
type Server struct {
	App           *app.App
	URL           string
	Clock         *Clock
	AdminEmail    string
	AdminPassword string
	// Output is what the server printed for the person starting it.
	Output string
}

// Option changes how a test server starts.
type Option func(*setup)

type setup struct {
	cfg     config.Config
	oneTime bool
}

// WithConfig changes the configuration before the server starts.
func WithConfig(fn func(*config.Config)) Option { return func(s *setup) { fn(&s.cfg) } }

// OneTimeAdmin starts the server without an administrator password, so that
// the first administrator gets a printed one-time password.
func OneTimeAdmin() Option { return func(s *setup) { s.oneTime = true } }

var oneTimeRE = regexp.MustCompile(`One-time password:\s+(\S+)`)

// Start runs a server on a fresh database of engine e until the test ends.
func Start(t testing.TB, e storetest.Engine, opts ...Option) *Server {
	t.Helper()
	s := setup{cfg: config.Defaults()}
	s.cfg.Database = e.URL(t)
	s.cfg.DataDir = t.TempDir()
	s.cfg.AdminEmail = AdminEmail
	s.cfg.AdminPassword = AdminPassword
	for _, o := range opts {
		o(&s)
	}
	var out bytes.Buffer
	w := io.Writer(io.Discard)
	if s.oneTime {
		s.cfg.AdminPassword = ""
		w = &out
	}
	lw := &testLog{t: t}
	log := slog.New(slog.NewTextHandler(lw, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := app.New(context.Background(), s.cfg, log, w)
	if err != nil {
		t.Fatalf("start the server: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	clock := &Clock{}
	a.Auth.SetClock(clock.Now)
	hs := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		hs.Close()
		lw.stop()
	})
	srv := &Server{App: a, URL: hs.URL, Clock: clock, AdminEmail: s.cfg.AdminEmail, AdminPassword: s.cfg.AdminPassword,
		Output: out.String()}
	if s.oneTime {
		m := oneTimeRE.FindStringSubmatch(srv.Output)
		if m == nil {
			t.Fatalf("the first start printed no one-time password:\n%s", srv.Output)
		}
		srv.AdminPassword = m[1]
	}
	return srv
}

// Client returns a new client of the server with its own cookie jar.
func (s *Server) Client(opts ...client.Option) *client.Client {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: time.Minute}
	return client.New(s.URL, append([]client.Option{client.WithHTTPClient(hc)}, opts...)...)
}

// Login signs a user in on a new client and fails the test if that fails.
func (s *Server) Login(t testing.TB, email, password string, opts ...client.Option) (*client.Client, *client.Me) {
	t.Helper()
	c := s.Client(opts...)
	me, err := c.Login(context.Background(), client.LoginRequest{Email: email, Password: password})
	if err != nil {
		t.Fatalf("login as %s: %v", email, err)
	}
	return c, me
}

// Admin signs the first administrator in.
func (s *Server) Admin(t testing.TB, opts ...client.Option) *client.Client {
	t.Helper()
	c, _ := s.Login(t, s.AdminEmail, s.AdminPassword, opts...)
	return c
}

// TokenClient creates an API token with a scope through admin and returns a
// client that uses it.
func (s *Server) TokenClient(t testing.TB, admin *client.Client, scope string, opts ...client.Option) (*client.Client, *client.TokenCreated) {
	t.Helper()
	tok, err := admin.CreateToken(context.Background(), client.TokenCreate{Name: scope + " token", Scope: scope})
	if err != nil {
		t.Fatalf("create a %s token: %v", scope, err)
	}
	return client.New(s.URL, append([]client.Option{client.WithToken(tok.Secret)}, opts...)...), tok
}

// testLog sends the server's error log to the test log while the test runs,
// so that the cause of a 500 is visible.
type testLog struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (l *testLog) stop() {
	l.mu.Lock()
	l.done = true
	l.mu.Unlock()
}
