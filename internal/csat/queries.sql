-- Satisfaction ratings (csat_ratings): one per conversation, given by the
-- customer after the conversation closed; the agent, team and channel are
-- those of the conversation when it was rated.

-- name: ConversationForRating
SELECT status, closed_at, assignee_id, team_id, channel_id, contact_id
FROM conversations WHERE tenant_id = $1 AND id = $2;

-- name: PutRating
-- A second rating of the same conversation replaces the first (its
-- created_at, the time of the first rating, stays).
INSERT INTO csat_ratings (tenant_id, conversation_id, score, comment, agent_id, team_id, channel_id, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET score = excluded.score, comment = excluded.comment,
    agent_id = excluded.agent_id, team_id = excluded.team_id, channel_id = excluded.channel_id, updated_at = excluded.updated_at;

-- Every query that returns a rating returns these columns, in this order
-- (see scanRating): conversation_id, score, comment, agent_id, agent name,
-- team_id, team name, channel_id, channel name, contact_id, contact name,
-- created_at, updated_at

-- name: GetRating
SELECT r.conversation_id, r.score, r.comment, r.agent_id, COALESCE(u.name, ''), r.team_id, COALESCE(t.name, ''),
    r.channel_id, COALESCE(ch.name, ''), c.contact_id, COALESCE(ct.name, ''), r.created_at, r.updated_at
FROM csat_ratings r
JOIN conversations c ON c.tenant_id = $1 AND c.id = r.conversation_id
LEFT JOIN users u ON u.tenant_id = $1 AND u.id = r.agent_id
LEFT JOIN teams t ON t.tenant_id = $1 AND t.id = r.team_id
LEFT JOIN channels ch ON ch.tenant_id = $1 AND ch.id = r.channel_id
LEFT JOIN contacts ct ON ct.tenant_id = $1 AND ct.id = c.contact_id
WHERE r.tenant_id = $1 AND r.conversation_id = $2;

-- name: ListRatings
-- Newest first; the page starts after the rating ($2 created_at, $3
-- conversation_id) of the cursor ($2 = 0: the first page).
SELECT r.conversation_id, r.score, r.comment, r.agent_id, COALESCE(u.name, ''), r.team_id, COALESCE(t.name, ''),
    r.channel_id, COALESCE(ch.name, ''), c.contact_id, COALESCE(ct.name, ''), r.created_at, r.updated_at
FROM csat_ratings r
JOIN conversations c ON c.tenant_id = $1 AND c.id = r.conversation_id
LEFT JOIN users u ON u.tenant_id = $1 AND u.id = r.agent_id
LEFT JOIN teams t ON t.tenant_id = $1 AND t.id = r.team_id
LEFT JOIN channels ch ON ch.tenant_id = $1 AND ch.id = r.channel_id
LEFT JOIN contacts ct ON ct.tenant_id = $1 AND ct.id = c.contact_id
WHERE r.tenant_id = $1
  AND (CAST($2 AS BIGINT) = 0 OR r.created_at < $2 OR (r.created_at = $2 AND r.conversation_id < $3))
  AND ($4 = '' OR r.agent_id = $4)
  AND ($5 = '' OR r.team_id = $5)
  AND ($6 = '' OR r.channel_id = $6)
  AND (CAST($7 AS BIGINT) = 0 OR r.created_at >= $7)
  AND (CAST($8 AS BIGINT) = 0 OR r.created_at < $8)
ORDER BY r.created_at DESC, r.conversation_id DESC LIMIT $9;

-- The summaries: count, sum of scores and how many of each score, for
-- the filtered ratings ($2 agent, $3 team, $4 channel, $5 from, $6 to),
-- in all or per agent, team or channel (the group's id and name first).

-- name: SummaryTotal
SELECT '', '', count(*), COALESCE(sum(r.score), 0),
    COALESCE(sum(CASE WHEN r.score = 1 THEN 1 ELSE 0 END), 0), COALESCE(sum(CASE WHEN r.score = 2 THEN 1 ELSE 0 END), 0),
    COALESCE(sum(CASE WHEN r.score = 3 THEN 1 ELSE 0 END), 0), COALESCE(sum(CASE WHEN r.score = 4 THEN 1 ELSE 0 END), 0),
    COALESCE(sum(CASE WHEN r.score = 5 THEN 1 ELSE 0 END), 0)
FROM csat_ratings r
WHERE r.tenant_id = $1 AND ($2 = '' OR r.agent_id = $2) AND ($3 = '' OR r.team_id = $3) AND ($4 = '' OR r.channel_id = $4)
  AND (CAST($5 AS BIGINT) = 0 OR r.created_at >= $5) AND (CAST($6 AS BIGINT) = 0 OR r.created_at < $6);

-- name: SummaryByAgent
SELECT r.agent_id, COALESCE(MAX(u.name), ''), count(*), sum(r.score),
    sum(CASE WHEN r.score = 1 THEN 1 ELSE 0 END), sum(CASE WHEN r.score = 2 THEN 1 ELSE 0 END),
    sum(CASE WHEN r.score = 3 THEN 1 ELSE 0 END), sum(CASE WHEN r.score = 4 THEN 1 ELSE 0 END),
    sum(CASE WHEN r.score = 5 THEN 1 ELSE 0 END)
FROM csat_ratings r
LEFT JOIN users u ON u.tenant_id = $1 AND u.id = r.agent_id
WHERE r.tenant_id = $1 AND ($2 = '' OR r.agent_id = $2) AND ($3 = '' OR r.team_id = $3) AND ($4 = '' OR r.channel_id = $4)
  AND (CAST($5 AS BIGINT) = 0 OR r.created_at >= $5) AND (CAST($6 AS BIGINT) = 0 OR r.created_at < $6)
GROUP BY r.agent_id ORDER BY count(*) DESC, r.agent_id LIMIT 1000;

-- name: SummaryByTeam
SELECT r.team_id, COALESCE(MAX(t.name), ''), count(*), sum(r.score),
    sum(CASE WHEN r.score = 1 THEN 1 ELSE 0 END), sum(CASE WHEN r.score = 2 THEN 1 ELSE 0 END),
    sum(CASE WHEN r.score = 3 THEN 1 ELSE 0 END), sum(CASE WHEN r.score = 4 THEN 1 ELSE 0 END),
    sum(CASE WHEN r.score = 5 THEN 1 ELSE 0 END)
FROM csat_ratings r
LEFT JOIN teams t ON t.tenant_id = $1 AND t.id = r.team_id
WHERE r.tenant_id = $1 AND ($2 = '' OR r.agent_id = $2) AND ($3 = '' OR r.team_id = $3) AND ($4 = '' OR r.channel_id = $4)
  AND (CAST($5 AS BIGINT) = 0 OR r.created_at >= $5) AND (CAST($6 AS BIGINT) = 0 OR r.created_at < $6)
GROUP BY r.team_id ORDER BY count(*) DESC, r.team_id LIMIT 1000;

-- name: SummaryByChannel
SELECT r.channel_id, COALESCE(MAX(ch.name), ''), count(*), sum(r.score),
    sum(CASE WHEN r.score = 1 THEN 1 ELSE 0 END), sum(CASE WHEN r.score = 2 THEN 1 ELSE 0 END),
    sum(CASE WHEN r.score = 3 THEN 1 ELSE 0 END), sum(CASE WHEN r.score = 4 THEN 1 ELSE 0 END),
    sum(CASE WHEN r.score = 5 THEN 1 ELSE 0 END)
FROM csat_ratings r
LEFT JOIN channels ch ON ch.tenant_id = $1 AND ch.id = r.channel_id
WHERE r.tenant_id = $1 AND ($2 = '' OR r.agent_id = $2) AND ($3 = '' OR r.team_id = $3) AND ($4 = '' OR r.channel_id = $4)
  AND (CAST($5 AS BIGINT) = 0 OR r.created_at >= $5) AND (CAST($6 AS BIGINT) = 0 OR r.created_at < $6)
GROUP BY r.channel_id ORDER BY count(*) DESC, r.channel_id LIMIT 1000;
