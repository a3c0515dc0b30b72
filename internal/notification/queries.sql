-- name: ActivePeople
-- Who a note may mention: the tenant's users who are not disabled.
SELECT id, name, email FROM users WHERE tenant_id = $1 AND disabled = $2 ORDER BY id LIMIT $3;

-- name: ContactName
SELECT ct.name FROM conversations c
JOIN contacts ct ON ct.tenant_id = $1 AND ct.id = c.contact_id
WHERE c.tenant_id = $1 AND c.id = $2;

-- name: CreateNotification
INSERT INTO notifications (tenant_id, id, user_id, kind, conversation_id, message_id, actor_id, body, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: ListNotifications
-- One user's notifications, newest first; $3 is the id to continue after
-- ('' for the first page).
SELECT n.id, n.kind, n.conversation_id, n.message_id, n.actor_id, COALESCE(u.name, ''), COALESCE(ct.name, ''),
       n.body, n.created_at, n.read_at
FROM notifications n
LEFT JOIN users u ON u.tenant_id = $1 AND u.id = n.actor_id
LEFT JOIN conversations c ON c.tenant_id = $1 AND c.id = n.conversation_id
LEFT JOIN contacts ct ON ct.tenant_id = $1 AND ct.id = c.contact_id
WHERE n.tenant_id = $1 AND n.user_id = $2 AND ($3 = '' OR n.id < $3)
ORDER BY n.id DESC LIMIT $4;

-- name: CountUnread
SELECT count(*) FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL;

-- name: MarkRead
UPDATE notifications SET read_at = $4
WHERE tenant_id = $1 AND user_id = $2 AND id = $3 AND read_at IS NULL;

-- name: MarkAllRead
UPDATE notifications SET read_at = $3
WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL;
