package llm

import (
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

// Limits of the configuration.
const (
	// MaxTimeout is the longest a customer waits for a phrased answer; it is
	// also the default.
	MaxTimeout = 3 * time.Second
	// DefaultMaxTokens bounds the length of a phrased answer when the
	// configuration does not say.
	DefaultMaxTokens = 400
	// MaxMaxTokens is the largest max_tokens a tenant may configure.
	MaxMaxTokens = 4096
	// MaxTemperature is the largest sampling temperature of the published
	// chat-completions schema.
	MaxTemperature = 2.0

	maxURLLen   = 2048
	maxModelLen = 200
	maxKeyLen   = 4096
)

// Config is one tenant's chat-completions endpoint. The zero value is not
// valid: an unconfigured tenant has no Client at all.
type Config struct {
	// BaseURL is the endpoint's root, e.g. https://llm.example.com/v1;
	// requests go to BaseURL + "/chat/completions".
	BaseURL string
	// Model is the model name sent with every request.
	Model string
	// APIKey is sent as "Authorization: Bearer <key>"; empty sends no
	// Authorization header (a local endpoint without keys).
	APIKey string
	// Timeout bounds one request, from sending to the last byte of the
	// reply. Zero means MaxTimeout; more than MaxTimeout is refused.
	Timeout time.Duration
	// MaxTokens is sent as max_tokens. Zero means DefaultMaxTokens.
	MaxTokens int
	// Temperature is sent as temperature, from 0 to MaxTemperature. Low
	// values keep the wording close to the sources.
	Temperature float64
}

// Validate checks the configuration and reports the first field at fault as
// an *apperr.Error (kind Invalid), ready for the admin area.
func (c Config) Validate() error {
	if strings.TrimSpace(c.BaseURL) == "" {
		return apperr.Invalidf("base_url", "required")
	}
	if len(c.BaseURL) > maxURLLen {
		return apperr.Invalidf("base_url", "too_long", "max", maxURLLen)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return apperr.Invalidf("base_url", "invalid_value")
	}
	// Credentials, a query or a fragment have no place in a base URL: the
	// path is appended to it, and the key travels in a header only.
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return apperr.Invalidf("base_url", "invalid_value")
	}
	if strings.TrimSpace(c.Model) == "" {
		return apperr.Invalidf("model", "required")
	}
	if utf8.RuneCountInString(c.Model) > maxModelLen {
		return apperr.Invalidf("model", "too_long", "max", maxModelLen)
	}
	if !utf8.ValidString(c.Model) {
		return apperr.Invalidf("model", "invalid_utf8")
	}
	if hasControl(c.Model) {
		return apperr.Invalidf("model", "control_chars")
	}
	if len(c.APIKey) > maxKeyLen {
		return apperr.Invalidf("api_key", "too_long", "max", maxKeyLen)
	}
	// The key goes into a header: only visible ASCII, no spaces.
	for i := 0; i < len(c.APIKey); i++ {
		if b := c.APIKey[i]; b <= ' ' || b >= 0x7f {
			return apperr.Invalidf("api_key", "invalid_value")
		}
	}
	if c.Timeout < 0 || c.Timeout > MaxTimeout {
		return apperr.Invalidf("timeout", "invalid_value")
	}
	if c.MaxTokens < 0 || c.MaxTokens > MaxMaxTokens {
		return apperr.Invalidf("max_tokens", "invalid_value")
	}
	if math.IsNaN(c.Temperature) || c.Temperature < 0 || c.Temperature > MaxTemperature {
		return apperr.Invalidf("temperature", "invalid_value")
	}
	return nil
}

// withDefaults fills the zero values that have a default.
func (c Config) withDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = MaxTimeout
	}
	if c.MaxTokens == 0 {
		c.MaxTokens = DefaultMaxTokens
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c
}

// redactedKey describes the key without revealing it.
func (c Config) redactedKey() string {
	if c.APIKey == "" {
		return "(none)"
	}
	return "[redacted]"
}

// redactedURL hides any credentials a misconfigured URL might carry.
func (c Config) redactedURL() string {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

// String describes the configuration for logs and the effective-configuration
// printout; the API key is never shown.
func (c Config) String() string {
	return fmt.Sprintf("llm.Config{BaseURL: %q, Model: %q, APIKey: %s, Timeout: %s, MaxTokens: %d, Temperature: %g}",
		c.redactedURL(), c.Model, c.redactedKey(), c.Timeout, c.MaxTokens, c.Temperature)
}

// GoString is String, so that %#v does not print the key either.
func (c Config) GoString() string { return c.String() }

// LogValue is the configuration as structured log attributes, without the key.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.redactedURL()),
		slog.String("model", c.Model),
		slog.String("api_key", c.redactedKey()),
		slog.Duration("timeout", c.Timeout),
		slog.Int("max_tokens", c.MaxTokens),
		slog.Float64("temperature", c.Temperature),
	)
}

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}
