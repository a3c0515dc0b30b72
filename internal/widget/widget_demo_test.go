package widget_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/apitest"
	"github.com/switchboard-cs/switchboard/internal/platform/config"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

func TestDemoShopOnlyWithDemo(t *testing.T) {
	e := storetest.Engines(t)[0]
	plain := apitest.Start(t, e)
	if resp, _ := get(t, plain.URL+"/demo", nil); resp.StatusCode != 404 {
		t.Fatalf("/demo without --demo: %d, want 404", resp.StatusCode)
	}

	srv := apitest.Start(t, e, apitest.WithConfig(func(c *config.Config) { c.Demo = true }))
	for _, lang := range []string{"zh-CN", "en-US"} {
		resp, body := get(t, srv.URL+"/demo", map[string]string{"Accept-Language": lang})
		if resp.StatusCode != 200 {
			t.Fatalf("/demo with --demo: %d", resp.StatusCode)
		}
		m := regexp.MustCompile(`<script src="/widget\.js" data-channel="([A-Za-z0-9_-]{16,64})"[^>]*async></script>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("/demo has no widget snippet:\n%s", body)
		}
		if !strings.Contains(body, `/widget.js&#34; data-channel=&#34;`+m[1]+`&#34; async&gt;&lt;/script&gt;`) {
			t.Errorf("/demo does not show the snippet to copy")
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("/demo CSP %q", csp)
		}
		want := map[string]string{"zh-CN": "手工茶具", "en-US": "Hand-made tea ware"}[lang]
		if !strings.Contains(body, want) || !strings.Contains(body, "演示商店") {
			t.Errorf("/demo in %s lacks %q", lang, want)
		}
		if fr, _ := get(t, srv.URL+"/widget/frame?channel="+m[1], nil); fr.StatusCode != 200 {
			t.Errorf("the demo channel's frame: %d", fr.StatusCode)
		}
	}
}
