-- SQLite overrides of queries.sql.

-- name: Loads
-- The partial index of open conversations: without statistics SQLite would
-- otherwise pick conversations_assignee and count every conversation the
-- agents ever had, closed ones included.
SELECT assignee_id, count(*) FROM conversations INDEXED BY conversations_load
WHERE tenant_id = $1 AND status = 'open' AND assignee_id IS NOT NULL GROUP BY assignee_id;
