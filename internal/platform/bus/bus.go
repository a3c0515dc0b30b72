// Package bus carries events between the parts of Switchboard and between
// the nodes of a cluster. Everything is published through the Bus interface,
// even on one node (Memory); NATS makes several nodes one system. The bus is
// for fan-out only: the database stays the source of truth, and a subscriber
// that misses an event catches up from the database.
package bus

import (
	"context"
	"errors"
	"strings"
)

// Handler receives one event. It runs on the bus's delivery goroutine and
// must not block: hand heavy work to a queue of your own.
type Handler func(subject string, data []byte)

// Subscription stops a subscription.
type Subscription interface {
	Unsubscribe() error
}

// Bus publishes events on subjects (dot-separated tokens; a subscription may
// use "*" for one token and ">" for the rest, as NATS does).
type Bus interface {
	Publish(ctx context.Context, subject string, data []byte) error
	Subscribe(subject string, h Handler) (Subscription, error)
	// Ready reports whether events can flow (a NATS connection may be down).
	Ready() error
	Close() error
}

// ErrClosed is returned after Close.
var ErrClosed = errors.New("bus: closed")

// Open returns the bus named by url: "memory" or "nats://host:port".
func Open(url, name string) (Bus, error) {
	if url == "" || url == "memory" {
		return NewMemory(), nil
	}
	if strings.HasPrefix(url, "nats://") || strings.HasPrefix(url, "tls://") {
		return DialNATS(url, name)
	}
	return nil, errors.New("bus: unknown bus " + url + " (want memory or nats://host:port)")
}

// Match reports whether subject matches pattern ("*" one token, ">" the rest).
func Match(pattern, subject string) bool {
	for {
		p, prest, pmore := strings.Cut(pattern, ".")
		s, srest, smore := strings.Cut(subject, ".")
		switch {
		case p == ">":
			return s != ""
		case p != "*" && p != s:
			return false
		case !pmore && !smore:
			return true
		case pmore != smore:
			return false
		}
		pattern, subject = prest, srest
	}
}
