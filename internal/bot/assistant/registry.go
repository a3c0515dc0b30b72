package assistant

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bot/engine"
	"github.com/switchboard-cs/switchboard/internal/kb"
)

// tenantBot is one tenant's engine on this node and its rebuild state.
type tenantBot struct {
	mu        sync.Mutex
	snap      *snapshot
	stale     bool
	building  chan struct{} // closed when the running build ends; nil when none runs
	timer     *time.Timer   // debounced rebuild
	checkedAt time.Time
	lastErr   error
	usedAt    time.Time // last answer or status read; idle engines are dropped
}

// snapshot is an immutable, built state of a tenant's bot.
type snapshot struct {
	eng      *engine.Engine // nil when nothing is published
	entries  map[string]kb.PublishedEntry
	settings Settings
	version  int64
	builtAt  time.Time
	took     time.Duration
}

func (t *tenantBot) snapshot() *snapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.snap
}

func (b *Bot) tenant(tenantID string) *tenantBot {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.tenants[tenantID]
	if t == nil {
		// Counted as used now, so the idle sweep cannot take it before
		// its first build.
		t = &tenantBot{usedAt: b.now()}
		b.tenants[tenantID] = t
	}
	return t
}

// markStale schedules a rebuild after the debounce delay, so that a burst
// of changes (an import publishing hundreds of entries) builds once.
func (b *Bot) markStale(tenantID string) {
	t := b.tenant(tenantID)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stale = true
	if t.timer != nil {
		t.timer.Stop()
	}
	t.timer = time.AfterFunc(b.o.Debounce, func() { b.kick(tenantID) })
}

// kick starts a build if none is running; it returns the channel closed
// when that build ends.
func (b *Bot) kick(tenantID string) chan struct{} {
	t := b.tenant(tenantID)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.building != nil {
		return t.building
	}
	done := make(chan struct{})
	b.stopMu.RLock()
	defer b.stopMu.RUnlock()
	if b.closed {
		close(done) // stopping: nothing new starts
		return done
	}
	t.building = done
	t.stale = false
	b.bg.Add(1)
	go func() {
		defer b.bg.Done()
		snap, err := b.build(context.Background(), tenantID)
		t.mu.Lock()
		if err == nil {
			t.snap = snap
			t.checkedAt = b.now()
		} else {
			b.log.Error("bot: build failed; the previous knowledge keeps answering", "tenant", tenantID, "err", err)
		}
		t.lastErr = err
		t.building = nil
		t.mu.Unlock()
		close(done)
	}()
	return done
}

