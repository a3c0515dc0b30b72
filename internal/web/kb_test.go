package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// The knowledge base and unanswered pages are for every signed-in user,
// the bot's settings for administrators; the old admin paths lead on.
func TestKnowledgeBasePagesAccess(t *testing.T) {
	srv, admin, agent := signedIn(t)
	anon := browser(srv.Client())
	for _, path := range []string{"/kb", "/kb/unanswered", "/admin/bot"} {
		if p := get(t, anon, srv.URL, path); p.Status != http.StatusFound || !strings.HasPrefix(p.Location, "/login?next=") {
			t.Errorf("anonymous %s: %d → %q", path, p.Status, p.Location)
		}
	}
	for path, want := range map[string]int{"/kb": 200, "/kb/unanswered": 200, "/admin/bot": 403} {
		if p := get(t, browser(agent), srv.URL, path); p.Status != want {
			t.Errorf("agent %s: %d, want %d", path, p.Status, want)
		}
	}
	for path, to := range map[string]string{"/admin/kb": "/kb", "/admin/bot/unanswered": "/kb/unanswered"} {
		if p := get(t, browser(admin), srv.URL, path); p.Status != http.StatusFound || p.Location != to {
			t.Errorf("%s: %d → %q, want %s", path, p.Status, p.Location, to)
		}
	}
	bot := get(t, browser(admin), srv.URL, "/admin/bot")
	if bot.Status != http.StatusOK || !strings.Contains(bot.Body, `href="/admin/bot" aria-current="page"`) || !strings.Contains(bot.Body, `id="bot-form"`) {
		t.Errorf("the administrator's bot page: %d, or it lacks the form or the current link", bot.Status)
	}
	acc := get(t, browser(agent), srv.URL, "/account")
	for _, want := range []string{`href="/kb"`, `href="/kb/unanswered"`} {
		if !strings.Contains(acc.Body, want) {
			t.Errorf("the agent's navigation lacks %s", want)
		}
	}
	if strings.Contains(acc.Body, `href="/admin/bot"`) {
		t.Error("the agent's navigation offers the bot settings")
	}
}

// The pages are in both languages, and their scripts get their messages.
func TestKnowledgeBasePagesLanguages(t *testing.T) {
	srv, admin, _ := signedIn(t)
	cases := []struct {
		path, page string
		en, zh     []string
	}{
		{"/kb", "kb", []string{"Knowledge base", "Similar questions", "Submit for review", "Check file"}, []string{"知识库", "相似问法", "提交审核", "检查文件"}},
		{"/admin/bot", "bot", []string{"Answer threshold", "Clarify threshold", "Try the bot", "Rebuild now"}, []string{"回答阈值", "澄清阈值", "试用机器人", "立即重建"}},
		{"/kb/unanswered", "bot-unanswered", []string{"Unanswered questions"}, []string{"未解决问题"}},
	}
	for _, c := range cases {
		for _, lang := range []string{"en", "zh"} {
			p := get(t, browser(admin), srv.URL, c.path+"?lang="+lang)
			if p.Status != http.StatusOK {
				t.Fatalf("%s?lang=%s: %d", c.path, lang, p.Status)
			}
			want := c.en
			if lang == "zh" {
				want = c.zh
			}
			for _, w := range want {
				if !strings.Contains(p.Body, w) {
					t.Errorf("%s?lang=%s lacks %q", c.path, lang, w)
				}
			}
			if body := stripJSONBlocks(p.Body); strings.Contains(body, "adminkb.") {
				t.Errorf("%s?lang=%s shows a message key", c.path, lang)
			}
			msgs := scriptMessages(t, p.Body)
			if msgs["adminkb.status.in_review"] == "" || msgs["adminkb.bot.kind.answer"] == "" {
				t.Errorf("%s?lang=%s: the script lacks its messages", c.path, lang)
			}
			if lang == "zh" && msgs["adminkb.status.in_review"] != "待审核" {
				t.Errorf("%s?lang=zh: the script's messages are not in 中文", c.path)
			}
		}
	}
}
