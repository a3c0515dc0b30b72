// Package i18n is the message catalogue: every user-visible text in 简体中文
// and English, looked up by key, with {name} placeholders.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"strings"

	"golang.org/x/text/language"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

//go:embed locales/*.json
var localeFS embed.FS

// Lang is a supported user-interface language.
type Lang string

// The supported languages; the first is the fallback.
const (
	English Lang = "en"
	Chinese Lang = "zh"
)

// Langs lists the supported languages.
var Langs = []Lang{English, Chinese}

// Catalog holds the messages of every language.
type Catalog struct {
	msgs    map[Lang]map[string]string
	matcher language.Matcher
}

// Load reads the embedded catalogues.
func Load() (*Catalog, error) {
	c := &Catalog{msgs: map[Lang]map[string]string{},
		matcher: language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})}
	for _, l := range Langs {
		// locales/<lang>.json holds the common messages; an area of the
		// product may keep its own in locales/<area>.<lang>.json. A key may
		// be defined only once.
		files, err := fs.Glob(localeFS, "locales/*"+string(l)+".json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, f := range files {
			base := strings.TrimPrefix(f, "locales/")
			if base != string(l)+".json" && !strings.HasSuffix(base, "."+string(l)+".json") {
				continue
			}
			b, err := localeFS.ReadFile(f)
			if err != nil {
				return nil, err
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", f, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("i18n: %s: key %q is defined twice", f, k)
				}
				m[k] = v
			}
		}
		c.msgs[l] = m
	}
	return c, nil
}

// MustLoad is Load that panics; the catalogues are embedded, so an error is a build bug.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Keys returns the keys of one language, sorted, for consistency tests.
func (c *Catalog) Keys(l Lang) []string {
	keys := make([]string, 0, len(c.msgs[l]))
	for k := range c.msgs[l] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Messages returns the whole catalogue of a language (served to scripts).
func (c *Catalog) Messages(l Lang) map[string]string { return c.msgs[l] }

// T translates key into l, replacing {name} with the value following "name"
// in args. A missing key shows as the key itself, which tests catch.
func (c *Catalog) T(l Lang, key string, args ...any) string {
	s, ok := c.msgs[l][key]
	if !ok {
		if s, ok = c.msgs[English][key]; !ok {
			s = key
		}
	}
	if len(args) == 0 || !strings.Contains(s, "{") {
		return s
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Parse maps a language code ("zh-CN", "en") to a supported language.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "en" || strings.HasPrefix(s, "en-"):
		return English, true
	case s == "zh" || strings.HasPrefix(s, "zh-"):
		return Chinese, true
	}
	return English, false
}

// CookieName is the cookie that remembers a language chosen by hand.
const CookieName = "sb_lang"

// FromRequest picks the language for a request: ?lang=, then the language
// cookie, then Accept-Language, then English.
func (c *Catalog) FromRequest(r *http.Request) Lang {
	if l, ok := Parse(r.URL.Query().Get("lang")); ok {
		return l
	}
	if ck, err := r.Cookie(CookieName); err == nil {
		if l, ok := Parse(ck.Value); ok {
			return l
		}
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			_, idx, conf := c.matcher.Match(tags...)
			if conf != language.No {
				return Langs[idx]
			}
		}
	}
	return English
}

// Error renders a user-visible error in l: the message of its key with its
// arguments, a "what" argument (a kind of thing) named in l too, and
// {field} replaced by the field at fault.
func (c *Catalog) Error(l Lang, e *apperr.Error) string {
	args := append([]any(nil), e.Args...)
	for i := 0; i+1 < len(args); i += 2 {
		if args[i] == "what" {
			args[i+1] = c.T(l, "thing."+fmt.Sprint(args[i+1]))
		}
	}
	msg := c.T(l, e.Key, args...)
	if e.Field != "" {
		msg = strings.ReplaceAll(msg, "{field}", e.Field)
	}
	return msg
}
