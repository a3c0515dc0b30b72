package web_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/apitest"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/web"
)

// The pages render the same on both engines; SQLite is enough here.
var sqlite = storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite, URL: storetest.SQLiteURL}

// browser is a client that does not follow redirects, so tests see them.
func browser(c *client.Client) *http.Client {
	hc := *c.HTTPClient()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

type page struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
}

func get(t *testing.T, hc *http.Client, base, path string, header ...string) page {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(b)}
}

// signedIn starts a server and returns it with a signed-in administrator
// and agent (both with their own passwords).
func signedIn(t *testing.T) (*apitest.Server, *client.Client, *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv := apitest.Start(t, sqlite)
	admin := srv.Admin(t)
	no := false
	if _, err := admin.CreateUser(ctx, client.UserCreate{Email: "ada@example.com", Name: "Ada Agent", Role: "agent",
		Password: "ada has a long passphrase", MustChangePassword: &no}); err != nil {
		t.Fatal(err)
	}
	agent, _ := srv.Login(t, "ada@example.com", "ada has a long passphrase")
	return srv, admin, agent
}

func scriptMessages(t *testing.T, body string) map[string]string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="sb-messages">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the page has no sb-messages block")
	}
	out := map[string]string{}
	if err := json.Unmarshal([]byte(m[1]), &out); err != nil {
		t.Fatalf("sb-messages: %v", err)
	}
	return out
}

func TestConsoleNeedsSignIn(t *testing.T) {
	srv := apitest.Start(t, sqlite)
	hc := browser(srv.Client())
	p := get(t, hc, srv.URL, "/console")
	if p.Status != http.StatusFound || p.Location != "/login?next="+url.QueryEscape("/console") {
		t.Fatalf("anonymous /console: %d → %q", p.Status, p.Location)
	}
	p = get(t, hc, srv.URL, "/")
	if p.Status != http.StatusFound || p.Location != "/login" {
		t.Fatalf("anonymous /: %d → %q", p.Status, p.Location)
	}
	// An API token is not a browser session.
	admin := srv.Admin(t)
	_, tok := srv.TokenClient(t, admin, "read")
	p = get(t, &http.Client{CheckRedirect: hc.CheckRedirect}, srv.URL, "/console", "Authorization", "Bearer "+tok.Secret)
	if p.Status != http.StatusFound || !strings.HasPrefix(p.Location, "/login") {
		t.Fatalf("/console with a token: %d → %q", p.Status, p.Location)
	}
}

func TestConsoleMustChangePasswordFirst(t *testing.T) {
	srv := apitest.Start(t, sqlite, apitest.OneTimeAdmin())
	c, me := srv.Login(t, srv.AdminEmail, srv.AdminPassword)
	if !me.MustChangePassword {
		t.Fatal("the one-time administrator need not change the password")
	}
	hc := browser(c)
	for _, path := range []string{"/console", "/"} {
		if p := get(t, hc, srv.URL, path); p.Status != http.StatusFound || p.Location != "/password" {
			t.Errorf("%s before the password change: %d → %q", path, p.Status, p.Location)
		}
	}
	p := get(t, hc, srv.URL, "/password")
	if strings.Contains(p.Body, `href="/console"`) || strings.Contains(p.Body, `class="mainnav"`) {
		t.Error("the password page offers navigation before the password is changed")
	}
}

