package httpapi

// customerRoutes are filled in by the customer work.
func (a *API) customerRoutes() []Route { return nil }
