package client_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
)

// seen is one request as the stub server received it.
type seen struct {
	method, path, rawPath, query string
	header                       http.Header
	body                         string
	cookie                       string
}

// stub is a stand-in server: it records requests and answers from a table
// keyed by "METHOD /path".
type stub struct {
	mu   sync.Mutex
	reqs []seen
	srv  *httptest.Server
}

func newStub(t *testing.T, answers map[string]func(w http.ResponseWriter)) *stub {
	s := &stub{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ck := ""
		if c, err := r.Cookie("sb_session"); err == nil {
			ck = c.Value
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, seen{r.Method, r.URL.Path, r.URL.RawPath, r.URL.RawQuery, r.Header.Clone(), string(b), ck})
		s.mu.Unlock()
		if a, found := answers[r.Method+" "+r.URL.Path]; found {
			a(w)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *stub) last(t *testing.T) seen {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		t.Fatal("no request was sent")
	}
	return s.reqs[len(s.reqs)-1]
}

func jsonAnswer(status int, v string, headers ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Add(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, v)
	}
}

var loginAnswer = jsonAnswer(200, `{"user":{"id":"u1","email":"a@example.com","role":"admin"},"tenant":{"id":"t1","slug":"default"},"csrf_token":"csrf-1","must_change_password":false}`,
	"Set-Cookie", "sb_session=secret-session; Path=/; HttpOnly; SameSite=Lax")

func TestSessionWritesCarryTheCSRFToken(t *testing.T) {
	s := newStub(t, map[string]func(http.ResponseWriter){
		"POST /api/v1/auth/login": loginAnswer,
		"GET /api/v1/me":          jsonAnswer(200, `{"user":{"id":"u1"},"tenant":{"id":"t1"},"csrf_token":"csrf-2"}`),
		"POST /api/v1/contacts":   jsonAnswer(201, `{"id":"c1","name":"Sample"}`),
		"GET /api/v1/contacts":    jsonAnswer(200, `{"items":[],"next_cursor":""}`),
	})
	for _, tc := range []struct {
		name string
		c    *client.Client
	}{
		{"default HTTP client with a cookie jar", client.New(s.srv.URL)},
		{"HTTP client without a cookie jar", client.New(s.srv.URL, client.WithHTTPClient(&http.Client{}))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			c := tc.c
			me, err := c.Login(ctx, client.LoginRequest{Email: "a@example.com", Password: "pw"})
			if err != nil || me.User == nil || me.User.ID != "u1" || c.CSRFToken() != "csrf-1" {
				t.Fatalf("login: %+v, %v, csrf %q", me, err, c.CSRFToken())
			}
			if got := s.last(t).header.Get(client.CSRFHeader); got != "" {
				t.Errorf("login sent a CSRF token %q before having one", got)
			}
			if _, err := c.CreateContact(ctx, client.ContactInput{Name: ptr("Sample")}); err != nil {
				t.Fatal(err)
			}
			r := s.last(t)
			if r.header.Get(client.CSRFHeader) != "csrf-1" || r.cookie != "secret-session" {
				t.Errorf("a write after login sent CSRF %q and cookie %q", r.header.Get(client.CSRFHeader), r.cookie)
			}
			if _, _, err := c.ListContacts(ctx, client.ListOptions{}); err != nil {
				t.Fatal(err)
			}
			if r := s.last(t); r.header.Get(client.CSRFHeader) != "" || r.cookie != "secret-session" {
				t.Errorf("a read sent CSRF %q, cookie %q", r.header.Get(client.CSRFHeader), r.cookie)
			}
			if _, err := c.Me(ctx); err != nil || c.CSRFToken() != "csrf-2" {
				t.Fatalf("me should refresh the CSRF token: %v, %q", err, c.CSRFToken())
			}
			for _, write := range []func() error{
				func() error { return c.DeleteContact(ctx, "c1") },
				func() error { return c.ChangePassword(ctx, "old", "new") },
				func() error { _, err := c.UpdateContact(ctx, "c1", client.ContactInput{}); return err },
			} {
				if err := write(); err != nil {
					t.Fatal(err)
				}
				if r := s.last(t); r.header.Get(client.CSRFHeader) != "csrf-2" {
					t.Errorf("%s %s sent CSRF %q", r.method, r.path, r.header.Get(client.CSRFHeader))
				}
			}
			if err := c.Logout(ctx); err != nil {
				t.Fatal(err)
			}
			if c.CSRFToken() != "" {
				t.Errorf("the CSRF token outlived the session")
			}
		})
	}
}

