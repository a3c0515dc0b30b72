-- name: CreateChannel
INSERT INTO channels (tenant_id, id, kind, name, public_key, settings, identity_secret, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8);

-- name: GetChannel
SELECT id, kind, name, public_key, settings, identity_secret, created_at, updated_at
FROM channels WHERE tenant_id = $1 AND id = $2;

-- name: ListChannels
SELECT id, kind, name, public_key, settings, identity_secret, created_at, updated_at
FROM channels WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3;

-- name: UpdateChannel
UPDATE channels SET name = $3, settings = $4, identity_secret = $5, updated_at = $6 WHERE tenant_id = $1 AND id = $2;

-- name: DeleteChannel
DELETE FROM channels WHERE tenant_id = $1 AND id = $2;

-- name: ChannelByKey
-- global
SELECT tenant_id, id, kind, name, public_key, settings, identity_secret, created_at, updated_at
FROM channels WHERE public_key = $1;

-- name: PutSecret
-- global
INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING;

-- name: GetSecret
-- global
SELECT value FROM server_secrets WHERE name = $1;
