package bus

import (
	"context"
	"sync"
)

// Memory is the bus of a single node: synchronous delivery to in-process
// subscribers.
type Memory struct {
	mu     sync.RWMutex
	subs   map[*memSub]struct{}
	closed bool
}

var _ Bus = (*Memory)(nil)

type memSub struct {
	m       *Memory
	pattern string
	h       Handler
}

// NewMemory returns an in-process bus.
func NewMemory() *Memory { return &Memory{subs: map[*memSub]struct{}{}} }

// Publish delivers data to every matching subscriber before it returns.
func (m *Memory) Publish(ctx context.Context, subject string, data []byte) error {
	m.mu.RLock()
	if m.closed {
		m.mu.RUnlock()
		return ErrClosed
	}
	var hs []Handler
	for s := range m.subs {
		if Match(s.pattern, subject) {
			hs = append(hs, s.h)
		}
	}
	m.mu.RUnlock()
	for _, h := range hs {
		h(subject, data)
	}
	return nil
}

// Subscribe registers h for subjects matching pattern.
func (m *Memory) Subscribe(pattern string, h Handler) (Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	s := &memSub{m: m, pattern: pattern, h: h}
	m.subs[s] = struct{}{}
	return s, nil
}

func (s *memSub) Unsubscribe() error {
	s.m.mu.Lock()
	delete(s.m.subs, s)
	s.m.mu.Unlock()
	return nil
}

// Ready is always nil for a bus in memory.
func (m *Memory) Ready() error { return nil }

// Close stops all delivery.
func (m *Memory) Close() error {
	m.mu.Lock()
	m.closed = true
	m.subs = map[*memSub]struct{}{}
	m.mu.Unlock()
	return nil
}
