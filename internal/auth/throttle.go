package auth

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// Login throttling. Counters live in the database, so that every node of a
// cluster sees the same ones. ASVS V2.2.1 asks for at most 100 failed
// attempts per hour per account; the lock-outs below allow far fewer.
const throttleWindow = time.Hour

// limit says after how many failures within the window a key is locked, and
// for how long the first lock-out lasts; each further failure doubles it.
type limit struct {
	free  int
	first time.Duration
	max   time.Duration
}

var (
	accountLimit = limit{free: 5, first: 15 * time.Second, max: 15 * time.Minute}
	addressLimit = limit{free: 30, first: 30 * time.Second, max: 15 * time.Minute}
)

type throttleKey struct {
	key string
	limit
}

type counter struct {
	failures    int
	windowStart int64
	lockedUntil int64
}

func (s *Service) readCounter(ctx context.Context, sc store.Scope, key string) (counter, error) {
	var c counter
	err := sc.QueryRow(ctx, q.Get("ThrottleGet"), key).Scan(&c.failures, &c.windowStart, &c.lockedUntil)
	if errors.Is(err, store.ErrNotFound) {
		return counter{}, nil
	}
	return c, err
}

// checkThrottle refuses a login while any of the keys is locked, saying how
// many seconds remain.
func (s *Service) checkThrottle(ctx context.Context, keys []throttleKey) error {
	now := store.Millis(s.now())
	wait := int64(0)
	for _, k := range keys {
		c, err := s.readCounter(ctx, s.db.Global(), k.key)
		if err != nil {
			return err
		}
		if c.lockedUntil > now && c.lockedUntil-now > wait {
			wait = c.lockedUntil - now
		}
	}
	if wait > 0 {
		secs := int(math.Ceil(float64(wait) / 1000))
		e := apperr.New(apperr.TooMany, "too_many_attempts", "", "seconds", secs)
		return &RetryError{Err: e, After: time.Duration(secs) * time.Second}
	}
	return nil
}

// RetryError is a throttled request; After fills the Retry-After header.
type RetryError struct {
	Err   *apperr.Error
	After time.Duration
}

func (e *RetryError) Error() string { return e.Err.Error() }

// Unwrap returns the user-visible error.
func (e *RetryError) Unwrap() error { return e.Err }

func (s *Service) recordFailure(ctx context.Context, keys []throttleKey) error {
	now := s.now()
	return s.db.Global().Tx(ctx, func(tx store.Scope) error {
		for _, k := range keys {
			c, err := s.readCounter(ctx, tx, k.key)
			if err != nil {
				return err
			}
			if store.Time(c.windowStart).Before(now.Add(-throttleWindow)) {
				c = counter{windowStart: store.Millis(now)}
			}
			c.failures++
			if over := c.failures - k.free; over > 0 {
				d := k.first << min(over-1, 20)
				if d > k.max || d <= 0 {
					d = k.max
				}
				c.lockedUntil = store.Millis(now.Add(d))
			}
			if _, err := tx.Exec(ctx, q.Get("ThrottlePut"), k.key, c.failures, c.windowStart, c.lockedUntil); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) resetThrottle(ctx context.Context, k throttleKey) error {
	_, err := s.db.Global().Exec(ctx, q.Get("ThrottleReset"), k.key)
	return err
}
