-- name: CreateTenant
-- global
INSERT INTO tenants (id, slug, name, created_at) VALUES ($1, $2, $3, $4);

-- name: TenantBySlug
-- global
SELECT id, slug, name, created_at FROM tenants WHERE slug = $1;

-- name: TenantByID
-- global
SELECT id, slug, name, created_at FROM tenants WHERE id = $1;

-- name: ListTenants
-- global
SELECT id, slug, name, created_at FROM tenants ORDER BY created_at, id;
