-- Knowledge base: categories (a tree per tenant), entries (FAQ and
-- articles) with their working copy, numbered versions (snapshots), tags, the
-- per-tenant counter of published-set changes, the search index, and the
-- users' extra permissions (kb_review).

ALTER TABLE users ADD COLUMN permissions TEXT NOT NULL DEFAULT '[]';

CREATE TABLE kb_categories (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    parent_id   TEXT,
    name        TEXT NOT NULL,
    position    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES kb_categories (tenant_id, id)
);
-- Sibling names are unique; '' stands for the root.
CREATE UNIQUE INDEX kb_categories_sibling_name ON kb_categories (tenant_id, COALESCE(parent_id, ''), name);

-- The working copy of an entry. content is the JSON of its current
-- version; published_version points at the snapshot customers are served
-- (0: none), which stays live while a newer working copy is reviewed.
CREATE TABLE kb_entries (
    tenant_id         TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id                TEXT NOT NULL,
    kind              TEXT NOT NULL,
    language          TEXT NOT NULL,
    category_id       TEXT,
    status            TEXT NOT NULL,
    version           BIGINT NOT NULL,
    published_version BIGINT NOT NULL DEFAULT 0,
    translation_group TEXT NOT NULL,
    question_key      TEXT NOT NULL,
    content           TEXT NOT NULL,
    review_comment    TEXT NOT NULL DEFAULT '',
    valid_from        BIGINT NOT NULL DEFAULT 0,
    valid_until       BIGINT NOT NULL DEFAULT 0,
    search_q          TEXT NOT NULL DEFAULT '',
    search_t          TEXT NOT NULL DEFAULT '',
    search_a          TEXT NOT NULL DEFAULT '',
    created_by        TEXT NOT NULL,
    updated_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES kb_categories (tenant_id, id)
);
-- One entry per language in a translation group.
CREATE UNIQUE INDEX kb_entries_translation ON kb_entries (tenant_id, translation_group, language);
CREATE INDEX kb_entries_question ON kb_entries (tenant_id, language, question_key);
CREATE INDEX kb_entries_category ON kb_entries (tenant_id, category_id);
CREATE INDEX kb_entries_live ON kb_entries (tenant_id, published_version);
-- Full-text search over the pre-segmented tokens (Chinese cut into words
-- and character bigrams, English stemmed, by the product's tokeniser): the
-- 'simple' configuration only splits on spaces and lower-cases, so Chinese
-- words survive. Questions weigh most, then tags, then answers. The vector
-- is stored, so that ranking does not parse the text again.
ALTER TABLE kb_entries ADD COLUMN search_vec tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', search_q), 'A') ||
    setweight(to_tsvector('simple', search_t), 'B') ||
    setweight(to_tsvector('simple', search_a), 'D')) STORED;
CREATE INDEX kb_entries_search ON kb_entries USING GIN (search_vec);

CREATE TABLE kb_entry_tags (
    tenant_id TEXT NOT NULL,
    entry_id  TEXT NOT NULL,
    tag       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, entry_id, tag),
    FOREIGN KEY (tenant_id, entry_id) REFERENCES kb_entries (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX kb_entry_tags_tag ON kb_entry_tags (tenant_id, tag, entry_id);

CREATE TABLE kb_versions (
    tenant_id  TEXT NOT NULL,
    entry_id   TEXT NOT NULL,
    version    BIGINT NOT NULL,
    status     TEXT NOT NULL,
    content    TEXT NOT NULL,
    author     TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, entry_id, version),
    FOREIGN KEY (tenant_id, entry_id) REFERENCES kb_entries (tenant_id, id) ON DELETE CASCADE
);

-- Bumped in the transaction of every change to the published set, so that
-- every node of a cluster notices one cheaply.
CREATE TABLE kb_state (
    tenant_id         TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    published_version BIGINT NOT NULL
);
