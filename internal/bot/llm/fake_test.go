package llm

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeKey is the API key the fake endpoint accepts.
const fakeKey = "sk-test-7f3a9c1e5b2d4f60"

// seenRequest is a request the fake endpoint accepted, as it arrived.
type seenRequest struct {
	Raw      []byte
	Model    string
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	Temperature float64
	MaxTokens   int
	N           int
}

// reply is what the fake endpoint answers to an accepted request.
type reply struct {
	status int
	header map[string]string
	body   string
}

// fakeEndpoint is a local chat-completions server that checks every request
// against the published schema the way a real one does: POST to
// /v1/chat/completions, JSON body with model, messages (system/user roles,
// string contents), temperature, max_tokens and n, and the bearer key.
type fakeEndpoint struct {
	t      *testing.T
	srv    *httptest.Server
	answer func(r *http.Request, req seenRequest) reply

	mu   sync.Mutex
	seen []seenRequest
	hits int
}

func newFake(t *testing.T, answer func(r *http.Request, req seenRequest) reply) *fakeEndpoint {
	t.Helper()
	f := &fakeEndpoint{t: t, answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// baseURL is the configured base URL of the fake endpoint.
func (f *fakeEndpoint) baseURL() string { return f.srv.URL + "/v1" }

func (f *fakeEndpoint) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.seen...)
}

func (f *fakeEndpoint) hitCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits
}

func writeError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	var codeJSON any
	if code != "" {
		codeJSON = code
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "param": nil, "code": codeJSON}})
	w.Write(b)
}

func (f *fakeEndpoint) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits++
	f.mu.Unlock()
	if r.URL.Path != "/v1/chat/completions" {
		writeError(w, http.StatusNotFound, "invalid_request_error", "unknown_url", "Unknown request URL: "+r.Method+" "+r.URL.Path)
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "invalid_request_error", "", "Method not allowed")
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+fakeKey {
		// Like real endpoints, echo the key that was refused.
		writeError(w, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key",
			"Incorrect API key provided: "+strings.TrimPrefix(got, "Bearer ")+". Check the key and try again.")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("Content-Type = %q, want application/json", ct)
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "Content-Type must be application/json")
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		f.t.Errorf("reading the request: %v", err)
		return
	}
	// Decode strictly: the client must send exactly the published fields.
	var in struct {
		Model    *string `json:"model"`
		Messages []struct {
			Role    *string `json:"role"`
			Content *string `json:"content"`
		} `json:"messages"`
		Temperature *float64 `json:"temperature"`
		MaxTokens   *int     `json:"max_tokens"`
		N           *int     `json:"n"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		f.t.Errorf("request body is not the chat-completions schema: %v", err)
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "We could not parse the JSON body of your request.")
		return
	}
	var problems []string
	if in.Model == nil || *in.Model == "" {
		problems = append(problems, "model missing")
	}
	if len(in.Messages) == 0 {
		problems = append(problems, "messages missing")
	}
	req := seenRequest{Raw: raw}
	for _, m := range in.Messages {
		if m.Role == nil || (*m.Role != "system" && *m.Role != "user") {
			problems = append(problems, "bad role in message")
			continue
		}
		if m.Content == nil || *m.Content == "" {
			problems = append(problems, "empty content in message")
			continue
		}
		req.Messages = append(req.Messages, struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		}{*m.Role, *m.Content})
	}
	if in.Temperature == nil || *in.Temperature < 0 || *in.Temperature > 2 {
		problems = append(problems, "temperature missing or out of range")
	}
	if in.MaxTokens == nil || *in.MaxTokens < 1 {
		problems = append(problems, "max_tokens missing")
	}
	if in.N == nil || *in.N != 1 {
		problems = append(problems, "n must be 1")
	}
	if len(problems) > 0 {
		f.t.Errorf("invalid request: %s", strings.Join(problems, "; "))
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", strings.Join(problems, "; "))
		return
	}
	req.Model, req.Temperature, req.MaxTokens, req.N = *in.Model, *in.Temperature, *in.MaxTokens, *in.N
	f.mu.Lock()
	f.seen = append(f.seen, req)
	f.mu.Unlock()

	rep := f.answer(r, req)
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	if rep.status == 0 {
		rep.status = http.StatusOK
	}
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

// completionBody is a realistic chat.completion object with one choice.
func completionBody(model, content, finish string) string {
	b, err := json.Marshal(map[string]any{
		"id":      "chatcmpl-9a8b7c6d5e4f",
		"object":  "chat.completion",
		"created": 1767225600,
		"model":   model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": content},
			"logprobs":      nil,
			"finish_reason": finish,
		}},
		"usage": map[string]any{
			"prompt_tokens": 412, "completion_tokens": 58, "total_tokens": 470,
		},
		"system_fingerprint": "fp_local",
	})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// says answers every request with content from the model.
func says(content string) func(*http.Request, seenRequest) reply {
	return func(_ *http.Request, req seenRequest) reply {
		return reply{body: completionBody(req.Model+"-2026-01", content, "stop")}
	}
}
