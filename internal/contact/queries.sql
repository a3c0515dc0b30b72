-- name: CreateContact
INSERT INTO contacts (tenant_id, id, name, attributes, created_at, updated_at, tags) VALUES ($1, $2, $3, $4, $5, $5, $6);

-- name: GetContact
SELECT id, name, attributes, created_at, updated_at, tags FROM contacts WHERE tenant_id = $1 AND id = $2;

-- name: ListContacts
SELECT id, name, attributes, created_at, updated_at, tags FROM contacts
WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3;

-- name: UpdateContact
UPDATE contacts SET name = $3, attributes = $4, updated_at = $5, tags = $6 WHERE tenant_id = $1 AND id = $2;

-- name: DeleteContact
DELETE FROM contacts WHERE tenant_id = $1 AND id = $2;

-- name: AddIdentity
INSERT INTO contact_identities (tenant_id, contact_id, kind, source, value, position) VALUES ($1, $2, $3, $4, $5, $6);

-- name: DeleteIdentities
DELETE FROM contact_identities WHERE tenant_id = $1 AND contact_id = $2 AND kind = $3;

-- name: Identities
SELECT kind, source, value FROM contact_identities WHERE tenant_id = $1 AND contact_id = $2 ORDER BY kind, position;

-- name: ContactByIdentity
SELECT contact_id FROM contact_identities WHERE tenant_id = $1 AND kind = $2 AND source = $3 AND value = $4;

-- name: CountIdentities
SELECT count(*) FROM contact_identities WHERE tenant_id = $1 AND contact_id = $2 AND kind = $3;

-- name: ContactTags
-- A contact's tags, read to change them (locked on PostgreSQL: two agents
-- tagging one contact at once both keep their tag).
SELECT tags FROM contacts WHERE tenant_id = $1 AND id = $2;

-- name: SetContactTags
UPDATE contacts SET tags = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2;
