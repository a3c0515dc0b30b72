-- name: GetSettings
SELECT settings FROM bot_settings WHERE tenant_id = $1;

-- name: PutSettings
INSERT INTO bot_settings (tenant_id, settings, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at;

-- name: InsertDecision
INSERT INTO bot_decisions (tenant_id, id, conversation_id, message_id, question, language, kind, reason, entry_id,
    confidence, candidates, context, negative, elapsed_us, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15);

-- name: RecentDecisions
SELECT id, conversation_id, message_id, question, language, kind, reason, entry_id, confidence, candidates,
    context, negative, elapsed_us, rating, resolved, created_at
FROM bot_decisions WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY id DESC LIMIT $3;

-- name: ReviewDecisions
-- Questions the bot could not answer well and nobody has dealt with yet.
SELECT id, conversation_id, message_id, question, language, kind, reason, entry_id, confidence, candidates,
    context, negative, elapsed_us, rating, resolved, created_at
FROM bot_decisions
WHERE tenant_id = $1 AND resolved = $2
  AND (kind IN ('no_match', 'clarify') OR reason IN ('no_match', 'low_confidence') OR rating < 0)
ORDER BY id DESC LIMIT $3;

-- name: GetDecision
SELECT id, conversation_id, message_id, question, language, kind, reason, entry_id, confidence, candidates,
    context, negative, elapsed_us, rating, resolved, created_at
FROM bot_decisions WHERE tenant_id = $1 AND id = $2;

-- name: RateDecision
UPDATE bot_decisions SET rating = $3 WHERE tenant_id = $1 AND id = $2;

-- name: ResolveDecision
UPDATE bot_decisions SET resolved = $3 WHERE tenant_id = $1 AND id = $2;

-- name: HasPublished
-- Whether the tenant has any published entry: decides ownership before the
-- tenant's engine is first built on this node.
SELECT count(*) FROM (SELECT 1 FROM kb_entries WHERE tenant_id = $1 AND published_version > 0 AND status <> 'archived' LIMIT 1) x;
