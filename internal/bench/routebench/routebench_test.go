package routebench_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bench/routebench"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

// TestRun makes a small run on each engine: the router makes decisions and
// breaks no invariant, and the bench tenant is gone afterwards.
func TestRun(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.URL(t)
			var log bytes.Buffer
			res, err := routebench.Run(context.Background(), routebench.Config{Database: dsn, Agents: 20, Waiting: 200,
				Capacity: 2, History: 300, Decisions: 100, Duration: time.Minute, CheckEvery: 10, Seed: 7, Log: &log})
			if err != nil {
				t.Fatalf("run: %v\n%s", err, log.String())
			}
			if res.Decisions != 100 || res.Stopped != "decisions" {
				t.Errorf("%d decisions (stopped: %s), want 100", res.Decisions, res.Stopped)
			}
			if res.Violations != 0 || res.OverCapacity+res.AssignedTwice+res.WaitingFree != 0 {
				t.Errorf("violations: %+v", res)
			}
			if res.Database != e.Name || res.Agents != 20 || res.Waiting != 200 || res.Capacity != 2 || res.History != 300 {
				t.Errorf("result describes another run: %+v", res)
			}
			if res.P50Ms <= 0 || res.P99Ms < res.P50Ms || res.MaxMs < res.P99Ms || res.DecisionsPerS <= 0 || res.SetupS <= 0 {
				t.Errorf("figures: %+v", res)
			}
			// Checked after set-up, every 10 decisions, and at the end; one
			// customer arrived per step, so the queue stayed at its level.
			steps := res.Decisions + res.Empty
			if res.Checks != 12 || res.WaitingEnd != 200+steps-res.Assigned {
				t.Errorf("%d checks, %d waiting at the end: %+v", res.Checks, res.WaitingEnd, res)
			}
			if !strings.Contains(log.String(), "routed by the rules") {
				t.Errorf("progress: %s", log.String())
			}
			db, err := store.Open(context.Background(), dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := tenant.New(db).BySlug(context.Background(), res.Tenant); err == nil {
				t.Errorf("the bench tenant %s is still there", res.Tenant)
			}
		})
	}
}

// TestOtherTenantUntouched runs beside an existing tenant: its rows stay.
func TestOtherTenantUntouched(t *testing.T) {
	e := storetest.Engines(t)[0]
	dsn := e.URL(t)
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	other, err := tenant.New(db).Create(context.Background(), "acme", "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := routebench.Run(context.Background(), routebench.Config{Database: dsn, Agents: 5, Waiting: 20,
		Capacity: 1, Decisions: 10, Duration: time.Minute, Seed: 1})
	if err != nil || res.Violations != 0 || res.Decisions != 10 {
		t.Fatalf("run: %v %+v", err, res)
	}
	if _, err := tenant.New(db).ByID(context.Background(), other.ID); err != nil {
		t.Errorf("the other tenant: %v", err)
	}
	list, err := tenant.New(db).List(context.Background())
	if err != nil || len(list) != 1 {
		t.Errorf("tenants after the run: %v %v", list, err)
	}
}

func TestValidate(t *testing.T) {
	ok := routebench.Config{Agents: 1, Waiting: 1, Capacity: 1, Decisions: 1, Duration: time.Second}
	for _, tc := range []struct {
		change func(*routebench.Config)
		flag   string
	}{
		{func(c *routebench.Config) { c.Agents = 0 }, "--agents"},
		{func(c *routebench.Config) { c.Agents = routebench.MaxAgents + 1 }, "--agents"},
		{func(c *routebench.Config) { c.Waiting = 0 }, "--waiting"},
		{func(c *routebench.Config) { c.Capacity = 0 }, "--capacity"},
		{func(c *routebench.Config) { c.Capacity = 51 }, "--capacity"},
		{func(c *routebench.Config) { c.Decisions = -1 }, "--decisions"},
		{func(c *routebench.Config) { c.Duration = 0 }, "--duration"},
		{func(c *routebench.Config) { c.CheckEvery = -2 }, "--check-every"},
	} {
		c := ok
		tc.change(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.flag) {
			t.Errorf("%+v: %v, want an error naming %s", c, err, tc.flag)
		}
	}
	if err := ok.Validate(); err != nil || ok.CheckEvery != routebench.DefaultCheck {
		t.Errorf("a valid configuration: %v, check every %d", err, ok.CheckEvery)
	}
}

// cancelOn cancels a context when a progress line contains a text.
type cancelOn struct {
	text   string
	cancel context.CancelFunc
}

func (c cancelOn) Write(p []byte) (int, error) {
	if strings.Contains(string(p), c.text) {
		c.cancel()
	}
	return len(p), nil
}

// TestInterrupted stops a run (as Ctrl-C does) once it is set up: the run
// still reports what it measured and checked, and cleans up.
func TestInterrupted(t *testing.T) {
	e := storetest.Engines(t)[0]
	dsn := e.URL(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := routebench.Run(ctx, routebench.Config{Database: dsn, Agents: 10, Waiting: 50, Capacity: 2,
		Decisions: 1000, Duration: time.Minute, Log: cancelOn{"set up in", cancel}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stopped != "interrupted" || res.Decisions != 0 || res.Violations != 0 || res.Checks != 2 {
		t.Errorf("interrupted run: %+v", res)
	}
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := tenant.New(db).BySlug(context.Background(), res.Tenant); err == nil {
		t.Errorf("the bench tenant %s is still there", res.Tenant)
	}
}
