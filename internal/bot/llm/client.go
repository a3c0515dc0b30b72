package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/switchboard-cs/switchboard/internal/bot/text"
)

// Options are the optional collaborators of a Client.
type Options struct {
	// Logger receives one line per fallback (the reason, never the question
	// or the answer). Nil discards.
	Logger *slog.Logger
	// Transport sends the requests; nil uses http.DefaultTransport (and its
	// proxy settings from the environment).
	Transport http.RoundTripper
}

// Client phrases answers through one tenant's endpoint. It is safe for
// concurrent use.
type Client struct {
	cfg      Config
	endpoint string
	http     *http.Client
	log      *slog.Logger
}

// New checks cfg and returns a client for it.
func New(cfg Config, opts Options) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tr := opts.Transport
	if tr == nil {
		tr = http.DefaultTransport
	}
	return &Client{
		cfg:      cfg,
		endpoint: cfg.BaseURL + "/chat/completions",
		log:      log,
		http: &http.Client{
			Transport: tr,
			Timeout:   cfg.Timeout,
			// A redirect would resend the key somewhere else; the endpoint
			// must be configured with its final address.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// Config returns the client's configuration with its defaults filled in.
func (c *Client) Config() Config { return c.cfg }

// Answer is a phrased answer.
type Answer struct {
	Text    string        // plain text, citation markers and HTML removed
	Cites   []string      // entry ids of the sources cited, in order of first citation
	Model   string        // the model that answered, as reported by the endpoint
	Elapsed time.Duration // from sending the request to checking the answer
}

// chatRequest is the published chat-completions request.
type chatRequest struct {
	Model       string        `json:"model"`
	Messages    []chatMessage `json:"messages"`
	Temperature float64       `json:"temperature"`
	MaxTokens   int           `json:"max_tokens"`
	N           int           `json:"n"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Phrase asks the endpoint to answer question in lang ("zh" or "en"; empty
// guesses from the question) from sources only, best source first. It
// returns within Config.Timeout (or ctx's earlier deadline). Any answer that
// is not grounded in the sources is an error wrapping ErrUnsupported; see
// the errors of this package for the others.
func (c *Client) Phrase(ctx context.Context, question string, lang string, sources []Source) (Answer, error) {
	start := time.Now()
	q, al, err := checkInput(question, lang, sources)
	if err != nil {
		return Answer{}, err
	}
	body, err := json.Marshal(chatRequest{
		Model:       c.cfg.Model,
		Messages:    buildMessages(q, al, sources),
		Temperature: c.cfg.Temperature,
		MaxTokens:   c.cfg.MaxTokens,
		N:           1,
	})
	if err != nil {
		return Answer{}, fmt.Errorf("llm: encoding the request: %w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return Answer{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return Answer{}, c.transportError(ctx, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return Answer{}, c.transportError(ctx, err)
	}
	if len(raw) > MaxResponseBytes {
		return Answer{}, fmt.Errorf("%w: reply larger than %d bytes", ErrBadResponse, MaxResponseBytes)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Answer{}, apiError(resp.StatusCode, raw, resp.Header.Get("Retry-After"), c.cfg.APIKey)
	}
	comp, err := decodeResponse(raw, resp.StatusCode, c.cfg.APIKey)
	if err != nil {
		return Answer{}, err
	}
	if comp.FinishReason == "length" || comp.FinishReason == "content_filter" {
		return Answer{}, fmt.Errorf("%w: the answer was cut off (%s)", ErrUnsupported, comp.FinishReason)
	}
	answer, nums, err := parseReply(comp.Content, len(sources))
	if err != nil {
		return Answer{}, err
	}
	if !inLanguage(answer, al) {
		return Answer{}, fmt.Errorf("%w: the answer is not in %s", ErrUnsupported, al)
	}
	cites := make([]string, len(nums))
	for i, k := range nums {
		cites[i] = sources[k-1].EntryID
	}
	model := comp.Model
	if model == "" {
		model = c.cfg.Model
	}
	return Answer{Text: answer, Cites: cites, Model: clean(model, maxModelLen, c.cfg.APIKey), Elapsed: time.Since(start)}, nil
}

// transportError classifies a failure to send or read: our deadline, the
// caller's cancellation, or an unreachable endpoint.
func (c *Client) transportError(ctx context.Context, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w after %s", ErrTimeout, c.cfg.Timeout)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("llm: %w", context.Canceled)
	}
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return fmt.Errorf("%w after %s", ErrTimeout, c.cfg.Timeout)
	}
	return fmt.Errorf("%w: %v", ErrUnavailable, err)
}

// inLanguage reports whether an answer is written in the expected language.
// Mixed text passes (a Chinese answer may name an English product), as does
// text without letters.
func inLanguage(s, lang string) bool {
	switch text.Detect(s) {
	case text.LangOther:
		return false
	case text.LangChinese:
		return lang == langZH
	case text.LangEnglish:
		return lang == langEN
	}
	return true
}

// PhraseOrFallback returns the phrased answer when c is set and succeeds;
// otherwise (c is nil, the endpoint fails or is slow, the answer is not
// grounded) it returns the best source's own answer and entry id. It never
// waits longer than c's timeout. With no sources it returns "", nil, false.
func PhraseOrFallback(ctx context.Context, c *Client, question, lang string, sources []Source) (text string, cites []string, usedLLM bool) {
	if len(sources) == 0 {
		return "", nil, false
	}
	if c != nil {
		a, err := c.Phrase(ctx, question, lang, sources)
		if err == nil {
			return a.Text, a.Cites, true
		}
		c.log.LogAttrs(ctx, slog.LevelInfo, "llm: using the entry's own answer",
			slog.String("reason", err.Error()), slog.String("model", c.cfg.Model))
	}
	best := sources[0]
	return best.Answer, []string{best.EntryID}, false
}
