package account

import (
	"context"
	"errors"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/validate"
)

// Team is a department: a group of users that conversations can be routed to.
type Team struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// TeamPatch changes some fields of a team; nil fields stay as they are.
type TeamPatch struct {
	Name        *string
	Description *string
}

// CreateTeam adds a team; names are unique within a tenant.
func (s *Service) CreateTeam(ctx context.Context, tenantID, name, description string) (Team, error) {
	name, err := checkName("name", name, true, 100)
	if err != nil {
		return Team{}, err
	}
	if description, err = checkText("description", description, 1000); err != nil {
		return Team{}, err
	}
	now := s.stamp()
	t := Team{ID: id.New(), Name: name, Description: description, CreatedAt: now, UpdatedAt: now}
	_, err = s.db.Tenant(tenantID).Exec(ctx, q.Get("CreateTeam"), t.ID, t.Name, t.Description, store.Millis(now))
	if errors.Is(err, store.ErrConflict) {
		return Team{}, apperr.Conflictf("name", err)
	}
	return t, err
}

func checkText(field, s string, max int) (string, error) { return validate.Text(field, s, max) }

func scanTeam(r interface{ Scan(...any) error }) (Team, error) {
	var t Team
	var created, updated int64
	err := r.Scan(&t.ID, &t.Name, &t.Description, &created, &updated)
	t.CreatedAt, t.UpdatedAt = store.Time(created), store.Time(updated)
	return t, err
}

// GetTeam returns one team.
func (s *Service) GetTeam(ctx context.Context, tenantID, teamID string) (Team, error) {
	t, err := scanTeam(s.db.Tenant(tenantID).QueryRow(ctx, q.Get("GetTeam"), teamID))
	return t, notFound(err, "team")
}

// ListTeams returns one page of teams, oldest first.
func (s *Service) ListTeams(ctx context.Context, tenantID string, p store.Page) ([]Team, string, error) {
	p = p.Normalized()
	rows, err := s.db.Tenant(tenantID).Query(ctx, q.Get("ListTeams"), p.After, p.Limit+1)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []Team{}
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := store.NextCursor(out, p.Limit, func(t Team) string { return t.ID })
	return out, next, nil
}

// UpdateTeam renames or re-describes a team.
func (s *Service) UpdateTeam(ctx context.Context, tenantID, teamID string, p TeamPatch) (Team, error) {
	var out Team
	err := s.db.Tenant(tenantID).Tx(ctx, func(tx store.Scope) error {
		t, err := scanTeam(tx.QueryRow(ctx, q.Get("GetTeam"), teamID))
		if err != nil {
			return notFound(err, "team")
		}
		if p.Name != nil {
			if t.Name, err = checkName("name", *p.Name, true, 100); err != nil {
				return err
			}
		}
		if p.Description != nil {
			if t.Description, err = checkText("description", *p.Description, 1000); err != nil {
				return err
			}
		}
		t.UpdatedAt = s.stamp()
		err = tx.ExecOne(ctx, q.Get("UpdateTeam"), t.ID, t.Name, t.Description, store.Millis(t.UpdatedAt))
		if errors.Is(err, store.ErrConflict) {
			return apperr.Conflictf("name", err)
		}
		out = t
		return err
	})
	return out, err
}

// DeleteTeam removes a team (its members stay users).
func (s *Service) DeleteTeam(ctx context.Context, tenantID, teamID string) error {
	return notFound(s.db.Tenant(tenantID).ExecOne(ctx, q.Get("DeleteTeam"), teamID), "team")
}

// AddMember puts a user in a team; adding twice is harmless.
func (s *Service) AddMember(ctx context.Context, tenantID, teamID, userID string) error {
	if _, err := s.GetTeam(ctx, tenantID, teamID); err != nil {
		return err
	}
	if _, err := s.GetUser(ctx, tenantID, userID); err != nil {
		return err
	}
	_, err := s.db.Tenant(tenantID).Exec(ctx, q.Get("AddMember"), teamID, userID, store.Millis(s.stamp()))
	return notFound(err, "user")
}

// RemoveMember takes a user out of a team.
func (s *Service) RemoveMember(ctx context.Context, tenantID, teamID, userID string) error {
	if _, err := s.GetTeam(ctx, tenantID, teamID); err != nil {
		return err
	}
	return notFound(s.db.Tenant(tenantID).ExecOne(ctx, q.Get("RemoveMember"), teamID, userID), "member")
}

// Members lists a team's users by name.
func (s *Service) Members(ctx context.Context, tenantID, teamID string) ([]User, error) {
	if _, err := s.GetTeam(ctx, tenantID, teamID); err != nil {
		return nil, err
	}
	rows, err := s.db.Tenant(tenantID).Query(ctx, q.Get("TeamMembers"), teamID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(tenantID, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UserTeams lists the ids of the teams a user belongs to.
func (s *Service) UserTeams(ctx context.Context, tenantID, userID string) ([]string, error) {
	rows, err := s.db.Tenant(tenantID).Query(ctx, q.Get("UserTeams"), userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
