// Package csat holds customer satisfaction ratings (1–5 with a comment)
// given when a conversation closes, per conversation, agent, team and channel.
package csat

import "github.com/switchboard-cs/switchboard/internal/platform/store"

// Service manages satisfaction ratings.
type Service struct{ db *store.DB }

// New returns the satisfaction service.
func New(db *store.DB) *Service { return &Service{db: db} }
