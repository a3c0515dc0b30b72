package httpapi

// quickReplyRoutes are filled in by the quickreply work.
func (a *API) quickReplyRoutes() []Route { return nil }
