package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/cli"
)

func TestBenchRoutingUsage(t *testing.T) {
	r := run(t, nil, "", "bench", "routing", "--help").want(t, cli.ExitOK)
	for _, f := range []string{"Usage: switchboard bench routing", "-agents", "-waiting", "-database", "-decisions", "-capacity", "-json"} {
		if !strings.Contains(r.stdout, f) {
			t.Errorf("help does not show %q:\n%s", f, r.stdout)
		}
	}
	if r := run(t, nil, "", "bench", "--help").want(t, cli.ExitOK); !strings.Contains(r.stdout, "routing") {
		t.Errorf("bench help does not list routing: %s", r.stdout)
	}
	for _, tc := range []struct {
		args  []string
		names []string
	}{
		{[]string{"--agents", "0"}, []string{"--agents", "0"}},
		{[]string{"--agents", "5001"}, []string{"--agents", "5001"}},
		{[]string{"--agents", "many"}, []string{"-agents", "many"}},
		{[]string{"--waiting", "0"}, []string{"--waiting", "0"}},
		{[]string{"--capacity", "0"}, []string{"--capacity", "0"}},
		{[]string{"--capacity", "-3"}, []string{"--capacity", "-3"}},
		{[]string{"--decisions", "0"}, []string{"--decisions", "0"}},
		{[]string{"--duration", "10"}, []string{"-duration", "10"}},
		{[]string{"--duration", "2h"}, []string{"--duration", "2h"}},
		{[]string{"--check-every", "0"}, []string{"--check-every", "0"}},
		{[]string{"--history", "-1"}, []string{"--history", "-1"}},
		{[]string{"--cpuprofile", "/nonexistent/dir/cpu.out"}, []string{"--cpuprofile", "/nonexistent/dir/cpu.out"}},
		{[]string{"now"}, []string{`unexpected argument "now"`}},
	} {
		args := append([]string{"bench", "routing"}, tc.args...)
		r := run(t, nil, "", args...).want(t, cli.ExitUsage)
		for _, n := range tc.names {
			if !strings.Contains(r.stderr, n) {
				t.Errorf("%v: stderr does not name %q:\n%s", tc.args, n, r.stderr)
			}
		}
		if r.stdout != "" {
			t.Errorf("%v: a usage error wrote to stdout: %s", tc.args, r.stdout)
		}
	}
}

// TestBenchRouting runs a small load on a fresh SQLite database: --json
// prints one object with the figures, and a clean run exits 0.
func TestBenchRouting(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "cpu.out")
	r := run(t, nil, "", "bench", "routing", "--agents", "12", "--waiting", "60", "--decisions", "30",
		"--capacity", "2", "--history", "100", "--json", "--cpuprofile", profile).want(t, cli.ExitOK)
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
	}
	for _, k := range []string{"decisions", "decisions_per_s", "p50_ms", "p99_ms", "max_ms", "violations", "agents",
		"waiting", "database", "setup_s"} {
		if _, ok := got[k]; !ok {
			t.Errorf("key %q missing from %s", k, r.stdout)
		}
	}
	if got["decisions"] != 30.0 || got["violations"] != 0.0 || got["agents"] != 12.0 || got["waiting"] != 60.0 ||
		got["database"] != "sqlite" || got["capacity"] != 2.0 || got["history"] != 100.0 {
		t.Errorf("figures: %s", r.stdout)
	}
	if p99, _ := got["p99_ms"].(float64); p99 <= 0 {
		t.Errorf("p99_ms %v", got["p99_ms"])
	}
	if st, err := os.Stat(profile); err != nil || st.Size() == 0 {
		t.Errorf("no CPU profile: %v", err)
	}
	if !strings.Contains(r.stderr, "set up in") {
		t.Errorf("no progress on stderr: %s", r.stderr)
	}

	// Without --json: the summary alone.
	r = run(t, nil, "", "bench", "routing", "--agents", "4", "--waiting", "10", "--decisions", "5", "--history", "0", "--quiet").want(t, cli.ExitOK)
	if strings.Contains(r.stdout, "{") || r.stderr != "" || !strings.Contains(r.stdout, "decision latency") ||
		!strings.Contains(r.stdout, "violations         0") {
		t.Errorf("stdout: %s\nstderr: %s", r.stdout, r.stderr)
	}
}

func TestBenchRoutingBadDatabase(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// A path below a regular file cannot be a database.
	r := run(t, nil, "", "bench", "routing", "--database", filepath.Join(file, "db.sqlite"), "--quiet").want(t, cli.ExitError)
	if !strings.Contains(r.stderr, "switchboard bench routing:") || r.stdout != "" {
		t.Errorf("stdout: %s\nstderr: %s", r.stdout, r.stderr)
	}
}
