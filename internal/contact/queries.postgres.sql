-- name: ContactTags
SELECT tags FROM contacts WHERE tenant_id = $1 AND id = $2 FOR UPDATE;
