-- name: CreateSession
INSERT INTO sessions (tenant_id, id, token_hash, csrf_token, user_id, user_agent, ip, created_at, last_seen_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9);

-- name: SessionByToken
-- global
SELECT s.tenant_id, s.id, s.user_id, s.csrf_token, s.last_seen_at, s.expires_at, u.role, u.must_change_password, u.disabled, u.name, u.email, u.locale
FROM sessions s JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
WHERE s.token_hash = $1;

-- name: TouchSession
UPDATE sessions SET last_seen_at = $3 WHERE tenant_id = $1 AND id = $2;

-- name: DeleteSession
DELETE FROM sessions WHERE tenant_id = $1 AND id = $2 AND user_id = $3;

-- name: DeleteUserSessions
DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND id <> $3;

-- name: ListUserSessions
SELECT id, user_agent, ip, created_at, last_seen_at, expires_at FROM sessions
WHERE tenant_id = $1 AND user_id = $2 AND last_seen_at > $3 AND expires_at > $4 ORDER BY last_seen_at DESC;

-- name: PurgeSessions
-- global
DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2;

-- name: CreateToken
INSERT INTO api_tokens (tenant_id, id, name, prefix, token_hash, scope, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: TokenByHash
-- global
SELECT tenant_id, id, name, scope, last_used_at, revoked_at FROM api_tokens WHERE token_hash = $1;

-- name: TouchToken
UPDATE api_tokens SET last_used_at = $3 WHERE tenant_id = $1 AND id = $2;

-- name: ListTokens
SELECT id, name, prefix, scope, created_by, created_at, last_used_at, revoked_at FROM api_tokens
WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3;

-- name: GetToken
SELECT id, name, prefix, scope, created_by, created_at, last_used_at, revoked_at FROM api_tokens
WHERE tenant_id = $1 AND id = $2;

-- name: RevokeToken
UPDATE api_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL;

-- name: ThrottleGet
-- global
SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1;

-- name: ThrottlePut
-- global
INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, $2, $3, $4)
ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until;

-- name: ThrottleReset
-- global
DELETE FROM login_throttle WHERE key = $1;

-- name: ThrottlePurge
-- global
DELETE FROM login_throttle WHERE window_start < $1 AND locked_until < $1;
