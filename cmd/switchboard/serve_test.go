package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/servetest"
)

// proc is a running switchboard process.
type proc struct {
	cmd    *exec.Cmd
	stdout *servetest.Output
	stderr *servetest.Output
	done   chan struct{}
	err    error
}

// childEnv is the test process's environment without any SWITCHBOARD_
// setting, plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SWITCHBOARD_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

func start(t *testing.T, bin, dir string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), stdout: &servetest.Output{}, stderr: &servetest.Output{}, done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// waitFor polls until cond holds, failing after the deadline or when the
// process ends first.
func (p *proc) waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		select {
		case <-p.done:
			t.Fatalf("the process ended (%v) before %s\nstdout:\n%s\nstderr:\n%s", p.err, what, p.stdout, p.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v\nstdout:\n%s\nstderr:\n%s", what, within, p.stdout, p.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var readyLine = regexp.MustCompile(`Switchboard is ready at (http://\S+/)\n`)

func (p *proc) ready(t *testing.T) string {
	t.Helper()
	p.waitFor(t, "ready line", 60*time.Second, func() bool { return readyLine.MatchString(p.stdout.String()) })
	return readyLine.FindStringSubmatch(p.stdout.String())[1]
}

// exit waits for the process to end and returns its exit code.
func (p *proc) exit(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		t.Fatalf("still running %v later\nstderr:\n%s", within, p.stderr)
	}
	return p.cmd.ProcessState.ExitCode()
}

// admin runs an administrative command to its end.
func admin(t *testing.T, bin, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = childEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

func mustAdmin(t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	code, out, errs := admin(t, bin, dir, args...)
	if code != 0 {
		t.Fatalf("switchboard %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func request(t *testing.T, method, u, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServe runs the real binary the way a first-time user does: "serve" in
// an empty directory, administrative commands beside the running server,
// a graceful stop with a request in flight, and a second start.
func TestServe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := servetest.Build(t)
	dir := t.TempDir()
	env := childEnv("SWITCHBOARD_ADDR=127.0.0.1:0") // a free port; the command line stays "serve"

	srv := start(t, bin, dir, env, "serve")
	base := srv.ready(t)
	out := srv.stdout.String()

	var oneTime string
	t.Run("first run creates the database and prints a one-time password", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(dir, "switchboard-data", "switchboard.db")); err != nil {
			t.Fatalf("no database in ./switchboard-data: %v", err)
		}
		if !strings.Contains(out, "admin@localhost") {
			t.Fatalf("the first administrator's address is not printed:\n%s", out)
		}
		m := regexp.MustCompile(`One-time password:\s+(\S+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no one-time password printed:\n%s", out)
		}
		oneTime = m[1]
		if strings.Contains(srv.stderr.String(), oneTime) {
			t.Fatal("the one-time password went to the log too")
		}
		if u, err := url.Parse(base); err != nil || u.Hostname() != "127.0.0.1" || u.Port() == "0" || u.Port() == "" {
			t.Fatalf("ready URL %q does not name the real port", base)
		}
	})
	t.Run("ready and healthy", func(t *testing.T) {
		if code, body := request(t, "GET", base+"readyz", "", ""); code != 200 || body != "ready\n" {
			t.Fatalf("readyz: %d %q", code, body)
		}
		if code, _ := request(t, "GET", base+"healthz", "", ""); code != 200 {
			t.Fatalf("healthz: %d", code)
		}
	})
	t.Run("the one-time password signs in and must be changed", func(t *testing.T) {
		code, body := request(t, "POST", base+"api/v1/auth/login", "", fmt.Sprintf(`{"email":"admin@localhost","password":%q}`, oneTime))
		if code != 200 || !strings.Contains(body, `"must_change_password":true`) {
			t.Fatalf("login: %d %s", code, body)
		}
	})

	var token string
	t.Run("administrative commands beside the running server", func(t *testing.T) {
		out := mustAdmin(t, bin, dir, "user", "create", "--email", "agent@example.com", "--name", "Agent", "--password", "an agent's passphrase")
		if !strings.Contains(out, "agent@example.com") {
			t.Fatalf("user create: %s", out)
		}
		out = mustAdmin(t, bin, dir, "user", "list")
		if !strings.Contains(out, "admin@localhost") || !strings.Contains(out, "agent@example.com") {
			t.Fatalf("user list:\n%s", out)
		}
		mustAdmin(t, bin, dir, "tenant", "create", "--slug", "other", "--name", "Other Co")
		out = mustAdmin(t, bin, dir, "tenant", "list")
		if !strings.Contains(out, "default") || !strings.Contains(out, "other") {
			t.Fatalf("tenant list:\n%s", out)
		}
		out = mustAdmin(t, bin, dir, "token", "create", "--name", "x", "--scopes", "write")
		if !regexp.MustCompile(`^sbt_[A-Za-z0-9_-]+\n$`).MatchString(out) {
			t.Fatalf("token create printed %q, want the token alone on one line", out)
		}
		token = strings.TrimSpace(out)
	})
	t.Run("the running server sees what the commands made", func(t *testing.T) {
		if token == "" {
			t.Skip("no token")
		}
		code, body := request(t, "GET", base+"api/v1/me", token, "")
		if code != 200 || !strings.Contains(body, `"name":"x"`) || !strings.Contains(body, `"scope":"write"`) {
			t.Fatalf("me with the new token: %d %s", code, body)
		}
		code, body = request(t, "POST", base+"api/v1/contacts", token, `{"name":"From the API","emails":["api@example.com"]}`)
		if code != 201 {
			t.Fatalf("create a contact with the token: %d %s", code, body)
		}
		code, body = request(t, "POST", base+"api/v1/auth/login", "", `{"email":"agent@example.com","password":"an agent's passphrase"}`)
		if code != 200 {
			t.Fatalf("login of the user made by the command: %d %s", code, body)
		}
		if code, _ := request(t, "GET", base+"api/v1/users", "sbt_forged", ""); code != 401 {
			t.Fatalf("a forged token: %d", code)
		}
	})
	t.Run("SIGTERM finishes the request in flight, then exits 0", func(t *testing.T) {
		if token == "" {
			t.Skip("no token")
		}
		host := strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/")
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		body := `{"name":"In flight","emails":["inflight@example.com"]}`
		// Expect: 100-continue makes the server say when the handler starts
		// reading the body: from then on the request is in flight.
		fmt.Fprintf(conn, "POST /api/v1/contacts HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"+
			"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", host, token, len(body))
		br := bufio.NewReader(conn)
		_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		line, err := br.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
			t.Fatalf("no 100 Continue: %q %v", line, err)
		}
		if blank, err := br.ReadString('\n'); err != nil || blank != "\r\n" {
			t.Fatalf("after 100 Continue: %q %v", blank, err)
		}

		sent := time.Now()
		if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		srv.waitFor(t, "shutdown log", 10*time.Second, func() bool { return strings.Contains(srv.stderr.String(), "shutting down") })
		// New connections are refused while the request is still open.
		srv.waitFor(t, "listener closed", 10*time.Second, func() bool {
			c, err := net.DialTimeout("tcp", host, time.Second)
			if err == nil {
				c.Close()
			}
			return err != nil
		})
		select {
		case <-srv.done:
			t.Fatal("the server exited with a request in flight")
		default:
		}

		if _, err := io.WriteString(conn, body); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("the in-flight request got no response: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var c struct {
			ID     string   `json:"id"`
			Emails []string `json:"emails"`
		}
		if resp.StatusCode != 201 || json.Unmarshal(b, &c) != nil || c.ID == "" || len(c.Emails) != 1 || c.Emails[0] != "inflight@example.com" {
			t.Fatalf("in-flight request: %d %s", resp.StatusCode, b)
		}
		if code := srv.exit(t, 10*time.Second-time.Since(sent)); code != 0 {
			t.Fatalf("serve exited %d after SIGTERM\nstderr:\n%s", code, srv.stderr)
		}
		if !strings.Contains(srv.stderr.String(), "stopped cleanly") {
			t.Fatalf("no clean stop logged:\n%s", srv.stderr)
		}
	})
	t.Run("a second start finds the administrator and keeps the data", func(t *testing.T) {
		again := start(t, bin, dir, env, "serve")
		base := again.ready(t)
		if out := again.stdout.String(); strings.Contains(out, "password") || strings.Contains(out, "First run") {
			t.Fatalf("the second start printed a password:\n%s", out)
		}
		if code, body := request(t, "GET", base+"readyz", "", ""); code != 200 {
			t.Fatalf("readyz: %d %s", code, body)
		}
		if token != "" {
			code, body := request(t, "GET", base+"api/v1/contacts?email=inflight@example.com", token, "")
			if code != 200 || !strings.Contains(body, "inflight@example.com") {
				t.Fatalf("the contact made in flight is gone: %d %s", code, body)
			}
		}
		if err := again.cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		if code := again.exit(t, 10*time.Second); code != 0 {
			t.Fatalf("serve exited %d after SIGINT\nstderr:\n%s", code, again.stderr)
		}
	})
	t.Run("exit codes of the real process", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			code int
			says string
		}{
			{[]string{"version"}, 0, ""},
			{[]string{"frobnicate"}, 2, "frobnicate"},
			{[]string{"serve", "--addr", "nonsense"}, 2, "addr"},
			{[]string{"serve", "--session-idle-timeout=abc"}, 2, "session-idle-timeout"},
			{[]string{"user", "set-password", "--email", "ghost@example.com", "--password", "a fine passphrase"}, 1, "user"},
		} {
			code, _, errs := admin(t, bin, dir, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.says) {
				t.Fatalf("switchboard %s: exit %d, want %d; stderr %q should name %q", strings.Join(tc.args, " "), code, tc.code, errs, tc.says)
			}
		}
	})
}

// TestServePostgres is the same round trip on PostgreSQL: first run,
// commands beside the server, a token that works, a clean stop, a second
// start without a new password.
func TestServePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if storetest.PostgresURL() == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: serve must be tested on PostgreSQL in CI", storetest.PostgresEnv)
		}
		t.Skipf("%s is not set", storetest.PostgresEnv)
	}
	bin := servetest.Build(t)
	dir := t.TempDir()
	db := storetest.FreshPostgres(t)
	env := childEnv("SWITCHBOARD_ADDR=127.0.0.1:0", "SWITCHBOARD_DATABASE="+db)

	srv := start(t, bin, dir, env, "serve")
	base := srv.ready(t)
	if !strings.Contains(srv.stdout.String(), "One-time password:") {
		t.Fatalf("no one-time password on first run:\n%s", srv.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "switchboard-data", "switchboard.db")); !os.IsNotExist(err) {
		t.Fatal("a SQLite database was made although PostgreSQL is configured")
	}
	if code, body := request(t, "GET", base+"readyz", "", ""); code != 200 {
		t.Fatalf("readyz: %d %s", code, body)
	}
	token := strings.TrimSpace(mustAdmin(t, bin, dir, "token", "create", "--name", "pg", "--scopes", "write", "--database", db))
	if code, body := request(t, "POST", base+"api/v1/contacts", token, `{"emails":["pg@example.com"]}`); code != 201 {
		t.Fatalf("contact with the new token: %d %s", code, body)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := srv.exit(t, 10*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s", code, srv.stderr)
	}
	again := start(t, bin, dir, env, "serve")
	again.ready(t)
	if strings.Contains(again.stdout.String(), "password") {
		t.Fatalf("the second start printed a password:\n%s", again.stdout)
	}
	if err := again.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := again.exit(t, 10*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s", code, again.stderr)
	}
}
