-- Core platform: tenants, accounts, sessions, API tokens, contacts,
-- conversations and messages. Every tenant table carries tenant_id and has
-- (tenant_id, id) as its key, so that references across tenants are impossible
-- at the database level too.

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    tenant_id            TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id                   TEXT NOT NULL,
    email                TEXT NOT NULL,
    name                 TEXT NOT NULL,
    role                 TEXT NOT NULL,
    locale               TEXT NOT NULL DEFAULT '',
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    disabled             INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email)
);
CREATE INDEX users_email ON users (email);

CREATE TABLE teams (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE team_members (
    tenant_id  TEXT NOT NULL,
    team_id    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, team_id, user_id),
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX team_members_user ON team_members (tenant_id, user_id);

CREATE TABLE sessions (
    tenant_id    TEXT NOT NULL,
    id           TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    csrf_token   TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);

CREATE TABLE api_tokens (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    scope        TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER,
    PRIMARY KEY (tenant_id, id)
);

-- Not tenant data: failed-login counters keyed by a hash of the account or address.
CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);

CREATE TABLE contacts (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    attributes  TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- A contact's e-mail addresses, phone numbers and ids in other systems; one
-- identity belongs to one contact of a tenant.
CREATE TABLE contact_identities (
    tenant_id  TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    source     TEXT NOT NULL DEFAULT '',
    value      TEXT NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind, source, value),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_identities_contact ON contact_identities (tenant_id, contact_id);

CREATE TABLE conversations (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    contact_id      TEXT NOT NULL,
    channel         TEXT NOT NULL,
    subject         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    assignee_id     TEXT,
    team_id         TEXT,
    last_seq        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    last_message_at INTEGER,
    closed_at       INTEGER,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX conversations_status ON conversations (tenant_id, status, id);
CREATE INDEX conversations_assignee ON conversations (tenant_id, assignee_id, status);
CREATE INDEX conversations_contact ON conversations (tenant_id, contact_id);

CREATE TABLE messages (
    tenant_id       TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    id              TEXT NOT NULL,
    client_id       TEXT,
    sender_type     TEXT NOT NULL,
    sender_id       TEXT NOT NULL DEFAULT '',
    private         INTEGER NOT NULL DEFAULT 0,
    body            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, seq),
    UNIQUE (tenant_id, conversation_id, client_id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
