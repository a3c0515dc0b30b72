package widget_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/apitest"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

func directives(csp string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		d = strings.TrimSpace(d)
		name, value, _ := strings.Cut(d, " ")
		if name != "" {
			out[name] = value
		}
	}
	return out
}

func TestFrameHeadersFollowTheChannel(t *testing.T) {
	srv := apitest.Start(t, storetest.Engines(t)[0])
	admin := srv.Admin(t)
	open := newChannel(t, admin, "Everywhere", nil)
	shop := newChannel(t, admin, "Shop only", &client.ChannelSettings{
		AllowedOrigins: []string{"https://shop.example.com", "https://www.example.org/"}, Color: "#AA3300", Position: "left",
		Languages: []string{"en"}, Greeting: "Hello <b>there</b>",
	})

	for _, tc := range []struct {
		ch        *client.Channel
		ancestors string
	}{
		{open, "*"},
		{shop, "'self' https://shop.example.com https://www.example.org"},
	} {
		resp, body := get(t, srv.URL+"/widget/frame?channel="+tc.ch.Key, map[string]string{"Accept-Language": "zh-CN,zh;q=0.9"})
		if resp.StatusCode != 200 {
			t.Fatalf("%s: frame %d", tc.ch.Name, resp.StatusCode)
		}
		h := resp.Header
		if got := h.Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", tc.ch.Name, got)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", tc.ch.Name)
		}
		if xfo := h.Get("X-Frame-Options"); xfo != "" {
			t.Errorf("%s: X-Frame-Options %q would forbid the frame on every site", tc.ch.Name, xfo)
		}
		d := directives(h.Get("Content-Security-Policy"))
		want := map[string]string{
			"default-src": "'none'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data: blob:",
			"frame-ancestors": tc.ancestors, "base-uri": "'none'",
		}
		for k, v := range want {
			if d[k] != v {
				t.Errorf("%s: CSP %s = %q, want %q (whole: %s)", tc.ch.Name, k, d[k], v, h.Get("Content-Security-Policy"))
			}
		}
		if !strings.HasPrefix(d["connect-src"], "'self'") || strings.Contains(d["connect-src"], "*") {
			t.Errorf("%s: connect-src %q", tc.ch.Name, d["connect-src"])
		}
		if strings.Contains(body, "<script>") || regexp.MustCompile(`\sstyle=`).MatchString(body) {
			t.Errorf("%s: the frame has inline script or style attributes", tc.ch.Name)
		}
		m := regexp.MustCompile(`(?s)<script type="application/json" id="sb-config">(.*?)</script>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no config in the frame", tc.ch.Name)
		}
		var cfg struct {
			Key, Lang, Color, Position, Greeting string
			Messages                             map[string]string
		}
		if err := json.Unmarshal([]byte(m[1]), &cfg); err != nil {
			t.Fatalf("%s: config %s: %v", tc.ch.Name, m[1], err)
		}
		if cfg.Key != tc.ch.Key || cfg.Color != tc.ch.Settings.Color || cfg.Position != tc.ch.Settings.Position {
			t.Errorf("%s: config %+v", tc.ch.Name, cfg)
		}
		if cfg.Messages["send"] == "" || cfg.Messages["placeholder"] == "" {
			t.Errorf("%s: no messages for the script", tc.ch.Name)
		}
		if strings.Contains(body, "<b>there</b>") {
			t.Errorf("%s: the greeting went into the page unescaped", tc.ch.Name)
		}
	}

	// The language: the browser's among the channel's, or ?lang= from data-lang.
	for _, tc := range []struct {
		key, query, accept, want string
	}{
		{open.Key, "", "zh-CN,zh;q=0.9,en;q=0.5", `lang="zh-CN"`},
		{open.Key, "", "en-US", `lang="en"`},
		{open.Key, "&lang=zh", "en-US", `lang="zh-CN"`},
		{open.Key, "", "fr-FR", `lang="zh-CN"`}, // the channel's first language
		{shop.Key, "", "zh-CN", `lang="en"`},    // the channel speaks English only
		{shop.Key, "&lang=zh", "zh-CN", `lang="en"`},
	} {
		_, body := get(t, srv.URL+"/widget/frame?channel="+tc.key+tc.query, map[string]string{"Accept-Language": tc.accept})
		if !strings.Contains(body, "<html "+tc.want+">") {
			t.Errorf("%s%s with %s: want %s", tc.key, tc.query, tc.accept, tc.want)
		}
	}
}

func TestFrameOfAnUnknownChannelIsNotFound(t *testing.T) {
	srv := apitest.Start(t, storetest.Engines(t)[0])
	for _, key := range []string{"", "nope", "AAAAAAAAAAAAAAAAAAAAAAAA"} {
		resp, body := get(t, srv.URL+"/widget/frame?channel="+key, map[string]string{"Accept-Language": "zh-CN"})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("channel %q: %d, want 404", key, resp.StatusCode)
		}
		if !strings.Contains(body, "聊天窗口不可用") {
			t.Errorf("channel %q: the 404 page is not in the reader's language: %s", key, body)
		}
	}
	if r := doUpload(t, srv, upload{key: "AAAAAAAAAAAAAAAAAAAAAAAA", token: "v1.x.y", name: "a.png", content: []byte("x")}); r.status != 404 {
		t.Errorf("upload to an unknown channel: %d %s", r.status, r.raw)
	}
}

func TestWidgetAssets(t *testing.T) {
	srv := apitest.Start(t, storetest.Engines(t)[0])
	resp, body := get(t, srv.URL+"/widget.js", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("widget.js: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp.Header.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
		t.Error("widget.js must be loadable by other sites")
	}
	for _, banned := range []string{"innerHTML", "eval(", "new Function", "setAttribute('style'", "cssText"} {
		if strings.Contains(body, banned) {
			t.Errorf("widget.js uses %s", banned)
		}
	}
	admin := srv.Admin(t)
	ch := newChannel(t, admin, "Assets", nil)
	_, frame := get(t, srv.URL+"/widget/frame?channel="+ch.Key, nil)
	m := regexp.MustCompile(`src="(/widget/static/v-[0-9a-f]+/frame\.js)"`).FindStringSubmatch(frame)
	if m == nil {
		t.Fatalf("no versioned frame.js in the frame")
	}
	// frame.js and every module it imports, directly or not: served from the
	// same versioned path, cached for good, and text put in with textContent.
	dir := strings.TrimSuffix(m[1], "frame.js")
	importRE := regexp.MustCompile(`(?m)^import (?:[^'";]* from )?'\./([a-z0-9-]+\.js)';`)
	seen := map[string]bool{"frame.js": true}
	for queue := []string{"frame.js"}; len(queue) > 0; queue = queue[1:] {
		name := queue[0]
		resp, js := get(t, srv.URL+dir+name, nil)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
			t.Fatalf("%s: %d %q %q", name, resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Type"))
		}
		if strings.Contains(js, "innerHTML") || strings.Contains(js, "insertAdjacentHTML") {
			t.Errorf("%s must put text in the page with textContent only", name)
		}
		for _, im := range importRE.FindAllStringSubmatch(js, -1) {
			if !seen[im[1]] {
				seen[im[1]] = true
				queue = append(queue, im[1])
			}
		}
	}
	if len(seen) < 2 {
		t.Errorf("frame.js imports no module: %v", seen)
	}
	for _, p := range []string{"/widget/static/frame.css", "/widget/static/sound.js"} {
		if resp, _ := get(t, srv.URL+p, nil); resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	for _, p := range []string{"/widget/static/nothing.js", "/widget/static/../widget.go", "/widget/static/v-old/x/frame.js"} {
		if resp, _ := get(t, srv.URL+p, nil); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", p, resp.StatusCode)
		}
	}
}
