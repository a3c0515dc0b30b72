package live

import (
	"context"
	"encoding/json"

	"github.com/switchboard-cs/switchboard/internal/platform/bus"
)

// AgentSubject is the bus subject of events for a tenant's agents that are
// not conversation events: an agent's status changed, a notification.
func AgentSubject(tenantID string) string { return "sb.agent." + tenantID }

const agentSubjectAll = "sb.agent.*"

// AgentEvent is one such event: a frame of Type with Data for the console
// connections of UserID (every agent of the tenant when empty).
type AgentEvent struct {
	TenantID string          `json:"tenant_id"`
	UserID   string          `json:"user_id,omitempty"`
	Type     string          `json:"type"`
	Data     json.RawMessage `json:"data"`
}

// PublishAgentEvent sends a frame of type typ carrying data to every
// console connection of the user (all the tenant's agents when userID is
// empty), on every node.
func PublishAgentEvent(ctx context.Context, b bus.Bus, tenantID, userID, typ string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	ev, err := json.Marshal(AgentEvent{TenantID: tenantID, UserID: userID, Type: typ, Data: raw})
	if err != nil {
		return err
	}
	return b.Publish(ctx, AgentSubject(tenantID), ev)
}

// agentFrameTypes are the frame types an AgentEvent may carry (a frame type
// the console does not know is harmless, but the list keeps the protocol
// documented in one place: docs/protocol.md).
var agentFrameTypes = map[string]bool{TypeAgentStatus: true, TypeNotification: true}

// The frames of agent events.
const (
	TypeAgentStatus  = "agent_status" // an agent's routing status changed
	TypeNotification = "notification" // something for this agent (an @mention)
)

// onAgentEvent delivers an agent event to this node's consoles.
func (h *Hub) onAgentEvent(data []byte) {
	var ev AgentEvent
	if err := json.Unmarshal(data, &ev); err != nil || !agentFrameTypes[ev.Type] || ev.TenantID == "" {
		h.o.Log.Warn("undecodable agent event on the bus", "err", err)
		return
	}
	if len(ev.Data) == 0 {
		ev.Data = json.RawMessage("{}")
	}
	frame := encode(ev.Type, ev.Data)
	h.each(false, ev.TenantID, func(c *conn) {
		if ev.UserID == "" || (c.principal != nil && c.principal.UserID == ev.UserID) {
			c.live("", 0, frame)
		}
	})
}

// ConnectedAgents lists the users with a console connection on this node,
// by tenant (integrations' token connections are not agents).
func (h *Hub) ConnectedAgents() map[string][]string {
	out := map[string][]string{}
	seen := map[[2]string]bool{}
	for i := range h.shards {
		s := &h.shards[i]
		s.mu.RLock()
		for tenantID, set := range s.agents {
			for c := range set {
				if c.principal == nil || c.principal.IsToken() || c.principal.UserID == "" {
					continue
				}
				k := [2]string{tenantID, c.principal.UserID}
				if !seen[k] {
					seen[k] = true
					out[tenantID] = append(out[tenantID], c.principal.UserID)
				}
			}
		}
		s.mu.RUnlock()
	}
	return out
}
