package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/cli"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

type result struct {
	code           int
	stdout, stderr string
}

// run calls the command line as a person would, with only the environment
// variables given (never the test process's own).
func run(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(cli.Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Ctx:    t.Context(),
	}, args)
	return result{code, out.String(), errb.String()}
}

func (r result) want(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTopLevelUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"no command", nil, cli.ExitUsage},
		{"help", []string{"help"}, cli.ExitOK},
		{"--help", []string{"--help"}, cli.ExitOK},
		{"-h", []string{"-h"}, cli.ExitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, nil, "", tc.args...).want(t, tc.code)
			usage := r.stdout
			if tc.code != cli.ExitOK {
				usage = r.stderr
			} else if r.stderr != "" {
				t.Fatalf("help wrote to stderr: %s", r.stderr)
			}
			for _, cmd := range []string{"serve", "migrate", "tenant", "user", "token", "config", "version"} {
				if !strings.Contains(usage, "  "+cmd+" ") {
					t.Fatalf("usage does not list %s:\n%s", cmd, usage)
				}
			}
		})
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, cmd := range [][]string{
		{"serve"}, {"migrate"}, {"config"}, {"version"},
		{"tenant"}, {"tenant", "create"}, {"tenant", "list"},
		{"user"}, {"user", "create"}, {"user", "list"}, {"user", "set-password"},
		{"token"}, {"token", "create"},
	} {
		for _, flag := range []string{"--help", "-h", "-help"} {
			name := strings.Join(cmd, " ")
			t.Run(name+" "+flag, func(t *testing.T) {
				dataDir := filepath.Join(t.TempDir(), "data")
				args := append(append([]string{}, cmd...), flag)
				// a broken environment must not stop help
				r := run(t, map[string]string{"SWITCHBOARD_DATA_DIR": dataDir, "SWITCHBOARD_LOG_LEVEL": "loud"}, "", args...).want(t, cli.ExitOK)
				if !strings.HasPrefix(r.stdout, "Usage: switchboard "+cmd[0]) {
					t.Fatalf("stdout does not start with the usage:\n%s", r.stdout)
				}
				if r.stderr != "" {
					t.Fatalf("help wrote to stderr:\n%s", r.stderr)
				}
				if len(cmd) == 2 || cmd[0] == "serve" || cmd[0] == "migrate" {
					if !strings.Contains(r.stdout, "-data-dir") || !strings.Contains(r.stdout, "SWITCHBOARD_DATA_DIR") {
						t.Fatalf("usage does not document the shared flags:\n%s", r.stdout)
					}
				}
				if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
					t.Fatal("asking for help created the data directory")
				}
			})
		}
	}
}

