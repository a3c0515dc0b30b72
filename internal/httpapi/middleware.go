package httpapi

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/id"
)

// Observer records finished requests (the metrics).
type Observer interface {
	Observe(route, method string, status int, d time.Duration)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Hijack hands the connection to a WebSocket; the log records 101.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("httpapi: the connection cannot be taken over")
	}
	c, rw, err := hj.Hijack()
	if err == nil && w.status == 0 {
		w.status = http.StatusSwitchingProtocols
	}
	return c, rw, err
}

// Unwrap lets http.ResponseController reach the connection (WebSockets, flush).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// reqInfo travels with a request so that the log line written after the
// handler knows what the handler learnt (the caller's tenant).
type reqInfo struct {
	id     string
	tenant string
}

func info(ctx context.Context) *reqInfo {
	ri, _ := ctx.Value(requestIDKey).(*reqInfo)
	return ri
}

func requestID(ctx context.Context) string {
	if ri := info(ctx); ri != nil {
		return ri.id
	}
	return ""
}

// RequestID returns the id of the request being served, for logs.
func RequestID(ctx context.Context) string { return requestID(ctx) }

// Middleware wraps the whole server: request ids, security headers, panic
// recovery, a structured log line and metrics for every request.
func (a *API) Middleware(next http.Handler, obs Observer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rid := r.Header.Get("X-Request-Id")
		if !requestIDRE.MatchString(rid) {
			rid = id.New()
		}
		ri := &reqInfo{id: rid}
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, ri))
		h := w.Header()
		h.Set("X-Request-Id", rid)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if a.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.log.ErrorContext(r.Context(), "panic", "panic", v, "request_id", rid)
				if sw.status == 0 {
					a.writeError(sw, r, apperr.New(apperr.Internal, "internal", ""))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			if obs != nil {
				obs.Observe(route, r.Method, sw.status, d)
			}
			level := slog.LevelInfo
			if sw.status >= 500 {
				level = slog.LevelError
			}
			attrs := []slog.Attr{slog.String("request_id", rid), slog.String("method", r.Method), slog.String("route", route),
				slog.Int("status", sw.status), slog.Duration("duration", d)}
			if ri.tenant != "" {
				attrs = append(attrs, slog.String("tenant", ri.tenant))
			}
			a.log.LogAttrs(r.Context(), level, "request", attrs...)
		}()
		next.ServeHTTP(sw, r)
	})
}
