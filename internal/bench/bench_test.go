package bench_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/apitest"
	"github.com/switchboard-cs/switchboard/internal/bench"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// testLog sends the tool's progress lines to the test log.
type testLog struct {
	mu sync.Mutex
	t  testing.TB
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func start(t *testing.T, e storetest.Engine) (*apitest.Server, string) {
	srv := apitest.Start(t, e)
	_, tok := srv.TokenClient(t, srv.Admin(t), client.ScopeAdmin)
	return srv, tok.Secret
}

// TestChatLoad runs the tool in-process: 20 visitors at 200 messages per
// second in total for 3 seconds, 30 messages per visitor, which the server's
// visitor limit allows (a burst of 20, then 5 per second). Everything must
// be acked, delivered to the agent stream and stored, once and in order.
func TestChatLoad(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			srv, token := start(t, e)
			res, err := bench.Run(ctx, bench.Config{URL: srv.URL, Token: token, Visitors: 20, Rate: 200,
				Duration: 3 * time.Second, Drain: 10 * time.Second, Log: &testLog{t: t}})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", *res)
			if res.Failed() || res.Lost != 0 || res.Duplicated != 0 || res.OutOfOrder != 0 {
				t.Fatalf("lost %d, duplicated %d, out of order %d", res.Lost, res.Duplicated, res.OutOfOrder)
			}
			if res.Scheduled != 600 || res.Sent < 590 || res.Acked != res.Sent || res.Refused != 0 || res.Unacked != 0 {
				t.Errorf("scheduled %d, sent %d, acked %d, refused %d, unacked %d: want all 600 acked",
					res.Scheduled, res.Sent, res.Acked, res.Refused, res.Unacked)
			}
			if res.Verified != res.Acked || res.Undelivered != 0 || res.NotStored != 0 {
				t.Errorf("verified %d of %d acked; undelivered %d, not stored %d", res.Verified, res.Acked, res.Undelivered, res.NotStored)
			}
			if res.MsgsPerS < 150 || res.MsgsPerS > 250 {
				t.Errorf("%.1f acked messages per second, want about 200", res.MsgsPerS)
			}
			for name, v := range map[string]float64{"ack p50": res.AckP50Ms, "ack p99": res.AckP99Ms,
				"deliver p50": res.DeliverP50Ms, "deliver p99": res.DeliverP99Ms} {
				if v <= 0 || v > 5000 {
					t.Errorf("%s %.3f ms", name, v)
				}
			}
			if res.AckP50Ms > res.AckP99Ms || res.DeliverP50Ms > res.DeliverP99Ms || res.AckP99Ms > res.AckMaxMs {
				t.Errorf("percentiles out of order: %+v", *res)
			}
			if res.RSSMB == nil || *res.RSSMB <= 0 || res.RSSSource != "metrics" {
				t.Errorf("server RSS not read from /metrics: %v %q", res.RSSMB, res.RSSSource)
			}
			if res.Connections != 20 || res.ConnectErrors != 0 || res.Disconnects != 0 {
				t.Errorf("connections %d, connect errors %d, disconnects %d", res.Connections, res.ConnectErrors, res.Disconnects)
			}
		})
	}
}

// TestChatLoadOverVisitorLimit sends faster than a visitor may for longer
// than its burst (20 per second per visitor for 2 seconds): the excess is
// refused with rate_limited, which is neither lost nor acked, and nothing
// acked goes missing.
func TestChatLoadOverVisitorLimit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, token := start(t, storetest.Engines(t)[0])
	res, err := bench.Run(ctx, bench.Config{URL: srv.URL, Token: token, Visitors: 10, Rate: 200,
		Duration: 2 * time.Second, Drain: 10 * time.Second, Verify: 5, Log: &testLog{t: t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *res)
	if res.Failed() {
		t.Fatalf("lost %d, duplicated %d, out of order %d", res.Lost, res.Duplicated, res.OutOfOrder)
	}
	if res.Refused == 0 || res.Errors["rate_limited"] != res.Refused || res.Acked+res.Refused+res.Unacked != res.Sent {
		t.Errorf("sent %d = acked %d + refused %d + unacked %d? errors %v", res.Sent, res.Acked, res.Refused, res.Unacked, res.Errors)
	}
	if res.Verified == 0 || res.Verified >= res.Acked {
		t.Errorf("a sample of 5 visitors verified %d of %d acked messages", res.Verified, res.Acked)
	}
}

// TestChatLoadWarmup opens every conversation first: the measured messages
// then all go to open conversations, and the warm-up is not counted.
func TestChatLoadWarmup(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, token := start(t, storetest.Engines(t)[0])
	res, err := bench.Run(ctx, bench.Config{URL: srv.URL, Token: token, Visitors: 10, Rate: 50,
		Duration: time.Second, Warmup: true, Log: &testLog{t: t}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed() || !res.Warmup || res.Sent != 50 || res.Acked != 50 || res.Verified != 50 || len(res.Errors) != 0 {
		t.Fatalf("%+v", *res)
	}
}

// TestIdle holds connections without sending and reports the memory they take.
func TestIdle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, token := start(t, storetest.Engines(t)[0])
	res, err := bench.Run(ctx, bench.Config{URL: srv.URL, Token: token, Visitors: 50, Rate: 0,
		Duration: 2 * time.Second, Log: &testLog{t: t}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != "idle" || res.Sent != 0 || res.Connections != 50 || res.RSSMB == nil || res.RSSStartMB == nil || res.KBPerConn == nil {
		t.Fatalf("%+v", *res)
	}
}

func TestConfigLimits(t *testing.T) {
	ok := bench.Config{URL: "http://127.0.0.1:8080", Token: "t", Visitors: 10, Rate: 10, Duration: time.Second}
	for name, mod := range map[string]func(*bench.Config){
		"no url":          func(c *bench.Config) { c.URL = "" },
		"ftp url":         func(c *bench.Config) { c.URL = "ftp://host/" },
		"no token":        func(c *bench.Config) { c.Token = "" },
		"no visitors":     func(c *bench.Config) { c.Visitors = 0 },
		"too many":        func(c *bench.Config) { c.Visitors = bench.MaxVisitors + 1 },
		"negative rate":   func(c *bench.Config) { c.Rate = -1 },
		"rate too high":   func(c *bench.Config) { c.Rate = bench.MaxRate + 1 },
		"no duration":     func(c *bench.Config) { c.Duration = 0 },
		"too long":        func(c *bench.Config) { c.Duration = bench.MaxDuration + time.Second },
		"drain too long":  func(c *bench.Config) { c.Drain = bench.MaxDrain + time.Second },
		"body too small":  func(c *bench.Config) { c.BodySize = 5 },
		"too many source": func(c *bench.Config) { c.SourceAddrs = 300 },
	} {
		c := ok
		mod(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c := ok
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c = ok
	c.Rate = 0
	if err := c.Validate(); err != nil || !c.Idle {
		t.Fatalf("rate 0 should mean idle: %v %+v", err, c)
	}
}
