// Package apperr is the error type every service returns for a failure the
// user must see: a kind (which becomes the HTTP status), a stable code, the
// field at fault, a catalogue key for the message, and the wrapped cause for
// the log.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error; each kind has one HTTP status.
type Kind int

// The kinds of user-visible errors.
const (
	Internal     Kind = iota // 500
	BadRequest               // 400: the request cannot be read
	Unauthorized             // 401: no valid credentials
	Forbidden                // 403: credentials lack the permission
	NotFound                 // 404: no such thing, or not yours
	Conflict                 // 409: duplicates an existing value
	TooLarge                 // 413: body or item over its limit
	Invalid                  // 422: readable but wrong
	TooMany                  // 429: throttled
)

// Error is a user-visible failure.
type Error struct {
	Kind  Kind
	Code  string // stable, machine-readable, e.g. "invalid_email"
	Field string // the input field at fault, if any
	Key   string // catalogue key of the message
	Args  []any  // name/value pairs for the message placeholders
	Err   error  // cause, for the log only
}

func (e *Error) Error() string {
	s := e.Code
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// WithCause sets the cause kept for the log and returns e.
func (e *Error) WithCause(err error) *Error {
	e.Err = err
	return e
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == k
}

// New builds an error. The message key is "err." + code.
func New(k Kind, code, field string, args ...any) *Error {
	return &Error{Kind: k, Code: code, Field: field, Key: "err." + code, Args: args}
}

// Invalidf is a 422 on a field with code and message args.
func Invalidf(field, code string, args ...any) *Error { return New(Invalid, code, field, args...) }

// NotFoundf reports that a thing does not exist (or is another tenant's).
func NotFoundf(what string) *Error {
	return &Error{Kind: NotFound, Code: "not_found", Key: "err.not_found", Args: []any{"what", what}}
}

// Conflictf reports a duplicate value of field.
func Conflictf(field string, cause error) *Error {
	return &Error{Kind: Conflict, Code: "duplicate", Field: field, Key: "err.duplicate", Args: []any{"field", field}, Err: cause}
}

// Wrap adds context to a cause without making it user-visible.
func Wrap(err error, format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, err)...)
}
