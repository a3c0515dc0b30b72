// Package routebench is the routing load tool behind "switchboard bench
// routing". It runs the real router (routing.Router over a
// conversation.Service) against a database — by default a fresh SQLite file,
// or a PostgreSQL URL, where it works in a tenant of its own — and measures
// how long one routing decision takes when many agents are online and many
// conversations wait.
//
// Set-up: N online agents in four teams with skills, every slot filled with
// an open conversation, and M waiting conversations of mixed priority, which
// the tenant's rules route to teams and skills (through the router itself).
// Then, step after step: one customer arrives (the queue stays at M), one
// agent closes a conversation, and the router dispatches; a dispatch that
// assigns a conversation is one decision, and its duration the decision
// latency. Throughout, the tool checks the invariants of the router on what
// is stored: no agent above capacity, no conversation given to two agents,
// no conversation waiting while a capable online agent has a free slot.
package routebench

import (
	"context"
	"embed"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/app"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/routing"
)

//go:embed *.sql
var sqlFS embed.FS

var q = store.MustLoadQueries(sqlFS)

// Queries exposes this package's statements to the store scoping tests.
func Queries() *store.Queries { return q }

// Limits and defaults of a run.
const (
	MaxAgents       = 5000
	MaxWaiting      = 100000
	MaxDecisions    = 1000000
	MaxHistory      = 1000000
	MaxDuration     = time.Hour
	DefaultAgents   = 500
	DefaultWaiting  = 5000
	DefaultCapacity = 3
	DefaultDecide   = 2000
	DefaultHistory  = 20000
	DefaultDuration = time.Minute
	DefaultCheck    = 100
)

