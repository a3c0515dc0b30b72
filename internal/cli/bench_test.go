package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/apitest"
	"github.com/switchboard-cs/switchboard/internal/cli"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

func TestBenchUsage(t *testing.T) {
	for _, flag := range []string{"--help", "-h"} {
		r := run(t, nil, "", "bench", "chat", flag).want(t, cli.ExitOK)
		if !strings.HasPrefix(r.stdout, "Usage: switchboard bench chat") || !strings.Contains(r.stdout, "-visitors") || r.stderr != "" {
			t.Fatalf("bench chat %s:\nstdout: %s\nstderr: %s", flag, r.stdout, r.stderr)
		}
	}
	run(t, nil, "", "bench", "--help").want(t, cli.ExitOK)
	if r := run(t, nil, "", "help").want(t, cli.ExitOK); !strings.Contains(r.stdout, "  bench ") {
		t.Fatalf("the command list does not show bench:\n%s", r.stdout)
	}
	for _, tc := range []struct {
		args  []string
		names []string
	}{
		{[]string{"bench"}, []string{"Usage: switchboard bench <chat|routing>"}},
		{[]string{"bench", "mail"}, []string{`unknown subcommand "mail"`}},
		{[]string{"bench", "chat", "--token", "t"}, []string{"--url is required"}},
		{[]string{"bench", "chat", "--url", "http://127.0.0.1:9"}, []string{"--token"}},
		{[]string{"bench", "chat", "--url", "127.0.0.1:9", "--token", "t"}, []string{"--url", "127.0.0.1:9"}},
		{[]string{"bench", "chat", "--url", "http://127.0.0.1:9", "--token", "t", "--visitors", "0"}, []string{"--visitors", "0"}},
		{[]string{"bench", "chat", "--url", "http://127.0.0.1:9", "--token", "t", "--visitors", "many"}, []string{"-visitors", "many"}},
		{[]string{"bench", "chat", "--url", "http://127.0.0.1:9", "--token", "t", "--rate", "-5"}, []string{"--rate", "-5"}},
		{[]string{"bench", "chat", "--url", "http://127.0.0.1:9", "--token", "t", "--duration", "10"}, []string{"-duration", "10"}},
		{[]string{"bench", "chat", "--url", "http://127.0.0.1:9", "--token", "t", "--duration", "2h"}, []string{"--duration", "2h"}},
		{[]string{"bench", "chat", "--url", "http://127.0.0.1:9", "--token", "t", "--verify", "some"}, []string{"--verify", "some"}},
		{[]string{"bench", "chat", "--url", "http://127.0.0.1:9", "--token", "t", "now"}, []string{`unexpected argument "now"`}},
	} {
		r := run(t, nil, "", tc.args...).want(t, cli.ExitUsage)
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

// TestBenchChat runs the command against an in-process server: the last
// line of --json output holds the figures, and a clean run exits 0.
func TestBenchChat(t *testing.T) {
	srv := apitest.Start(t, storetest.Engines(t)[0])
	_, tok := srv.TokenClient(t, srv.Admin(t), client.ScopeAdmin)
	r := run(t, map[string]string{"SWITCHBOARD_TOKEN": tok.Secret}, "", "bench", "chat", "--url", srv.URL,
		"--visitors", "10", "--rate", "50", "--duration", "1s", "--drain", "5s", "--json").want(t, cli.ExitOK)
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	last := lines[len(lines)-1]
	var got map[string]any
	if err := json.Unmarshal([]byte(last), &got); err != nil {
		t.Fatalf("the last line is not a JSON object: %v\n%s", err, r.stdout)
	}
	for _, k := range []string{"sent", "acked", "lost", "duplicated", "out_of_order", "msgs_per_s",
		"ack_p50_ms", "ack_p99_ms", "deliver_p50_ms", "deliver_p99_ms", "rss_mb"} {
		if _, ok := got[k]; !ok {
			t.Errorf("key %q missing from %s", k, last)
		}
	}
	if got["sent"].(float64) != 50 || got["acked"].(float64) != 50 || got["lost"].(float64) != 0 ||
		got["duplicated"].(float64) != 0 || got["out_of_order"].(float64) != 0 {
		t.Errorf("figures: %s", last)
	}
	if rss, ok := got["rss_mb"].(float64); !ok || rss <= 0 {
		t.Errorf("rss_mb %v", got["rss_mb"])
	}
	if !strings.Contains(r.stdout, "ack latency") || !strings.Contains(r.stderr, "visitors connected") {
		t.Errorf("no report or progress:\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
	}

	// Without --json the output is the report alone.
	r = run(t, nil, "", "bench", "chat", "--url", srv.URL, "--token", tok.Secret, "--visitors", "2", "--rate", "4",
		"--duration", "500ms", "--quiet").want(t, cli.ExitOK)
	if strings.Contains(r.stdout, "{") || r.stderr != "" {
		t.Errorf("stdout: %s\nstderr: %s", r.stdout, r.stderr)
	}

	// A token without the admin scope cannot create the channel: exit 1.
	_, reader := srv.TokenClient(t, srv.Admin(t), client.ScopeRead)
	r = run(t, nil, "", "bench", "chat", "--url", srv.URL, "--token", reader.Secret, "--duration", "1s", "--quiet").want(t, cli.ExitError)
	if !strings.Contains(r.stderr, "channel") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func TestBenchUnreachable(t *testing.T) {
	r := run(t, nil, "", "bench", "chat", "--url", "http://127.0.0.1:1", "--token", "t", "--duration", "1s", "--quiet").want(t, cli.ExitError)
	if !strings.Contains(r.stderr, "switchboard bench chat:") {
		t.Errorf("stderr: %s", r.stderr)
	}
}
