package llm

import (
	"bytes"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

func validConfig() Config {
	return Config{BaseURL: "https://llm.example.com/v1", Model: "shop-phraser", APIKey: "sk-live-abcdef0123456789"}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name  string
		mod   func(*Config)
		field string // "" = valid
	}{
		{"valid", func(*Config) {}, ""},
		{"http local", func(c *Config) { c.BaseURL = "http://127.0.0.1:8000/v1/" }, ""},
		{"no key", func(c *Config) { c.APIKey = "" }, ""},
		{"limits", func(c *Config) { c.Timeout, c.MaxTokens, c.Temperature = MaxTimeout, MaxMaxTokens, MaxTemperature }, ""},
		{"no url", func(c *Config) { c.BaseURL = " " }, "base_url"},
		{"ftp url", func(c *Config) { c.BaseURL = "ftp://llm.example.com/v1" }, "base_url"},
		{"no host", func(c *Config) { c.BaseURL = "https:///v1" }, "base_url"},
		{"relative", func(c *Config) { c.BaseURL = "/v1" }, "base_url"},
		{"credentials in url", func(c *Config) { c.BaseURL = "https://user:pw@llm.example.com/v1" }, "base_url"},
		{"query", func(c *Config) { c.BaseURL = "https://llm.example.com/v1?key=x" }, "base_url"},
		{"long url", func(c *Config) { c.BaseURL = "https://llm.example.com/" + strings.Repeat("a", maxURLLen) }, "base_url"},
		{"no model", func(c *Config) { c.Model = "" }, "model"},
		{"long model", func(c *Config) { c.Model = strings.Repeat("m", maxModelLen+1) }, "model"},
		{"model with newline", func(c *Config) { c.Model = "gpt\nx" }, "model"},
		{"key with space", func(c *Config) { c.APIKey = "sk abc" }, "api_key"},
		{"key with newline", func(c *Config) { c.APIKey = "sk\r\nX-Evil: 1" }, "api_key"},
		{"long key", func(c *Config) { c.APIKey = strings.Repeat("k", maxKeyLen+1) }, "api_key"},
		{"timeout over 3 s", func(c *Config) { c.Timeout = MaxTimeout + time.Millisecond }, "timeout"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "timeout"},
		{"max tokens", func(c *Config) { c.MaxTokens = MaxMaxTokens + 1 }, "max_tokens"},
		{"negative tokens", func(c *Config) { c.MaxTokens = -1 }, "max_tokens"},
		{"temperature", func(c *Config) { c.Temperature = 2.5 }, "temperature"},
		{"NaN temperature", func(c *Config) { c.Temperature = math.NaN() }, "temperature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.mod(&c)
			err := c.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if _, err := New(c, Options{}); err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			ae, ok := apperr.As(err)
			if !ok || ae.Kind != apperr.Invalid || ae.Field != tc.field {
				t.Fatalf("Validate = %v, want an Invalid error on %s", err, tc.field)
			}
			if _, err := New(c, Options{}); err == nil {
				t.Error("New accepted an invalid configuration")
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := New(Config{BaseURL: "https://llm.example.com/v1/", Model: "m"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Config()
	if got.Timeout != 3*time.Second || got.MaxTokens != DefaultMaxTokens || got.BaseURL != "https://llm.example.com/v1" {
		t.Errorf("defaults = %v", got)
	}
	if c.endpoint != "https://llm.example.com/v1/chat/completions" {
		t.Errorf("endpoint = %q", c.endpoint)
	}
}

func TestConfigNeverShowsKey(t *testing.T) {
	c := validConfig()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, c); strings.Contains(s, c.APIKey) || !strings.Contains(s, "[redacted]") {
			t.Errorf("%s prints %q", verb, s)
		}
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("llm configured", "llm", c)
	if strings.Contains(buf.String(), c.APIKey) || !strings.Contains(buf.String(), `"model":"shop-phraser"`) {
		t.Errorf("log line = %s", buf.String())
	}
	// Even a configuration that would not validate hides URL credentials.
	c.BaseURL = "https://user:hunter22@llm.example.com/v1"
	if s := c.String(); strings.Contains(s, "hunter22") {
		t.Errorf("String shows the URL password: %s", s)
	}
	if s := (Config{BaseURL: "https://llm.example.com", Model: "m"}).String(); !strings.Contains(s, "APIKey: (none)") {
		t.Errorf("no key: %s", s)
	}
}
