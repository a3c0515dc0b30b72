package routebench

import (
	"context"
	"fmt"
	"slices"
)

// stored is the bench tenant's state as the database has it.
type stored struct {
	load     map[string]int // agent → open conversations assigned
	online   map[string]bool
	capacity map[string]int // agent → their own capacity (0: the default)
	waiting  []waitingRow
	assignee map[string]string // open assigned conversation → agent
	unrouted int
}

type waitingRow struct {
	id, team, skill string
}

// read reads the open conversations and the agents' states.
func (w *world) read(ctx context.Context) (stored, error) {
	st := stored{load: map[string]int{}, online: map[string]bool{}, capacity: map[string]int{}, assignee: map[string]string{}}
	sc := w.db.Tenant(w.tenantID)
	rows, err := sc.Query(ctx, q.Get("OpenConversations"))
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var id, assignee, owner, team, skill string
		var routed bool
		if err := rows.Scan(&id, &assignee, &owner, &team, &skill, &routed); err != nil {
			rows.Close()
			return st, err
		}
		if assignee != "" {
			st.load[assignee]++
			st.assignee[id] = assignee
		}
		if owner == "queue" {
			st.waiting = append(st.waiting, waitingRow{id: id, team: team, skill: skill})
			if !routed {
				st.unrouted++
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	if rows, err = sc.Query(ctx, q.Get("AgentStates")); err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var who, status string
		var capacity int
		if err := rows.Scan(&who, &status, &capacity); err != nil {
			return st, err
		}
		st.online[who] = status == "online"
		st.capacity[who] = capacity
	}
	return st, rows.Err()
}

// check reads the stored state and counts what breaks the router's
// invariants, with its own reading of who may serve what (written apart
// from the router's): an agent above capacity; an assigned conversation
// whose agent is not the one the router reported (given twice); a
// conversation waiting while a capable online agent has a free slot.
func (w *world) check(ctx context.Context) error {
	st, err := w.read(ctx)
	if err != nil {
		return fmt.Errorf("read the state to check: %w", err)
	}
	w.res.Checks++
	w.res.WaitingEnd = len(st.waiting)
	var free []*agent
	for _, a := range w.agents {
		c := w.cfg.Capacity
		if own := st.capacity[a.id]; own > 0 {
			c = own
		}
		if st.load[a.id] > c {
			w.res.OverCapacity++
		}
		if st.online[a.id] && st.load[a.id] < c {
			free = append(free, a)
		}
	}
	for conv, who := range st.assignee {
		if mine, ok := w.owner[conv]; ok && mine != who {
			w.res.AssignedTwice++
		}
	}
	for _, c := range st.waiting {
		if slices.ContainsFunc(free, func(a *agent) bool { return capable(a, c) }) {
			w.res.WaitingFree++
		}
	}
	return nil
}

// capable reports whether an agent may serve a waiting conversation: the
// bench's teams keep no business hours, no overflow and no sticky waits, so
// it is a member of its target team offering its target skill (either may
// be empty: any).
func capable(a *agent, c waitingRow) bool {
	if c.team == "" && c.skill == "" {
		return true
	}
	for _, t := range a.teams {
		if (c.team == "" || t.id == c.team) && (c.skill == "" || slices.Contains(t.skills, c.skill)) {
			return true
		}
	}
	return false
}
