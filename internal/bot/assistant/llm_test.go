package assistant_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// TestLLMPhrasing: with the optional LLM on, an answer is phrased by the
// endpoint from the retrieved entries and cites them; when the endpoint
// fails the customer gets the entry's own answer.
func TestLLMPhrasing(t *testing.T) {
	e := storetest.Engines(t)[0]
	w := newWorld(t, e)
	var fail atomic.Bool
	var sawEntry atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-local" {
			http.Error(rw, `{"error":{"message":"bad request","type":"invalid_request_error"}}`, 401)
			return
		}
		var req struct {
			Model    string `json:"model"`
			Messages []struct {
				Role, Content string
			} `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model != "local-model" || len(req.Messages) < 2 {
			http.Error(rw, `{"error":{"message":"bad body","type":"invalid_request_error"}}`, 400)
			return
		}
		if strings.Contains(req.Messages[0].Content+req.Messages[1].Content, "99 元") {
			sawEntry.Store(true)
		}
		if fail.Load() {
			http.Error(rw, `{"error":{"message":"overloaded","type":"server_error"}}`, 503)
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		_, _ = rw.Write([]byte(`{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"local-model",` +
			`"choices":[{"index":0,"message":{"role":"assistant","content":"亲，国内订单满 99 元就包邮哦 [1]"},"finish_reason":"stop"}],` +
			`"usage":{"prompt_tokens":50,"completion_tokens":12,"total_tokens":62}}`))
	}))
	t.Cleanup(srv.Close)

	st, err := w.bot.Settings(ctx, w.tenantID)
	must(t, err)
	st.LLM.Enabled, st.LLM.BaseURL, st.LLM.Model, st.LLM.APIKey = true, srv.URL+"/v1", "local-model", "sk-local"
	_, err = w.bot.PutSettings(ctx, w.tenantID, st)
	must(t, err)
	_, err = w.bot.Rebuild(ctx, w.tenantID)
	must(t, err)

	v := w.visitor(t, "Lin")
	r := v.say(t, "国内运费多少钱")
	m := metaOf(t, r[0])
	if !m.LLM || r[0].Body != "亲，国内订单满 99 元就包邮哦" || len(m.Cites) == 0 || m.Cites[0] != w.entryID(t, "ship-dom-zh") || !sawEntry.Load() {
		t.Fatalf("phrased answer: %q %+v (endpoint saw the entry: %v)", r[0].Body, m, sawEntry.Load())
	}

	fail.Store(true)
	v = w.visitor(t, "Liu")
	r = v.say(t, "国内运费多少钱")
	m = metaOf(t, r[0])
	if m.LLM || !strings.Contains(r[0].Body, "99 元") || m.EntryID != w.entryID(t, "ship-dom-zh") {
		t.Fatalf("fallback answer: %q %+v", r[0].Body, m)
	}
}
