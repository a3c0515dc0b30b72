// Package client is a Go client for the Switchboard REST API v1.
//
// A program authenticates with an API token:
//
//	c := client.New("https://support.example.com", client.WithToken(secret))
//	contact, err := c.CreateContact(ctx, client.ContactInput{Emails: []string{"customer@example.com"}})
//
// or signs in as a person with Login, after which the session cookie is kept
// in the HTTP client's cookie jar and every write carries the session's CSRF
// token in the X-CSRF-Token header by itself.
//
// Every failure the server reports is an *Error with the HTTP status, a
// stable code, a message for people and the input field at fault.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CSRFHeader carries the session's CSRF token on writes made with a session
// cookie.
const CSRFHeader = "X-CSRF-Token"

// Prefix is the path every route of the API v1 starts with.
const Prefix = "/api/v1"

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// Client calls one Switchboard server. It is safe for concurrent use.
type Client struct {
	base  string
	hc    *http.Client
	token string
	lang  string
	ua    string

	mu      sync.Mutex
	csrf    string
	session *http.Cookie // the session cookie, kept here when hc has no jar
}

// Option configures a Client.
type Option func(*Client)

// WithToken authenticates every request with an API token
// (Authorization: Bearer).
func WithToken(token string) Option { return func(c *Client) { c.token = token } }

// WithHTTPClient sends the requests with hc. Give it a cookie jar to sign in
// with Login; without one the client keeps the session cookie itself.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithAcceptLanguage asks for error messages in a language, for example
// "zh-CN" for 简体中文 or "en".
func WithAcceptLanguage(lang string) Option { return func(c *Client) { c.lang = lang } }

// WithUserAgent sets the User-Agent header, which the server shows in the
// list of a user's sessions.
func WithUserAgent(ua string) Option { return func(c *Client) { c.ua = ua } }

// New returns a client of the server at baseURL (scheme, host and any path
// prefix the server is mounted at, such as "http://127.0.0.1:8080"). Without
// WithHTTPClient it uses its own HTTP client with a cookie jar and a
// 30-second timeout.
func New(baseURL string, opts ...Option) *Client {
	c := &Client{base: strings.TrimRight(baseURL, "/"), ua: "switchboard-go-client"}
	for _, o := range opts {
		o(c)
	}
	if c.hc == nil {
		jar, _ := cookiejar.New(nil) // never fails without options
		c.hc = &http.Client{Jar: jar, Timeout: 30 * time.Second}
	}
	return c
}

// BaseURL is the server address the client was made with.
func (c *Client) BaseURL() string { return c.base }

// HTTPClient is the HTTP client requests are sent with.
func (c *Client) HTTPClient() *http.Client { return c.hc }

// CSRFToken is the CSRF token of the signed-in session, learnt from Login or
// Me; "" when there is none.
func (c *Client) CSRFToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.csrf
}

// SetCSRFToken replaces the CSRF token sent with writes, for a session
// cookie obtained some other way ("" sends none).
func (c *Client) SetCSRFToken(token string) {
	c.mu.Lock()
	c.csrf = token
	c.mu.Unlock()
}

// Error is a failure reported by the server.
type Error struct {
	Status     int           // HTTP status, such as 403
	Code       string        // stable machine-readable code, such as "csrf"
	Message    string        // for people, in the requested language
	Field      string        // the input field at fault, if any
	RetryAfter time.Duration // from the Retry-After header of a throttled request
	RequestID  string        // the X-Request-Id of the request, for the server's log
}

// Error describes the failure in one line: status, code, field and message.
func (e *Error) Error() string {
	s := fmt.Sprintf("switchboard: %d %s", e.Status, e.Code)
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsCode reports whether err is an *Error with this code.
func IsCode(err error, code string) bool {
	e, ok := AsError(err)
	return ok && e.Code == code
}

// StatusOf returns the HTTP status of an *Error, or 0 for any other error.
func StatusOf(err error) int {
	if e, ok := AsError(err); ok {
		return e.Status
	}
	return 0
}

// Do sends a request to path (relative to the base URL, with any query,
// such as "/api/v1/contacts?limit=10") with in as its JSON body (nil for no
// body), and decodes a successful response into out (nil to discard it). A
// response with a status of 400 or more is returned as an *Error. The
// response is returned too, with its body read and closed, for its status
// and headers.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) (*http.Response, error) {
	var body []byte
	ct := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("switchboard: encode request: %w", err)
		}
		body, ct = b, "application/json"
	}
	return c.DoRaw(ctx, method, path, ct, body, out)
}

