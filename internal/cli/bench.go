package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bench"
)

func benchCmd(env Env, args []string) int {
	return sub(env, "bench", args, map[string]func(Env, []string) int{"chat": benchChat, "routing": benchRouting}, []string{"chat", "routing"})
}

// benchChat is "bench chat": the live-chat load generator (internal/bench).
func benchChat(env Env, args []string) int {
	fs := flagSet(env, "bench chat", "bench chat --url URL --token TOKEN [--visitors N] [--rate R] [--duration D] [flags]\n\n"+
		"Loads a running server's live chat: creates a website channel, opens an agent stream and N visitor\n"+
		"WebSockets, sends R messages per second in total over them for D, and reports throughput, ack and\n"+
		"delivery latency, the server's memory, and anything acknowledged that was lost, duplicated or out\n"+
		"of order (then the exit code is 1). With --rate 0 or --idle it only holds the connections.\n"+
		"It contacts nothing but --url; run it against a test installation, as it leaves its data there.")
	u := fs.String("url", "", "the server, e.g. http://127.0.0.1:8080 (required)")
	token := fs.String("token", "", "API token with the admin scope (required; env SWITCHBOARD_TOKEN)")
	visitors := fs.Int("visitors", 100, fmt.Sprintf("visitor connections (1–%d)", bench.MaxVisitors))
	rate := fs.Float64("rate", 100, "messages per second in total, spread over the visitors; 0 holds the connections idle")
	duration := fs.Duration("duration", 10*time.Second, "how long to send, or to hold the connections (e.g. 10s)")
	idle := fs.Bool("idle", false, "only hold the connections for the duration and report the server's memory per connection")
	drain := fs.Duration("drain", bench.DefaultDrain, "how long to wait after sending for late acks and deliveries")
	connectTimeout := fs.Duration("connect-timeout", 3*time.Minute, "how long opening all connections may take")
	pid := fs.Int("pid", 0, "the server's process id on this machine, to read its memory from /proc when /metrics is unavailable")
	verify := fs.String("verify", "all", "conversations to read back through the REST API afterwards: all, none, or a number of visitors")
	sources := fs.Int("source-addrs", 0, "loopback source addresses (127.0.0.1, .2, …) to spread the connections over; 0 picks from the count")
	body := fs.Int("body-size", bench.DefaultBody, "characters per message body")
	concurrency := fs.Int("concurrency", 64, "connections opened at once")
	warmup := fs.Bool("warmup", false, "first open every visitor's conversation with one message, not counted")
	jsonOut := fs.Bool("json", false, "end the output with the figures as one JSON object on the last line")
	quiet := fs.Bool("quiet", false, "no progress lines on standard error")
	if code := parseFlags(env, fs, args); code >= 0 {
		return code
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(env.Stderr, "switchboard bench chat: "+format+"\n", a...)
		return ExitUsage
	}
	if *u == "" {
		return usageErr("--url is required")
	}
	if *token == "" && env.Getenv != nil {
		*token, _ = env.Getenv("SWITCHBOARD_TOKEN")
	}
	verifyN := 0
	switch v := strings.ToLower(strings.TrimSpace(*verify)); v {
	case "all":
	case "none", "0":
		verifyN = -1
	default:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return usageErr("--verify: %q is not all, none or a number", *verify)
		}
		verifyN = n
	}
	cfg := bench.Config{URL: *u, Token: *token, Visitors: *visitors, Rate: *rate, Duration: *duration, Idle: *idle,
		Drain: *drain, ConnectTimeout: *connectTimeout, PID: *pid, Verify: verifyN, SourceAddrs: *sources,
		BodySize: *body, Concurrency: *concurrency, Warmup: *warmup, Log: env.Stderr}
	if *drain == 0 {
		cfg.Drain = time.Millisecond // an explicit 0: practically no drain
	}
	if *quiet {
		cfg.Log = io.Discard
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%v", err)
	}
	res, err := bench.Run(env.Ctx, cfg)
	if err != nil {
		fmt.Fprintf(env.Stderr, "switchboard bench chat: %s\n", describe(err))
		return ExitError
	}
	printBench(env.Stdout, cfg, res)
	if *jsonOut {
		b, _ := json.Marshal(res)
		fmt.Fprintf(env.Stdout, "%s\n", b)
	}
	return benchExit(res)
}

