// Package config holds Switchboard's one typed configuration and loads it
// from, in rising order of precedence: defaults, an optional TOML file,
// SWITCHBOARD_* environment variables, and command-line flags.
package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// Config is the effective configuration of a Switchboard process.
type Config struct {
	Addr          string        `toml:"addr"`
	DataDir       string        `toml:"data_dir"`
	Database      string        `toml:"database"`
	Bus           string        `toml:"bus"`
	PublicURL     string        `toml:"public_url"`
	TLSCert       string        `toml:"tls_cert"`
	TLSKey        string        `toml:"tls_key"`
	Demo          bool          `toml:"demo"`
	AdminEmail    string        `toml:"admin_email"`
	AdminPassword string        `toml:"admin_password"`
	LogLevel      string        `toml:"log_level"`
	LogFormat     string        `toml:"log_format"`
	SessionIdle   time.Duration `toml:"session_idle_timeout"`
	SessionMax    time.Duration `toml:"session_max_lifetime"`
	MaxBodyBytes  int64         `toml:"max_body_bytes"`
	ConfigFile    string        `toml:"-"`
}

// Defaults returns the zero-configuration settings.
func Defaults() Config {
	return Config{
		Addr:         "127.0.0.1:8080",
		DataDir:      "switchboard-data",
		Bus:          "memory",
		LogLevel:     "info",
		LogFormat:    "text",
		SessionIdle:  30 * time.Minute,
		SessionMax:   12 * time.Hour,
		MaxBodyBytes: 1 << 20,
	}
}

// field describes one setting: its flag, environment variable and help.
type field struct {
	name   string // flag name; environment is SWITCHBOARD_ + upper(name with _)
	help   string
	secret bool
	ptr    func(*Config) any
}

var fields = []field{
	{"addr", "address to listen on (host:port)", false, func(c *Config) any { return &c.Addr }},
	{"data-dir", "directory for the SQLite database and files", false, func(c *Config) any { return &c.DataDir }},
	{"database", "database: empty for SQLite in the data directory, or postgres://…", true, func(c *Config) any { return &c.Database }},
	{"bus", "event bus: memory, or nats://host:port for a cluster", true, func(c *Config) any { return &c.Bus }},
	{"public-url", "URL users reach this server at (https:// turns on secure cookies)", false, func(c *Config) any { return &c.PublicURL }},
	{"tls-cert", "TLS certificate file (serve HTTPS directly)", false, func(c *Config) any { return &c.TLSCert }},
	{"tls-key", "TLS private key file", false, func(c *Config) any { return &c.TLSKey }},
	{"demo", "create a demo tenant with sample data", false, func(c *Config) any { return &c.Demo }},
	{"admin-email", "e-mail of the first administrator (first run only)", false, func(c *Config) any { return &c.AdminEmail }},
	{"admin-password", "password of the first administrator (first run only)", true, func(c *Config) any { return &c.AdminPassword }},
	{"log-level", "debug, info, warn or error", false, func(c *Config) any { return &c.LogLevel }},
	{"log-format", "text or json", false, func(c *Config) any { return &c.LogFormat }},
	{"session-idle-timeout", "sign out after this long without activity", false, func(c *Config) any { return &c.SessionIdle }},
	{"session-max-lifetime", "sign out this long after login, active or not", false, func(c *Config) any { return &c.SessionMax }},
	{"max-body-bytes", "largest accepted request body in bytes", false, func(c *Config) any { return &c.MaxBodyBytes }},
}

