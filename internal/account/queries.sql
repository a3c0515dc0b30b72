-- name: CreateUser
INSERT INTO users (tenant_id, id, email, name, role, locale, password_hash, must_change_password, disabled, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10);

-- name: GetUser
SELECT id, email, name, role, locale, must_change_password, disabled, created_at, updated_at, permissions
FROM users WHERE tenant_id = $1 AND id = $2;

-- name: ListUsers
SELECT id, email, name, role, locale, must_change_password, disabled, created_at, updated_at, permissions
FROM users WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3;

-- name: UpdateUser
UPDATE users SET name = $3, role = $4, locale = $5, disabled = $6, updated_at = $7, permissions = $8
WHERE tenant_id = $1 AND id = $2;

-- name: DeleteUser
DELETE FROM users WHERE tenant_id = $1 AND id = $2;

-- name: CountAdmins
SELECT count(*) FROM users WHERE tenant_id = $1 AND role = 'admin' AND disabled = $2;

-- name: SetPassword
UPDATE users SET password_hash = $3, must_change_password = $4, updated_at = $5
WHERE tenant_id = $1 AND id = $2;

-- name: PasswordHash
SELECT password_hash FROM users WHERE tenant_id = $1 AND id = $2;

-- name: UserByEmail
SELECT id, email, name, role, locale, must_change_password, disabled, created_at, updated_at, permissions
FROM users WHERE tenant_id = $1 AND email = $2;

-- name: LoginCandidates
-- global
SELECT tenant_id, id, password_hash FROM users WHERE email = $1 AND disabled = $2 ORDER BY tenant_id LIMIT 10;

-- name: AnyAdmin
-- global
SELECT count(*) FROM users WHERE role = 'admin';

-- name: CreateTeam
INSERT INTO teams (tenant_id, id, name, description, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $5);

-- name: GetTeam
SELECT id, name, description, created_at, updated_at FROM teams WHERE tenant_id = $1 AND id = $2;

-- name: ListTeams
SELECT id, name, description, created_at, updated_at FROM teams
WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3;

-- name: UpdateTeam
UPDATE teams SET name = $3, description = $4, updated_at = $5 WHERE tenant_id = $1 AND id = $2;

-- name: DeleteTeam
DELETE FROM teams WHERE tenant_id = $1 AND id = $2;

-- name: AddMember
INSERT INTO team_members (tenant_id, team_id, user_id, created_at) VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING;

-- name: RemoveMember
DELETE FROM team_members WHERE tenant_id = $1 AND team_id = $2 AND user_id = $3;

-- name: TeamMembers
SELECT u.id, u.email, u.name, u.role, u.locale, u.must_change_password, u.disabled, u.created_at, u.updated_at, u.permissions
FROM team_members m JOIN users u ON u.tenant_id = $1 AND u.id = m.user_id
WHERE m.tenant_id = $1 AND m.team_id = $2 ORDER BY u.name, u.id;

-- name: UserTeams
SELECT team_id FROM team_members WHERE tenant_id = $1 AND user_id = $2 ORDER BY team_id;
