package app

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/platform/config"
)

// The demo's website channel exists from the first start on, and later
// starts find the same one.
func TestDemoChannelKeyIsStable(t *testing.T) {
	dir := t.TempDir()
	set := func(c *config.Config) { c.DataDir, c.Demo = dir, true }
	a, srv, _ := newTestApp(t, set)
	key := a.demoChannelKey()
	if key == "" {
		t.Fatal("no demo channel key after the first start")
	}
	ch, err := a.Channels.ByKey(context.Background(), key)
	if err != nil || ch.Name != DemoChannelName || !strings.Contains(ch.Settings.Greeting, "您好") || !strings.Contains(ch.Settings.Greeting, "Welcome") {
		t.Fatalf("demo channel: %+v %v", ch, err)
	}
	if code, body := get(t, srv.URL+"/demo"); code != 200 || !strings.Contains(body, key) {
		t.Fatalf("/demo: %d", code)
	}
	srv.Close()
	a.Close()

	a2, _, _ := newTestApp(t, set)
	if got := a2.demoChannelKey(); got != key {
		t.Fatalf("second start: demo key %q, want %q", got, key)
	}

	plain, srv3, _ := newTestApp(t, nil)
	if plain.demoChannelKey() != "" {
		t.Fatal("a demo channel key without --demo")
	}
	if code, _ := get(t, srv3.URL+"/demo"); code != 404 {
		t.Fatalf("/demo without --demo: %d", code)
	}
}