// DoRaw is Do with a body sent exactly as given (nil for none), with the
// Content-Type contentType when it is not "".
func (c *Client) DoRaw(ctx context.Context, method, path, contentType string, body []byte, out any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("switchboard: %w", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if c.ua != "" {
		req.Header.Set("User-Agent", c.ua)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	c.mu.Lock()
	csrf, session := c.csrf, c.session
	c.mu.Unlock()
	if c.token == "" && csrf != "" && method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions {
		req.Header.Set(CSRFHeader, csrf)
	}
	if c.hc.Jar == nil && session != nil {
		req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if c.hc.Jar == nil {
		c.keepSession(resp)
	}
	if resp.StatusCode >= 400 {
		return resp, readError(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp, nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return resp, fmt.Errorf("switchboard: decode %s %s response: %w", method, path, err)
	}
	return resp, nil
}

// keepSession remembers the session cookie a response sets, for an HTTP
// client without a cookie jar.
func (c *Client) keepSession(resp *http.Response) {
	for _, ck := range resp.Cookies() {
		if ck.Name != "sb_session" && ck.Name != "__Host-sb_session" {
			continue
		}
		c.mu.Lock()
		if ck.MaxAge < 0 || ck.Value == "" {
			c.session = nil
		} else {
			c.session = ck
		}
		c.mu.Unlock()
	}
}

func readError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &Error{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	if s := resp.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 {
			e.RetryAfter = time.Duration(n) * time.Second
		}
	}
	var eb struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &eb) == nil && eb.Error.Code != "" {
		e.Code, e.Message, e.Field = eb.Error.Code, eb.Error.Message, eb.Error.Field
		return e
	}
	e.Code = "http_" + strconv.Itoa(resp.StatusCode)
	e.Message = strings.TrimSpace(string(b))
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

// path joins the API prefix and path segments, escaping each segment.
func path(segments ...string) string {
	var b strings.Builder
	b.WriteString(Prefix)
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// withQuery appends a query to p when it has any values.
func withQuery(p string, q url.Values) string {
	if len(q) == 0 {
		return p
	}
	return p + "?" + q.Encode()
}

func (o ListOptions) values() url.Values {
	q := url.Values{}
	if o.Cursor != "" {
		q.Set("cursor", o.Cursor)
	}
	if o.Limit != 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	return q
}

// getList fetches one page of a list.
func getList[T any](ctx context.Context, c *Client, p string, q url.Values) ([]T, string, error) {
	var l list[T]
	if _, err := c.Do(ctx, http.MethodGet, withQuery(p, q), nil, &l); err != nil {
		return nil, "", err
	}
	if l.Items == nil {
		l.Items = []T{}
	}
	return l.Items, l.NextCursor, nil
}

// OpenAPI returns the server's OpenAPI 3.1 description of this API.
func (c *Client) OpenAPI(ctx context.Context) (json.RawMessage, error) {
	var doc json.RawMessage
	_, err := c.Do(ctx, http.MethodGet, path("openapi.json"), nil, &doc)
	return doc, err
}

// sessionCookie returns the session cookie the client holds, from its jar
// or from its own keeping.
func (c *Client) sessionCookie() *http.Cookie {
	c.mu.Lock()
	own := c.session
	c.mu.Unlock()
	if own != nil || c.hc.Jar == nil {
		return own
	}
	u, err := url.Parse(c.base)
	if err != nil {
		return nil
	}
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "sb_session" || ck.Name == "__Host-sb_session" {
			return ck
		}
	}
	return nil
}
