package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/switchboard-cs/switchboard/internal/bench/routebench"
)

// benchRouting is "bench routing": the routing load tool (internal/bench/routebench).
func benchRouting(env Env, args []string) int {
	fs := flagSet(env, "bench routing", "bench routing [--agents N] [--waiting M] [--database URL] [--json] [flags]\n\n"+
		"Runs the router against a database and measures its decisions. Sets up N online agents in four\n"+
		"teams with skills, every slot filled, and M waiting conversations the tenant's rules route to teams\n"+
		"and skills; then, step after step, a customer arrives, an agent closes a conversation, and the router\n"+
		"dispatches: a dispatch that assigns is one decision, timed. Reports decisions, decisions_per_s,\n"+
		"p50_ms, p99_ms, max_ms and violations — breaches of the router's invariants (an agent above capacity,\n"+
		"a conversation given twice, a conversation waiting while a capable agent has a free slot), checked on\n"+
		"the stored state during and after the run; any makes the exit code 1.\n"+
		"Without --database it uses a fresh SQLite file in a temporary directory; a PostgreSQL URL is used as\n"+
		"given (migrated if needed), in a new tenant of its own that is removed afterwards.")
	agents := fs.Int("agents", routebench.DefaultAgents, fmt.Sprintf("online agents (1–%d)", routebench.MaxAgents))
	waiting := fs.Int("waiting", routebench.DefaultWaiting, fmt.Sprintf("waiting conversations, kept at this level (1–%d)", routebench.MaxWaiting))
	database := fs.String("database", "", "PostgreSQL URL (postgres://…) or SQLite file path (default: a fresh temporary SQLite database)")
	decisions := fs.Int("decisions", routebench.DefaultDecide, "decisions to make")
	capacity := fs.Int("capacity", routebench.DefaultCapacity, "every agent's capacity (concurrent conversations)")
	history := fs.Int("history", routebench.DefaultHistory, "closed conversations the tenant has from before")
	duration := fs.Duration("duration", routebench.DefaultDuration, "the longest the decisions may take in all (e.g. 60s)")
	checkEvery := fs.Int("check-every", routebench.DefaultCheck, "check the invariants on the stored state every this many decisions")
	seed := fs.Uint64("seed", 1, "seed of the made-up world and steps")
	keep := fs.Bool("keep", false, "leave the bench tenant (and a temporary database) in place")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the decisions to this file (go tool pprof)")
	jsonOut := fs.Bool("json", false, "print the figures as one JSON object instead of the summary")
	quiet := fs.Bool("quiet", false, "no progress lines on standard error")
	if code := parseFlags(env, fs, args); code >= 0 {
		return code
	}
	const name = "switchboard bench routing"
	cfg := routebench.Config{Database: *database, Agents: *agents, Waiting: *waiting, Capacity: *capacity, History: *history,
		Decisions: *decisions, Duration: *duration, CheckEvery: *checkEvery, Seed: *seed, Keep: *keep, Log: env.Stderr}
	if *checkEvery < 1 { // 0 is not "the default" here
		fmt.Fprintf(env.Stderr, "%s: --check-every: %d is not a positive number\n", name, *checkEvery)
		return ExitUsage
	}
	if *quiet {
		cfg.Log = io.Discard
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
		return ExitUsage
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(env.Stderr, "%s: --cpuprofile: %v\n", name, err)
			return ExitUsage
		}
		defer f.Close()
		cfg.CPUProfile = f
	}
	res, err := routebench.Run(env.Ctx, cfg)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %s\n", name, describe(err))
		return ExitError
	}
	if *jsonOut {
		b, _ := json.Marshal(res)
		fmt.Fprintf(env.Stdout, "%s\n", b)
	} else {
		printRouting(env.Stdout, res)
	}
	if res.Failed() {
		return ExitError
	}
	return ExitOK
}

func printRouting(w io.Writer, r *routebench.Result) {
	fmt.Fprintf(w, "Routing load: %d online agents (capacity %d), %d waiting conversations, %d closed before, %s\n",
		r.Agents, r.Capacity, r.Waiting, r.History, r.Database)
	fmt.Fprintf(w, "  set-up             %.1f s\n", r.SetupS)
	fmt.Fprintf(w, "  decisions          %d in %.1f s (stopped: %s); %d freed slots found nothing to take\n", r.Decisions, r.RunS, r.Stopped, r.Empty)
	fmt.Fprintf(w, "  decision latency   p50 %.2f ms, p99 %.2f ms, max %.2f ms, mean %.2f ms (%.0f decisions/s)\n",
		r.P50Ms, r.P99Ms, r.MaxMs, r.MeanMs, r.DecisionsPerS)
	fmt.Fprintf(w, "  CPU per decision   p50 %.2f ms, p99 %.2f ms (this process)\n", r.CPUP50Ms, r.CPUP99Ms)
	fmt.Fprintf(w, "  arrival dispatch   p50 %.2f ms, p99 %.2f ms (routes the new conversation)\n", r.ArrivalP50, r.ArrivalP99)
	fmt.Fprintf(w, "  violations         %d (above capacity %d, given twice %d, waiting while an agent was free %d; %d checks)\n",
		r.Violations, r.OverCapacity, r.AssignedTwice, r.WaitingFree, r.Checks)
	if r.Failed() {
		fmt.Fprintf(w, "FAIL: the router broke its invariants %d times\n", r.Violations)
	}
}
