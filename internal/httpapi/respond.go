package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
)

// ErrorBody is the one shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a stable code, a message for people in
// the caller's language, and the input field at fault when there is one.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

var statusOf = map[apperr.Kind]int{
	apperr.Internal:     http.StatusInternalServerError,
	apperr.BadRequest:   http.StatusBadRequest,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.Forbidden:    http.StatusForbidden,
	apperr.NotFound:     http.StatusNotFound,
	apperr.Conflict:     http.StatusConflict,
	apperr.TooLarge:     http.StatusRequestEntityTooLarge,
	apperr.Invalid:      http.StatusUnprocessableEntity,
	apperr.TooMany:      http.StatusTooManyRequests,
}

// handlerFunc is the shape of every handler: an error it returns is written
// by one adapter, so that a handler cannot write an error and carry on.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// serve adapts a handlerFunc to net/http.
func (a *API) serve(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	}
}

// writeError writes err in the error shape. Errors that are not user-visible
// become a 500 whose cause goes to the log only.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var retry *auth.RetryError
	if errors.As(err, &retry) {
		w.Header().Set("Retry-After", strconv.Itoa(int(retry.After.Seconds())))
	}
	e, ok := apperr.As(err)
	if !ok {
		if errors.Is(err, context.Canceled) {
			return // the client went away
		}
		a.log.ErrorContext(r.Context(), "request failed", "err", err, "request_id", requestID(r.Context()))
		e = apperr.New(apperr.Internal, "internal", "")
	}
	lang := a.lang(r)
	msg := a.cat.Error(lang, e)
	if e.Kind == apperr.Internal && e.Err != nil {
		a.log.ErrorContext(r.Context(), "internal error", "err", e.Err)
	}
	writeJSON(w, statusOf[e.Kind], ErrorBody{Error: ErrorDetail{Code: e.Code, Message: msg, Field: e.Field}})
}

func (a *API) lang(r *http.Request) i18n.Lang {
	if p := principal(r.Context()); p != nil && r.Header.Get("Accept-Language") == "" {
		if l, ok := i18n.Parse(p.Locale); ok {
			return l
		}
	}
	return a.cat.FromRequest(r)
}

// writeJSON writes v with a status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if status == http.StatusNoContent {
		return
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// List is the shape of every list response.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// decode reads a JSON request body into dst: unknown fields, wrong types,
// trailing data and oversized bodies are errors that name the field.
func (a *API) decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return apperr.New(apperr.BadRequest, "unsupported_media_type", "")
		}
	}
	body := http.MaxBytesReader(w, r.Body, a.maxBody)
	return DecodeJSON(body, dst)
}

// DecodeJSON decodes exactly one JSON value from body into dst with the
// API's strict rules. It is exported for the fuzz target.
func DecodeJSON(body io.Reader, dst any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeError(err)
		}
		return apperr.New(apperr.BadRequest, "malformed_json", "")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return apperr.New(apperr.TooLarge, "body_too_large", "", "max", mbe.Limit)
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.BadRequest, "empty_body", "")
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.BadRequest, "malformed_json", "")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.New(apperr.BadRequest, "malformed_json", "")
		}
		return apperr.New(apperr.Invalid, "wrong_type", field, "type", jsonType(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.New(apperr.BadRequest, "unknown_field", f)
	}
	slog.Debug("undecodable body", "err", err)
	return apperr.New(apperr.BadRequest, "malformed_json", "")
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	}
	return "number"
}
