// Package tz loads IANA time zones once: time.LoadLocation reads the zone
// database on every call, and business hours are checked as conversations
// open and as the router dispatches.
package tz

import (
	"sync"
	"time"
)

var zones sync.Map // name → *time.Location

// Load is time.LoadLocation, cached. Names longer than 64 bytes are refused.
func Load(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	if len(name) > 64 {
		return nil, errTooLong
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, l)
	return l, nil
}

type tzError string

func (e tzError) Error() string { return string(e) }

const errTooLong = tzError("tz: time zone name too long")
