package httpapi

import (
	"context"
	"net/http"

	"github.com/switchboard-cs/switchboard/internal/notification"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

// notificationRoutes are the caller's own notifications (@mentions in
// internal notes). They belong to a person: API tokens are refused.
func (a *API) notificationRoutes() []Route {
	if a.notes == nil {
		return nil
	}
	return []Route{
		{Method: "GET", Path: "/api/v1/notifications", Summary: "My notifications (@mentions in internal notes), newest first, with how many are unread (signed-in users only)", Tag: "notifications", Access: Read, Out: NotificationList{}, Status: 200, Query: pageParams, handler: a.listNotifications},
		{Method: "POST", Path: "/api/v1/notifications/read", Summary: "Mark some of my notifications ({\"ids\": […]}, at most 500) or all of them ({\"all\": true}) as read", Tag: "notifications", Access: Read, In: NotificationsRead{}, Out: NotificationsMarked{}, Status: 200, handler: a.readNotifications},
	}
}

// NotificationList is a page of the caller's notifications and the number
// of their unread ones (all pages).
type NotificationList struct {
	Items      []notification.Notification `json:"items"`
	NextCursor string                      `json:"next_cursor"`
	Unread     int                         `json:"unread"`
}

// NotificationsRead names the notifications to mark as read: some ids, or all.
type NotificationsRead struct {
	IDs []string `json:"ids,omitempty"`
	All bool     `json:"all,omitempty"`
}

// NotificationsMarked says how many notifications were unread and are read
// now, and how many remain unread.
type NotificationsMarked struct {
	Read   int `json:"read"`
	Unread int `json:"unread"`
}

func (a *API) listNotifications(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	if err := sessionOnly(p); err != nil {
		return err
	}
	pg, err := page(r)
	if err != nil {
		return err
	}
	items, next, err := a.notes.List(r.Context(), p.TenantID, p.UserID, pg)
	if err != nil {
		return err
	}
	unread, err := a.notes.Unread(r.Context(), p.TenantID, p.UserID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, NotificationList{Items: items, NextCursor: next, Unread: unread})
	return nil
}

func (a *API) readNotifications(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	if err := sessionOnly(p); err != nil {
		return err
	}
	var in NotificationsRead
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	var mark func(ctx context.Context) (int, error)
	switch {
	case in.All && len(in.IDs) > 0:
		return apperr.Invalidf("all", "invalid_value")
	case in.All:
		mark = func(ctx context.Context) (int, error) { return a.notes.MarkAllRead(ctx, p.TenantID, p.UserID) }
	default:
		mark = func(ctx context.Context) (int, error) { return a.notes.MarkRead(ctx, p.TenantID, p.UserID, in.IDs) }
	}
	n, err := mark(r.Context())
	if err != nil {
		return err
	}
	unread, err := a.notes.Unread(r.Context(), p.TenantID, p.UserID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, NotificationsMarked{Read: n, Unread: unread})
	return nil
}