func TestConsoleRendersInEnglishAndChinese(t *testing.T) {
	srv, admin, agent := signedIn(t)
	for _, c := range []*client.Client{admin, agent} {
		hc := browser(c)
		if p := get(t, hc, srv.URL, "/"); p.Status != http.StatusFound || p.Location != "/console" {
			t.Errorf("/ for a signed-in user: %d → %q, want /console", p.Status, p.Location)
		}

		en := get(t, hc, srv.URL, "/console", "Accept-Language", "en-GB,en;q=0.9")
		if en.Status != http.StatusOK {
			t.Fatalf("/console: %d", en.Status)
		}
		if got := en.Header.Get("Content-Security-Policy"); got != web.ContentSecurityPolicy {
			t.Errorf("CSP = %q", got)
		}
		for _, h := range []string{"default-src 'self'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(en.Header.Get("Content-Security-Policy"), h) {
				t.Errorf("CSP lacks %s", h)
			}
		}
		if en.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control = %q", en.Header.Get("Cache-Control"))
		}
		for _, want := range []string{
			`<html lang="en">`, `<title>Console · Switchboard</title>`, `<h1 id="inbox-title">Inbox</h1>`,
			`data-testid="tab-unassigned"`, `data-testid="count-unassigned"`, `data-testid="tab-mine"`, `data-testid="tab-open"`,
			`data-testid="conversation-list"`, `data-testid="composer"`, `data-testid="send-button"`, `data-testid="note-toggle"`,
			`data-testid="assign-select"`, `data-testid="close-button"`, `data-testid="reopen-button"`, `data-testid="visitor-panel"`,
			`>Unassigned</span>`, `>All open</span>`, `>Internal note</button>`, `>Assign to me</button>`,
			`<script type="module" src="/static/console.js"></script>`, `<link rel="stylesheet" href="/static/console.css">`,
		} {
			if !strings.Contains(en.Body, want) {
				t.Errorf("English console lacks %s", want)
			}
		}
		if regexp.MustCompile(`<script(?: [^>]*)?>[^<]*[^<\s][^<]*</script>`).MatchString(stripJSONBlocks(en.Body)) {
			t.Error("the console page has an inline script")
		}
		if regexp.MustCompile(`\sstyle=`).MatchString(en.Body) {
			t.Error("the console page has an inline style, which the CSP refuses")
		}
		msgs := scriptMessages(t, en.Body)
		if msgs["console.visitor_name"] != "Visitor {code}" || msgs["console.note"] != "Internal note" || msgs["err.network"] == "" {
			t.Errorf("English script messages: %v", msgs["console.visitor_name"])
		}
		if _, ok := msgs["channels.snippet"]; ok {
			t.Error("the console page carries the channels page's messages")
		}

		zh := get(t, hc, srv.URL, "/console?lang=zh")
		for _, want := range []string{`<html lang="zh-CN">`, `<h1 id="inbox-title">收件箱</h1>`, `>未分配</span>`, `>我的</span>`,
			`>全部进行中</span>`, `>内部备注</button>`, `>分配给我</button>`, `>关闭会话</button>`, `<title>工作台 · Switchboard</title>`} {
			if !strings.Contains(zh.Body, want) {
				t.Errorf("Chinese console lacks %s", want)
			}
		}
		zmsgs := scriptMessages(t, zh.Body)
		if zmsgs["console.visitor_name"] != "访客 {code}" || zmsgs["console.note"] != "内部备注" {
			t.Errorf("Chinese script messages: %q %q", zmsgs["console.visitor_name"], zmsgs["console.note"])
		}
		var cfg struct {
			UserID string `json:"user_id"`
		}
		m := regexp.MustCompile(`(?s)<script type="application/json" id="sb-console">(.*?)</script>`).FindStringSubmatch(en.Body)
		if m == nil || json.Unmarshal([]byte(m[1]), &cfg) != nil || cfg.UserID == "" {
			t.Errorf("the console config block is missing or has no user id")
		}
	}
}

// stripJSONBlocks removes the JSON data blocks, which are not scripts.
func stripJSONBlocks(s string) string {
	return regexp.MustCompile(`(?s)<script type="application/json"[^>]*>.*?</script>`).ReplaceAllString(s, "")
}

func TestNavigation(t *testing.T) {
	srv, admin, agent := signedIn(t)
	a := get(t, browser(admin), srv.URL, "/account")
	for _, want := range []string{`href="/console"`, `href="/admin/users"`, `href="/admin/teams"`, `href="/admin/tokens"`, `href="/admin/channels"`} {
		if !strings.Contains(a.Body, want) {
			t.Errorf("the administrator's navigation lacks %s", want)
		}
	}
	c := get(t, browser(admin), srv.URL, "/console")
	if !regexp.MustCompile(`href="/console" id="nav-console" aria-current="page"`).MatchString(c.Body) {
		t.Error("the console link is not marked current on the console")
	}
	ch := get(t, browser(admin), srv.URL, "/admin/channels")
	if !strings.Contains(ch.Body, `href="/admin/channels" aria-current="page"`) {
		t.Error("the channels link is not marked current on the channels page")
	}
	g := get(t, browser(agent), srv.URL, "/account")
	if !strings.Contains(g.Body, `href="/console"`) {
		t.Error("the agent's navigation lacks the console")
	}
	if strings.Contains(g.Body, `href="/admin/`) || strings.Contains(g.Body, `class="mainnav"`) {
		t.Error("the agent sees the admin navigation")
	}
	zh := get(t, browser(admin), srv.URL, "/account?lang=zh")
	for _, want := range []string{`>工作台</a>`, `>渠道</a>`} {
		if !strings.Contains(zh.Body, want) {
			t.Errorf("Chinese navigation lacks %s", want)
		}
	}
}

