package store

import (
	"encoding/base64"
	"errors"
)

// Page limits, shared by every list in the API.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Page asks for one page of a list ordered by id: up to Limit rows after the
// row whose id is After (empty for the first page).
type Page struct {
	After string
	Limit int
}

// ErrBadCursor is returned for a cursor this server did not make.
var ErrBadCursor = errors.New("store: malformed cursor")

// Normalized returns the page with its limit clamped to 1…MaxPageSize.
func (p Page) Normalized() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultPageSize
	}
	if p.Limit > MaxPageSize {
		p.Limit = MaxPageSize
	}
	return p
}

// EncodeCursor makes the opaque cursor that points after the row with this id.
func EncodeCursor(lastID string) string {
	if lastID == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(lastID))
}

// DecodeCursor reverses EncodeCursor.
func DecodeCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) == 0 || len(b) > 64 {
		return "", ErrBadCursor
	}
	return string(b), nil
}

// NextCursor trims a list fetched with Limit+1 rows to Limit and returns the
// cursor of the next page ("" when this is the last page).
func NextCursor[T any](items []T, limit int, idOf func(T) string) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, EncodeCursor(idOf(items[limit-1]))
}
