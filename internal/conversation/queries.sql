-- Every query that returns a conversation returns these columns, in this
-- order (see scanConversation):
-- id, contact_id, channel, channel_id, subject, status, assignee_id, team_id, last_seq,
-- created_at, updated_at, last_message_at, closed_at, visitor, contact_read_seq,
-- agent_read_seq, last_preview, last_sender, owner, handoff_reason, priority, left_message, queued_at

-- name: CreateConversation
INSERT INTO conversations (tenant_id, id, contact_id, channel, channel_id, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, visitor, owner, queued_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10, $11, $12, CASE WHEN CAST($12 AS TEXT) = 'queue' THEN CAST($10 AS BIGINT) END);

-- name: GetConversation
SELECT id, contact_id, channel, channel_id, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, last_message_at, closed_at, visitor, contact_read_seq, agent_read_seq, last_preview, last_sender, owner, handoff_reason, priority, left_message, queued_at
FROM conversations WHERE tenant_id = $1 AND id = $2;

-- name: OpenConversationFor
SELECT id, contact_id, channel, channel_id, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, last_message_at, closed_at, visitor, contact_read_seq, agent_read_seq, last_preview, last_sender, owner, handoff_reason, priority, left_message, queued_at
FROM conversations WHERE tenant_id = $1 AND contact_id = $2 AND channel_id = $3 AND status = 'open'
ORDER BY id DESC LIMIT 1;

-- name: LatestConversationFor
SELECT id, contact_id, channel, channel_id, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, last_message_at, closed_at, visitor, contact_read_seq, agent_read_seq, last_preview, last_sender, owner, handoff_reason, priority, left_message, queued_at
FROM conversations WHERE tenant_id = $1 AND contact_id = $2 AND channel_id = $3
ORDER BY id DESC LIMIT 1;

-- name: ListConversations
SELECT id, contact_id, channel, channel_id, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, last_message_at, closed_at, visitor, contact_read_seq, agent_read_seq, last_preview, last_sender, owner, handoff_reason, priority, left_message, queued_at
FROM conversations
WHERE tenant_id = $1 AND ($2 = '' OR id < $2)
  AND ($3 = '' OR status = $3)
  AND ($4 = '' OR ($4 = '-' AND assignee_id IS NULL) OR assignee_id = $4)
  AND ($5 = '' OR contact_id = $5)
ORDER BY id DESC LIMIT $6;

-- name: NextSeq
UPDATE conversations SET last_seq = last_seq + 1, updated_at = $3, last_message_at = $3, last_preview = $4, last_sender = $5
WHERE tenant_id = $1 AND id = $2
RETURNING id, contact_id, channel, channel_id, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, last_message_at, closed_at, visitor, contact_read_seq, agent_read_seq, last_preview, last_sender, owner, handoff_reason, priority, left_message, queued_at;

-- name: NextSeqIfOpen
UPDATE conversations SET last_seq = last_seq + 1, updated_at = $3, last_message_at = $3, last_preview = $4, last_sender = $5
WHERE tenant_id = $1 AND id = $2 AND status = 'open' AND contact_id = $6 AND channel_id = $7
RETURNING id, contact_id, channel, channel_id, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, last_message_at, closed_at, visitor, contact_read_seq, agent_read_seq, last_preview, last_sender, owner, handoff_reason, priority, left_message, queued_at;

-- name: NextSeqNote
UPDATE conversations SET last_seq = last_seq + 1, updated_at = $3
WHERE tenant_id = $1 AND id = $2
RETURNING id, contact_id, channel, channel_id, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, last_message_at, closed_at, visitor, contact_read_seq, agent_read_seq, last_preview, last_sender, owner, handoff_reason, priority, left_message, queued_at;

