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
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
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
    version           INTEGER NOT NULL,
    published_version INTEGER NOT NULL DEFAULT 0,
    translation_group TEXT NOT NULL,
    question_key      TEXT NOT NULL,
    content           TEXT NOT NULL,
    review_comment    TEXT NOT NULL DEFAULT '',
    valid_from        INTEGER NOT NULL DEFAULT 0,
    valid_until       INTEGER NOT NULL DEFAULT 0,
    search_q          TEXT NOT NULL DEFAULT '',
    search_t          TEXT NOT NULL DEFAULT '',
    search_a          TEXT NOT NULL DEFAULT '',
    created_by        TEXT NOT NULL,
    updated_by        TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES kb_categories (tenant_id, id)
);
-- One entry per language in a translation group.
CREATE UNIQUE INDEX kb_entries_translation ON kb_entries (tenant_id, translation_group, language);
CREATE INDEX kb_entries_question ON kb_entries (tenant_id, language, question_key);
CREATE INDEX kb_entries_category ON kb_entries (tenant_id, category_id);
CREATE INDEX kb_entries_live ON kb_entries (tenant_id, published_version);

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
    version    INTEGER NOT NULL,
    status     TEXT NOT NULL,
    content    TEXT NOT NULL,
    author     TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, entry_id, version),
    FOREIGN KEY (tenant_id, entry_id) REFERENCES kb_entries (tenant_id, id) ON DELETE CASCADE
);

-- Bumped in the transaction of every change to the published set, so that
-- every node of a cluster notices one cheaply.
CREATE TABLE kb_state (
    tenant_id         TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    published_version INTEGER NOT NULL
);

-- Full-text search: an FTS5 index of the pre-segmented tokens (Chinese cut
-- into words and character bigrams, English stemmed, by the product's
-- tokeniser). It is contentless (the text is in kb_entries) but keeps the
-- attributes searches filter on and the question and tag tokens searches
-- rank by, in small rows, so that a search has its candidates without
-- reading the entries. kb_search_docs gives each entry a stable integer row
-- id in the index; triggers keep the index in step with kb_entries.
CREATE TABLE kb_search_docs (
    doc       INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    entry_id  TEXT NOT NULL,
    UNIQUE (tenant_id, entry_id)
);
CREATE VIRTUAL TABLE kb_search USING fts5(
    search_q, search_t, search_a,
    tenant_id UNINDEXED, entry_id UNINDEXED, language UNINDEXED, status UNINDEXED, kind UNINDEXED,
    category_id UNINDEXED, rank_q UNINDEXED, rank_t UNINDEXED,
    content = '', contentless_delete = 1, contentless_unindexed = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER kb_entries_search_insert AFTER INSERT ON kb_entries BEGIN
    INSERT INTO kb_search_docs (tenant_id, entry_id) VALUES (new.tenant_id, new.id);
    INSERT INTO kb_search (rowid, search_q, search_t, search_a, tenant_id, entry_id, language, status, kind, category_id,
        rank_q, rank_t)
    VALUES (last_insert_rowid(), new.search_q, new.search_t, new.search_a, new.tenant_id, new.id, new.language, new.status,
        new.kind, COALESCE(new.category_id, ''), new.search_q, new.search_t);
END;
-- A contentless index row is replaced as a whole.
CREATE TRIGGER kb_entries_search_update
AFTER UPDATE OF search_q, search_t, search_a, language, status, kind, category_id ON kb_entries BEGIN
    UPDATE kb_search SET search_q = new.search_q, search_t = new.search_t, search_a = new.search_a,
        tenant_id = new.tenant_id, entry_id = new.id, language = new.language, status = new.status, kind = new.kind,
        category_id = COALESCE(new.category_id, ''), rank_q = new.search_q, rank_t = new.search_t
    WHERE rowid = (SELECT doc FROM kb_search_docs WHERE tenant_id = new.tenant_id AND entry_id = new.id);
END;
CREATE TRIGGER kb_entries_search_delete AFTER DELETE ON kb_entries BEGIN
    DELETE FROM kb_search WHERE rowid = (SELECT doc FROM kb_search_docs WHERE tenant_id = old.tenant_id AND entry_id = old.id);
    DELETE FROM kb_search_docs WHERE tenant_id = old.tenant_id AND entry_id = old.id;
END;
