package assistant_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/bot/assistant"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/kb"
	"github.com/switchboard-cs/switchboard/internal/platform/i18n"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

var ctx = context.Background()

const shopKB = `{"key":"ship-dom-zh","language":"zh","category":"配送","question":"国内运费多少钱？","similar":["国内快递费怎么算","国内包邮吗","寄到国内要多少运费","国内配送收费吗","国内邮费多少"],"answer":"国内订单满 **99 元**包邮，不满收取 10 元运费。","status":"published"}
{"key":"ship-intl-zh","language":"zh","category":"配送","question":"国际运费多少钱？","similar":["国际快递费怎么算","寄到国外要多少运费","海外配送收费吗","国际邮费多少","可以寄到美国吗运费多少"],"answer":"国际运费按重量计算，首重 120 元。","status":"published"}
{"key":"refund-zh","language":"zh","category":"售后","question":"怎么申请退款？","similar":["我要退款","退款怎么操作","钱怎么退回来","如何退款","申请退款流程"],"answer":"在“我的订单”中点击“申请退款”，1–3 个工作日内原路退回。","status":"published"}
{"key":"ship-dom-en","language":"en","category":"Shipping","question":"How much is domestic shipping?","similar":["what does shipping cost inside the country","is domestic delivery free","domestic shipping fee","how much to ship within china","local delivery price"],"answer":"Domestic orders over **¥99** ship free; otherwise shipping is ¥10.","status":"published"}
{"key":"ship-intl-en","language":"en","category":"Shipping","question":"How much is international shipping?","similar":["what does shipping abroad cost","do you ship overseas and how much","international delivery fee","shipping cost to the usa","how much to send it to another country"],"answer":"International shipping is charged by weight, from ¥120.","status":"published"}
{"key":"password-en","language":"en","category":"Account","question":"How do I reset my password?","similar":["forgot my password","can't log in, need a new password","change my password","password reset link","how to recover my account password"],"answer":"Use **Forgot password** on the sign-in page; the link is valid for 30 minutes.","status":"published"}
`

type world struct {
	db       *store.DB
	tenantID string
	channel  string
	contacts *contact.Service
	convs    *conversation.Service
	kb       *kb.Service
	bot      *assistant.Bot
}

func newWorld(t *testing.T, e storetest.Engine) *world {
	t.Helper()
	db := e.Open(t)
	w := &world{db: db}
	tn, err := tenant.New(db).Create(ctx, "shop", "Shop")
	must(t, err)
	w.tenantID = tn.ID
	accounts := account.New(db)
	w.contacts = contact.New(db)
	w.convs = conversation.New(conversation.Options{DB: db, Directory: dir{w.contacts}})
	t.Cleanup(w.convs.Shutdown)
	chans := channel.New(db)
	ch, err := chans.Create(ctx, tn.ID, "Website", channel.DefaultSettings())
	must(t, err)
	w.channel = ch.ID
	w.kb = kb.New(kb.Options{DB: db, OnPublishedChange: func(tenantID string) {
		if w.bot != nil {
			w.bot.Changed(tenantID)
		}
	}})
	w.bot = assistant.New(assistant.Options{DB: db, Conversations: w.convs, Knowledge: w.kb, Channels: chans, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Catalog: i18n.MustLoad(), Debounce: 20 * time.Millisecond, Workers: 2})
	must(t, w.bot.Start())
	t.Cleanup(w.bot.Stop)
	w.convs.SetOwners(w.bot.Owner)
	w.convs.SetObserver(w.bot.Observe)
	_ = accounts
	plan, err := kb.ParseImport(strings.NewReader(shopKB), "jsonl", kb.ImportOptions{})
	must(t, err)
	if len(plan.Errors) > 0 {
		t.Fatalf("import errors: %+v", plan.Errors)
	}
	_, err = w.kb.Import(ctx, tn.ID, kb.Actor{ID: "user:test", Reviewer: true}, plan, false)
	must(t, err)
	_, err = w.bot.Rebuild(ctx, tn.ID)
	must(t, err)
	return w
}

type dir struct{ contacts *contact.Service }