// Config describes one run.
type Config struct {
	// Database is a PostgreSQL URL (postgres://…) or a SQLite file path; ""
	// makes a fresh SQLite database in a temporary directory, removed after.
	Database string
	Agents   int // online agents
	Waiting  int // waiting conversations, kept at this level during the run
	Capacity int // every agent's capacity (the tenant's default)
	// History is how many closed conversations the tenant has from before.
	History int
	// Decisions is how many decisions to make; Duration bounds the decision
	// phase in time (the run stops at whichever comes first).
	Decisions int
	Duration  time.Duration
	// CheckEvery: the invariants are checked on the stored state after every
	// this many decisions, and at the end.
	CheckEvery int
	// Seed makes the world and the steps reproducible.
	Seed uint64
	// Keep leaves the bench tenant (and a temporary SQLite database) in place.
	Keep bool
	// CPUProfile, when set, receives a CPU profile of the decision phase.
	CPUProfile io.Writer
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Validate checks a configuration and fills in defaults.
func (c *Config) Validate() error {
	if c.Agents < 1 || c.Agents > MaxAgents {
		return fmt.Errorf("--agents: %d is not between 1 and %d", c.Agents, MaxAgents)
	}
	if c.Waiting < 1 || c.Waiting > MaxWaiting {
		return fmt.Errorf("--waiting: %d is not between 1 and %d", c.Waiting, MaxWaiting)
	}
	if c.Capacity < 1 || c.Capacity > routing.MaxCapacity {
		return fmt.Errorf("--capacity: %d is not between 1 and %d", c.Capacity, routing.MaxCapacity)
	}
	if c.History < 0 || c.History > MaxHistory {
		return fmt.Errorf("--history: %d is not between 0 and %d", c.History, MaxHistory)
	}
	if c.Decisions < 1 || c.Decisions > MaxDecisions {
		return fmt.Errorf("--decisions: %d is not between 1 and %d", c.Decisions, MaxDecisions)
	}
	if c.Duration <= 0 || c.Duration > MaxDuration {
		return fmt.Errorf("--duration: %v is not between 0 and %v", c.Duration, MaxDuration)
	}
	if c.CheckEvery == 0 {
		c.CheckEvery = DefaultCheck
	}
	if c.CheckEvery < 1 {
		return fmt.Errorf("--check-every: %d is not a positive number", c.CheckEvery)
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	return nil
}

// Result is what a run measured. The first keys are the stable summary; the
// others explain it.
type Result struct {
	Decisions     int     `json:"decisions"`
	DecisionsPerS float64 `json:"decisions_per_s"` // decisions per second of dispatching (1 / mean latency)
	P50Ms         float64 `json:"p50_ms"`
	P99Ms         float64 `json:"p99_ms"`
	MaxMs         float64 `json:"max_ms"`
	Violations    int     `json:"violations"`
	Agents        int     `json:"agents"`
	Waiting       int     `json:"waiting"`
	Database      string  `json:"database"` // "sqlite" or "postgres"
	SetupS        float64 `json:"setup_s"`

	MeanMs     float64 `json:"mean_ms"`
	Capacity   int     `json:"capacity"`
	History    int     `json:"history"`        // closed conversations from before
	RunS       float64 `json:"run_s"`          // wall clock of the decision phase, steps' set-up included
	Stopped    string  `json:"stopped"`        // "decisions", "duration", "interrupted" or "idle"
	Empty      int     `json:"empty"`          // dispatches after a freed slot that assigned nothing
	Assigned   int     `json:"assigned"`       // conversations assigned (a decision may assign more than one)
	ArrivalP50 float64 `json:"arrival_p50_ms"` // dispatch after an arrival, all agents busy (routes it)
	ArrivalP99 float64 `json:"arrival_p99_ms"`
	// The CPU time of this process's thread during a decision: on SQLite
	// the router's work itself, without the waits of a busy machine; on
	// PostgreSQL without the database server's part.
	CPUP50Ms float64 `json:"cpu_p50_ms"`
	CPUP99Ms float64 `json:"cpu_p99_ms"`
	Checks   int     `json:"checks"` // invariant checks made on the stored state
	// The violations, by invariant.
	OverCapacity  int    `json:"over_capacity"`      // an agent above capacity
	AssignedTwice int    `json:"assigned_twice"`     // a conversation given twice, or to another agent than reported
	WaitingFree   int    `json:"waiting_while_free"` // a conversation waiting while a capable online agent had a free slot
	WaitingEnd    int    `json:"waiting_end"`        // waiting conversations at the end
	Tenant        string `json:"tenant"`             // the bench tenant's slug
	GOMAXPROCS    int    `json:"gomaxprocs"`
}

// Failed reports whether the router broke an invariant.
func (r *Result) Failed() bool { return r.Violations > 0 }

// Run sets up a world, makes the decisions and checks the invariants.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	dsn := cfg.Database
	if dsn == "" {
		dir, err := os.MkdirTemp("", "switchboard-bench-routing-")
		if err != nil {
			return nil, err
		}
		if cfg.Keep {
			fmt.Fprintf(cfg.Log, "database kept in %s\n", dir)
		} else {
			defer os.RemoveAll(dir)
		}
		dsn = filepath.Join(dir, "switchboard.db")
	}
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate %s: %w", db, err)
	}
	res := &Result{Agents: cfg.Agents, Waiting: cfg.Waiting, Capacity: cfg.Capacity, History: cfg.History, Database: string(db.Dialect()),
		GOMAXPROCS: runtime.GOMAXPROCS(0)}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	convs := conversation.New(conversation.Options{DB: db, Directory: app.Directory{Accounts: account.New(db), Contacts: contact.New(db)}})
	defer convs.Shutdown()
	router := routing.New(routing.Options{DB: db, Conversations: convs})
	w := &world{cfg: cfg, db: db, convs: convs, router: router, rng: rng, res: res}

	start := time.Now()
	fmt.Fprintf(cfg.Log, "setting up %d agents (capacity %d) and %d waiting conversations on %s\n",
		cfg.Agents, cfg.Capacity, cfg.Waiting, db)
	err = w.setup(ctx)
	if w.tenantID != "" && !cfg.Keep && cfg.Database != "" {
		defer w.cleanup() // a temporary database goes as a whole
	}
	if err != nil {
		return nil, err
	}
	res.SetupS = round3(time.Since(start).Seconds())
	res.Tenant = w.slug
	fmt.Fprintf(cfg.Log, "set up in %.1f s (tenant %s)\n", res.SetupS, w.slug)
	// The checks before and after the decisions run even when the run is
	// interrupted (then it reports what it did).
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	if err := w.check(cctx); err != nil {
		return nil, err
	}
	if err := w.decide(ctx); err != nil {
		return nil, err
	}
	if err := w.check(cctx); err != nil {
		return nil, err
	}
	res.Violations = res.OverCapacity + res.AssignedTwice + res.WaitingFree
	return res, nil
}