// EnvName is the environment variable of a flag.
func EnvName(flagName string) string {
	return "SWITCHBOARD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Flags registers every setting on fs and returns a loader. Call the loader
// after fs.Parse: it applies file, environment and the flags that were set.
func Flags(fs *flag.FlagSet) func(env func(string) (string, bool)) (Config, error) {
	scratch := Defaults()
	configFile := fs.String("config", "", "TOML configuration file (env "+EnvName("config")+")")
	for _, f := range fields {
		help := f.help + " (env " + EnvName(f.name) + ")"
		switch p := f.ptr(&scratch).(type) {
		case *string:
			fs.StringVar(p, f.name, *p, help)
		case *bool:
			fs.BoolVar(p, f.name, *p, help)
		case *time.Duration:
			fs.DurationVar(p, f.name, *p, help)
		case *int64:
			fs.Int64Var(p, f.name, *p, help)
		}
	}
	return func(env func(string) (string, bool)) (Config, error) {
		if env == nil {
			env = os.LookupEnv
		}
		c := Defaults()
		file := *configFile
		if file == "" {
			file, _ = env(EnvName("config"))
		}
		if file != "" {
			b, err := os.ReadFile(file)
			if err != nil {
				return c, fmt.Errorf("config file: %w", err)
			}
			if err := Parse(b, &c); err != nil {
				return c, fmt.Errorf("config file %s: %w", file, err)
			}
			c.ConfigFile = file
		}
		for _, f := range fields {
			v, ok := env(EnvName(f.name))
			if !ok {
				continue
			}
			if err := setString(f.ptr(&c), v); err != nil {
				return c, fmt.Errorf("environment %s: %w", EnvName(f.name), err)
			}
		}
		var err error
		fs.Visit(func(fl *flag.Flag) {
			for _, f := range fields {
				if f.name == fl.Name && err == nil {
					if e := setString(f.ptr(&c), fl.Value.String()); e != nil {
						err = fmt.Errorf("flag --%s: %w", f.name, e)
					}
				}
			}
		})
		if err != nil {
			return c, err
		}
		return c, c.Validate()
	}
}

func setString(p any, v string) error {
	switch p := p.(type) {
	case *string:
		*p = v
	case *bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*p = b
	case *time.Duration:
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 30m or 12h", v)
		}
		*p = d
	case *int64:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
		*p = n
	}
	return nil
}

// fileConfig mirrors Config with durations as text, the way people write them in TOML.
type fileConfig struct {
	Addr          *string `toml:"addr"`
	DataDir       *string `toml:"data_dir"`
	Database      *string `toml:"database"`
	Bus           *string `toml:"bus"`
	PublicURL     *string `toml:"public_url"`
	TLSCert       *string `toml:"tls_cert"`
	TLSKey        *string `toml:"tls_key"`
	Demo          *bool   `toml:"demo"`
	AdminEmail    *string `toml:"admin_email"`
	AdminPassword *string `toml:"admin_password"`
	LogLevel      *string `toml:"log_level"`
	LogFormat     *string `toml:"log_format"`
	SessionIdle   *string `toml:"session_idle_timeout"`
	SessionMax    *string `toml:"session_max_lifetime"`
	MaxBodyBytes  *int64  `toml:"max_body_bytes"`
}

// Parse applies a TOML document onto c. Unknown keys and wrong types are
// errors that name the key, so that a typo never goes unnoticed.
func Parse(b []byte, c *Config) error {
	var fc fileConfig
	dec := toml.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		var sme *toml.StrictMissingError
		if errors.As(err, &sme) && len(sme.Errors) > 0 {
			return fmt.Errorf("unknown key %q", strings.Join(sme.Errors[0].Key(), "."))
		}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			if key := strings.Join(de.Key(), "."); key != "" {
				// The decoder's message names Go types; name the key instead.
				want, _ := keyType(key)
				return fmt.Errorf("%s (line %d column %d): must be %s", key, row, col, want)
			}
			return fmt.Errorf("line %d column %d: %s", row, col, de.Error())
		}
		return err
	}
	// The decoder matches keys regardless of case, but TOML keys are
	// case-sensitive: "Addr" is not "addr", and must not pass unnoticed.
	var keys map[string]any
	if err := toml.Unmarshal(b, &keys); err == nil {
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if _, known := keyType(k); !known {
				return fmt.Errorf("unknown key %q", k)
			}
		}
	}
	str := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	str(&c.Addr, fc.Addr)
	str(&c.DataDir, fc.DataDir)
	str(&c.Database, fc.Database)
	str(&c.Bus, fc.Bus)
	str(&c.PublicURL, fc.PublicURL)
	str(&c.TLSCert, fc.TLSCert)
	str(&c.TLSKey, fc.TLSKey)
	str(&c.AdminEmail, fc.AdminEmail)
	str(&c.AdminPassword, fc.AdminPassword)
	str(&c.LogLevel, fc.LogLevel)
	str(&c.LogFormat, fc.LogFormat)
	if fc.Demo != nil {
		c.Demo = *fc.Demo
	}
	if fc.MaxBodyBytes != nil {
		c.MaxBodyBytes = *fc.MaxBodyBytes
	}
	for _, d := range []struct {
		key string
		src *string
		dst *time.Duration
	}{{"session_idle_timeout", fc.SessionIdle, &c.SessionIdle}, {"session_max_lifetime", fc.SessionMax, &c.SessionMax}} {
		if d.src == nil {
			continue
		}
		v, err := time.ParseDuration(*d.src)
		if err != nil {
			return fmt.Errorf("%s: %q is not a duration such as 30m or 12h", d.key, *d.src)
		}
		*d.dst = v
	}
	return nil
}

