package llm

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

var zhSources = []Source{
	{EntryID: "kb-ship-domestic", Question: "国内配送要多久？", Language: "zh",
		Answer: "国内订单 **48 小时内发货**，发货后一般 2–4 天送达。满 ¥99 包邮。"},
	{EntryID: "kb-ship-intl", Question: "可以寄到国外吗？", Language: "zh",
		Answer: "我们寄往 30 多个国家和地区，国际运费按重量计算，一般 7–15 个工作日送达。"},
}

var enSources = []Source{
	{EntryID: "kb-refund-en", Question: "When will I get my refund?", Language: "en",
		Answer: "Refunds go back to the original payment method within **3–5 business days** after we receive the return."},
	{EntryID: "kb-return-en", Question: "How do I return an item?", Language: "en",
		Answer: "You can return unused items within 7 days of delivery from My Orders → Return."},
}

func newClient(t *testing.T, f *fakeEndpoint, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: f.baseURL(), Model: "shop-phraser", APIKey: fakeKey, Timeout: 2 * time.Second,
		MaxTokens: 300, Temperature: 0.2}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg, Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestPhraseWithCitations(t *testing.T) {
	f := newFake(t, says("国内订单 48 小时内发货，一般 2–4 天送达 [1]。寄往国外一般需要 7–15 个工作日 [2][1]。"))
	c := newClient(t, f, nil)

	a, err := c.Phrase(context.Background(), "多久能到货？", "zh", zhSources)
	if err != nil {
		t.Fatalf("Phrase: %v", err)
	}
	want := "国内订单 48 小时内发货，一般 2–4 天送达。寄往国外一般需要 7–15 个工作日。"
	if a.Text != want {
		t.Errorf("Text = %q, want %q (markers removed)", a.Text, want)
	}
	if !slices.Equal(a.Cites, []string{"kb-ship-domestic", "kb-ship-intl"}) {
		t.Errorf("Cites = %v, want both entries once, in citation order", a.Cites)
	}
	if a.Model != "shop-phraser-2026-01" {
		t.Errorf("Model = %q, want the model the endpoint reported", a.Model)
	}
	if a.Elapsed <= 0 || a.Elapsed > 2*time.Second {
		t.Errorf("Elapsed = %v", a.Elapsed)
	}

	text, cites, used := PhraseOrFallback(context.Background(), c, "多久能到货？", "zh", zhSources)
	if !used || text != want || len(cites) != 2 {
		t.Errorf("PhraseOrFallback = %q, %v, %v; want the phrased answer", text, cites, used)
	}
}

// TestRequestCarriesOnlyQuestionAndEntries checks what leaves the server:
// the published fields, the rules, the numbered entries and the question —
// no entry ids.
func TestRequestCarriesOnlyQuestionAndEntries(t *testing.T) {
	f := newFake(t, says("Your refund arrives within 3–5 business days [1]."))
	c := newClient(t, f, nil)
	if _, err := c.Phrase(context.Background(), "  where is my refund??  ", "en", enSources); err != nil {
		t.Fatalf("Phrase: %v", err)
	}
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Model != "shop-phraser" || r.MaxTokens != 300 || r.Temperature != 0.2 || r.N != 1 {
		t.Errorf("model/max_tokens/temperature/n = %q/%d/%g/%d", r.Model, r.MaxTokens, r.Temperature, r.N)
	}
	if len(r.Messages) != 2 || r.Messages[0].Role != "system" || r.Messages[1].Role != "user" {
		t.Fatalf("messages = %+v, want system then user", r.Messages)
	}
	if r.Messages[1].Content != "where is my refund??" {
		t.Errorf("user message = %q, want the question alone", r.Messages[1].Content)
	}
	sys := r.Messages[0].Content
	for _, want := range []string{"[1]", "[2]", enSources[0].Answer, enSources[1].Question, NoAnswer, "English"} {
		if !strings.Contains(sys, want) {
			t.Errorf("system message lacks %q:\n%s", want, sys)
		}
	}
	for _, s := range enSources {
		if strings.Contains(string(r.Raw), s.EntryID) {
			t.Errorf("request body contains entry id %q", s.EntryID)
		}
	}
}