func TestChannelsPage(t *testing.T) {
	ctx := context.Background()
	srv, admin, agent := signedIn(t)

	if p := get(t, browser(srv.Client()), srv.URL, "/admin/channels"); p.Status != http.StatusFound || !strings.HasPrefix(p.Location, "/login?next=") {
		t.Errorf("anonymous /admin/channels: %d → %q", p.Status, p.Location)
	}
	if p := get(t, browser(agent), srv.URL, "/admin/channels"); p.Status != http.StatusForbidden {
		t.Errorf("agent /admin/channels: %d, want 403", p.Status)
	}

	empty := get(t, browser(admin), srv.URL, "/admin/channels")
	if empty.Status != http.StatusOK || !strings.Contains(empty.Body, "No channels yet") || !strings.Contains(empty.Body, `id="channel-form"`) {
		t.Fatalf("empty channels page: %d", empty.Status)
	}

	settings := client.ChannelSettings{AllowedOrigins: []string{"https://shop.example.com"}, Greeting: "Hi <b>there</b>",
		Color: "#ff5500", Position: "left", Languages: []string{"en"}}
	ch, err := admin.CreateChannel(ctx, client.ChannelInput{Name: `Shop <img src=x onerror=alert(1)>`, Settings: &settings})
	if err != nil {
		t.Fatal(err)
	}
	p := get(t, browser(admin), srv.URL, "/admin/channels", "Accept-Language", "en")
	if p.Status != http.StatusOK {
		t.Fatalf("/admin/channels: %d", p.Status)
	}
	if p.Header.Get("Content-Security-Policy") != web.ContentSecurityPolicy {
		t.Error("the channels page lacks the CSP")
	}
	if !strings.Contains(ch.Snippet, ch.Key) || !strings.Contains(ch.Snippet, "/widget.js") {
		t.Fatalf("snippet %q", ch.Snippet)
	}
	if strings.Contains(p.Body, ch.Snippet) {
		t.Error("the snippet is in the page as markup, not as text")
	}
	text := html.UnescapeString(p.Body)
	for _, want := range []string{ch.Snippet, ch.IdentitySecret, `data-channel-key="` + ch.Key + `"`, "https://shop.example.com",
		"data-user-id", "data-user-hash", "HMAC-SHA256", `data-api="/api/v1/channels/` + ch.ID + `" data-method="DELETE"`,
		`data-body='{"rotate_identity_secret":true}'`, `name="color" value="#ff5500"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the channels page lacks %s", want)
		}
	}
	if strings.Contains(p.Body, "<img src=x") || strings.Contains(p.Body, "<b>there</b>") {
		t.Error("a channel's name or greeting is in the page as markup")
	}
	if !regexp.MustCompile(`value="left"\s+checked`).MatchString(p.Body) || regexp.MustCompile(`data-channel-form data-url="/api/v1/channels/[^"]+"(?s:.)*value="zh"\s+checked(?s:.)*id="channel-form"`).MatchString(p.Body) {
		t.Error("the edit form does not show the channel's position and languages")
	}

	zh := get(t, browser(admin), srv.URL, "/admin/channels?lang=zh")
	for _, want := range []string{"网站渠道", "嵌入代码", "身份验证", "复制"} {
		if !strings.Contains(zh.Body, want) {
			t.Errorf("Chinese channels page lacks %s", want)
		}
	}
	if !strings.Contains(html.UnescapeString(zh.Body), ch.Snippet) {
		t.Error("the Chinese channels page lacks the snippet")
	}
}

// The scripts are served, and build the page from data with text only.
func TestConsoleScripts(t *testing.T) {
	srv := apitest.Start(t, sqlite)
	files, err := filepath.Glob("static/*.js")
	if err != nil || len(files) == 0 {
		t.Fatal("no scripts", err)
	}
	cat := i18n.MustLoad()
	keyRE := regexp.MustCompile(`\bt\('([a-z_]+\.[a-z0-9_.]*[a-z0-9])'`)
	for _, f := range files {
		name := filepath.Base(f)
		p := get(t, http.DefaultClient, srv.URL, "/static/"+name)
		if p.Status != http.StatusOK || !strings.Contains(p.Header.Get("Content-Type"), "javascript") {
			t.Errorf("/static/%s: %d %s", name, p.Status, p.Header.Get("Content-Type"))
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function`).Match(src) {
			t.Errorf("%s builds markup from strings", name)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(src), -1) {
			for _, l := range i18n.Langs {
				if _, ok := cat.Messages(l)[m[1]]; !ok {
					t.Errorf("%s uses %s, which has no %s message", name, m[1], l)
				}
			}
		}
	}
	for _, css := range []string{"console.css", "channels.css"} {
		if p := get(t, http.DefaultClient, srv.URL, "/static/"+css); p.Status != http.StatusOK {
			t.Errorf("/static/%s: %d", css, p.Status)
		}
	}
}
