package routing

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// Transfer hands a conversation to an agent or a team.
type Transfer struct {
	AgentID string `json:"agent_id,omitempty"`
	TeamID  string `json:"team_id,omitempty"`
	// Note is for the receiver: it is stored as an internal note.
	Note string `json:"note,omitempty"`
}

// MaxNoteLen bounds a transfer note.
const MaxNoteLen = 1000

// TransferMeta is the meta of the internal note a transfer leaves.
type TransferMeta struct {
	Transfer struct {
		FromID  string `json:"from_id"`
		AgentID string `json:"agent_id,omitempty"`
		TeamID  string `json:"team_id,omitempty"`
		To      string `json:"to"`
		Note    string `json:"note"`
	} `json:"transfer"`
}

// Transfer gives an open conversation to another agent — who must be
// online with a free slot (else 409 agent_offline, agent_away or
// agent_at_capacity) — or back to the queue for a team, keeping its place.
// The note is left as an internal note the receiver sees.
func (r *Router) Transfer(ctx context.Context, tenantID, convID, byUserID string, t Transfer) (conversation.Conversation, error) {
	t.Note = strings.TrimSpace(t.Note)
	if utf8.RuneCountInString(t.Note) > MaxNoteLen {
		return conversation.Conversation{}, apperr.Invalidf("note", "too_long", "max", MaxNoteLen)
	}
	if (t.AgentID == "") == (t.TeamID == "") {
		return conversation.Conversation{}, apperr.Invalidf("agent_id", "agent_or_team")
	}
	snap, err := r.snapshot(ctx, tenantID)
	if err != nil {
		return conversation.Conversation{}, err
	}
	to := ""
	if t.AgentID != "" {
		u, ok := snap.users[t.AgentID]
		if !ok || !id.Valid(t.AgentID) {
			return conversation.Conversation{}, apperr.Invalidf("agent_id", "unknown_reference")
		}
		to = u.name
	} else {
		tm := snap.teams[t.TeamID]
		if tm == nil {
			return conversation.Conversation{}, apperr.Invalidf("team_id", "unknown_reference")
		}
		to = tm.name
	}
	c, err := r.convs.Get(ctx, tenantID, convID)
	if err != nil {
		return c, err
	}
	if c.Status != conversation.StatusOpen {
		return c, apperr.New(apperr.Conflict, "conversation_closed", "")
	}
	var st conversation.Staged
	err = r.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		st = conversation.Staged{}
		if _, err := tx.Exec(ctx, q.Get("Lock")); err != nil {
			return err
		}
		if t.TeamID != "" {
			c, err = r.convs.RequeueTx(ctx, tx, convID, t.TeamID, &st)
			return err
		}
		if c.AssigneeID != nil && *c.AssigneeID == t.AgentID {
			return apperr.Invalidf("agent_id", "already_assigned")
		}
		if err := r.checkFree(ctx, tx, snap, t.AgentID); err != nil {
			return err
		}
		c, err = r.convs.TransferToAgentTx(ctx, tx, convID, t.AgentID, &st)
		return err
	})
	if err != nil {
		return c, err
	}
	r.convs.PublishStaged(ctx, st)
	r.leaveNote(ctx, tenantID, convID, byUserID, t, to)
	r.Poke(tenantID)
	if r.o.OnQueueChange != nil {
		r.o.OnQueueChange(tenantID)
	}
	return c, nil
}

// checkFree refuses an agent who is not online or has no free slot, inside
// the routing lock.
func (r *Router) checkFree(ctx context.Context, tx store.Scope, snap *snapshot, agentID string) error {
	st, active, err := agentState(ctx, tx, agentID)
	if err != nil {
		return err
	}
	switch {
	case st == nil || st.status == Offline:
		return apperr.New(apperr.Conflict, "agent_offline", "agent_id")
	case st.status == Away:
		return apperr.New(apperr.Conflict, "agent_away", "agent_id")
	}
	if capacity := snap.capacity(agentID, st.capacity); active >= capacity {
		return apperr.New(apperr.Conflict, "agent_at_capacity", "agent_id", "max", capacity)
	}
	return nil
}

// leaveNote stores the transfer as an internal note: "⇄ To: note".
func (r *Router) leaveNote(ctx context.Context, tenantID, convID, byUserID string, t Transfer, to string) {
	var meta TransferMeta
	meta.Transfer.FromID, meta.Transfer.AgentID, meta.Transfer.TeamID = byUserID, t.AgentID, t.TeamID
	meta.Transfer.To, meta.Transfer.Note = to, t.Note
	b, _ := json.Marshal(meta)
	body := "⇄ " + to
	if t.Note != "" {
		body += ": " + t.Note
	}
	sender := conversation.SenderAgent
	if byUserID == "" {
		sender = conversation.SenderSystem
	}
	if _, _, err := r.convs.Post(ctx, tenantID, convID, conversation.NewMessage{SenderType: sender, SenderID: byUserID,
		Private: true, Body: body, Meta: b}); err != nil {
		r.log.Warn("store the transfer note", "err", err)
	}
}
