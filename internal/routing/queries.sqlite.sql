-- SQLite overrides of queries.sql.

-- name: Loads
-- The partial index of open conversations: without statistics SQLite would
-- otherwise pick conversations_assignee and count every conversation the
-- agents ever had, closed ones included.
SELECT assignee_id, count(*) FROM conversations INDEXED BY conversations_load
WHERE tenant_id = $1 AND status = 'open' AND assignee_id IS NOT NULL GROUP BY assignee_id;

-- name: OnlineLoads
-- One count of the open conversations by agent, joined to the online agents.
SELECT s.user_id, s.capacity, s.last_assigned_at, COALESCE(l.n, 0)
FROM agent_states s LEFT JOIN (
    SELECT assignee_id, count(*) AS n FROM conversations INDEXED BY conversations_load
    WHERE tenant_id = $1 AND status = 'open' AND assignee_id IS NOT NULL GROUP BY assignee_id
) l ON l.assignee_id = s.user_id
WHERE s.tenant_id = $1 AND s.status = 'online';
