package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/platform/config"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

func newTestApp(t *testing.T, mutate func(*config.Config)) (*App, *httptest.Server, string) {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	if mutate != nil {
		mutate(&cfg)
	}
	var out bytes.Buffer
	a, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), &out)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { srv.Close(); a.Close() })
	return a, srv, out.String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestOperationsEndpoints(t *testing.T) {
	_, srv, _ := newTestApp(t, nil)
	if code, body := get(t, srv.URL+"/healthz"); code != 200 || !strings.Contains(body, "ok") {
		t.Fatalf("healthz: %d %q", code, body)
	}
	if code, body := get(t, srv.URL+"/readyz"); code != 200 || !strings.Contains(body, "ready") {
		t.Fatalf("readyz: %d %q", code, body)
	}
	get(t, srv.URL+"/api/v1/me") // a 401, counted by route and status
	code, body := get(t, srv.URL+"/metrics")
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	for _, want := range []string{
		`switchboard_http_requests_total{method="GET",route="GET /api/v1/me",status="401"} 1`,
		`switchboard_http_request_duration_seconds_bucket{route="GET /readyz"`,
		`switchboard_db_connections_open{pool="write"}`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestReadyzReportsAnUnreachableDatabase(t *testing.T) {
	a, srv, _ := newTestApp(t, nil)
	a.DB.Close()
	if code, _ := get(t, srv.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed database: %d, want 503", code)
	}
	if code, _ := get(t, srv.URL+"/healthz"); code != 200 {
		t.Fatalf("healthz must stay 200 (the process is alive): %d", code)
	}
}

func TestFirstRunCreatesOneAdministratorOnce(t *testing.T) {
	dir := t.TempDir()
	set := func(c *config.Config) { c.DataDir = dir }
	a, _, out := newTestApp(t, set)
	if !strings.Contains(out, "One-time password:") || !strings.Contains(out, DefaultAdminEmail) {
		t.Fatalf("first run printed %q", out)
	}
	ts, err := a.Tenants.List(context.Background())
	if err != nil || len(ts) != 1 || ts[0].Slug != "default" {
		t.Fatalf("tenants after first run: %v %v", ts, err)
	}
	a.Close()
	_, _, out2 := newTestApp(t, set)
	if strings.Contains(out2, "One-time password") {
		t.Fatalf("second start printed a password again: %q", out2)
	}
	if _, err := filepath.Glob(filepath.Join(dir, "switchboard.db")); err != nil {
		t.Fatal(err)
	}
}

func TestFirstRunWithGivenAdministrator(t *testing.T) {
	a, _, out := newTestApp(t, func(c *config.Config) {
		c.AdminEmail, c.AdminPassword = "boss@example.com", "a long enough passphrase"
	})
	if strings.Contains(out, "One-time password") {
		t.Fatalf("printed a one-time password although one was given: %q", out)
	}
	ctx := context.Background()
	ten, _ := a.Tenants.BySlug(ctx, "default")
	u, err := a.Accounts.UserByEmail(ctx, ten.ID, "boss@example.com")
	if err != nil || u.MustChangePassword || u.Role != "admin" {
		t.Fatalf("admin: %+v %v", u, err)
	}
}

func TestDemoSeedsOnce(t *testing.T) {
	dir := t.TempDir()
	set := func(c *config.Config) { c.DataDir, c.Demo = dir, true }
	a, _, out := newTestApp(t, set)
	if !strings.Contains(out, DemoPassword) || !strings.Contains(out, "li.na@demo.switchboard.local") {
		t.Fatalf("demo credentials not printed: %q", out)
	}
	a.Close()
	a2, _, _ := newTestApp(t, set)
	ts, _ := a2.Tenants.List(context.Background())
	if len(ts) != 2 {
		t.Fatalf("tenants after two demo starts: %d, want default and demo", len(ts))
	}
	ctx := context.Background()
	demo, _ := a2.Tenants.BySlug(ctx, DemoSlug)
	users, _, _ := a2.Accounts.ListUsers(ctx, demo.ID, store.Page{Limit: store.MaxPageSize})
	if len(users) != len(demoAgents) {
		t.Fatalf("demo users: %d", len(users))
	}
}

func TestSecureCookiesUnderTLS(t *testing.T) {
	_, srv, _ := newTestApp(t, func(c *config.Config) {
		c.PublicURL = "https://help.example.com"
		c.AdminEmail, c.AdminPassword = "boss@example.com", "a long enough passphrase"
	})
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/auth/login",
		strings.NewReader(`{"email":"boss@example.com","password":"a long enough passphrase"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	sc := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-sb_session=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(sc, want) {
			t.Errorf("Set-Cookie %q lacks %s", sc, want)
		}
	}
	if strings.Contains(sc, "Domain=") {
		t.Errorf("a __Host- cookie must not name a domain: %q", sc)
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS header under TLS")
	}
}
