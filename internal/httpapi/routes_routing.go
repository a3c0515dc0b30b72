package httpapi

// routingRoutes are filled in by the routing work.
func (a *API) routingRoutes() []Route { return nil }
