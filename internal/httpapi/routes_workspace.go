package httpapi

// workspaceRoutes are filled in by the workspace work.
func (a *API) workspaceRoutes() []Route { return nil }