// decide runs the decision phase.
func (w *world) decide(ctx context.Context) error {
	cfg, res := w.cfg, w.res
	var decisions, arrivals, cpu []int64
	var spent time.Duration
	if cfg.CPUProfile != nil {
		if err := pprof.StartCPUProfile(cfg.CPUProfile); err != nil {
			return fmt.Errorf("CPU profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	// One thread for the steps, so that its CPU time is the dispatch's.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := time.Now()
	lastLog := start
	idle := 0
	res.Stopped = "decisions"
	for len(decisions) < cfg.Decisions {
		if ctx.Err() != nil {
			res.Stopped = "interrupted"
			break
		}
		if time.Since(start) >= cfg.Duration {
			res.Stopped = "duration"
			break
		}
		if idle >= 200 {
			res.Stopped = "idle" // 200 freed slots in a row found nothing to take
			break
		}
		// A customer arrives: the queue stays at M. The router routes the
		// new conversation by the rules (nobody is free to take it yet).
		if err := w.arrive(ctx); err != nil {
			if ctx.Err() != nil {
				continue // interrupted
			}
			return err
		}
		t0 := time.Now()
		as, err := w.router.Dispatch(ctx, w.tenantID)
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			return fmt.Errorf("dispatch after an arrival: %w", err)
		}
		arrivals = append(arrivals, int64(time.Since(t0)))
		w.assigned(as)
		// An agent closes a conversation, freeing a slot; the router fills it.
		if err := w.free(ctx); err != nil {
			if ctx.Err() != nil {
				continue
			}
			return err
		}
		c0, t0 := threadCPU(), time.Now()
		as, err = w.router.Dispatch(ctx, w.tenantID)
		d, c := time.Since(t0), threadCPU()-c0
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			return fmt.Errorf("dispatch after a freed slot: %w", err)
		}
		w.assigned(as)
		if len(as) == 0 {
			res.Empty++
			idle++
			continue
		}
		idle = 0
		spent += d
		decisions = append(decisions, int64(d))
		cpu = append(cpu, int64(c))
		if len(decisions)%cfg.CheckEvery == 0 {
			if err := w.check(ctx); err != nil && ctx.Err() == nil {
				return err
			}
		}
		if time.Since(lastLog) >= 5*time.Second {
			lastLog = time.Now()
			fmt.Fprintf(cfg.Log, "%d decisions, p99 so far %.2f ms\n", len(decisions), percentileMs(decisions, 0.99))
		}
	}
	res.RunS = round3(time.Since(start).Seconds())
	res.Decisions = len(decisions)
	res.P50Ms = percentileMs(decisions, 0.50)
	res.P99Ms = percentileMs(decisions, 0.99)
	res.MaxMs = percentileMs(decisions, 1)
	res.ArrivalP50 = percentileMs(arrivals, 0.50)
	res.ArrivalP99 = percentileMs(arrivals, 0.99)
	res.CPUP50Ms = percentileMs(cpu, 0.50)
	res.CPUP99Ms = percentileMs(cpu, 0.99)
	if len(decisions) > 0 {
		res.MeanMs = round3(float64(spent) / float64(len(decisions)) / 1e6)
		res.DecisionsPerS = round3(float64(len(decisions)) / spent.Seconds())
	}
	return nil
}

// percentileMs is the nearest-rank q-quantile of durations in nanoseconds,
// in milliseconds.
func percentileMs(ns []int64, q float64) float64 {
	if len(ns) == 0 {
		return 0
	}
	s := slices.Clone(ns)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	i = max(0, min(i, len(s)-1))
	return round3(float64(s[i]) / 1e6)
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
