-- name: InsertAttachment
INSERT INTO attachments (tenant_id, id, conversation_id, uploader, access_key, kind, name, content_type, size, content, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11);

-- name: AttachmentMeta
SELECT id, uploader, access_key, kind, name, content_type, size FROM attachments WHERE tenant_id = $1 AND id = $2;

-- name: AttachmentByKey
-- global
SELECT tenant_id, kind, name, content_type, size, content, created_at FROM attachments WHERE id = $1 AND access_key = $2;