func TestUsageErrors(t *testing.T) {
	unknownKey := writeFile(t, "unknown.toml", "addr = \"127.0.0.1:0\"\nadress = \"x\"\n")
	wrongType := writeFile(t, "type.toml", "max_body_bytes = \"big\"\n")
	badDuration := writeFile(t, "duration.toml", "session_idle_timeout = \"soon\"\n")
	badSyntax := writeFile(t, "syntax.toml", "addr = \n")
	for _, tc := range []struct {
		name  string
		env   map[string]string
		args  []string
		names []string // the stderr must name these
	}{
		{"unknown command", nil, []string{"frobnicate"}, []string{`unknown command "frobnicate"`}},
		{"unknown subcommand", nil, []string{"tenant", "delete"}, []string{`unknown subcommand "delete"`}},
		{"group without subcommand", nil, []string{"user"}, []string{"Usage: switchboard user <create|list|set-password>"}},
		{"unknown flag", nil, []string{"serve", "--bogus"}, []string{"-bogus"}},
		{"unknown flag of a subcommand", nil, []string{"token", "create", "--scope", "write"}, []string{"-scope"}},
		{"bad duration flag", nil, []string{"serve", "--session-idle-timeout=abc"}, []string{"session-idle-timeout", "abc"}},
		{"bad number flag", nil, []string{"config", "--max-body-bytes", "lots"}, []string{"max-body-bytes", "lots"}},
		{"bad bool flag", nil, []string{"config", "--demo=maybe"}, []string{"demo"}},
		{"addr without port", nil, []string{"serve", "--addr", "localhost"}, []string{"addr", "localhost"}},
		{"addr not an address", nil, []string{"serve", "--addr=::::"}, []string{"addr"}},
		{"bad log level", nil, []string{"config", "--log-level", "loud"}, []string{"log-level", "loud"}},
		{"idle timeout too short", nil, []string{"config", "--session-idle-timeout", "10s"}, []string{"session-idle-timeout"}},
		{"max lifetime shorter than idle", nil, []string{"config", "--session-idle-timeout", "2h", "--session-max-lifetime", "1h"}, []string{"session-max-lifetime"}},
		{"not a postgres url", nil, []string{"config", "--database", "mysql://db/x"}, []string{"database"}},
		{"password without email", nil, []string{"serve", "--admin-password", "a long passphrase"}, []string{"admin-password", "admin-email"}},
		{"config file unknown key", nil, []string{"serve", "--config", unknownKey}, []string{unknownKey, `"adress"`}},
		{"config file wrong type", nil, []string{"serve", "--config", wrongType}, []string{wrongType, "max_body_bytes", "whole number"}},
		{"config file bad duration", nil, []string{"config", "--config", badDuration}, []string{"session_idle_timeout", "soon"}},
		{"config file bad syntax", nil, []string{"config", "--config", badSyntax}, []string{badSyntax, "line 1"}},
		{"config file missing", nil, []string{"config", "--config", "/nonexistent/switchboard.toml"}, []string{"/nonexistent/switchboard.toml"}},
		{"config file from env", map[string]string{"SWITCHBOARD_CONFIG": unknownKey}, []string{"migrate"}, []string{`"adress"`}},
		{"bad env duration", map[string]string{"SWITCHBOARD_SESSION_IDLE_TIMEOUT": "abc"}, []string{"serve"}, []string{"SWITCHBOARD_SESSION_IDLE_TIMEOUT", "abc"}},
		{"bad env bool", map[string]string{"SWITCHBOARD_DEMO": "sure"}, []string{"config"}, []string{"SWITCHBOARD_DEMO"}},
		{"bad env addr", map[string]string{"SWITCHBOARD_ADDR": "nowhere"}, []string{"serve"}, []string{"addr", "nowhere"}},
		{"positional argument", nil, []string{"serve", "now"}, []string{`unexpected argument "now"`}},
		{"tenant create without slug", nil, []string{"tenant", "create", "--name", "Acme"}, []string{"--slug"}},
		{"user create without name", nil, []string{"user", "create", "--email", "a@example.com"}, []string{"--name"}},
		{"set-password without email", nil, []string{"user", "set-password"}, []string{"--email"}},
		{"token create without scopes", nil, []string{"token", "create", "--name", "ci"}, []string{"--scopes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// the working directory's default data dir must not appear either
			dataDir := filepath.Join(t.TempDir(), "data")
			env := map[string]string{"SWITCHBOARD_DATA_DIR": dataDir}
			for k, v := range tc.env {
				env[k] = v
			}
			r := run(t, env, "", tc.args...).want(t, cli.ExitUsage)
			for _, n := range tc.names {
				if !strings.Contains(r.stderr, n) {
					t.Fatalf("stderr does not name %q:\n%s", n, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Fatalf("an error wrote to stdout: %s", r.stdout)
			}
			if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
				t.Fatal("a usage error created the data directory")
			}
		})
	}
}

func TestVersion(t *testing.T) {
	r := run(t, nil, "", "version").want(t, cli.ExitOK)
	if !regexp.MustCompile(`^switchboard \S+\n$`).MatchString(r.stdout) {
		t.Fatalf("version printed %q", r.stdout)
	}
}

// configValue returns the value of one key in the output of "config".
func configValue(t *testing.T, printed, key string) string {
	t.Helper()
	for _, l := range strings.Split(printed, "\n") {
		if v, ok := strings.CutPrefix(l, key+" = "); ok {
			return strings.Trim(v, `"`)
		}
	}
	t.Fatalf("config output has no %s:\n%s", key, printed)
	return ""
}

func TestConfigHidesSecrets(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"flags", nil, []string{"--database", "postgres://sb:db-Secret-1@db.internal:5432/sb?sslmode=disable",
			"--bus", "nats://nu:bus-Secret-2@nats.internal:4222", "--admin-email", "root@example.com", "--admin-password", "admin Secret 3 phrase"}},
		{"environment", map[string]string{
			"SWITCHBOARD_DATABASE": "postgres://sb:db-Secret-1@db.internal:5432/sb?sslmode=disable", "SWITCHBOARD_BUS": "nats://nu:bus-Secret-2@nats.internal:4222",
			"SWITCHBOARD_ADMIN_EMAIL": "root@example.com", "SWITCHBOARD_ADMIN_PASSWORD": "admin Secret 3 phrase"}, nil},
		{"file", nil, []string{"--config", writeFile(t, "secrets.toml", `database = "postgres://sb:db-Secret-1@db.internal:5432/sb?sslmode=disable"
bus = "nats://nu:bus-Secret-2@nats.internal:4222"
admin_email = "root@example.com"
admin_password = "admin Secret 3 phrase"
`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.env, "", append([]string{"config"}, tc.args...)...).want(t, cli.ExitOK)
			for _, secret := range []string{"Secret-1", "Secret-2", "Secret 3"} {
				if strings.Contains(r.stdout+r.stderr, secret) {
					t.Fatalf("config shows the secret %q:\n%s", secret, r.stdout)
				}
			}
			for key, want := range map[string]string{
				"database":       "postgres://sb:xxxxx@db.internal:5432/sb?sslmode=disable",
				"bus":            "nats://nu:xxxxx@nats.internal:4222",
				"admin_email":    "root@example.com",
				"admin_password": "********",
			} {
				if got := configValue(t, r.stdout, key); got != want {
					t.Fatalf("%s = %q, want %q", key, got, want)
				}
			}
		})
	}
	t.Run("nothing to hide", func(t *testing.T) {
		r := run(t, nil, "", "config").want(t, cli.ExitOK)
		if configValue(t, r.stdout, "admin_password") != "" || configValue(t, r.stdout, "database") != "" {
			t.Fatalf("empty secrets printed as something:\n%s", r.stdout)
		}
	})
}

