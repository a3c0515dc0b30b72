-- The bot: who owns a conversation (bot, queue, agent or closed) and why it
-- was handed to people, structured content of bot messages, per-tenant bot
-- settings, and the log of every bot decision with the customer's rating.

ALTER TABLE conversations ADD COLUMN owner TEXT NOT NULL DEFAULT 'queue';
ALTER TABLE conversations ADD COLUMN handoff_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET owner = CASE
    WHEN status = 'closed' THEN 'closed'
    WHEN assignee_id IS NOT NULL THEN 'agent'
    ELSE 'queue' END;
CREATE INDEX conversations_owner ON conversations (tenant_id, owner, priority, id);

ALTER TABLE messages ADD COLUMN meta TEXT NOT NULL DEFAULT '';

CREATE TABLE bot_settings (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    settings    TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE bot_decisions (
    tenant_id        TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id               TEXT NOT NULL,
    conversation_id  TEXT NOT NULL,
    message_id       TEXT NOT NULL,
    question         TEXT NOT NULL,
    language         TEXT NOT NULL,
    kind             TEXT NOT NULL,
    reason           TEXT NOT NULL,
    entry_id         TEXT NOT NULL,
    confidence       REAL NOT NULL,
    candidates       TEXT NOT NULL,
    context          INTEGER NOT NULL,
    negative         INTEGER NOT NULL,
    elapsed_us       INTEGER NOT NULL,
    rating           INTEGER NOT NULL DEFAULT 0,
    resolved         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX bot_decisions_conversation ON bot_decisions (tenant_id, conversation_id, id);
CREATE INDEX bot_decisions_review ON bot_decisions (tenant_id, resolved, id);
