package i18n

import (
	"net/http/httptest"
	"regexp"
	"slices"
	"testing"
)

// Every message exists in both languages, is not empty, and uses the same
// placeholders in both.
func TestCataloguesMatch(t *testing.T) {
	c := MustLoad()
	en, zh := c.Keys(English), c.Keys(Chinese)
	if !slices.Equal(en, zh) {
		for _, k := range en {
			if _, ok := c.msgs[Chinese][k]; !ok {
				t.Errorf("%s has no 中文 message", k)
			}
		}
		for _, k := range zh {
			if _, ok := c.msgs[English][k]; !ok {
				t.Errorf("%s has no English message", k)
			}
		}
	}
	ph := regexp.MustCompile(`\{[a-z_]+\}`)
	for _, k := range en {
		e, z := c.msgs[English][k], c.msgs[Chinese][k]
		if e == "" || z == "" {
			t.Errorf("%s: empty message", k)
			continue
		}
		pe, pz := ph.FindAllString(e, -1), ph.FindAllString(z, -1)
		slices.Sort(pe)
		slices.Sort(pz)
		if !slices.Equal(pe, pz) {
			t.Errorf("%s: placeholders differ: %v / %v", k, pe, pz)
		}
	}
}

func TestLanguageFromRequest(t *testing.T) {
	c := MustLoad()
	for _, tc := range []struct {
		header, query, cookie string
		want                  Lang
	}{
		{"zh-CN,zh;q=0.9,en;q=0.8", "", "", Chinese},
		{"en-US,en;q=0.9", "", "", English},
		{"zh-TW", "", "", Chinese},
		{"fr-FR", "", "", English},
		{"", "", "", English},
		{"en-US", "", "zh", Chinese},
		{"zh-CN", "en", "zh", English},
	} {
		r := httptest.NewRequest("GET", "/?lang="+tc.query, nil)
		if tc.header != "" {
			r.Header.Set("Accept-Language", tc.header)
		}
		if tc.cookie != "" {
			r.Header.Set("Cookie", CookieName+"="+tc.cookie)
		}
		if got := c.FromRequest(r); got != tc.want {
			t.Errorf("%+v: got %s, want %s", tc, got, tc.want)
		}
	}
	if got := c.T(Chinese, "err.too_long", "field", "name", "max", 200); got != "name 最多 200 个字符。" {
		t.Errorf("placeholders: %q", got)
	}
}
