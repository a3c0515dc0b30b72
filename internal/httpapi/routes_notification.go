package httpapi

// notificationRoutes are filled in by the notification work.
func (a *API) notificationRoutes() []Route { return nil }
