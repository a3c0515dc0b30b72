-- name: CreateConversation
INSERT INTO conversations (tenant_id, id, contact_id, channel, subject, status, assignee_id, team_id, last_seq, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9);

-- name: GetConversation
SELECT id, contact_id, channel, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, last_message_at, closed_at
FROM conversations WHERE tenant_id = $1 AND id = $2;

-- name: ListConversations
SELECT id, contact_id, channel, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, last_message_at, closed_at
FROM conversations
WHERE tenant_id = $1 AND ($2 = '' OR id < $2)
  AND ($3 = '' OR status = $3)
  AND ($4 = '' OR ($4 = '-' AND assignee_id IS NULL) OR assignee_id = $4)
  AND ($5 = '' OR contact_id = $5)
ORDER BY id DESC LIMIT $6;

-- name: NextSeq
UPDATE conversations SET last_seq = last_seq + 1, updated_at = $3, last_message_at = $3
WHERE tenant_id = $1 AND id = $2 RETURNING last_seq;

-- name: SetStatus
UPDATE conversations SET status = $3, closed_at = $4, updated_at = $5 WHERE tenant_id = $1 AND id = $2;

-- name: SetAssignee
UPDATE conversations SET assignee_id = $3, team_id = $4, updated_at = $5 WHERE tenant_id = $1 AND id = $2;

-- name: InsertMessage
INSERT INTO messages (tenant_id, conversation_id, seq, id, client_id, sender_type, sender_id, private, body, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: MessageByClientID
SELECT id, conversation_id, seq, client_id, sender_type, sender_id, private, body, created_at
FROM messages WHERE tenant_id = $1 AND conversation_id = $2 AND client_id = $3;

-- name: ListMessages
SELECT id, conversation_id, seq, client_id, sender_type, sender_id, private, body, created_at
FROM messages WHERE tenant_id = $1 AND conversation_id = $2 AND seq > $3 ORDER BY seq LIMIT $4;
