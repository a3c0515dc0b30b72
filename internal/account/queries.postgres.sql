-- PostgreSQL overrides of queries.sql.

-- name: CountAdmins
-- Locks the administrators it counts, so that two transactions demoting,
-- disabling or deleting two different administrators at once cannot both see
-- the other one and leave the tenant with none (under READ COMMITTED the
-- second waits, then no longer counts the first).
SELECT count(*) FROM (
    SELECT id FROM users WHERE tenant_id = $1 AND role = 'admin' AND disabled = $2 FOR UPDATE
) AS admins;
