package routing

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzHours feeds arbitrary JSON to the business-hours validation and, when
// it accepts them, asks whether they are open: it must never panic, and
// accepted hours never overlap or close before they open.
func FuzzHours(f *testing.F) {
	for _, s := range []string{
		`{"time_zone":"Asia/Shanghai","week":[{"day":1,"open":"09:00","close":"18:00"}],"holidays":["2026-10-01"]}`,
		`{"week":[{"day":2,"open":"09:00","close":"12:00"},{"day":2,"open":"11:00","close":"18:00"}]}`,
		`{"week":[{"day":3,"open":"18:00","close":"09:00"}]}`,
		`{"week":[{"day":4,"open":"00:00","close":"24:00"}]}`,
		`{"time_zone":"Mars/Olympus"}`, `{"holidays":["2026-02-30"]}`, `{"week":[{"day":9,"open":"9","close":"x"}]}`, `{}`,
	} {
		f.Add(s, int64(1764000000))
	}
	f.Fuzz(func(t *testing.T, raw string, at int64) {
		var h Hours
		if json.Unmarshal([]byte(raw), &h) != nil {
			return
		}
		if h.normalize("hours") != nil {
			return
		}
		for i, iv := range h.Week {
			o, _ := clock(iv.Open)
			c, _ := clock(iv.Close)
			if c <= o {
				t.Fatalf("accepted an inverted interval %+v", iv)
			}
			if i > 0 && h.Week[i-1].Day == iv.Day {
				pc, _ := clock(h.Week[i-1].Close)
				if o < pc {
					t.Fatalf("accepted overlapping intervals %+v", h.Week)
				}
			}
		}
		_ = h.Open(time.Unix(at%(1<<40), 0))
	})
}

// FuzzRules feeds arbitrary JSON to the rule validation and matches the
// rules it accepts against facts: it must never panic.
func FuzzRules(f *testing.F) {
	f.Add(`[{"name":"VIP","enabled":true,"when":{"tags":["VIP"],"languages":["zh"],"page_url":"/pricing","returning_days":30,
		"hours":{"week":[{"day":1,"open":"09:00","close":"18:00"}]}},"then":{"skill":"vip","priority":5,"strategy":"sticky"}}]`,
		"zh-CN", "https://shop.example/%E4%BB%B7%E6%A0%BC", "vip")
	f.Add(`[{"name":"","then":{"priority":1000}}]`, "en", "%zz", "")
	f.Add(`[{"name":"x","when":{"channels":["not-an-id"]}}]`, "", "", "")
	f.Fuzz(func(t *testing.T, raw, lang, page, tag string) {
		var rules []Rule
		if json.Unmarshal([]byte(raw), &rules) != nil || normalizeRules(rules) != nil {
			return
		}
		s := &snapshot{settings: DefaultSettings(), rules: rules, teams: map[string]*team{}, members: map[string][]*team{}, users: map[string]user{}}
		s.markBroken()
		rt := s.route(&Facts{Language: lang, PageURL: page, Tags: []string{tag}}, time.Unix(1764000000, 0))
		if rt.Target.Priority < -MaxPriority || rt.Target.Priority > MaxPriority {
			t.Fatalf("a priority out of range was accepted: %d", rt.Target.Priority)
		}
	})
}
