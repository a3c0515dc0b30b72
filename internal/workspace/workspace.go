// Package workspace holds the tenant's settings for the agent's workspace
// (close summaries, the response-time target) and close summaries (会话小结).
package workspace

import "github.com/switchboard-cs/switchboard/internal/platform/store"

// Service manages workspace settings and close summaries.
type Service struct{ db *store.DB }

// New returns the workspace service.
func New(db *store.DB) *Service { return &Service{db: db} }
