// Package quickreply holds canned answers (快捷回复) that agents insert with
// /shortcut: personal, per team, or tenant-wide, with variables.
package quickreply

import "github.com/switchboard-cs/switchboard/internal/platform/store"

// Service manages quick replies.
type Service struct{ db *store.DB }

// New returns the quick-reply service.
func New(db *store.DB) *Service { return &Service{db: db} }
