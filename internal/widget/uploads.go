package widget

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-cs/switchboard/internal/attachment"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

// Visitors may upload a burst of uploadBurst files, then one every uploadEvery.
const (
	uploadBurst = 20
	uploadEvery = 3 * time.Second
)

// upload is POST /widget/uploads?channel=KEY: a visitor's file, to be named
// by id in a message frame.
func (w *Widget) upload(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Cache-Control", "no-store")
	a, err := w.acceptUpload(rw, r)
	if err != nil {
		w.writeError(rw, r, err)
		return
	}
	writeJSON(rw, http.StatusCreated, a)
}

func (w *Widget) acceptUpload(rw http.ResponseWriter, r *http.Request) (conversation.Attachment, error) {
	var none conversation.Attachment
	ctx := r.Context()
	ch, err := w.o.Channels.ByKey(ctx, r.URL.Query().Get("channel"))
	if err != nil {
		return none, err
	}
	// As for the WebSocket: the widget frame (this server) or an allowed site.
	if o := r.Header.Get("Origin"); o != "" && !sameHost(o, r.Host) && !ch.OriginAllowed(o) {
		return none, apperr.New(apperr.Forbidden, "origin_not_allowed", "")
	}
	v, err := w.visitor(ctx, &ch, r.Header.Get("Authorization"))
	if err != nil {
		return none, err
	}
	if !w.uploads.allow(ch.ID+"/"+v.ContactID, time.Now()) {
		return none, apperr.New(apperr.TooMany, "rate_limited", "")
	}
	if r.ContentLength > attachment.MaxSize+64<<10 {
		return none, apperr.New(apperr.TooLarge, "file_too_large", "file", "max", attachment.MaxSize>>20)
	}
	r.Body = http.MaxBytesReader(rw, r.Body, attachment.MaxSize+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return none, apperr.New(apperr.BadRequest, "multipart_expected", "file")
	}
	tooLarge := func(err error) bool {
		var mbe *http.MaxBytesError
		return errors.As(err, &mbe)
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			if tooLarge(err) {
				return none, apperr.New(apperr.TooLarge, "file_too_large", "file", "max", attachment.MaxSize>>20)
			}
			return none, apperr.Invalidf("file", "required")
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		a, err := w.o.Attachments.Upload(ctx, ch.TenantID, "contact:"+v.ContactID, "", part.FileName(), part.Header.Get("Content-Type"), part)
		part.Close()
		if tooLarge(err) {
			return none, apperr.New(apperr.TooLarge, "file_too_large", "file", "max", attachment.MaxSize>>20)
		}
		return a, err
	}
}

// visitor checks "Authorization: Visitor <token>" for the channel.
func (w *Widget) visitor(ctx context.Context, ch *channel.Channel, header string) (channel.Visitor, error) {
	scheme, token, _ := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Visitor") || token == "" {
		return channel.Visitor{}, apperr.New(apperr.Unauthorized, "visitor_token_required", "")
	}
	v, err := w.o.Channels.ParseVisitorToken(ctx, ch, token)
	if errors.Is(err, channel.ErrBadVisitorToken) {
		return v, apperr.New(apperr.Unauthorized, "visitor_token_invalid", "")
	}
	return v, err
}

// file is GET /files/{id}/{key}/{name}: an attachment behind its
// unguessable link. Images show inline, everything else downloads; nothing
// served here can run a script.
func (w *Widget) file(rw http.ResponseWriter, r *http.Request) {
	id, key := r.PathValue("id"), r.PathValue("key")
	if len(id) > 64 || len(key) > 128 {
		w.writeError(rw, r, apperr.NotFoundf("file"))
		return
	}
	f, err := w.o.Attachments.Open(r.Context(), id, key)
	if err != nil {
		w.writeError(rw, r, err)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", f.ContentType)
	disposition := "attachment"
	if f.Kind == "image" {
		disposition = "inline"
	}
	h.Set("Content-Disposition", disposition+"; filename*=UTF-8''"+encodeRFC5987(f.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(rw, r, "", f.CreatedAt, bytes.NewReader(f.Content))
}

// encodeRFC5987 percent-encodes a file name for filename*= (RFC 8187).
func encodeRFC5987(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// sameHost reports whether an Origin header names this server.
func sameHost(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && u.Host == host
}

// errorBody is the API's one error shape.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
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

// writeError writes err in the API's error shape, in the caller's language.
func (w *Widget) writeError(rw http.ResponseWriter, r *http.Request, err error) {
	e, ok := apperr.As(err)
	if !ok {
		if errors.Is(err, context.Canceled) {
			return
		}
		w.o.Log.ErrorContext(r.Context(), "widget request failed", "err", err)
		e = apperr.New(apperr.Internal, "internal", "")
	}
	lang := w.o.Catalog.FromRequest(r)
	msg := w.o.Catalog.Error(lang, e)
	if e.Kind == apperr.Internal && e.Err != nil {
		w.o.Log.ErrorContext(r.Context(), "internal error", "err", e.Err)
	}
	if e.Kind == apperr.TooMany {
		rw.Header().Set("Retry-After", fmt.Sprint(int(uploadEvery.Seconds())))
	}
	writeJSON(rw, statusOf[e.Kind], errorBody{Error: errorDetail{Code: e.Code, Message: msg, Field: e.Field}})
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(v)
}

// limiter is a token bucket per key, kept in memory (one node's view: a
// bound on abuse, not an exact quota).
type limiter struct {
	mu      sync.Mutex
	burst   float64
	every   time.Duration
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(burst int, every time.Duration) *limiter {
	return &limiter{burst: float64(burst), every: every, buckets: map[string]*bucket{}}
}

func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		// Full buckets carry no information: forget them.
		for k, b := range l.buckets {
			if b.tokens+now.Sub(b.last).Seconds()/l.every.Seconds() >= l.burst {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens += now.Sub(b.last).Seconds() / l.every.Seconds()
	if b.tokens > l.burst {
		b.tokens = l.burst
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
