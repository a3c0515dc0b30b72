// Package id makes the identifiers of stored rows: UUIDv7, which sort by
// creation time, so that nodes never need a central counter and cursor
// pagination can follow the id.
package id

import (
	"crypto/rand"
	"encoding/base64"

	"github.com/google/uuid"
)

// New returns a new time-ordered id.
func New() string {
	return uuid.Must(uuid.NewV7()).String()
}

// Valid reports whether s has the form of an id. Handlers use it to answer
// 404 for a malformed id without asking the database.
func Valid(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

// Secret returns n random bytes encoded as unpadded URL-safe base64, for
// session tokens, API tokens and one-time passwords.
func Secret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