func (d dir) ContactExists(ctx context.Context, tenantID, id string) error {
	_, err := d.contacts.Get(ctx, tenantID, id)
	return err
}
func (dir) UserExists(context.Context, string, string) error { return nil }
func (dir) TeamExists(context.Context, string, string) error { return nil }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// visitor writes as one customer on the website channel.
type visitor struct {
	w       *world
	contact string
	conv    string
	seen    int64
}

func (w *world) visitor(t *testing.T, name string) *visitor {
	c, err := w.contacts.Create(ctx, w.tenantID, contact.Input{Name: &name})
	must(t, err)
	return &visitor{w: w, contact: c.ID}
}

// say sends a message and returns what the bot posted in reply (public
// messages only), waiting up to 10 s for at least one.
func (v *visitor) say(t *testing.T, body string) []conversation.Message {
	t.Helper()
	return v.sayWait(t, body, 10*time.Second)
}

// sayWait is say with a chosen wait (short where no reply is expected).
func (v *visitor) sayWait(t *testing.T, body string, wait time.Duration) []conversation.Message {
	t.Helper()
	st, err := v.w.convs.Receive(ctx, conversation.Inbound{TenantID: v.w.tenantID, ContactID: v.contact, ChannelID: v.w.channel,
		Message: conversation.NewMessage{SenderType: conversation.SenderContact, Body: body}})
	must(t, err)
	v.conv, v.seen = st.Conversation.ID, st.Message.Seq
	return v.replies(t, wait)
}