// benchExit is the exit code of a finished run: 1 when anything
// acknowledged was lost, duplicated or out of order.
func benchExit(res *bench.Result) int {
	if res.Failed() {
		return ExitError
	}
	return ExitOK
}

func printBench(w io.Writer, cfg bench.Config, r *bench.Result) {
	ms := func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + " ms" }
	mb := func(p *float64) string {
		if p == nil {
			return "unknown"
		}
		return strconv.FormatFloat(*p, 'f', 1, 64) + " MB"
	}
	if r.Mode == "idle" {
		fmt.Fprintf(w, "Idle connections: %d visitors held for %v against %s\n", r.Visitors, cfg.Duration, cfg.URL)
		fmt.Fprintf(w, "  connections held   %d (opened in %.1f s, %d failed, %d dropped by the server)\n",
			r.Connections, r.ConnectS, r.ConnectErrors, r.Disconnects)
		fmt.Fprintf(w, "  server RSS         %s peak (%s before connecting)\n", mb(r.RSSMB), mb(r.RSSStartMB))
		if r.KBPerConn != nil {
			fmt.Fprintf(w, "  per connection     %.1f KB\n", *r.KBPerConn)
		}
	} else {
		warm := ""
		if r.Warmup {
			warm = " (after a warm-up message per visitor)"
		}
		fmt.Fprintf(w, "Live chat load: %d visitors, %g messages/s for %v against %s%s\n", r.Visitors, r.Rate, cfg.Duration, cfg.URL, warm)
		fmt.Fprintf(w, "  sent               %d of %d scheduled (send lag p99 %s)\n", r.Sent, r.Scheduled, ms(r.SendLagP99Ms))
		fmt.Fprintf(w, "  acked              %d (%.1f msg/s); refused %d; unanswered %d\n", r.Acked, r.MsgsPerS, r.Refused, r.Unacked)
		fmt.Fprintf(w, "  lost               %d (undelivered to the agent %d, not stored %d; %d checked through the REST API)\n",
			r.Lost, r.Undelivered, r.NotStored, r.Verified)
		fmt.Fprintf(w, "  duplicated         %d\n", r.Duplicated)
		fmt.Fprintf(w, "  out of order       %d (agent stream %d, reconnects %d)\n", r.OutOfOrder, r.AgentOutOfOrder, r.AgentReconnects)
		fmt.Fprintf(w, "  ack latency        p50 %s, p99 %s, max %s\n", ms(r.AckP50Ms), ms(r.AckP99Ms), ms(r.AckMaxMs))
		fmt.Fprintf(w, "  visitor → agent    p50 %s, p99 %s, max %s\n", ms(r.DeliverP50Ms), ms(r.DeliverP99Ms), ms(r.DeliverMaxMs))
		if len(r.AckP99PerSecond) > 1 {
			parts := make([]string, len(r.AckP99PerSecond))
			for i, v := range r.AckP99PerSecond {
				parts[i] = strconv.FormatFloat(v, 'f', 0, 64)
			}
			fmt.Fprintf(w, "  ack p99 by second  %s (ms, by the second the message was sent in)\n", strings.Join(parts, " "))
		}
		fmt.Fprintf(w, "  server RSS         %s peak (%s before)\n", mb(r.RSSMB), mb(r.RSSStartMB))
		fmt.Fprintf(w, "  connections held   %d (opened in %.1f s, %d failed, %d dropped by the server)\n",
			r.Connections, r.ConnectS, r.ConnectErrors, r.Disconnects)
	}
	if r.ServerCPUS != nil {
		fmt.Fprintf(w, "  CPU                server %.1f s, this tool %.1f s\n", *r.ServerCPUS, r.BenchCPUS)
	}
	if len(r.Errors) > 0 {
		keys := make([]string, 0, len(r.Errors))
		for k := range r.Errors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %d", k, r.Errors[k]))
		}
		fmt.Fprintf(w, "  errors             %s\n", strings.Join(parts, ", "))
	}
	if r.Failed() {
		fmt.Fprintf(w, "FAIL: %d lost, %d duplicated, %d out of order\n", r.Lost, r.Duplicated, r.OutOfOrder)
	}
}
