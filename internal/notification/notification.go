// Package notification holds what an agent is told about: an @mention in an
// internal note, for now.
package notification

import "github.com/switchboard-cs/switchboard/internal/platform/store"

// Service manages notifications.
type Service struct{ db *store.DB }

// New returns the notification service.
func New(db *store.DB) *Service { return &Service{db: db} }