func TestTokenRequests(t *testing.T) {
	s := newStub(t, map[string]func(http.ResponseWriter){
		"GET /api/v1/users":                       jsonAnswer(200, `{"items":[{"id":"u1"},{"id":"u2"}],"next_cursor":"abc"}`),
		"POST /api/v1/conversations/c 1/messages": jsonAnswer(200, `{"id":"m1","seq":4}`),
	})
	c := client.New(s.srv.URL+"/", client.WithToken("sbt_secret"), client.WithAcceptLanguage("zh-CN"), client.WithUserAgent("shop/1.0"))
	c.SetCSRFToken("should-not-be-sent")
	users, next, err := c.ListUsers(t.Context(), client.ListOptions{Cursor: "xyz", Limit: 2})
	if err != nil || len(users) != 2 || users[1].ID != "u2" || next != "abc" {
		t.Fatalf("list: %+v %q %v", users, next, err)
	}
	r := s.last(t)
	if r.query != "cursor=xyz&limit=2" {
		t.Errorf("query %q", r.query)
	}
	if r.header.Get("Authorization") != "Bearer sbt_secret" || r.header.Get("Accept-Language") != "zh-CN" || r.header.Get("User-Agent") != "shop/1.0" {
		t.Errorf("headers %v", r.header)
	}
	m, created, err := c.PostMessage(t.Context(), "c 1", client.MessageCreate{Body: "hi", ClientID: "k1"})
	if err != nil || created || m.Seq != 4 {
		t.Fatalf("a 200 answer is an existing message: %+v created=%v err=%v", m, created, err)
	}
	r = s.last(t)
	if r.path != "/api/v1/conversations/c 1/messages" {
		t.Errorf("id not escaped: %q", r.path)
	}
	if r.header.Get(client.CSRFHeader) != "" {
		t.Error("a token request sent a CSRF token")
	}
	if r.header.Get("Content-Type") != "application/json" {
		t.Errorf("content type %q", r.header.Get("Content-Type"))
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(r.body), &body); err != nil || body["body"] != "hi" || body["client_id"] != "k1" || len(body) != 2 {
		t.Errorf("body %s", r.body)
	}
	_, _ = c.GetUser(t.Context(), "../tokens")
	if r := s.last(t); r.path != "/api/v1/users/../tokens" || !strings.Contains(r.rawPath, "%2F") {
		t.Errorf("an id with a slash left its path segment: %q %q", r.path, r.rawPath)
	}
}

func TestErrors(t *testing.T) {
	s := newStub(t, map[string]func(http.ResponseWriter){
		"POST /api/v1/auth/login": jsonAnswer(429, `{"error":{"code":"too_many_attempts","message":"Try again in 15 s."}}`, "Retry-After", "15", "X-Request-Id", "req-9"),
		"POST /api/v1/users":      jsonAnswer(422, `{"error":{"code":"invalid_email","message":"email is not valid","field":"email"}}`),
		"GET /api/v1/me": func(w http.ResponseWriter) {
			w.WriteHeader(502)
			_, _ = io.WriteString(w, "bad gateway from a proxy")
		},
	})
	c := client.New(s.srv.URL)
	_, err := c.Login(t.Context(), client.LoginRequest{Email: "a@example.com", Password: "x"})
	var e *client.Error
	if !errors.As(err, &e) || e.Status != 429 || e.Code != "too_many_attempts" || e.RetryAfter != 15*time.Second || e.RequestID != "req-9" {
		t.Fatalf("throttled: %#v", err)
	}
	if !client.IsCode(err, "too_many_attempts") || client.StatusOf(err) != 429 || !strings.Contains(err.Error(), "Try again in 15 s.") {
		t.Errorf("helpers on %v", err)
	}
	_, err = c.CreateUser(t.Context(), client.UserCreate{Email: "nope"})
	if e, _ := client.AsError(err); e == nil || e.Status != 422 || e.Field != "email" || e.Message != "email is not valid" {
		t.Errorf("invalid: %#v", err)
	}
	_, err = c.Me(t.Context())
	if e, _ := client.AsError(err); e == nil || e.Status != 502 || e.Code != "http_502" || e.Message != "bad gateway from a proxy" {
		t.Errorf("non-JSON error: %#v", err)
	}
	if client.StatusOf(errors.New("other")) != 0 {
		t.Error("StatusOf a foreign error")
	}
}

func ptr[T any](v T) *T { return &v }
