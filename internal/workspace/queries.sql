-- The tenant's workspace settings (one JSON document) and the close
-- summaries of its conversations.

-- name: GetSettings
SELECT settings FROM workspace_settings WHERE tenant_id = $1;

-- name: PutSettings
INSERT INTO workspace_settings (tenant_id, settings, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at;

-- name: PutSummary
-- A second summary of the same conversation replaces the first (its
-- creation time stays).
INSERT INTO conversation_summaries (tenant_id, conversation_id, category, note, agent_id, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $6)
ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET category = excluded.category, note = excluded.note,
    agent_id = excluded.agent_id, updated_at = excluded.updated_at;

-- name: GetSummary
SELECT conversation_id, category, note, agent_id, created_at, updated_at
FROM conversation_summaries WHERE tenant_id = $1 AND conversation_id = $2;