func TestChinesePromptForChineseCustomer(t *testing.T) {
	f := newFake(t, says("退款会在收到退货后 3–5 个工作日内原路退回 [1]。"))
	c := newClient(t, f, nil)
	// Language not given: guessed from the question. English entries are
	// translated by the model.
	a, err := c.Phrase(context.Background(), "退款什么时候到账", "", enSources)
	if err != nil {
		t.Fatalf("Phrase: %v", err)
	}
	if !slices.Equal(a.Cites, []string{"kb-refund-en"}) {
		t.Errorf("Cites = %v", a.Cites)
	}
	sys := f.requests()[0].Messages[0].Content
	if !strings.Contains(sys, "简体中文") || !strings.Contains(sys, "(en)") {
		t.Errorf("system message should ask for 简体中文 and mark the entries' language:\n%s", sys)
	}
}

// TestFallbacks: every way the endpoint can fail leaves the customer with
// the best entry's own answer, and Phrase reports why.
func TestFallbacks(t *testing.T) {
	huge := completionBody("m", strings.Repeat("长", MaxResponseBytes/3)+" [1]", "stop")
	cases := []struct {
		name   string
		answer func(*http.Request, seenRequest) reply
		key    string
		lang   string
		want   error
	}{
		{"no citation", says("国内订单 48 小时内发货。"), "", "zh", ErrUnsupported},
		{"NO_ANSWER", says("NO_ANSWER"), "", "zh", ErrUnsupported},
		{"NO_ANSWER with text", says("抱歉，资料里没有。NO_ANSWER"), "", "zh", ErrUnsupported},
		{"cites a source not given", says("国内订单 48 小时内发货 [3]。"), "", "zh", ErrUnsupported},
		{"cites source zero", says("国内订单 48 小时内发货 [0]。"), "", "zh", ErrUnsupported},
		{"only a citation", says("[1]"), "", "zh", ErrUnsupported},
		{"wrong language", says("Domestic orders ship within 48 hours [1]."), "", "zh", ErrUnsupported},
		{"cut off", func(_ *http.Request, req seenRequest) reply {
			return reply{body: completionBody(req.Model, "国内订单 48 小时内发货 [1]，发货后", "length")}
		}, "", "zh", ErrUnsupported},
		{"500", func(*http.Request, seenRequest) reply {
			return reply{status: 500, body: `{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}`}
		}, "", "zh", ErrUpstream},
		{"502 HTML page", func(*http.Request, seenRequest) reply {
			return reply{status: 502, header: map[string]string{"Content-Type": "text/html"}, body: "<html><body><h1>502 Bad Gateway</h1></body></html>"}
		}, "", "zh", ErrUpstream},
		{"429", func(*http.Request, seenRequest) reply {
			return reply{status: 429, header: map[string]string{"Retry-After": "20"},
				body: `{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}`}
		}, "", "zh", ErrRateLimited},
		{"error object with 200", func(*http.Request, seenRequest) reply {
			return reply{body: `{"error":{"message":"model overloaded","type":"server_error","code":503}}`}
		}, "", "zh", ErrUpstream},
		{"malformed JSON", func(*http.Request, seenRequest) reply {
			return reply{body: `{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"国内 [1]"`}
		}, "", "zh", ErrBadResponse},
		{"not JSON", func(*http.Request, seenRequest) reply {
			return reply{header: map[string]string{"Content-Type": "text/plain"}, body: "国内订单 48 小时内发货 [1]。"}
		}, "", "zh", ErrBadResponse},
		{"empty choices", func(*http.Request, seenRequest) reply {
			return reply{body: `{"id":"chatcmpl-1","object":"chat.completion","created":1767225600,"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":0,"total_tokens":1}}`}
		}, "", "zh", ErrBadResponse},
		{"null content", func(*http.Request, seenRequest) reply {
			return reply{body: `{"id":"chatcmpl-1","object":"chat.completion","created":1767225600,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"stop"}]}`}
		}, "", "zh", ErrUnsupported},
		{"oversized body", func(*http.Request, seenRequest) reply { return reply{body: huge} }, "", "zh", ErrBadResponse},
		{"redirect", func(*http.Request, seenRequest) reply {
			return reply{status: 307, header: map[string]string{"Location": "/elsewhere/chat/completions"}}
		}, "", "zh", ErrUpstream},
		{"wrong key", says("unused [1]"), "sk-wrong-0123456789abcdef", "zh", ErrUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.answer)
			c := newClient(t, f, func(cfg *Config) {
				if tc.key != "" {
					cfg.APIKey = tc.key
				}
			})
			_, err := c.Phrase(context.Background(), "多久能到货？", tc.lang, zhSources)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Phrase error = %v, want %v", err, tc.want)
			}
			if tc.key != "" && strings.Contains(err.Error(), tc.key) {
				t.Errorf("error shows the API key: %v", err)
			}
			if tc.key == "" && strings.Contains(err.Error(), "48 小时") {
				t.Errorf("error quotes the model's reply: %v", err)
			}
			text, cites, used := PhraseOrFallback(context.Background(), c, "多久能到货？", tc.lang, zhSources)
			if used || text != zhSources[0].Answer || !slices.Equal(cites, []string{"kb-ship-domestic"}) {
				t.Errorf("PhraseOrFallback = %q, %v, %v; want the best entry's own answer", text, cites, used)
			}
			if tc.name == "redirect" && f.hitCount() != 2 {
				t.Errorf("%d requests for two calls; the redirect must not be followed", f.hitCount())
			}
		})
	}
}