// keyType describes the TOML value a key of the file takes, and reports
// whether the key is a setting at all.
func keyType(key string) (string, bool) {
	for _, f := range fields {
		if strings.ReplaceAll(f.name, "-", "_") != key {
			continue
		}
		switch f.ptr(&Config{}).(type) {
		case *bool:
			return "true or false", true
		case *int64:
			return "a whole number", true
		case *time.Duration:
			return `a duration in quotes, such as "30m" or "12h"`, true
		}
		return "a string in quotes", true
	}
	return "a known setting", false
}

// Validate checks every setting and names the first one that is wrong.
func (c *Config) Validate() error {
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		return fmt.Errorf("addr: %q is not host:port (for example 127.0.0.1:8080)", c.Addr)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		return errors.New("data-dir: must not be empty")
	}
	if c.Database != "" && strings.Contains(c.Database, "://") {
		u, err := url.Parse(c.Database)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return errors.New("database: only postgres:// URLs or a SQLite file path are supported")
		}
	}
	if c.Bus != "memory" {
		u, err := url.Parse(c.Bus)
		if err != nil || u.Scheme != "nats" || u.Host == "" {
			return fmt.Errorf("bus: %q must be memory or nats://host:port", c.Bus)
		}
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("public-url: %q must be an http:// or https:// URL", c.PublicURL)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("tls-cert and tls-key: give both or neither")
	}
	if c.AdminEmail != "" {
		if a, err := mail.ParseAddress(c.AdminEmail); err != nil || a.Address != c.AdminEmail {
			return fmt.Errorf("admin-email: %q is not an e-mail address", c.AdminEmail)
		}
	}
	if c.AdminPassword != "" && c.AdminEmail == "" {
		return errors.New("admin-password: give admin-email too")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log-level: %q must be debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("log-format: %q must be text or json", c.LogFormat)
	}
	if c.SessionIdle < time.Minute {
		return errors.New("session-idle-timeout: must be at least 1m")
	}
	if c.SessionMax < c.SessionIdle {
		return errors.New("session-max-lifetime: must not be shorter than session-idle-timeout")
	}
	if c.MaxBodyBytes < 1024 || c.MaxBodyBytes > 1<<30 {
		return errors.New("max-body-bytes: must be between 1024 and 1073741824")
	}
	return nil
}

// DatabaseURL is the database to open: the configured one, or the SQLite
// file in the data directory.
func (c *Config) DatabaseURL() string {
	if c.Database != "" {
		return c.Database
	}
	return filepath.Join(c.DataDir, "switchboard.db")
}

// SecureCookies reports whether cookies must be Secure with the __Host- prefix.
func (c *Config) SecureCookies() bool {
	return c.TLSCert != "" || strings.HasPrefix(c.PublicURL, "https://")
}

// Print writes the effective configuration as TOML with secrets hidden.
func (c *Config) Print() string {
	var b strings.Builder
	if c.ConfigFile != "" {
		fmt.Fprintf(&b, "# from %s, environment and flags\n", c.ConfigFile)
	}
	for _, f := range fields {
		key := strings.ReplaceAll(f.name, "-", "_")
		switch p := f.ptr(c).(type) {
		case *string:
			v := *p
			if f.secret && v != "" {
				v = hide(f.name, v)
			}
			fmt.Fprintf(&b, "%s = %s\n", key, tomlString(v))
		case *bool:
			fmt.Fprintf(&b, "%s = %t\n", key, *p)
		case *time.Duration:
			fmt.Fprintf(&b, "%s = %s\n", key, tomlString(p.String()))
		case *int64:
			fmt.Fprintf(&b, "%s = %d\n", key, *p)
		}
	}
	return b.String()
}

// tomlString quotes s as a TOML basic string. Go's %q is not TOML: its \a
// and \v do not exist there, and \xNN means a code point, not a byte.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s { // a byte that is not UTF-8 becomes U+FFFD: TOML is UTF-8
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// hide keeps a URL's shape but not its password; other secrets are starred.
func hide(name, v string) string {
	if name == "database" || name == "bus" {
		if u, err := url.Parse(v); err == nil && u.User != nil {
			if _, ok := u.User.Password(); ok {
				u.User = url.UserPassword(u.User.Username(), "xxxxx")
			}
			return u.String()
		}
		return v
	}
	return "********"
}
