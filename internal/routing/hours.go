package routing

import (
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/tz"
)

// Hours are business hours: intervals per weekday in a time zone, and
// holidays (whole days closed). An empty Week means always open.
type Hours struct {
	TimeZone string     `json:"time_zone"` // IANA name, e.g. "Asia/Shanghai"
	Week     []Interval `json:"week"`
	Holidays []string   `json:"holidays"` // "2026-10-01", in the time zone
}

// Interval is one opening on a weekday: [Open, Close) in "HH:MM".
type Interval struct {
	Day   int    `json:"day"` // 0 = Sunday … 6 = Saturday
	Open  string `json:"open"`
	Close string `json:"close"` // after Open; "24:00" is the end of the day
}

// Limits on hours.
const (
	maxIntervals = 70
	maxHolidays  = 366
)

// normalize validates hours in place (field is the JSON path for errors):
// an unknown time zone, a bad time, an interval that closes before it
// opens, or two that overlap on a day are refused.
func (h *Hours) normalize(field string) error {
	if h.TimeZone == "" {
		h.TimeZone = "UTC"
	}
	if _, err := tz.Load(h.TimeZone); err != nil {
		return apperr.Invalidf(field+".time_zone", "unknown_time_zone")
	}
	if len(h.Week) > maxIntervals {
		return apperr.Invalidf(field+".week", "too_many", "max", maxIntervals)
	}
	if h.Week == nil {
		h.Week = []Interval{}
	}
	for i, iv := range h.Week {
		f := fmt.Sprintf("%s.week[%d]", field, i)
		if iv.Day < 0 || iv.Day > 6 {
			return apperr.Invalidf(f+".day", "invalid_value")
		}
		o, ok1 := clock(iv.Open)
		c, ok2 := clock(iv.Close)
		if !ok1 {
			return apperr.Invalidf(f+".open", "invalid_time")
		}
		if !ok2 {
			return apperr.Invalidf(f+".close", "invalid_time")
		}
		if c <= o {
			return apperr.Invalidf(f+".close", "hours_inverted")
		}
	}
	// Sort by day and opening time, remembering where each interval was
	// sent, so that an overlap names the interval as the client sent it.
	order := make([]int, len(h.Week))
	for i := range order {
		order[i] = i
	}
	start := func(i int) int { m, _ := clock(h.Week[i].Open); return h.Week[i].Day*24*60 + m }
	slices.SortStableFunc(order, func(a, b int) int { return start(a) - start(b) })
	for k := 1; k < len(order); k++ {
		a, b := h.Week[order[k-1]], h.Week[order[k]]
		ac, _ := clock(a.Close)
		bo, _ := clock(b.Open)
		if a.Day == b.Day && bo < ac {
			return apperr.Invalidf(fmt.Sprintf("%s.week[%d]", field, max(order[k-1], order[k])), "hours_overlap")
		}
	}
	sorted := make([]Interval, len(order))
	for k, i := range order {
		sorted[k] = h.Week[i]
	}
	h.Week = sorted
	if len(h.Holidays) > maxHolidays {
		return apperr.Invalidf(field+".holidays", "too_many", "max", maxHolidays)
	}
	if h.Holidays == nil {
		h.Holidays = []string{}
	}
	for i, d := range h.Holidays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return apperr.Invalidf(fmt.Sprintf("%s.holidays[%d]", field, i), "invalid_date")
		}
	}
	slices.Sort(h.Holidays)
	h.Holidays = slices.Compact(h.Holidays)
	return nil
}

// Open reports whether t falls within the hours (always, when no week is set).
func (h *Hours) Open(t time.Time) bool {
	if h == nil || len(h.Week) == 0 && len(h.Holidays) == 0 {
		return true
	}
	loc, err := tz.Load(h.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	if _, holiday := slices.BinarySearch(h.Holidays, lt.Format(time.DateOnly)); holiday {
		return false
	}
	if len(h.Week) == 0 {
		return true
	}
	day, now := int(lt.Weekday()), lt.Hour()*60+lt.Minute()
	for _, iv := range h.Week {
		if iv.Day != day {
			continue
		}
		o, _ := clock(iv.Open)
		c, _ := clock(iv.Close)
		if now >= o && now < c {
			return true
		}
	}
	return false
}

// clock parses "HH:MM" (00:00–24:00) into minutes after midnight.
func clock(s string) (int, bool) {
	if s == "24:00" {
		return 24 * 60, true
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}