-- name: NextSeqBot
-- The bot speaks only while it owns the open conversation.
UPDATE conversations SET last_seq = last_seq + 1, updated_at = $3, last_message_at = $3, last_preview = $4, last_sender = $5
WHERE tenant_id = $1 AND id = $2 AND status = 'open' AND owner = 'bot'
RETURNING id, contact_id, channel, channel_id, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, last_message_at, closed_at, visitor, contact_read_seq, agent_read_seq, last_preview, last_sender, owner, handoff_reason, priority, left_message, queued_at;

-- name: NextSeqAgent
-- An agent's reply takes an open conversation over from the bot (and
-- assigns it to them if nobody was); otherwise ownership stays as it is.
UPDATE conversations SET last_seq = last_seq + 1, updated_at = $3, last_message_at = $3, last_preview = $4, last_sender = $5,
    assignee_id = CASE WHEN status = 'open' AND owner = 'bot' AND assignee_id IS NULL THEN CAST($6 AS TEXT) ELSE assignee_id END,
    handoff_reason = CASE WHEN status = 'open' AND owner = 'bot' THEN 'agent_took_over' ELSE handoff_reason END,
    owner = CASE WHEN status = 'open' AND owner = 'bot' THEN 'agent' ELSE owner END
WHERE tenant_id = $1 AND id = $2
RETURNING id, contact_id, channel, channel_id, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, last_message_at, closed_at, visitor, contact_read_seq, agent_read_seq, last_preview, last_sender, owner, handoff_reason, priority, left_message, queued_at;

-- name: SetStatus
-- $6 is the owner of a reopened conversation nobody is assigned to.
UPDATE conversations SET status = CAST($3 AS TEXT), closed_at = $4, updated_at = $5,
    -- Entering the queue (from elsewhere) starts the wait and the routing afresh.
    queued_at = CASE WHEN owner <> 'queue' AND (CASE WHEN CAST($3 AS TEXT) = 'closed' THEN 'closed' WHEN assignee_id IS NOT NULL THEN 'agent' ELSE CAST($6 AS TEXT) END) = 'queue' THEN $5 ELSE queued_at END,
    routed_at = CASE WHEN owner <> 'queue' AND (CASE WHEN CAST($3 AS TEXT) = 'closed' THEN 'closed' WHEN assignee_id IS NOT NULL THEN 'agent' ELSE CAST($6 AS TEXT) END) = 'queue' THEN NULL ELSE routed_at END,
    owner = CASE WHEN CAST($3 AS TEXT) = 'closed' THEN 'closed' WHEN assignee_id IS NOT NULL THEN 'agent' ELSE CAST($6 AS TEXT) END
WHERE tenant_id = $1 AND id = $2;

-- name: SetAssignee
UPDATE conversations SET assignee_id = CAST($3 AS TEXT), team_id = CAST($4 AS TEXT), updated_at = $5,
    -- Entering the queue (from elsewhere) starts the wait and the routing afresh.
    queued_at = CASE WHEN owner <> 'queue' AND (CASE WHEN status = 'closed' THEN 'closed' WHEN CAST($3 AS TEXT) IS NOT NULL THEN 'agent' WHEN owner = 'agent' OR CAST($4 AS TEXT) IS NOT NULL THEN 'queue' ELSE owner END) = 'queue' THEN $5 ELSE queued_at END,
    routed_at = CASE WHEN owner <> 'queue' AND (CASE WHEN status = 'closed' THEN 'closed' WHEN CAST($3 AS TEXT) IS NOT NULL THEN 'agent' WHEN owner = 'agent' OR CAST($4 AS TEXT) IS NOT NULL THEN 'queue' ELSE owner END) = 'queue' THEN NULL ELSE routed_at END,
    owner = CASE WHEN status = 'closed' THEN 'closed' WHEN CAST($3 AS TEXT) IS NOT NULL THEN 'agent'
                 WHEN owner = 'agent' OR CAST($4 AS TEXT) IS NOT NULL THEN 'queue' ELSE owner END
WHERE tenant_id = $1 AND id = $2;

