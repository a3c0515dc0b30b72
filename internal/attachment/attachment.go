// Package attachment stores the files customers and agents send: it checks
// that a file really is of the type it claims (and of a type we accept),
// keeps it in the database so every node can serve it, and hands out
// unguessable links to it.
package attachment

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

//go:embed *.sql
var sqlFS embed.FS

var q = store.MustLoadQueries(sqlFS)

// Queries exposes this package's statements to the store scoping tests.
func Queries() *store.Queries { return q }

// MaxSize is the largest file accepted.
const MaxSize = 10 << 20

// allowed maps a declared content type to the type its content must sniff
// as, and whether it is shown inline as an image. SVG and HTML are never
// accepted: a browser would run their scripts.
var allowed = map[string]struct {
	sniff string
	image bool
}{
	"image/png":       {"image/png", true},
	"image/jpeg":      {"image/jpeg", true},
	"image/gif":       {"image/gif", true},
	"image/webp":      {"image/webp", true},
	"application/pdf": {"application/pdf", false},
	"text/plain":      {"text/plain", false},
	"text/csv":        {"text/plain", false},
	"application/zip": {"application/zip", false},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   {"application/zip", false},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         {"application/zip", false},
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": {"application/zip", false},
}

// byExtension fills in the type when a browser sends none (or a generic one).
var byExtension = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
	".pdf": "application/pdf", ".txt": "text/plain", ".log": "text/plain", ".csv": "text/csv", ".zip": "application/zip",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

// Service stores attachments.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the attachment service.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// CleanName makes a file name safe to show and to send back in a header:
// no directories, no control characters, at most 200 characters.
func CleanName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	name = strings.ToValidUTF8(name, "")
	if r := []rune(name); len(r) > 200 {
		ext := path.Ext(name)
		if len([]rune(ext)) > 20 {
			ext = ""
		}
		name = string(r[:200-len([]rune(ext))]) + ext
	}
	if name == "" || name == "." {
		name = "file"
	}
	return name
}

// Upload stores a file from uploader ("contact:ID" or "user:ID"). The
// declared type is checked against the content.
func (s *Service) Upload(ctx context.Context, tenantID, uploader, conversationID, name, declared string, r io.Reader) (conversation.Attachment, error) {
	name = CleanName(name)
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return conversation.Attachment{}, apperr.New(apperr.BadRequest, "upload_failed", "file").WithCause(err)
	}
	if len(data) == 0 {
		return conversation.Attachment{}, apperr.Invalidf("file", "empty_file")
	}
	if len(data) > MaxSize {
		return conversation.Attachment{}, apperr.New(apperr.TooLarge, "file_too_large", "file", "max", MaxSize>>20)
	}
	ct := canonicalType(declared, name)
	rule, ok := allowed[ct]
	if !ok {
		return conversation.Attachment{}, apperr.Invalidf("file", "file_type_not_allowed")
	}
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(data))
	if sniffed != rule.sniff {
		return conversation.Attachment{}, apperr.Invalidf("file", "file_content_mismatch")
	}
	if rule.sniff == "text/plain" && bytes.IndexByte(data, 0) >= 0 {
		return conversation.Attachment{}, apperr.Invalidf("file", "file_content_mismatch")
	}
	kind := "file"
	if rule.image {
		kind = "image"
	}
	a := conversation.Attachment{ID: id.New(), Name: name, ContentType: ct, Size: int64(len(data)), Kind: kind}
	key := id.Secret(18)
	var conv any
	if conversationID != "" {
		conv = conversationID
	}
	_, err = s.db.Tenant(tenantID).Exec(ctx, q.Get("InsertAttachment"), a.ID, conv, uploader, key, kind, a.Name, a.ContentType,
		a.Size, data, store.Millis(s.now()))
	if err != nil {
		return conversation.Attachment{}, err
	}
	a.URL = URL(a.ID, key, a.Name)
	return a, nil
}

func canonicalType(declared, name string) string {
	ct, _, err := mime.ParseMediaType(declared)
	if err != nil || ct == "" || ct == "application/octet-stream" {
		ct = byExtension[strings.ToLower(path.Ext(name))]
	}
	return strings.ToLower(ct)
}

// URL is where an attachment is served; the key makes it unguessable.
func URL(attachmentID, key, name string) string {
	return "/files/" + attachmentID + "/" + key + "/" + pathEscape(name)
}

func pathEscape(s string) string { return url.PathEscape(s) }

// Resolve returns the attachments named by ids, which must all have been
// uploaded by uploader in this tenant.
func (s *Service) Resolve(ctx context.Context, tenantID, uploader string, ids []string) ([]conversation.Attachment, error) {
	if len(ids) > conversation.MaxAttachments {
		return nil, apperr.Invalidf("attachments", "too_many", "max", conversation.MaxAttachments)
	}
	out := make([]conversation.Attachment, 0, len(ids))
	for _, aid := range ids {
		var a conversation.Attachment
		var who, key string
		err := s.db.Tenant(tenantID).QueryRow(ctx, q.Get("AttachmentMeta"), aid).Scan(&a.ID, &who, &key, &a.Kind, &a.Name, &a.ContentType, &a.Size)
		if errors.Is(err, store.ErrNotFound) || (err == nil && who != uploader) {
			return nil, apperr.Invalidf("attachments", "unknown_reference")
		}
		if err != nil {
			return nil, err
		}
		a.URL = URL(a.ID, key, a.Name)
		out = append(out, a)
	}
	return out, nil
}

// File is a stored attachment with its content.
type File struct {
	Name        string
	ContentType string
	Kind        string
	Content     []byte
	CreatedAt   time.Time
}

// Open returns the file behind an attachment link.
func (s *Service) Open(ctx context.Context, attachmentID, key string) (File, error) {
	var f File
	var tenantID string
	var size, created int64
	err := s.db.Global().QueryRow(ctx, q.Get("AttachmentByKey"), attachmentID, key).Scan(&tenantID, &f.Kind, &f.Name, &f.ContentType, &size, &f.Content, &created)
	if errors.Is(err, store.ErrNotFound) {
		return f, apperr.NotFoundf("file")
	}
	f.CreatedAt = store.Time(created)
	return f, err
}
