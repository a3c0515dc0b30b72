-- Quick replies: one row per reply; (scope, owner_id) is whose it is:
-- personal → the user's id, team → the team's id, tenant → ''.

-- name: CreateQuickReply
INSERT INTO quick_replies (tenant_id, id, scope, owner_id, shortcut, title, body, created_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9);

-- name: GetQuickReply
SELECT id, scope, owner_id, shortcut, title, body, created_by, created_at, updated_at
FROM quick_replies WHERE tenant_id = $1 AND id = $2;

-- name: OwnerQuickReplies
SELECT id, scope, owner_id, shortcut, title, body, created_by, created_at, updated_at
FROM quick_replies WHERE tenant_id = $1 AND scope = $2 AND owner_id = $3 ORDER BY shortcut, id LIMIT $4;

-- name: CountOwnerQuickReplies
SELECT count(*) FROM quick_replies WHERE tenant_id = $1 AND scope = $2 AND owner_id = $3;

-- name: UpdateQuickReply
UPDATE quick_replies SET scope = $3, owner_id = $4, shortcut = $5, title = $6, body = $7, updated_at = $8
WHERE tenant_id = $1 AND id = $2;

-- name: DeleteQuickReply
DELETE FROM quick_replies WHERE tenant_id = $1 AND id = $2;