// current returns the tenant's engine, building it first if this node has
// none (waiting at most until ctx ends). A stale or old engine keeps
// answering while its successor builds.
func (b *Bot) current(ctx context.Context, tenantID string) (*snapshot, error) {
	t := b.tenant(tenantID)
	t.mu.Lock()
	snap, stale, checked, lastErr := t.snap, t.stale, t.checkedAt, t.lastErr
	t.usedAt = b.now()
	t.mu.Unlock()
	if snap == nil {
		done := b.kick(tenantID)
		select {
		case <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		t = b.tenant(tenantID) // the same one, unless the idle sweep replaced it meanwhile
		t.mu.Lock()
		snap, lastErr = t.snap, t.lastErr
		t.mu.Unlock()
		if snap == nil {
			if lastErr == nil {
				lastErr = errors.New("assistant: the knowledge could not be loaded")
			}
			return nil, lastErr
		}
		return snap, nil
	}
	now := b.now()
	switch {
	case stale:
	case now.Sub(snap.builtAt) > maxEngineAge:
		b.kick(tenantID)
	case now.Sub(checked) > versionCheckEvery:
		t.mu.Lock()
		t.checkedAt = now
		t.mu.Unlock()
		if v, err := b.o.Knowledge.PublishedVersion(ctx, tenantID); err == nil && v != snap.version {
			b.kick(tenantID)
		}
	}
	return snap, nil
}

// build reads the tenant's settings and published entries and trains a new engine.
func (b *Bot) build(ctx context.Context, tenantID string) (*snapshot, error) {
	start := time.Now()
	st, err := b.Settings(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	version, err := b.o.Knowledge.PublishedVersion(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	pub, err := b.o.Knowledge.Published(ctx, tenantID, b.now())
	if err != nil {
		return nil, err
	}
	snap := &snapshot{entries: make(map[string]kb.PublishedEntry, len(pub)), settings: st, version: version, builtAt: b.now()}
	entries := make([]engine.Entry, 0, len(pub))
	for _, p := range pub {
		snap.entries[p.ID] = p
		entries = append(entries, EngineEntry(p))
	}
	if len(entries) > 0 {
		eng, err := engine.Build(entries, engine.Options{Terms: st.Terms, Synonyms: st.Synonyms, Seed: 1})
		if err != nil {
			return nil, err
		}
		snap.eng = eng
	}
	snap.took = time.Since(start)
	b.log.Info("bot: built", "tenant", tenantID, "entries", len(entries), "version", version, "took", snap.took)
	return snap, nil
}

// EngineEntry is how a published knowledge-base entry enters the engine.
func EngineEntry(p kb.PublishedEntry) engine.Entry {
	return engine.Entry{ID: p.ID, Kind: string(p.Kind), Language: p.Language, Question: p.Question,
		Similar: p.Similar, Answer: p.AnswerText, Category: p.CategoryPath}
}

// Status is what an administrator sees of a tenant's bot on this node.
type Status struct {
	Built     bool      `json:"built"`
	Entries   int       `json:"entries"`
	Questions int       `json:"questions"`
	Version   int64     `json:"version"`
	BuiltAt   time.Time `json:"built_at"`
	BuildMS   int64     `json:"build_ms"`
	Building  bool      `json:"building"`
	Error     string    `json:"error,omitempty"`
}

// Status reports the tenant's engine on this node, building it if needed.
func (b *Bot) Status(ctx context.Context, tenantID string) (Status, error) {
	snap, err := b.current(ctx, tenantID)
	if err != nil {
		return Status{}, err
	}
	t := b.tenant(tenantID)
	t.mu.Lock()
	st := Status{Built: true, Version: snap.version, BuiltAt: snap.builtAt, BuildMS: snap.took.Milliseconds(),
		Building: t.building != nil || t.stale}
	if t.lastErr != nil {
		st.Error = t.lastErr.Error()
	}
	t.mu.Unlock()
	if snap.eng != nil {
		st.Entries, st.Questions = snap.eng.Size()
	}
	return st, nil
}

// Rebuild builds the tenant's engine now and waits for it (tests, and the
// admin page's "rebuild" button).
func (b *Bot) Rebuild(ctx context.Context, tenantID string) (Status, error) {
	t := b.tenant(tenantID)
	// A build already running may have read the knowledge before the
	// change being asked for: wait for it, then build again.
	t.mu.Lock()
	running := t.building
	t.mu.Unlock()
	wait := func(done chan struct{}) error {
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if running != nil {
		if err := wait(running); err != nil {
			return Status{}, err
		}
	}
	if err := wait(b.kick(tenantID)); err != nil {
		return Status{}, err
	}
	t.mu.Lock()
	err := t.lastErr
	t.mu.Unlock()
	if err != nil {
		return Status{}, err
	}
	return b.Status(ctx, tenantID)
}

// IdleAfter is how long a tenant's engine may go unused before this node
// drops it; the next customer message builds it again.
const IdleAfter = time.Hour

// dropIdle forgets the engines of tenants whose bot has not been used for
// IdleAfter, so that a node serving many tenants keeps only the busy ones
// in memory. It returns how many were dropped.
func (b *Bot) dropIdle() int {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for id, t := range b.tenants {
		t.mu.Lock()
		idle := t.building == nil && !t.stale && now.Sub(t.usedAt) > IdleAfter
		if idle && t.snap != nil {
			t.snap = nil
			n++
		}
		t.mu.Unlock()
		if idle {
			delete(b.tenants, id)
		}
	}
	return n
}
