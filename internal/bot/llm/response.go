package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxResponseBytes is the most read of one reply; a larger reply is refused
// (a phrased answer of DefaultMaxTokens is a few KiB).
const MaxResponseBytes = 1 << 20

// maxErrorMessage bounds the endpoint's error message kept in an APIError.
const maxErrorMessage = 300

// chatResponse is the part of a chat completion that is used. Fields that
// are not needed (id, created, usage) are not decoded, so that a server
// that spells them differently still works.
type chatResponse struct {
	Model   string          `json:"model"`
	Choices []chatChoice    `json:"choices"`
	Error   json.RawMessage `json:"error"`
}

type chatChoice struct {
	Index        int             `json:"index"`
	Message      chatMessageResp `json:"message"`
	FinishReason string          `json:"finish_reason"`
}

type chatMessageResp struct {
	Role string `json:"role"`
	// Content is a string in the published schema; some compatible servers
	// send an array of parts ({"type":"text","text":…}) or null.
	Content json.RawMessage `json:"content"`
}

type errorBody struct {
	Message string          `json:"message"`
	Type    string          `json:"type"`
	Code    json.RawMessage `json:"code"`
}

// completion is a decoded reply: the first choice's text.
type completion struct {
	Model        string
	Content      string
	FinishReason string
}

// decodeResponse reads a successful (2xx) reply body.
func decodeResponse(raw []byte, status int, key string) (completion, error) {
	var r chatResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return completion{}, fmt.Errorf("%w: not a JSON chat completion", ErrBadResponse)
	}
	if e := decodeErrorObject(r.Error, status, key); e != nil {
		return completion{}, e
	}
	if len(r.Choices) == 0 {
		return completion{}, fmt.Errorf("%w: no choices", ErrBadResponse)
	}
	ch := r.Choices[0]
	content, ok := contentText(ch.Message.Content)
	if !ok {
		return completion{}, fmt.Errorf("%w: choices[0].message.content is not text", ErrBadResponse)
	}
	return completion{Model: r.Model, Content: content, FinishReason: ch.FinishReason}, nil
}

// contentText turns a message content (string, array of text parts or null)
// into text.
func contentText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", false
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type == "text" || p.Type == "" {
			b.WriteString(p.Text)
		}
	}
	return b.String(), true
}

// decodeErrorObject turns an {"error":{…}} member into an *APIError; it
// returns nil when there is none.
func decodeErrorObject(raw json.RawMessage, status int, key string) *APIError {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	e := &APIError{Status: status}
	var body errorBody
	if err := json.Unmarshal(raw, &body); err != nil {
		// Some servers send "error": "text".
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return e
		}
		body.Message = s
	}
	e.Type = clean(body.Type, 64, key)
	e.Code = clean(codeText(body.Code), 64, key)
	e.Message = clean(body.Message, maxErrorMessage, key)
	return e
}

// apiError builds the error of a non-2xx reply from its body, which may or
// may not be a JSON error object.
func apiError(status int, raw []byte, retryAfter string, key string) *APIError {
	var r struct {
		Error json.RawMessage `json:"error"`
	}
	var e *APIError
	if json.Unmarshal(raw, &r) == nil {
		e = decodeErrorObject(r.Error, status, key)
	}
	if e == nil {
		e = &APIError{Status: status}
	}
	if s, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && s >= 0 && s <= 3600 {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	return e
}

// codeText shows error.code, which is a string, a number or null.
func codeText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// clean makes an endpoint-supplied string safe to log: the API key removed
// (servers like to echo the key they refused), control characters dropped,
// at most max runes.
func clean(s string, max int, key string) string {
	s = strings.ToValidUTF8(s, "")
	if key != "" {
		s = strings.ReplaceAll(s, key, "[redacted]")
		// An echoed key is often shortened ("sk-abc…xyz"); drop anything
		// that starts like the key.
		if len(key) >= 8 {
			s = strings.ReplaceAll(s, key[:8], "[redacted]")
		}
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			r = ' '
		}
		if n++; n > max {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// runeLen is utf8.RuneCountInString, named for readability at call sites.
func runeLen(s string) int { return utf8.RuneCountInString(s) }