func TestAPIErrorDetails(t *testing.T) {
	f := newFake(t, func(*http.Request, seenRequest) reply {
		return reply{status: 429, header: map[string]string{"Retry-After": "20"},
			body: `{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}`}
	})
	_, err := newClient(t, f, nil).Phrase(context.Background(), "多久能到货？", "zh", zhSources)
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an *APIError", err)
	}
	if ae.Status != 429 || ae.Code != "rate_limit_exceeded" || ae.Type != "requests" ||
		ae.Message != "Rate limit reached for requests" || ae.RetryAfter != 20*time.Second {
		t.Errorf("APIError = %+v", *ae)
	}
}

func TestWrongKeyIsRedacted(t *testing.T) {
	f := newFake(t, says("unused [1]"))
	key := "sk-wrong-0123456789abcdef"
	_, err := newClient(t, f, func(c *Config) { c.APIKey = key }).Phrase(context.Background(), "hi", "en", enSources)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || ae.Code != "invalid_api_key" {
		t.Fatalf("error = %v, want a 401 invalid_api_key", err)
	}
	if strings.Contains(ae.Message, "0123456789") || !strings.Contains(ae.Message, "[redacted]") {
		t.Errorf("message = %q, want the echoed key redacted", ae.Message)
	}
}

func TestSlowEndpointFallsBackWithinTimeout(t *testing.T) {
	const timeout = 250 * time.Millisecond
	f := newFake(t, func(r *http.Request, req seenRequest) reply {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
		return reply{body: completionBody(req.Model, "国内订单 48 小时内发货 [1]。", "stop")}
	})
	c := newClient(t, f, func(c *Config) { c.Timeout = timeout })

	_, err := c.Phrase(context.Background(), "多久能到货？", "zh", zhSources)
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("Phrase error = %v, want ErrTimeout", err)
	}

	start := time.Now()
	text, _, used := PhraseOrFallback(context.Background(), c, "多久能到货？", "zh", zhSources)
	elapsed := time.Since(start)
	if used || text != zhSources[0].Answer {
		t.Errorf("PhraseOrFallback = %q, %v; want the entry's answer", text, used)
	}
	// It waits for the endpoint up to the timeout, and not noticeably longer
	// (the allowance is for scheduling on a loaded machine).
	if elapsed < timeout-20*time.Millisecond || elapsed > timeout+150*time.Millisecond {
		t.Errorf("fallback after %v, want about %v", elapsed, timeout)
	}

	// A caller's earlier deadline wins.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start = time.Now()
	if _, _, used := PhraseOrFallback(ctx, c, "多久能到货？", "zh", zhSources); used {
		t.Error("used the endpoint after the caller's deadline")
	}
	if e := time.Since(start); e > 50*time.Millisecond+150*time.Millisecond {
		t.Errorf("fallback after %v with a 50 ms caller deadline", e)
	}
}

