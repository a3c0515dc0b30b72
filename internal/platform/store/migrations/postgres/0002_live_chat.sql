-- Live chat: website channels, visitor details and read state on
-- conversations, attachments, the event outbox, and server secrets.

CREATE TABLE channels (
    tenant_id        TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id               TEXT NOT NULL,
    kind             TEXT NOT NULL,
    name             TEXT NOT NULL,
    public_key       TEXT NOT NULL UNIQUE,
    settings         TEXT NOT NULL DEFAULT '{}',
    identity_secret  TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

ALTER TABLE conversations ADD COLUMN channel_id TEXT;
ALTER TABLE conversations ADD COLUMN visitor TEXT NOT NULL DEFAULT '{}';
ALTER TABLE conversations ADD COLUMN contact_read_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN agent_read_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN last_preview TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN last_sender TEXT NOT NULL DEFAULT '';
-- One open conversation per visitor and channel: two tabs writing their
-- first message at once end up in the same conversation.
CREATE UNIQUE INDEX conversations_open_per_channel ON conversations (tenant_id, contact_id, channel_id)
    WHERE status = 'open' AND channel_id IS NOT NULL;
CREATE INDEX conversations_channel_contact ON conversations (tenant_id, channel_id, contact_id, id);

ALTER TABLE messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';

-- Uploaded files. The content lives in the database so that every node of a
-- cluster can serve it.
CREATE TABLE attachments (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    conversation_id TEXT,
    uploader        TEXT NOT NULL,
    access_key      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            BIGINT NOT NULL,
    content         BYTEA NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- Events written in the transaction that stored what they announce, deleted
-- once published; a sweeper republishes any left by a crash.
CREATE TABLE outbox (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX outbox_created ON outbox (created_at);

-- Not tenant data: keys this deployment signs with (visitor tokens), shared
-- by every node through the database.
CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
