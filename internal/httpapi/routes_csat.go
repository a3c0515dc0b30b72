package httpapi

// csatRoutes are filled in by the csat work.
func (a *API) csatRoutes() []Route { return nil }
