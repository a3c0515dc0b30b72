package bus

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, subject string
		want             bool
	}{
		{"conv.t1.c1", "conv.t1.c1", true},
		{"conv.t1.*", "conv.t1.c1", true},
		{"conv.*.c1", "conv.t2.c1", true},
		{"conv.>", "conv.t1.c1", true},
		{"conv.>", "conv", false},
		{"conv.t1.*", "conv.t1.c1.x", false},
		{"conv.t1", "conv.t1.c1", false},
		{"conv.t1.c1", "conv.t1", false},
		{"conv.t2.*", "conv.t1.c1", false},
	} {
		if got := Match(c.pattern, c.subject); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.subject, got, c.want)
		}
	}
}

// runContract checks what every Bus must do: deliver to matching
// subscribers only, in publish order, and stop after Unsubscribe.
func runContract(t *testing.T, pub, sub Bus, flush func()) {
	var mu sync.Mutex
	var got []string
	s, err := sub.Subscribe("conv.t1.*", func(subject string, data []byte) {
		mu.Lock()
		got = append(got, subject+"="+string(data))
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	flush()
	ctx := context.Background()
	for _, m := range []struct{ subj, data string }{{"conv.t1.a", "1"}, {"conv.t2.a", "x"}, {"conv.t1.b", "2"}, {"conv.t1.a", "3"}} {
		if err := pub.Publish(ctx, m.subj, []byte(m.data)); err != nil {
			t.Fatal(err)
		}
	}
	flush()
	want := []string{"conv.t1.a=1", "conv.t1.b=2", "conv.t1.a=3"}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	mu.Unlock()
	if err := s.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	flush()
	_ = pub.Publish(ctx, "conv.t1.c", []byte("late"))
	flush()
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(want) {
		t.Fatalf("delivered after Unsubscribe: %v", got)
	}
}

func TestMemory(t *testing.T) {
	m := NewMemory()
	runContract(t, m, m, func() {})
	m.Close()
	if err := m.Publish(context.Background(), "x", nil); err != ErrClosed {
		t.Fatalf("publish after close: %v", err)
	}
}

// natsURL uses SWITCHBOARD_TEST_NATS when set (scripts/test.sh points it at
// a real nats-server). Outside CI it otherwise starts an in-process server on
// a free loopback port; under CI=true a missing server is a failure.
func natsURL(t *testing.T) string {
	if u := os.Getenv("SWITCHBOARD_TEST_NATS"); u != "" {
		return u
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("SWITCHBOARD_TEST_NATS is not set: the bus must be tested on a real NATS server in CI")
	}
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(5 * time.Second) {
		t.Fatal("nats server did not start")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL()
}

func TestNATSBetweenTwoNodes(t *testing.T) {
	url := natsURL(t)
	a, err := Open(url, "node-a")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(url, "node-b")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := a.Ready(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	flush := func() {
		if err := a.(*NATS).Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if err := b.(*NATS).Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	runContract(t, a, b, flush)
}

func TestOpenRefusesUnknownAndUnreachable(t *testing.T) {
	if _, err := Open("redis://x", "n"); err == nil {
		t.Fatal("unknown scheme accepted")
	}
	if _, err := Open("nats://127.0.0.1:1", "n"); err == nil {
		t.Fatal("unreachable NATS accepted")
	}
}
