-- Routing, the queue and the agent's workspace: agents' status and
-- capacity, teams' skills, languages and business hours, the tenant's
-- routing rules, the queue columns of conversations, contact tags, quick
-- replies, close summaries, satisfaction ratings and notifications.

-- The queue: a conversation waits while owner = 'queue'. queued_at is when
-- it started waiting; routed_at when the rules gave it its target (NULL:
-- not yet routed); sticky_* reserve it for the agent who served the
-- customer last; overflow_* widen it to another team after a while.
ALTER TABLE conversations ADD COLUMN queued_at INTEGER;
ALTER TABLE conversations ADD COLUMN routed_at INTEGER;
ALTER TABLE conversations ADD COLUMN route_team_id TEXT;
ALTER TABLE conversations ADD COLUMN route_skill TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN route_rule_id TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN route_strategy TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN route_language TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN sticky_agent_id TEXT;
ALTER TABLE conversations ADD COLUMN sticky_until INTEGER;
ALTER TABLE conversations ADD COLUMN overflow_team_id TEXT;
ALTER TABLE conversations ADD COLUMN overflow_at INTEGER;
ALTER TABLE conversations ADD COLUMN left_message INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET queued_at = updated_at WHERE owner = 'queue';
-- These replace the index on (tenant_id, owner, priority, id), which no query needs any more
-- and which PostgreSQL would otherwise walk for a team's queue.
DROP INDEX conversations_owner;
CREATE INDEX conversations_queue ON conversations (tenant_id, priority DESC, queued_at, id) WHERE owner = 'queue';
CREATE INDEX conversations_queue_team ON conversations (tenant_id, route_team_id, priority DESC, queued_at, id) WHERE owner = 'queue';
CREATE INDEX conversations_queue_anyone ON conversations (tenant_id, priority DESC, queued_at, id) WHERE owner = 'queue' AND route_team_id IS NULL;
CREATE INDEX conversations_queue_overflow ON conversations (tenant_id, overflow_team_id, priority DESC, queued_at, id) WHERE owner = 'queue' AND overflow_team_id IS NOT NULL;
CREATE INDEX conversations_load ON conversations (tenant_id, assignee_id) WHERE status = 'open' AND assignee_id IS NOT NULL;
-- The conversations the rules have not routed yet (a dispatch looks for them first).
CREATE INDEX conversations_unrouted ON conversations (tenant_id, queued_at, id) WHERE owner = 'queue' AND routed_at IS NULL;

ALTER TABLE contacts ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

CREATE TABLE agent_states (
    tenant_id        TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'offline',
    capacity         INTEGER,
    auto_away        INTEGER NOT NULL DEFAULT 0,
    status_at        INTEGER NOT NULL,
    last_seen_at     INTEGER NOT NULL DEFAULT 0,
    last_assigned_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX agent_states_status ON agent_states (tenant_id, status);

CREATE TABLE team_routing (
    tenant_id  TEXT NOT NULL,
    team_id    TEXT NOT NULL,
    profile    TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, team_id),
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE routing_settings (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    settings   TEXT NOT NULL DEFAULT '{}',
    rules      TEXT NOT NULL DEFAULT '[]',
    ticks      INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE quick_replies (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    scope      TEXT NOT NULL,
    owner_id   TEXT NOT NULL DEFAULT '',
    shortcut   TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, scope, owner_id, shortcut)
);

CREATE TABLE workspace_settings (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    settings   TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE conversation_summaries (
    tenant_id       TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    category        TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    agent_id        TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE csat_ratings (
    tenant_id       TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    score           INTEGER NOT NULL,
    comment         TEXT NOT NULL DEFAULT '',
    agent_id        TEXT NOT NULL DEFAULT '',
    team_id         TEXT NOT NULL DEFAULT '',
    channel_id      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX csat_ratings_agent ON csat_ratings (tenant_id, agent_id, created_at);

CREATE TABLE notifications (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    conversation_id TEXT NOT NULL DEFAULT '',
    message_id      TEXT NOT NULL DEFAULT '',
    actor_id        TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    read_at         INTEGER,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX notifications_user ON notifications (tenant_id, user_id, id);
