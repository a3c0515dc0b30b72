package llm

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Errors of Phrase, for errors.Is. None of them carries the customer's
// question, the sources or the model's reply, so they may be logged.
var (
	// ErrInvalidInput: the question or the sources are empty, too long or
	// too many; nothing was sent.
	ErrInvalidInput = errors.New("llm: invalid input")
	// ErrTimeout: no complete reply within Config.Timeout.
	ErrTimeout = errors.New("llm: timed out")
	// ErrUnavailable: the endpoint could not be reached.
	ErrUnavailable = errors.New("llm: endpoint unavailable")
	// ErrUnauthorized: the endpoint refused the API key (HTTP 401 or 403).
	ErrUnauthorized = errors.New("llm: API key refused")
	// ErrRateLimited: the endpoint asked to slow down (HTTP 429).
	ErrRateLimited = errors.New("llm: rate limited")
	// ErrUpstream: any other error status or error object from the endpoint.
	ErrUpstream = errors.New("llm: endpoint error")
	// ErrBadResponse: the reply is not a chat completion (not JSON, too
	// large, no choices, no content).
	ErrBadResponse = errors.New("llm: malformed response")
	// ErrUnsupported: the model's answer is not grounded in the sources (no
	// valid citation, a citation of a source that was not given, NO_ANSWER,
	// cut off, wrong language); the caller shows the entry itself.
	ErrUnsupported = errors.New("llm: answer not supported by the sources")
)

// APIError is an error status or error object returned by the endpoint. It
// wraps ErrUnauthorized, ErrRateLimited or ErrUpstream.
type APIError struct {
	Status     int           // HTTP status; 200 when an error object came with a success status
	Type       string        // error.type, if given
	Code       string        // error.code, if given
	Message    string        // error.message, shortened, with the API key removed
	RetryAfter time.Duration // from a Retry-After header in seconds, if given
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("llm: endpoint answered %d %s", e.Status, http.StatusText(e.Status))
	if e.Type != "" {
		s += " type=" + e.Type
	}
	if e.Code != "" {
		s += " code=" + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap returns the sentinel error of the status.
func (e *APIError) Unwrap() error {
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return ErrUnauthorized
	case http.StatusTooManyRequests:
		return ErrRateLimited
	}
	return ErrUpstream
}
