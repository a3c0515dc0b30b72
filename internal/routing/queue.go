package routing

import (
	"context"
	"slices"
	"time"
)

// Why nobody can serve a waiting visitor now (Position.Unavailable).
const (
	OutsideHours = "outside_hours" // the target team is outside its business hours
	NobodyOnline = "nobody_online" // no capable agent is online
	QueueFull    = "queue_full"    // more are waiting than the tenant's queue limit
)

// Position is where a waiting conversation stands in the queue.
type Position struct {
	ConversationID string `json:"conversation_id"`
	// Position is 1 for the next conversation its agents will take.
	Position int `json:"position"`
	// EtaSeconds estimates the wait: the conversations ahead times the
	// tenant's recent conversation length, shared among the capable agents' slots.
	EtaSeconds int `json:"eta_seconds"`
	// Unavailable says why nobody can serve it now ("" when someone can);
	// the visitor is then offered to leave a message.
	Unavailable string    `json:"unavailable,omitempty"`
	TeamID      string    `json:"team_id,omitempty"`
	Priority    int       `json:"priority"`
	WaitingFor  int       `json:"waiting_seconds"`
	QueuedAt    time.Time `json:"queued_at"`
}

// maxQueueRead bounds how much of a queue positions are computed over.
const maxQueueRead = 20000

// Positions returns the queue positions of the tenant's waiting
// conversations, in queue order (only ids when given).
func (r *Router) Positions(ctx context.Context, tenantID string, ids ...string) ([]Position, error) {
	snap, err := r.snapshot(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	sc := r.db.Tenant(tenantID)
	queue, err := readQueue(ctx, sc, maxQueueRead)
	if err != nil {
		return nil, err
	}
	online, err := r.online(ctx, sc, snap)
	if err != nil {
		return nil, err
	}
	avg := r.averageDuration(ctx, tenantID)
	now := r.now()
	ahead := map[string]int{} // target team → waiting so far
	slotsFor := map[string]int{}
	out := []Position{}
	for i := range queue {
		w := &queue[i]
		ahead[w.teamID]++
		if len(ids) > 0 && !slices.Contains(ids, w.id) {
			continue
		}
		p := Position{ConversationID: w.id, Position: ahead[w.teamID], TeamID: w.teamID, Priority: w.priority,
			QueuedAt: time.UnixMilli(w.queuedAt).UTC(), WaitingFor: int(now.Sub(time.UnixMilli(w.queuedAt)).Seconds())}
		// Conversations for the same team and skill share their agents.
		key := w.teamID + "|" + w.skill
		if w.overflowTo != "" && now.UnixMilli() >= w.overflowAt {
			key += "|" + w.overflowTo
		}
		slots, known := slotsFor[key]
		if !known {
			for _, a := range online {
				if snap.capable(w, a.id, now) {
					slots += a.capacity
				}
			}
			slotsFor[key] = slots
		}
		switch {
		case i >= snap.settings.QueueLimit:
			p.Unavailable = QueueFull
		case !snap.teamOpen(w, now):
			p.Unavailable = OutsideHours
		case slots == 0:
			p.Unavailable = NobodyOnline
		}
		if slots > 0 {
			p.EtaSeconds = int(avg.Seconds()) * p.Position / slots
		} else {
			p.EtaSeconds = int(avg.Seconds()) * p.Position
		}
		p.EtaSeconds = max(10, (p.EtaSeconds+9)/10*10)
		out = append(out, p)
	}
	return out, nil
}

// teamOpen reports whether some team that may serve w is within its hours.
func (s *snapshot) teamOpen(w *waiting, now time.Time) bool {
	targets := s.targetTeams(w, now)
	if targets == nil {
		return true
	}
	for _, t := range targets {
		if t.profile.Hours.Open(now) {
			return true
		}
	}
	return false
}

type durations struct {
	at  time.Time
	avg time.Duration
}

// averageDuration is how long the tenant's recent conversations with an
// agent lasted (refreshed each minute; 5 minutes when there are none yet),
// bounded to 1–30 minutes.
func (r *Router) averageDuration(ctx context.Context, tenantID string) time.Duration {
	if v, ok := r.durs.Load(tenantID); ok && time.Since(v.(durations).at) < time.Minute {
		return v.(durations).avg
	}
	avg := 5 * time.Minute
	rows, err := r.db.Tenant(tenantID).Query(ctx, q.Get("RecentDurations"))
	if err == nil {
		var sum, n int64
		for rows.Next() {
			var ms int64
			if rows.Scan(&ms) == nil && ms > 0 {
				sum += ms
				n++
			}
		}
		rows.Close()
		if n > 0 {
			avg = min(30*time.Minute, max(time.Minute, time.Duration(sum/n)*time.Millisecond))
		}
	}
	r.durs.Store(tenantID, durations{at: time.Now(), avg: avg})
	return avg
}
