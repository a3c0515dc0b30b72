package routing

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// Agent is a user as routing sees them.
type Agent struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Status Status `json:"status"`
	// AutoAway: made away because their console was disconnected; back
	// online when it reconnects.
	AutoAway bool `json:"auto_away"`
	// Capacity is their own maximum of concurrent conversations (nil: their
	// teams' default, else the tenant's); EffectiveCapacity is what applies.
	Capacity          *int       `json:"capacity"`
	EffectiveCapacity int        `json:"effective_capacity"`
	Active            int        `json:"active"` // open conversations assigned to them
	Teams             []string   `json:"teams"`  // team ids
	StatusAt          *time.Time `json:"status_at"`
}

type stateRow struct {
	status             Status
	capacity           sql.NullInt64
	autoAway           bool
	statusAt, seen, la int64
}

// Agents lists the tenant's enabled users with their routing state.
func (r *Router) Agents(ctx context.Context, tenantID string) ([]Agent, error) {
	snap, err := r.readSnapshot(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	sc := r.db.Tenant(tenantID)
	states, err := readStates(ctx, sc)
	if err != nil {
		return nil, err
	}
	ld, err := loads(ctx, sc)
	if err != nil {
		return nil, err
	}
	out := make([]Agent, 0, len(snap.users))
	for id := range snap.users {
		out = append(out, snap.agent(id, states[id], ld[id]))
	}
	slices.SortFunc(out, func(a, b Agent) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.UserID, b.UserID))
	})
	return out, nil
}

// Agent returns one user's routing state (after every status change:
// two indexed reads and the cached configuration).
func (r *Router) Agent(ctx context.Context, tenantID, userID string) (Agent, error) {
	snap, err := r.snapshot(ctx, tenantID)
	if err != nil {
		return Agent{}, err
	}
	if _, ok := snap.users[userID]; !ok {
		return Agent{}, apperr.NotFoundf("user")
	}
	st, active, err := agentState(ctx, r.db.Tenant(tenantID), userID)
	if err != nil {
		return Agent{}, err
	}
	return snap.agent(userID, st, active), nil
}

// agentState reads one agent's state (nil when they never had one) and
// their open conversations.
func agentState(ctx context.Context, sc store.Scope, userID string) (*stateRow, int, error) {
	st := &stateRow{}
	var status string
	err := sc.QueryRow(ctx, q.Get("AgentState"), userID).Scan(&status, &st.capacity, &st.autoAway, &st.statusAt, &st.seen, &st.la)
	switch {
	case errors.Is(err, errNotFound):
		st = nil
	case err != nil:
		return nil, 0, err
	default:
		st.status = Status(status)
	}
	var active int
	if err := sc.QueryRow(ctx, q.Get("AgentLoad"), userID).Scan(&active); err != nil {
		return nil, 0, err
	}
	return st, active, nil
}

func (s *snapshot) agent(id string, st *stateRow, active int) Agent {
	u := s.users[id]
	a := Agent{UserID: id, Name: u.name, Role: u.role, Status: Offline, Active: active, Teams: []string{}}
	if st != nil {
		a.Status, a.AutoAway = st.status, st.autoAway
		t := time.UnixMilli(st.statusAt).UTC()
		a.StatusAt = &t
		if st.capacity.Valid {
			c := int(st.capacity.Int64)
			a.Capacity = &c
		}
		a.EffectiveCapacity = s.capacity(id, st.capacity)
	} else {
		a.EffectiveCapacity = s.capacity(id, sql.NullInt64{})
	}
	for _, t := range s.members[id] {
		a.Teams = append(a.Teams, t.id)
	}
	slices.Sort(a.Teams)
	return a
}

