-- The routing load tool's own statements: bulk set-up of a bench tenant
-- (rows the services would write one transaction at a time), the reads of
-- the invariant check, and the removal of the bench tenant.

-- name: InsertUser
-- An agent of the bench tenant; every one shares one password hash.
INSERT INTO users (tenant_id, id, email, name, role, locale, password_hash, must_change_password, disabled, created_at, updated_at)
VALUES ($1, $2, $3, $4, 'agent', '', $5, FALSE, FALSE, $6, $6);

-- name: InsertMember
INSERT INTO team_members (tenant_id, team_id, user_id, created_at) VALUES ($1, $2, $3, $4);

-- name: InsertState
-- An agent who is online, as after their console connected.
INSERT INTO agent_states (tenant_id, user_id, status, capacity, auto_away, status_at, last_seen_at, last_assigned_at)
VALUES ($1, $2, 'online', NULL, FALSE, $3, $3, $4);

-- name: InsertContact
INSERT INTO contacts (tenant_id, id, name, attributes, created_at, updated_at, tags) VALUES ($1, $2, $3, '{}', $4, $4, $5);

-- name: InsertAssigned
-- An open conversation an agent is serving.
INSERT INTO conversations (tenant_id, id, contact_id, channel, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, visitor, owner, queued_at, routed_at)
VALUES ($1, $2, $3, 'api', '', 'open', $4, $5, 0, $6, $6, '{}', 'agent', $6, $6);

-- name: InsertClosed
-- A past conversation an agent served and closed.
INSERT INTO conversations (tenant_id, id, contact_id, channel, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, closed_at, visitor, owner, queued_at, routed_at)
VALUES ($1, $2, $3, 'api', '', 'closed', $4, $5, 0, $6, $7, $7, '{}', 'closed', $6, $6);

-- name: InsertWaiting
-- An open conversation waiting in the queue, not yet routed by the rules.
INSERT INTO conversations (tenant_id, id, contact_id, channel, subject, status, last_seq, created_at, updated_at, visitor, owner, priority, queued_at)
VALUES ($1, $2, $3, 'api', '', 'open', 0, $4, $4, $5, 'queue', $6, $4);

-- name: OpenConversations
SELECT id, COALESCE(assignee_id, ''), owner, COALESCE(route_team_id, ''), route_skill, routed_at IS NOT NULL
FROM conversations WHERE tenant_id = $1 AND status = 'open';

-- name: AgentStates
SELECT user_id, status, COALESCE(capacity, 0) FROM agent_states WHERE tenant_id = $1;

-- name: Analyze
-- global
-- The planner's statistics after the bulk set-up, as autovacuum would
-- gather them (run on PostgreSQL only: SQLite is never analyzed in use).
ANALYZE conversations;

-- name: DeleteTenant
-- global
-- Removes a bench tenant and, through the foreign keys, everything in it.
DELETE FROM tenants WHERE id = $1 AND slug LIKE 'bench-routing-%';
