-- Knowledge base statements. The SQLite search uses its FTS5 index; the
-- PostgreSQL override (queries.postgres.sql) uses a GIN full-text index.

-- name: CreateCategory
INSERT INTO kb_categories (tenant_id, id, parent_id, name, position, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $6);

-- name: GetCategory
SELECT id, parent_id, name, position, created_at, updated_at FROM kb_categories WHERE tenant_id = $1 AND id = $2;

-- name: AllCategories
SELECT id, parent_id, name, position, created_at, updated_at FROM kb_categories
WHERE tenant_id = $1 ORDER BY position, name, id LIMIT $2;

-- name: UpdateCategory
UPDATE kb_categories SET parent_id = $3, name = $4, position = $5, updated_at = $6 WHERE tenant_id = $1 AND id = $2;

-- name: DeleteCategory
DELETE FROM kb_categories WHERE tenant_id = $1 AND id = $2;

-- name: CountChildCategories
SELECT count(*) FROM kb_categories WHERE tenant_id = $1 AND parent_id = $2;

-- name: CountCategoryEntries
SELECT count(*) FROM kb_entries WHERE tenant_id = $1 AND category_id = $2;

-- name: CountCategories
SELECT count(*) FROM kb_categories WHERE tenant_id = $1;

-- name: CreateEntry
INSERT INTO kb_entries (tenant_id, id, kind, language, category_id, status, version, published_version,
    translation_group, question_key, content, review_comment, valid_from, valid_until,
    search_q, search_t, search_a, created_by, updated_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '', $12, $13, $14, $15, $16, $17, $17, $18, $18);

-- name: GetEntry
SELECT id, status, version, published_version, translation_group, content, review_comment,
    created_by, updated_by, created_at, updated_at
FROM kb_entries WHERE tenant_id = $1 AND id = $2;

-- name: SaveEntry
UPDATE kb_entries SET kind = $3, language = $4, category_id = $5, status = $6, version = $7,
    question_key = $8, content = $9, valid_from = $10, valid_until = $11,
    search_q = $12, search_t = $13, search_a = $14, updated_by = $15, updated_at = $16, review_comment = $17
WHERE tenant_id = $1 AND id = $2;

-- name: SetEntryState
UPDATE kb_entries SET status = $3, published_version = $4, review_comment = $5, updated_by = $6, updated_at = $7
WHERE tenant_id = $1 AND id = $2;

-- name: SetTranslationGroup
UPDATE kb_entries SET translation_group = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2;

-- name: DeleteEntry
DELETE FROM kb_entries WHERE tenant_id = $1 AND id = $2;

-- name: ListEntries
SELECT id, status, version, published_version, translation_group, content, review_comment,
    created_by, updated_by, created_at, updated_at
FROM kb_entries e
WHERE e.tenant_id = $1 AND e.id > $2
  AND ($3 = '' OR e.language = $3) AND ($4 = '' OR e.status = $4) AND ($5 = '' OR e.category_id = $5)
  AND ($6 = '' OR e.kind = $6)
  AND ($7 = '' OR EXISTS (SELECT 1 FROM kb_entry_tags t WHERE t.tenant_id = $1 AND t.entry_id = e.id AND t.tag = $7))
ORDER BY e.id LIMIT $8;

-- name: QuestionKeys
SELECT language, question_key, id FROM kb_entries WHERE tenant_id = $1;

-- name: TranslationGroup
SELECT id, status, version, published_version, translation_group, content, review_comment,
    created_by, updated_by, created_at, updated_at
FROM kb_entries WHERE tenant_id = $1 AND translation_group = $2 ORDER BY language, id LIMIT 100;

-- name: AddTag
INSERT INTO kb_entry_tags (tenant_id, entry_id, tag) VALUES ($1, $2, $3);

-- name: DeleteTags
DELETE FROM kb_entry_tags WHERE tenant_id = $1 AND entry_id = $2;

-- name: AddVersion
INSERT INTO kb_versions (tenant_id, entry_id, version, status, content, author, note, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: GetVersion
SELECT version, status, content, author, note, created_at FROM kb_versions
WHERE tenant_id = $1 AND entry_id = $2 AND version = $3;

-- name: ListVersions
SELECT version, status, content, author, note, created_at FROM kb_versions
WHERE tenant_id = $1 AND entry_id = $2 AND version < $3 ORDER BY version DESC LIMIT $4;

-- name: Published
SELECT e.id, e.translation_group, e.published_version, e.valid_from, e.valid_until, v.content
FROM kb_entries e JOIN kb_versions v ON v.tenant_id = $1 AND v.entry_id = e.id AND v.version = e.published_version
WHERE e.tenant_id = $1 AND e.published_version > 0 AND e.status <> 'archived'
ORDER BY e.id;

-- name: BumpState
INSERT INTO kb_state (tenant_id, published_version) VALUES ($1, 1)
ON CONFLICT (tenant_id) DO UPDATE SET published_version = kb_state.published_version + 1;

-- name: GetState
SELECT published_version FROM kb_state WHERE tenant_id = $1;

-- name: SearchCandidates
-- $2 is an FTS5 query; at most $8 candidates, which Search ranks.
SELECT entry_id, rank_q, rank_t FROM kb_search
WHERE kb_search MATCH $2 AND tenant_id = $1
  AND ($3 = '' OR language = $3) AND ($4 = '' OR status = $4) AND ($5 = '' OR category_id = $5)
  AND ($6 = '' OR kind = $6)
  AND ($7 = '' OR EXISTS (SELECT 1 FROM kb_entry_tags t WHERE t.tenant_id = $1 AND t.entry_id = kb_search.entry_id AND t.tag = $7))
LIMIT $8;

-- name: PlanFresh
-- global
-- A long import grows kb_entries inside one transaction, before any
-- statistics exist: PostgreSQL plans each statement afresh from the table's
-- current size instead of reusing plans made while it was empty (see the
-- override). Changes nothing on SQLite, which plans every statement anew.
SELECT 1;