func readStates(ctx context.Context, sc store.Scope) (map[string]*stateRow, error) {
	rows, err := sc.Query(ctx, q.Get("States"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*stateRow{}
	for rows.Next() {
		var id, status string
		st := &stateRow{}
		if err := rows.Scan(&id, &status, &st.capacity, &st.autoAway, &st.statusAt, &st.seen, &st.la); err != nil {
			return nil, err
		}
		st.status = Status(status)
		out[id] = st
	}
	return out, rows.Err()
}

// SetStatus sets an agent's status. Becoming online may give them waiting
// conversations at once.
func (r *Router) SetStatus(ctx context.Context, tenantID, userID string, s Status) (Agent, error) {
	if s != Online && s != Away && s != Offline {
		return Agent{}, apperr.Invalidf("status", "invalid_value")
	}
	snap, err := r.snapshot(ctx, tenantID)
	if err != nil {
		return Agent{}, err
	}
	if _, ok := snap.users[userID]; !ok {
		return Agent{}, apperr.NotFoundf("user")
	}
	if _, err := r.db.Tenant(tenantID).Exec(ctx, q.Get("PutStatus"), userID, string(s), r.now().UnixMilli()); err != nil {
		return Agent{}, err
	}
	return r.changed(ctx, tenantID, userID)
}

// SetCapacity sets an agent's own capacity (nil: their teams' or the
// tenant's default). Zero or negative capacities are refused: to take no
// new conversations, an agent is away.
func (r *Router) SetCapacity(ctx context.Context, tenantID, userID string, capacity *int) (Agent, error) {
	if capacity != nil && (*capacity < 1 || *capacity > MaxCapacity) {
		return Agent{}, apperr.Invalidf("capacity", "invalid_capacity", "max", MaxCapacity)
	}
	snap, err := r.snapshot(ctx, tenantID)
	if err != nil {
		return Agent{}, err
	}
	if _, ok := snap.users[userID]; !ok {
		return Agent{}, apperr.NotFoundf("user")
	}
	var c any
	if capacity != nil {
		c = *capacity
	}
	if _, err := r.db.Tenant(tenantID).Exec(ctx, q.Get("PutCapacity"), userID, c, r.now().UnixMilli()); err != nil {
		return Agent{}, err
	}
	return r.changed(ctx, tenantID, userID)
}

// changed announces an agent's new state and dispatches the queue.
func (r *Router) changed(ctx context.Context, tenantID, userID string) (Agent, error) {
	a, err := r.Agent(ctx, tenantID, userID)
	if err != nil {
		return a, err
	}
	if r.o.OnAgentStatus != nil {
		r.o.OnAgentStatus(tenantID, a)
	}
	r.Poke(tenantID)
	if r.o.OnQueueChange != nil {
		r.o.OnQueueChange(tenantID) // positions and availability change with agents
	}
	return a, nil
}

// AgentConnected hears that an agent's console connected: an agent made
// away automatically is online again. (A new agent starts offline and goes
// online by choice; the status they choose is kept across sessions.)
func (r *Router) AgentConnected(tenantID, userID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := r.now().UnixMilli()
	sc := r.db.Tenant(tenantID)
	n, err := sc.Exec(ctx, q.Get("ComeBack"), userID, now)
	if err == nil && n == 0 {
		_, err = sc.Exec(ctx, q.Get("Seen"), userID, now)
	}
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			r.log.Warn("record a connected console", "err", err)
		}
		return
	}
	if n > 0 {
		_, _ = r.changed(ctx, tenantID, userID)
	}
}

// presenceLoop records the consoles connected to this node and makes away
// the online agents whose console has been gone too long.
func (r *Router) presenceLoop() {
	defer r.done.Done()
	t := time.NewTicker(r.o.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		r.heartbeat(ctx)
		r.awaySweep(ctx)
		cancel()
	}
}

func (r *Router) heartbeat(ctx context.Context) {
	if r.o.Connected == nil {
		return
	}
	now := r.now().UnixMilli()
	for tenantID, users := range r.o.Connected() {
		err := r.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
			for _, u := range users {
				if _, err := tx.Exec(ctx, q.Get("Seen"), u, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			r.log.Warn("record connected consoles", "err", err)
		}
	}
}

// awaySweep makes away the online agents not seen for their tenant's
// away_after_seconds.
func (r *Router) awaySweep(ctx context.Context) {
	for _, tenantID := range r.tenants(ctx, "TenantsOnline") {
		snap, err := r.snapshot(ctx, tenantID)
		if err != nil {
			continue
		}
		now := r.now()
		before := now.Add(-time.Duration(snap.settings.AwayAfterSeconds) * time.Second).UnixMilli()
		rows, err := r.db.Tenant(tenantID).Query(ctx, q.Get("GoAway"), before, now.UnixMilli())
		if err != nil {
			r.log.Warn("make disconnected agents away", "err", err)
			continue
		}
		var gone []string
		for rows.Next() {
			var id string
			if rows.Scan(&id) == nil {
				gone = append(gone, id)
			}
		}
		rows.Close()
		for _, id := range gone {
			_, _ = r.changed(ctx, tenantID, id)
		}
	}
}
