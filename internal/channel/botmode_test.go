package channel

import (
	"testing"
	"time"
)

// TestBotFirstAt: who answers first at a given moment, in the channel's
// time zone.
func TestBotFirstAt(t *testing.T) {
	hours := Hours{TimeZone: "Asia/Shanghai", Days: []int{1, 2, 3, 4, 5}, Open: "09:00", Close: "18:00"}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		mode string
		when string
		bot  bool
	}{
		{BotFirst, "2026-11-23T03:00:00Z", true},         // Monday 11:00 in Shanghai
		{HumanFirst, "2026-11-23T14:00:00Z", false},      // Monday 22:00
		{BotOutsideHours, "2026-11-23T03:00:00Z", false}, // Monday 11:00: people
		{BotOutsideHours, "2026-11-23T00:59:00Z", true},  // Monday 08:59: before opening
		{BotOutsideHours, "2026-11-23T01:00:00Z", false}, // Monday 09:00: open
		{BotOutsideHours, "2026-11-23T10:00:00Z", true},  // Monday 18:00: closed
		{BotOutsideHours, "2026-11-22T03:00:00Z", true},  // Sunday 11:00
		{BotOutsideHours, "2026-11-20T23:30:00Z", true},  // Friday in UTC, Saturday 07:30 in Shanghai
		{BotOutsideHours, "2026-11-20T09:59:00Z", false}, // Friday 17:59 in Shanghai
	}
	for _, c := range cases {
		m := BotMode{Mode: c.mode, Hours: hours}
		if got := m.BotFirstAt(at(c.when)); got != c.bot {
			t.Errorf("%s at %s: bot first %v, want %v", c.mode, c.when, got, c.bot)
		}
	}
}

// TestBotModeChecks: bad modes and hours are refused, defaults filled in.
func TestBotModeChecks(t *testing.T) {
	var m BotMode
	if err := normalizeBot(&m); err != nil || m.Mode != BotFirst || m.Hours.TimeZone != "UTC" || len(m.Hours.Days) != 5 {
		t.Fatalf("defaults: %+v %v", m, err)
	}
	for _, bad := range []BotMode{
		{Mode: "sometimes"},
		{Hours: Hours{TimeZone: "Mars/Olympus"}},
		{Hours: Hours{Days: []int{-1}}},
		{Hours: Hours{Days: []int{1, 2, 3, 4, 5, 6, 0, 1}}},
		{Hours: Hours{Open: "18:00", Close: "09:00"}},
		{Hours: Hours{Open: "09:00", Close: "09:00"}},
		{Hours: Hours{Open: "9am"}},
	} {
		b := bad
		if err := normalizeBot(&b); err == nil {
			t.Errorf("%+v was accepted", bad)
		}
	}
}