-- name: HandOff
-- The bot gives an open conversation it owns to people.
UPDATE conversations SET owner = 'queue', handoff_reason = $3, priority = $4, updated_at = $5, queued_at = $5, routed_at = NULL
WHERE tenant_id = $1 AND id = $2 AND status = 'open' AND owner = 'bot';

-- name: SetVisitor
UPDATE conversations SET visitor = $3 WHERE tenant_id = $1 AND id = $2;

-- name: MarkContactRead
UPDATE conversations SET contact_read_seq = $3 WHERE tenant_id = $1 AND id = $2 AND contact_read_seq < $3 AND last_seq >= $3;

-- name: MarkAgentRead
UPDATE conversations SET agent_read_seq = $3 WHERE tenant_id = $1 AND id = $2 AND agent_read_seq < $3 AND last_seq >= $3;

-- name: OpenCounts
SELECT assignee_id, count(*) FROM conversations WHERE tenant_id = $1 AND status = 'open' GROUP BY assignee_id;

-- name: InsertMessage
INSERT INTO messages (tenant_id, conversation_id, seq, id, client_id, sender_type, sender_id, private, body, created_at, attachments, meta)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12);

-- name: MessageByClientID
SELECT id, conversation_id, seq, client_id, sender_type, sender_id, private, body, created_at, attachments, meta
FROM messages WHERE tenant_id = $1 AND conversation_id = $2 AND client_id = $3;

-- name: ListMessages
SELECT id, conversation_id, seq, client_id, sender_type, sender_id, private, body, created_at, attachments, meta
FROM messages WHERE tenant_id = $1 AND conversation_id = $2 AND seq > $3 ORDER BY seq LIMIT $4;

-- name: InsertOutbox
INSERT INTO outbox (tenant_id, subject, payload, created_at) VALUES ($1, $2, $3, $4) RETURNING id;

-- name: DeleteOutbox
DELETE FROM outbox WHERE tenant_id = $1 AND id = $2;

-- name: StaleOutbox
-- global
SELECT id, tenant_id, subject, payload FROM outbox WHERE created_at < $1 ORDER BY id LIMIT 500;

-- name: DeleteOutboxGlobal
-- global
DELETE FROM outbox WHERE id = $1;

-- name: AssignQueued
-- The router gives a waiting conversation to an agent: only if it is still
-- waiting, so that two routers never both assign it.
UPDATE conversations SET assignee_id = CAST($3 AS TEXT), team_id = COALESCE(CAST($4 AS TEXT), team_id), owner = 'agent', updated_at = $5
WHERE tenant_id = $1 AND id = $2 AND owner = 'queue' AND status = 'open'
RETURNING id, contact_id, channel, channel_id, subject, status, assignee_id, team_id, last_seq, created_at, updated_at, last_message_at, closed_at, visitor, contact_read_seq, agent_read_seq, last_preview, last_sender, owner, handoff_reason, priority, left_message, queued_at;

-- name: Requeue
-- A transfer to a team: the conversation waits again, for that team, keeping
-- its place by when it first started waiting.
UPDATE conversations SET assignee_id = NULL, team_id = CAST($3 AS TEXT), owner = 'queue', updated_at = $4,
    queued_at = COALESCE(queued_at, $4), routed_at = $4, route_team_id = CAST($3 AS TEXT), route_skill = '',
    route_rule_id = 'transfer', sticky_agent_id = NULL, sticky_until = NULL, overflow_team_id = NULL, overflow_at = NULL
WHERE tenant_id = $1 AND id = $2 AND status = 'open';

-- name: TransferToAgent
-- A transfer to an agent (who has been checked to be online with a free slot).
UPDATE conversations SET assignee_id = CAST($3 AS TEXT), owner = 'agent', updated_at = $4
WHERE tenant_id = $1 AND id = $2 AND status = 'open';

-- name: SetLeftMessage
UPDATE conversations SET left_message = $3 WHERE tenant_id = $1 AND id = $2;
