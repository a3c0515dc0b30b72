package app

import (
	"context"
	"slices"
)

// intents are the bot's detected knowledge entry and its category for a
// conversation (the latest decision that named an entry), for routing
// rules on intents.
func (a *App) intents(ctx context.Context, tenantID, convID string) []string {
	if a.Bot == nil {
		return nil
	}
	ds, err := a.Bot.Decisions(ctx, tenantID, convID)
	if err != nil {
		return nil
	}
	for _, d := range slices.Backward(ds) {
		entry := d.EntryID
		if entry == "" && len(d.Candidates) > 0 {
			entry = d.Candidates[0].EntryID
		}
		if entry == "" {
			continue
		}
		out := []string{entry}
		if e, err := a.KB.Get(ctx, tenantID, entry); err == nil && e.CategoryID != "" {
			out = append(out, e.CategoryID)
		}
		return out
	}
	return nil
}

// connectedAgents are the users with a console connected to this node.
func (a *App) connectedAgents() map[string][]string {
	if a.Hub == nil {
		return nil
	}
	return a.Hub.ConnectedAgents()
}