func TestConfigPrecedence(t *testing.T) {
	file := writeFile(t, "switchboard.toml", `addr = "127.0.0.1:7001"
log_level = "warn"
log_format = "json"
session_idle_timeout = "40m"
max_body_bytes = 2048
public_url = "https://file.example.com"
`)
	other := writeFile(t, "other.toml", `addr = "127.0.0.1:7777"`)
	env := map[string]string{
		"SWITCHBOARD_LOG_LEVEL":            "error",
		"SWITCHBOARD_LOG_FORMAT":           "text",
		"SWITCHBOARD_SESSION_IDLE_TIMEOUT": "50m",
		"SWITCHBOARD_DEMO":                 "true",
		"SWITCHBOARD_CONFIG":               other, // --config names another file: the flag wins
	}
	r := run(t, env, "", "config", "--config", file, "--session-idle-timeout", "1h", "--log-format", "json", "--data-dir", "/srv/sb").want(t, cli.ExitOK)
	for _, tc := range []struct {
		key, want, why string
	}{
		{"addr", "127.0.0.1:7001", "file over default; --config over SWITCHBOARD_CONFIG"},
		{"public_url", "https://file.example.com", "file over default"},
		{"max_body_bytes", "2048", "file over default"},
		{"log_level", "error", "environment over file"},
		{"demo", "true", "environment over default"},
		{"session_idle_timeout", "1h0m0s", "flag over environment over file"},
		{"log_format", "json", "flag over environment, even when the file says the same"},
		{"data_dir", "/srv/sb", "flag over default"},
		{"bus", "memory", "default"},
		{"session_max_lifetime", "12h0m0s", "default"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			if got := configValue(t, r.stdout, tc.key); got != tc.want {
				t.Fatalf("%s = %q, want %q (%s)", tc.key, got, tc.want, tc.why)
			}
		})
	}
	if !strings.Contains(r.stdout, "# from "+file) {
		t.Fatalf("config does not say which file it read:\n%s", r.stdout)
	}
	t.Run("SWITCHBOARD_CONFIG names the file when --config is absent", func(t *testing.T) {
		r := run(t, map[string]string{"SWITCHBOARD_CONFIG": other}, "", "config").want(t, cli.ExitOK)
		if got := configValue(t, r.stdout, "addr"); got != "127.0.0.1:7777" {
			t.Fatalf("addr = %q", got)
		}
	})
	t.Run("a flag set to its default still wins", func(t *testing.T) {
		r := run(t, map[string]string{"SWITCHBOARD_LOG_LEVEL": "error"}, "", "config", "--log-level", "info").want(t, cli.ExitOK)
		if got := configValue(t, r.stdout, "log_level"); got != "info" {
			t.Fatalf("log_level = %q", got)
		}
	})
	t.Run("the printed configuration reads back the same", func(t *testing.T) {
		printed := writeFile(t, "printed.toml", r.stdout)
		again := run(t, nil, "", "config", "--config", printed).want(t, cli.ExitOK)
		if strings.SplitN(again.stdout, "\n", 2)[1] != strings.SplitN(r.stdout, "\n", 2)[1] {
			t.Fatalf("printed:\n%s\nread back and printed:\n%s", r.stdout, again.stdout)
		}
	})
}

