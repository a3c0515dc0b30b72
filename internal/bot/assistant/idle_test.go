package assistant

import (
	"testing"
	"time"
)

// TestDropIdle: engines unused for IdleAfter are dropped; busy ones and
// ones being built stay.
func TestDropIdle(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	b := New(Options{Now: func() time.Time { return now }})
	b.tenants["idle"] = &tenantBot{snap: &snapshot{}, usedAt: now.Add(-IdleAfter - time.Minute)}
	b.tenants["busy"] = &tenantBot{snap: &snapshot{}, usedAt: now.Add(-time.Minute)}
	b.tenants["building"] = &tenantBot{snap: &snapshot{}, usedAt: now.Add(-2 * IdleAfter), building: make(chan struct{})}
	if n := b.dropIdle(); n != 1 {
		t.Fatalf("dropped %d engines, want 1", n)
	}
	if _, ok := b.tenants["idle"]; ok {
		t.Fatal("the idle engine is still held")
	}
	for _, id := range []string{"busy", "building"} {
		if b.tenants[id] == nil || b.tenants[id].snap == nil {
			t.Fatalf("%s engine was dropped", id)
		}
	}
}