func TestUnreachableEndpoint(t *testing.T) {
	f := newFake(t, says("x [1]"))
	c := newClient(t, f, nil)
	f.srv.Close()
	_, err := c.Phrase(context.Background(), "多久能到货？", "zh", zhSources)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("error = %v, want ErrUnavailable", err)
	}
}

func TestHTMLIsStripped(t *testing.T) {
	f := newFake(t, says(`<p>满 <b>¥99</b> 包邮 [1]。</p><script>alert("x")</script><img src=x onerror=alert(1)>详情见订单页 &lt;b&gt;[1]&lt;/b&gt;`))
	a, err := newClient(t, f, nil).Phrase(context.Background(), "包邮吗", "zh", zhSources)
	if err != nil {
		t.Fatalf("Phrase: %v", err)
	}
	if want := "满 ¥99 包邮。\n详情见订单页"; a.Text != want {
		t.Errorf("Text = %q, want %q", a.Text, want)
	}
}

func TestContentAsParts(t *testing.T) {
	f := newFake(t, func(*http.Request, seenRequest) reply {
		return reply{body: `{"id":"c1","object":"chat.completion","created":1767225600,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":[{"type":"text","text":"Refunds take 3–5 business days "},{"type":"text","text":"[1]."}]},"finish_reason":"stop"}]}`}
	})
	a, err := newClient(t, f, nil).Phrase(context.Background(), "refund?", "en", enSources)
	if err != nil {
		t.Fatalf("Phrase: %v", err)
	}
	if a.Text != "Refunds take 3–5 business days." {
		t.Errorf("Text = %q", a.Text)
	}
}

func TestInvalidInputSendsNothing(t *testing.T) {
	f := newFake(t, says("x [1]"))
	c := newClient(t, f, nil)
	many := make([]Source, MaxSources+1)
	for i := range many {
		many[i] = Source{EntryID: "e", Answer: "a"}
	}
	cases := []struct {
		name, q, lang string
		src           []Source
	}{
		{"empty question", "   ", "zh", zhSources},
		{"long question", strings.Repeat("问", MaxQuestionRunes+1), "zh", zhSources},
		{"invalid UTF-8", "退款\xff", "zh", zhSources},
		{"no sources", "退款", "zh", nil},
		{"too many sources", "退款", "zh", many},
		{"source without id", "退款", "zh", []Source{{Answer: "a"}}},
		{"source without answer", "退款", "zh", []Source{{EntryID: "e", Answer: " "}}},
		{"unsupported language", "remboursement", "fr", enSources},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.Phrase(context.Background(), tc.q, tc.lang, tc.src); !errors.Is(err, ErrInvalidInput) {
				t.Errorf("error = %v, want ErrInvalidInput", err)
			}
		})
	}
	if n := f.hitCount(); n != 0 {
		t.Errorf("%d requests sent for invalid input", n)
	}
}

func TestFallbackWithoutClient(t *testing.T) {
	text, cites, used := PhraseOrFallback(context.Background(), nil, "退款多久到账", "zh", enSources)
	if used || text != enSources[0].Answer || !slices.Equal(cites, []string{"kb-refund-en"}) {
		t.Errorf("nil client: %q, %v, %v", text, cites, used)
	}
	if text, cites, used := PhraseOrFallback(context.Background(), nil, "退款", "zh", nil); text != "" || cites != nil || used {
		t.Errorf("no sources: %q, %v, %v", text, cites, used)
	}
}

func TestLongSourcesAreShortened(t *testing.T) {
	f := newFake(t, says("Refunds take 3–5 business days [1]."))
	long := []Source{{EntryID: "e1", Question: "q", Answer: strings.Repeat("word ", MaxSourceRunes)}}
	if _, err := newClient(t, f, nil).Phrase(context.Background(), "refund?", "en", long); err != nil {
		t.Fatalf("Phrase: %v", err)
	}
	if n := len(f.requests()[0].Messages[0].Content); n > len(systemEN)+MaxSourceRunes+100 {
		t.Errorf("system message is %d bytes; the source was not shortened", n)
	}
}
