package app

import (
	"context"
	"slices"
)

// intents are the bot's detected knowledge entry and its categories for a
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
		// The entry's category and every category above it: a rule on
		// "Shipping" holds for an entry in "Shipping/International".
		e, err := a.KB.Get(ctx, tenantID, entry)
		if err != nil {
			return out
		}
		for cat, depth := e.CategoryID, 0; cat != "" && depth < 10; depth++ {
			out = append(out, cat)
			c, err := a.KB.Category(ctx, tenantID, cat)
			if err != nil {
				break
			}
			cat = c.ParentID
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