// TestAdminCommands runs the administrative commands against each engine,
// then checks their effect through the services.
func TestAdminCommands(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.URL(t)
			sb := func(stdin string, args ...string) result {
				t.Helper()
				return run(t, nil, stdin, append(args, "--database", db)...)
			}
			r := sb("", "migrate").want(t, cli.ExitOK)
			if !regexp.MustCompile(`schema version (\d+) of (\d+)`).MatchString(r.stdout) {
				t.Fatalf("migrate printed %q", r.stdout)
			}
			if m := regexp.MustCompile(`schema version (\d+) of (\d+)`).FindStringSubmatch(r.stdout); m[1] != m[2] || m[1] == "0" {
				t.Fatalf("migrate left the schema at %s of %s", m[1], m[2])
			}

			t.Run("tenants", func(t *testing.T) {
				r := sb("", "tenant", "create", "--slug", "Acme", "--name", "Acme Inc.").want(t, cli.ExitOK)
				if f := strings.Split(strings.TrimSpace(r.stdout), "\t"); len(f) != 3 || f[1] != "acme" || f[2] != "Acme Inc." {
					t.Fatalf("tenant create printed %q", r.stdout)
				}
				r = sb("", "tenant", "create", "--slug", "acme").want(t, cli.ExitError)
				if !strings.Contains(r.stderr, "slug") {
					t.Fatalf("duplicate slug: %s", r.stderr)
				}
				r = sb("", "tenant", "create", "--slug", "bad slug!").want(t, cli.ExitError)
				if !strings.Contains(r.stderr, "slug") {
					t.Fatalf("bad slug: %s", r.stderr)
				}
				sb("", "tenant", "create", "--slug", "beta").want(t, cli.ExitOK)
				r = sb("", "tenant", "list").want(t, cli.ExitOK)
				lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
				if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[1], "acme") || !strings.Contains(lines[2], "beta") {
					t.Fatalf("tenant list:\n%s", r.stdout)
				}
			})
			t.Run("users", func(t *testing.T) {
				// Before the first serve there is no default tenant yet: the
				// command creates it, so that setting up before the first start works.
				r := sb("", "user", "create", "--email", "nobody@example.com", "--name", "N").want(t, cli.ExitOK)
				if !strings.Contains(r.stdout, "in tenant default") || !strings.Contains(r.stdout, "one-time password: ") {
					t.Fatalf("user create before the default tenant exists: %s", r.stdout)
				}
				r = sb("", "user", "create", "--tenant", "acme", "--email", "Ann@Example.com", "--name", "Ann", "--role", "admin").want(t, cli.ExitOK)
				if !strings.Contains(r.stdout, "created user ann@example.com (Ann, admin) in tenant acme") {
					t.Fatalf("user create printed %q", r.stdout)
				}
				m := regexp.MustCompile(`(?m)^one-time password: (\S+)$`).FindStringSubmatch(r.stdout)
				if m == nil {
					t.Fatalf("no one-time password printed: %q", r.stdout)
				}
				oneTime := m[1]
				r = sb("a piped passphrase here\n", "user", "create", "--tenant", "acme", "--email", "bo@example.com", "--name", "Bo", "--password-stdin").want(t, cli.ExitOK)
				if strings.Contains(r.stdout, "one-time") {
					t.Fatalf("a chosen password was reported as one-time: %q", r.stdout)
				}
				for _, tc := range []struct {
					args []string
					name string
				}{
					{[]string{"--email", "ANN@example.com", "--name", "Again"}, "email"},
					{[]string{"--email", "not-an-address", "--name", "X"}, "email"},
					{[]string{"--email", "x@example.com", "--name", "X", "--role", "root"}, "role"},
					{[]string{"--email", "y@example.com", "--name", "Y", "--password", "short"}, "password"},
					{[]string{"--email", "z@example.com", "--name", "Z", "--tenant", "nope"}, "tenant"},
				} {
					r := sb("", append([]string{"user", "create", "--tenant", "acme"}, tc.args...)...).want(t, cli.ExitError)
					if !strings.Contains(r.stderr, tc.name) {
						t.Fatalf("user create %v: stderr does not name %s: %s", tc.args, tc.name, r.stderr)
					}
				}
				r = sb("", "user", "list", "--tenant", "acme").want(t, cli.ExitOK)
				lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
				if len(lines) != 3 {
					t.Fatalf("user list:\n%s", r.stdout)
				}
				listed := map[string]string{}
				for _, l := range lines[1:] {
					f := regexp.MustCompile(`\s{2,}`).Split(l, -1)
					listed[f[1]] = f[len(f)-1]
				}
				if listed["ann@example.com"] != "must change password" || listed["bo@example.com"] != "active" {
					t.Fatalf("user list states: %v\n%s", listed, r.stdout)
				}
				r = sb("", "user", "list", "--tenant", "beta").want(t, cli.ExitOK)
				if strings.Contains(r.stdout, "@") {
					t.Fatalf("another tenant lists acme's users:\n%s", r.stdout)
				}

				r = sb("", "user", "set-password", "--tenant", "acme", "--email", "ann@example.com", "--password", "the admin's own phrase").want(t, cli.ExitOK)
				if strings.Contains(r.stdout, "one-time") || !strings.Contains(r.stdout, "ann@example.com") {
					t.Fatalf("set-password printed %q", r.stdout)
				}
				r = sb("", "user", "set-password", "--tenant", "acme", "--email", "ghost@example.com", "--password", "the admin's own phrase").want(t, cli.ExitError)
				if !strings.Contains(r.stderr, "user") {
					t.Fatalf("set-password of an unknown user: %s", r.stderr)
				}
				r = sb("", "user", "set-password", "--tenant", "acme", "--email", "bo@example.com").want(t, cli.ExitOK)
				boOneTime := regexp.MustCompile(`(?m)^one-time password: (\S+)$`).FindStringSubmatch(r.stdout)
				if boOneTime == nil {
					t.Fatalf("no one-time password: %q", r.stdout)
				}

				// What the commands did, seen through the services.
				sdb := openDB(t, db)
				acme, err := tenant.New(sdb).BySlug(context.Background(), "acme")
				if err != nil {
					t.Fatal(err)
				}
				accts := account.New(sdb)
				for _, c := range []struct {
					email, pw string
					ok        bool
				}{
					{"ann@example.com", oneTime, false},
					{"ann@example.com", "the admin's own phrase", true},
					{"bo@example.com", "a piped passphrase here", false},
					{"bo@example.com", boOneTime[1], true},
				} {
					ms, err := accts.Authenticate(context.Background(), c.email, c.pw)
					if err != nil {
						t.Fatal(err)
					}
					if got := len(ms) == 1 && ms[0].TenantID == acme.ID; got != c.ok {
						t.Fatalf("%s with %q authenticates: %v, want %v", c.email, c.pw, got, c.ok)
					}
				}
				bo, err := accts.UserByEmail(context.Background(), acme.ID, "bo@example.com")
				if err != nil || !bo.MustChangePassword {
					t.Fatalf("a one-time password set by the CLI need not be changed: %+v %v", bo, err)
				}
			})
			t.Run("tokens", func(t *testing.T) {
				r := sb("", "token", "create", "--tenant", "acme", "--name", "ci", "--scopes", "write").want(t, cli.ExitOK)
				if !regexp.MustCompile(`^sbt_[A-Za-z0-9_-]+\n$`).MatchString(r.stdout) {
					t.Fatalf("token create printed %q, want the token alone on one line", r.stdout)
				}
				sdb := openDB(t, db)
				a := auth.New(auth.Options{DB: sdb, Accounts: account.New(sdb), Tenants: tenant.New(sdb)})
				p, err := a.TokenPrincipal(context.Background(), strings.TrimSpace(r.stdout))
				if err != nil {
					t.Fatal(err)
				}
				acme, _ := tenant.New(sdb).BySlug(context.Background(), "acme")
				if p.TenantID != acme.ID || p.Scope != auth.ScopeWrite || p.TokenName != "ci" {
					t.Fatalf("the token is %+v", p)
				}
				r = sb("", "token", "create", "--tenant", "acme", "--name", "ci", "--scopes", "root").want(t, cli.ExitError)
				if !strings.Contains(r.stderr, "scope") || r.stdout != "" {
					t.Fatalf("bad scope: stdout %q stderr %q", r.stdout, r.stderr)
				}
			})
		})
	}
}

func openDB(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
