-- name: Lock
-- Serializes a tenant's routing decisions across nodes: a row lock on
-- PostgreSQL held until the transaction ends (SQLite has one writer anyway).
INSERT INTO routing_settings (tenant_id, ticks) VALUES ($1, 1)
ON CONFLICT (tenant_id) DO UPDATE SET ticks = routing_settings.ticks + 1;

-- name: GetConfig
SELECT settings, rules FROM routing_settings WHERE tenant_id = $1;

-- name: PutSettings
INSERT INTO routing_settings (tenant_id, settings, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at;

-- name: PutRules
INSERT INTO routing_settings (tenant_id, rules, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (tenant_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at;

-- name: Teams
SELECT t.id, t.name, COALESCE(r.profile, '') FROM teams t
LEFT JOIN team_routing r ON r.tenant_id = $1 AND r.team_id = t.id
WHERE t.tenant_id = $1 ORDER BY t.id;

-- name: Members
SELECT team_id, user_id FROM team_members WHERE tenant_id = $1;

-- name: Users
SELECT id, name, role, disabled FROM users WHERE tenant_id = $1;

-- name: PutProfile
INSERT INTO team_routing (tenant_id, team_id, profile, updated_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (tenant_id, team_id) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at;

-- name: States
SELECT user_id, status, capacity, auto_away, status_at, last_seen_at, last_assigned_at FROM agent_states WHERE tenant_id = $1;

-- name: AgentState
SELECT status, capacity, auto_away, status_at, last_seen_at, last_assigned_at FROM agent_states WHERE tenant_id = $1 AND user_id = $2;

-- name: AgentLoad
SELECT count(*) FROM conversations WHERE tenant_id = $1 AND assignee_id = $2 AND status = 'open';

-- name: OnlineStates
SELECT user_id, capacity, last_assigned_at FROM agent_states WHERE tenant_id = $1 AND status = 'online';

-- name: PutStatus
INSERT INTO agent_states (tenant_id, user_id, status, auto_away, status_at, last_seen_at) VALUES ($1, $2, $3, FALSE, $4, $4)
ON CONFLICT (tenant_id, user_id) DO UPDATE SET status = excluded.status, auto_away = FALSE, status_at = excluded.status_at, last_seen_at = excluded.last_seen_at;

-- name: PutCapacity
INSERT INTO agent_states (tenant_id, user_id, capacity, status_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (tenant_id, user_id) DO UPDATE SET capacity = excluded.capacity;

-- name: ComeBack
-- A console is connected again: an agent made away automatically is online again.
UPDATE agent_states SET status = 'online', auto_away = FALSE, status_at = $3, last_seen_at = $3
WHERE tenant_id = $1 AND user_id = $2 AND auto_away = TRUE;

-- name: Seen
UPDATE agent_states SET last_seen_at = $3 WHERE tenant_id = $1 AND user_id = $2;

-- name: GoAway
-- Online agents whose console has been gone since before $2 become away.
UPDATE agent_states SET status = 'away', auto_away = TRUE, status_at = $3
WHERE tenant_id = $1 AND status = 'online' AND last_seen_at < $2
RETURNING user_id;

-- name: TenantsOnline
-- global
SELECT DISTINCT tenant_id FROM agent_states WHERE status = 'online';

-- name: TenantsWaiting
-- global
SELECT DISTINCT tenant_id FROM conversations WHERE owner = 'queue';

-- name: OnlineLoads
-- The online agents with their capacity, last assignment and open
-- conversations, in one round trip.
SELECT s.user_id, s.capacity, s.last_assigned_at,
    (SELECT count(*) FROM conversations c WHERE c.tenant_id = $1 AND c.assignee_id = s.user_id AND c.status = 'open')
FROM agent_states s WHERE s.tenant_id = $1 AND s.status = 'online';

-- name: AgentSlot
-- One agent's status, capacity, last assignment and open conversations.
SELECT s.status, s.capacity, s.last_assigned_at,
    (SELECT count(*) FROM conversations c WHERE c.tenant_id = $1 AND c.assignee_id = s.user_id AND c.status = 'open')
FROM agent_states s WHERE s.tenant_id = $1 AND s.user_id = $2;

-- name: Loads
SELECT assignee_id, count(*) FROM conversations WHERE tenant_id = $1 AND status = 'open' AND assignee_id IS NOT NULL GROUP BY assignee_id;

-- name: Waiting
SELECT id, priority, COALESCE(queued_at, 0), routed_at, route_team_id, route_skill, route_strategy, route_language, sticky_agent_id, sticky_until, overflow_team_id, overflow_at
FROM conversations WHERE tenant_id = $1 AND owner = 'queue'
ORDER BY priority DESC, queued_at, id LIMIT $2;

-- name: WaitingPage
-- Waiting, from the $3rd conversation on (a dispatch reads the queue by pages).
SELECT id, priority, COALESCE(queued_at, 0), routed_at, route_team_id, route_skill, route_strategy, route_language, sticky_agent_id, sticky_until, overflow_team_id, overflow_at
FROM conversations WHERE tenant_id = $1 AND owner = 'queue'
ORDER BY priority DESC, queued_at, id LIMIT $2 OFFSET $3;

-- name: WaitingForTeam
-- The head of the queue of one team (a free agent's), in queue order.
SELECT id, priority, COALESCE(queued_at, 0), routed_at, route_team_id, route_skill, route_strategy, route_language, sticky_agent_id, sticky_until, overflow_team_id, overflow_at
FROM conversations WHERE tenant_id = $1 AND owner = 'queue' AND route_team_id = $2
ORDER BY priority DESC, queued_at, id LIMIT $3;

-- name: WaitingForAnyTeam
-- The head of the queue of conversations routed to no team (anyone, or a skill).
SELECT id, priority, COALESCE(queued_at, 0), routed_at, route_team_id, route_skill, route_strategy, route_language, sticky_agent_id, sticky_until, overflow_team_id, overflow_at
FROM conversations WHERE tenant_id = $1 AND owner = 'queue' AND route_team_id IS NULL
ORDER BY priority DESC, queued_at, id LIMIT $2;

-- name: WaitingOverflowTo
-- The head of the conversations that have overflowed to a team by now ($3).
SELECT id, priority, COALESCE(queued_at, 0), routed_at, route_team_id, route_skill, route_strategy, route_language, sticky_agent_id, sticky_until, overflow_team_id, overflow_at
FROM conversations WHERE tenant_id = $1 AND owner = 'queue' AND overflow_team_id = $2 AND overflow_at <= $3
ORDER BY priority DESC, queued_at, id LIMIT $4;

-- name: RoutedTeams
-- The teams waiting conversations are routed or overflow to (to find deleted ones).
SELECT route_team_id FROM conversations WHERE tenant_id = $1 AND owner = 'queue' AND route_team_id IS NOT NULL
UNION
SELECT overflow_team_id FROM conversations WHERE tenant_id = $1 AND owner = 'queue' AND overflow_team_id IS NOT NULL;

-- name: ForgetTeam
-- A team was deleted: conversations waiting for it wait for anyone, and no
-- longer overflow to it.
UPDATE conversations SET
    route_team_id = CASE WHEN route_team_id = $2 THEN NULL ELSE route_team_id END,
    overflow_team_id = CASE WHEN overflow_team_id = $2 THEN NULL ELSE overflow_team_id END
WHERE tenant_id = $1 AND owner = 'queue' AND (route_team_id = $2 OR overflow_team_id = $2);

-- name: Unrouted
-- In the order they started waiting; not by id, which SQLite would answer by
-- walking every conversation of the tenant in id order.
SELECT id, contact_id, COALESCE(channel_id, ''), visitor FROM conversations
WHERE tenant_id = $1 AND owner = 'queue' AND routed_at IS NULL ORDER BY queued_at, id LIMIT $2;

-- name: SetRoute
UPDATE conversations SET routed_at = $3, route_team_id = $4, route_skill = $5, route_rule_id = $6, route_strategy = $7,
    sticky_agent_id = $8, sticky_until = $9, overflow_team_id = $10, overflow_at = $11, priority = priority + $12,
    route_language = $13
WHERE tenant_id = $1 AND id = $2 AND owner = 'queue' AND routed_at IS NULL;

-- name: LastServed
-- The newest first (ids follow creation): ordered by created_at so that
-- SQLite reads the contact's conversations (index conversations_contact)
-- rather than every conversation of the tenant from the newest down.
SELECT assignee_id, COALESCE(closed_at, updated_at) FROM conversations
WHERE tenant_id = $1 AND contact_id = $2 AND id <> $3 AND assignee_id IS NOT NULL
ORDER BY created_at DESC, id DESC LIMIT 1;

-- name: ContactTags
SELECT tags FROM contacts WHERE tenant_id = $1 AND id = $2;

-- name: Touch
UPDATE agent_states SET last_assigned_at = $3 WHERE tenant_id = $1 AND user_id = $2;

-- name: RecentDurations
SELECT closed_at - created_at FROM conversations
WHERE tenant_id = $1 AND status = 'closed' AND assignee_id IS NOT NULL AND closed_at IS NOT NULL
ORDER BY id DESC LIMIT 100;
