-- PostgreSQL overrides of queries.sql.

-- name: SearchCandidates
-- $2 is a tsquery of pre-segmented tokens; at most $8 candidates, which
-- Search ranks.
SELECT x.id, x.search_q, x.search_t FROM kb_entries x
WHERE x.tenant_id = $1 AND x.search_vec @@ to_tsquery('simple', $2)
  AND ($3 = '' OR x.language = $3) AND ($4 = '' OR x.status = $4) AND ($5 = '' OR x.category_id = $5)
  AND ($6 = '' OR x.kind = $6)
  AND ($7 = '' OR EXISTS (SELECT 1 FROM kb_entry_tags t WHERE t.tenant_id = $1 AND t.entry_id = x.id AND t.tag = $7))
LIMIT $8;

-- name: PlanFresh
-- global
SET LOCAL plan_cache_mode = force_custom_plan;