func (v *visitor) replies(t *testing.T, wait time.Duration) []conversation.Message {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		ms, err := v.w.convs.Messages(ctx, v.w.tenantID, v.conv, v.seen, 50)
		must(t, err)
		var out []conversation.Message
		for _, m := range ms {
			if m.SenderType == conversation.SenderBot {
				out = append(out, m)
			}
		}
		if len(out) > 0 || time.Now().After(deadline) {
			if len(ms) > 0 {
				v.seen = ms[len(ms)-1].Seq
			}
			return out
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// conversationNow returns the visitor's conversation as it is.
func (v *visitor) conversationNow(t *testing.T) conversation.Conversation {
	t.Helper()
	c, err := v.w.convs.Get(ctx, v.w.tenantID, v.conv)
	must(t, err)
	return c
}

// conversation returns the visitor's conversation once the bot has
// finished with the last message (its hand-off follows its reply).
func (v *visitor) conversation(t *testing.T) conversation.Conversation {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := v.w.convs.Get(ctx, v.w.tenantID, v.conv)
		must(t, err)
		ds, err := v.w.bot.Decisions(ctx, v.w.tenantID, v.conv)
		must(t, err)
		handingOff := len(ds) > 0 && ds[len(ds)-1].Kind == "handoff" && c.Owner == conversation.OwnerBot
		if !handingOff || time.Now().After(deadline) {
			return c
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func metaOf(t *testing.T, m conversation.Message) assistant.Meta {
	t.Helper()
	var meta assistant.Meta
	if err := json.Unmarshal(m.Meta, &meta); err != nil {
		t.Fatalf("bot message %q has no meta: %v", m.Body, err)
	}
	return meta
}

func (w *world) entryID(t *testing.T, key string) string {
	pub, err := w.kb.Published(ctx, w.tenantID, time.Now())
	must(t, err)
	for _, p := range pub {
		if p.Key == key {
			return p.ID
		}
	}
	t.Fatalf("no published entry %q", key)
	return ""
}

func TestBotInConversations(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { testBot(t, e) })
	}
}

func testBot(t *testing.T, e storetest.Engine) {
	w := newWorld(t, e)

	t.Run("answers in Chinese and understands a follow-up", func(t *testing.T) {
		v := w.visitor(t, "Li")
		r := v.say(t, "国内运费多少钱")
		if len(r) != 1 {
			t.Fatalf("replies: %v", r)
		}
		m := metaOf(t, r[0])
		if m.Kind != "answer" || m.EntryID != w.entryID(t, "ship-dom-zh") || !strings.Contains(r[0].Body, "99") ||
			!strings.Contains(m.HTML, "<strong>99 元</strong>") || !m.Rate || m.DecisionID == "" {
			t.Fatalf("domestic shipping answer: %q %+v", r[0].Body, m)
		}
		if c := v.conversation(t); c.Owner != conversation.OwnerBot {
			t.Fatalf("owner after an answer: %q", c.Owner)
		}
		r = v.say(t, "那国际的呢？")
		if len(r) != 1 || metaOf(t, r[0]).EntryID != w.entryID(t, "ship-intl-zh") {
			t.Fatalf("follow-up answered with %v", r)
		}
		ds, err := w.bot.Decisions(ctx, w.tenantID, v.conv)
		must(t, err)
		if len(ds) != 2 || !ds[1].Context || ds[0].Context {
			t.Fatalf("decisions: %+v", ds)
		}
		// The customer rates the answer; only their own conversation counts.
		if _, err := w.bot.Rate(ctx, w.tenantID, ds[1].ID, false, func(string) bool { return false }); err == nil {
			t.Fatal("a rating for someone else's conversation was accepted")
		}
		rated, err := w.bot.Rate(ctx, w.tenantID, ds[1].ID, true, func(c string) bool { return c == v.conv })
		must(t, err)
		if rated.Rating != 1 {
			t.Fatalf("rating %d", rated.Rating)
		}
	})

	t.Run("answers in English, greets and thanks", func(t *testing.T) {
		v := w.visitor(t, "Ann")
		r := v.say(t, "hi")
		if len(r) != 1 || metaOf(t, r[0]).Kind != "greeting" || !strings.Contains(r[0].Body, "Hello") {
			t.Fatalf("greeting: %v", r)
		}
		r = v.say(t, "I forgot my password, how can I reset it?")
		if len(r) != 1 || metaOf(t, r[0]).EntryID != w.entryID(t, "password-en") {
			t.Fatalf("password answer: %v", r)
		}
		r = v.say(t, "thanks!")
		if len(r) != 1 || metaOf(t, r[0]).Kind != "thanks" {
			t.Fatalf("thanks: %v", r)
		}
	})

	t.Run("hands off at once when asked for a person, then stays silent", func(t *testing.T) {
		v := w.visitor(t, "Wang")
		r := v.say(t, "转人工")
		if len(r) != 1 || metaOf(t, r[0]).Kind != "handoff" || !strings.Contains(r[0].Body, "人工") {
			t.Fatalf("hand-off reply: %v", r)
		}
		c := v.conversation(t)
		if c.Owner != conversation.OwnerQueue || c.HandoffReason != conversation.ReasonAskedForHuman || c.Priority != 0 {
			t.Fatalf("after 转人工: owner %q reason %q priority %d", c.Owner, c.HandoffReason, c.Priority)
		}
		notes := privateNotes(t, w, v.conv)
		if len(notes) != 1 || !strings.Contains(notes[0], "客户要求人工服务") {
			t.Fatalf("agent note: %q", notes)
		}
		if r := v.sayWait(t, "国内运费多少钱", time.Second); len(r) != 0 {
			t.Fatalf("the bot spoke after the hand-off: %v", r)
		}
	})

	t.Run("an angry customer goes to people with priority and a warning", func(t *testing.T) {
		v := w.visitor(t, "Zhao")
		r := v.say(t, "你们这什么垃圾服务，气死我了！")
		if len(r) != 1 || metaOf(t, r[0]).Reason != conversation.ReasonNegative {
			t.Fatalf("angry message: %v", r)
		}
		c := v.conversation(t)
		if c.Owner != conversation.OwnerQueue || c.HandoffReason != conversation.ReasonNegative || c.Priority != assistant.PriorityUnhappy {
			t.Fatalf("after anger: owner %q reason %q priority %d", c.Owner, c.HandoffReason, c.Priority)
		}
		if notes := privateNotes(t, w, v.conv); len(notes) != 1 || !strings.Contains(notes[0], "⚠") {
			t.Fatalf("agent warning: %q", notes)
		}
		v = w.visitor(t, "Smith")
		v.say(t, "This is ridiculous, worst service ever!!!")
		if c := v.conversation(t); c.HandoffReason != conversation.ReasonNegative || c.Priority != assistant.PriorityUnhappy {
			t.Fatalf("English anger: reason %q priority %d", c.HandoffReason, c.Priority)
		}
	})

	t.Run("offers choices when unsure and hands off when nothing matches", func(t *testing.T) {
		st, err := w.bot.Settings(ctx, w.tenantID)
		must(t, err)
		st.Answer, st.Clarify, st.MaxMisses = 0.999, 0.0001, 1
		_, err = w.bot.PutSettings(ctx, w.tenantID, st)
		must(t, err)
		_, err = w.bot.Rebuild(ctx, w.tenantID)
		must(t, err)
		v := w.visitor(t, "Chen")
		r := v.say(t, "运费")
		m := metaOf(t, r[0])
		if len(r) != 1 || m.Kind != "clarify" || len(m.Buttons) < 2 || len(m.Buttons) > 4 || !m.Buttons[len(m.Buttons)-1].Human {
			t.Fatalf("vague question: %q %+v", r[0].Body, m)
		}
		if !strings.Contains(r[0].Body, "运费多少钱") {
			t.Fatalf("choices do not name the shipping entries: %q", r[0].Body)
		}
		// One unsuccessful turn is the limit now: the next unsure one goes to people.
		v.say(t, "运费")
		if c := v.conversation(t); c.Owner != conversation.OwnerQueue || c.HandoffReason != conversation.ReasonLowConfidence {
			t.Fatalf("second unsure turn: owner %q reason %q", c.Owner, c.HandoffReason)
		}
		groups, err := w.bot.Unanswered(ctx, w.tenantID)
		must(t, err)
		if len(groups) == 0 || groups[0].Question != "运费" || groups[0].Count != 2 || groups[0].Language != "zh" {
			t.Fatalf("unanswered groups: %+v", groups)
		}
		n, err := w.bot.Resolve(ctx, w.tenantID, groups[0].DecisionIDs)
		must(t, err)
		if n != 2 {
			t.Fatalf("resolved %d", n)
		}
		groups, err = w.bot.Unanswered(ctx, w.tenantID)
		must(t, err)
		for _, g := range groups {
			if g.Question == "运费" {
				t.Fatalf("a resolved group is still listed: %+v", g)
			}
		}
		_, err = w.bot.PutSettings(ctx, w.tenantID, assistant.DefaultSettings())
		must(t, err)
	})

	t.Run("hands off once it has answered its limit of turns", func(t *testing.T) {
		st := assistant.DefaultSettings()
		st.MaxTurns = 1
		_, err := w.bot.PutSettings(ctx, w.tenantID, st)
		must(t, err)
		_, err = w.bot.Rebuild(ctx, w.tenantID)
		must(t, err)
		v := w.visitor(t, "Zhou")
		if r := v.say(t, "国内运费多少钱"); len(r) != 1 || metaOf(t, r[0]).Kind != "answer" {
			t.Fatalf("first question: %v", r)
		}
		v.say(t, "怎么申请退款？")
		if c := v.conversation(t); c.Owner != conversation.OwnerQueue || c.HandoffReason != conversation.ReasonTurnLimit {
			t.Fatalf("after the limit: owner %q reason %q", c.Owner, c.HandoffReason)
		}
		_, err = w.bot.PutSettings(ctx, w.tenantID, assistant.DefaultSettings())
		must(t, err)
	})

	t.Run("a published change retrains the bot by itself", func(t *testing.T) {
		if _, err := w.bot.Rebuild(ctx, w.tenantID); err != nil {
			t.Fatal(err)
		}
		before, err := w.bot.Try(ctx, w.tenantID, "我要退款", nil)
		must(t, err)
		refund := w.entryID(t, "refund-zh")
		if before.EntryID != refund {
			t.Fatalf("refund question answered with %+v", before)
		}
		_, err = w.kb.Archive(ctx, w.tenantID, kb.Actor{ID: "user:test", Reviewer: true}, refund)
		must(t, err)
		deadline := time.Now().Add(10 * time.Second)
		for {
			after, err := w.bot.Try(ctx, w.tenantID, "我要退款", nil)
			must(t, err)
			if after.EntryID != refund {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the archived entry still answers after 10 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

func privateNotes(t *testing.T, w *world, convID string) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ms, err := w.convs.Messages(ctx, w.tenantID, convID, 0, 200)
		must(t, err)
		var out []string
		for _, m := range ms {
			if m.Private {
				out = append(out, m.Body)
			}
		}
		if len(out) > 0 || time.Now().After(deadline) {
			return out
		}
		time.Sleep(10 * time.Millisecond)
	}
}
