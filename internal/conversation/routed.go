package conversation

import (
	"context"
	"errors"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// Staged are events of a transaction the router runs, to publish once it
// has committed (PublishStaged).
type Staged struct{ rows []outboxRow }

// PublishStaged publishes what a committed transaction staged.
func (s *Service) PublishStaged(ctx context.Context, st Staged) { s.publish(ctx, st.rows) }

// AssignQueuedTx gives a waiting conversation to an agent inside the
// router's transaction tx (optionally setting its team). It reports false,
// changing nothing, when the conversation is no longer waiting.
func (s *Service) AssignQueuedTx(ctx context.Context, tx store.Scope, convID, agentID, teamID string, st *Staged) (Conversation, bool, error) {
	c, err := scanConversation(tx.QueryRow(ctx, q.Get("AssignQueued"), convID, agentID, optional(teamID), store.Millis(s.stamp())))
	if errors.Is(err, store.ErrNotFound) {
		return Conversation{}, false, nil
	}
	if err != nil {
		return Conversation{}, false, err
	}
	return c, true, s.stageConversation(ctx, tx, &c, st)
}

// TransferToAgentTx gives an open conversation to an agent inside tx.
func (s *Service) TransferToAgentTx(ctx context.Context, tx store.Scope, convID, agentID string, st *Staged) (Conversation, error) {
	if err := tx.ExecOne(ctx, q.Get("TransferToAgent"), convID, agentID, store.Millis(s.stamp())); err != nil {
		return Conversation{}, notOpen(err)
	}
	return s.stageChange(ctx, tx, convID, st)
}

// RequeueTx puts an open conversation back in the queue for a team inside tx.
func (s *Service) RequeueTx(ctx context.Context, tx store.Scope, convID, teamID string, st *Staged) (Conversation, error) {
	if err := tx.ExecOne(ctx, q.Get("Requeue"), convID, teamID, store.Millis(s.stamp())); err != nil {
		return Conversation{}, notOpen(err)
	}
	return s.stageChange(ctx, tx, convID, st)
}

// SetLeftMessage marks that the visitor left a message because nobody could
// serve them live, and tells everyone watching.
func (s *Service) SetLeftMessage(ctx context.Context, tenantID, convID string) (Conversation, error) {
	return s.change(ctx, tenantID, convID, func(tx store.Scope, c *Conversation) (bool, error) {
		if c.LeftMessage {
			return false, nil
		}
		return true, tx.ExecOne(ctx, q.Get("SetLeftMessage"), convID, true)
	})
}

// stageChange reads the conversation changed in tx and stages its event.
func (s *Service) stageChange(ctx context.Context, tx store.Scope, convID string, st *Staged) (Conversation, error) {
	c, err := s.get(ctx, tx, convID)
	if err != nil {
		return c, err
	}
	return c, s.stageConversation(ctx, tx, &c, st)
}

// stageConversation stages the event announcing c's new state.
func (s *Service) stageConversation(ctx context.Context, tx store.Scope, c *Conversation, st *Staged) error {
	rows, err := s.stage(ctx, tx, Event{Type: EventConversation, TenantID: tx.TenantID(), ConversationID: c.ID, Conversation: c})
	st.rows = append(st.rows, rows...)
	return err
}

// notOpen turns "no row changed" into a conflict: the conversation is closed.
func notOpen(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return apperr.New(apperr.Conflict, "conversation_closed", "")
	}
	return err
}
