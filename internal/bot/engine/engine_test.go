package engine

import (
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/bot/dataset"
)

// shopKB is a small bilingual shop FAQ.
func shopKB() []Entry {
	return []Entry{
		{ID: "ship_domestic_zh", Language: "zh", Question: "国内运费多少", Similar: []string{"国内快递费怎么算", "寄到国内要多少运费", "国内发货收运费吗"},
			Answer: "国内订单满99元包邮，不满收取10元运费。"},
		{ID: "ship_intl_zh", Language: "zh", Question: "国际运费多少", Similar: []string{"寄到国外的运费怎么算", "国际快递收费标准", "海外发货要多少运费"},
			Answer: "国际运费按重量和目的地计算，下单时显示。"},
		{ID: "refund_zh", Language: "zh", Question: "怎么申请退款", Similar: []string{"退款多久到账", "我要退款", "退款流程是什么"},
			Answer: "在订单详情页点击申请退款，审核通过后3到5个工作日原路退回。"},
		{ID: "return_zh", Language: "zh", Question: "怎么退货", Similar: []string{"退货地址是哪里", "商品不满意可以退货吗", "七天无理由退货怎么操作"},
			Answer: "签收后七天内可在订单页申请退货，寄回后我们会处理。"},
		{ID: "invoice_zh", Language: "zh", Question: "怎么开发票", Similar: []string{"可以开增值税发票吗", "发票在哪里下载", "电子发票怎么申请"},
			Answer: "在订单详情页申请电子发票，开具后可下载。"},
		{ID: "password_zh", Language: "zh", Question: "忘记密码怎么办", Similar: []string{"怎么重置登录密码", "密码找不回来了", "修改密码在哪里"},
			Answer: "在登录页点击忘记密码，通过手机验证码重置。"},
		{ID: "ship_domestic_en", Language: "en", Question: "How much is domestic shipping?", Similar: []string{"What does shipping within the country cost?", "Shipping fee for domestic orders", "Do you charge for domestic delivery?"},
			Answer: "Domestic orders over $50 ship free; otherwise shipping is $5."},
		{ID: "ship_intl_en", Language: "en", Question: "How much is international shipping?", Similar: []string{"What does it cost to ship abroad?", "Shipping fee for international orders", "Do you ship overseas and how much?"},
			Answer: "International shipping depends on weight and destination and is shown at checkout."},
		{ID: "refund_en", Language: "en", Question: "How do I get a refund?", Similar: []string{"When will my refund arrive?", "I want my money back", "Refund process"},
			Answer: "Request a refund on the order page; it reaches your card in 3-5 business days."},
		{ID: "return_en", Language: "en", Question: "How do I return an item?", Similar: []string{"Where do I send returns?", "Can I return something I don't like?", "Return policy"},
			Answer: "You can return items within 30 days from the order page."},
		{ID: "password_en", Language: "en", Question: "I forgot my password", Similar: []string{"How do I reset my password?", "Can't log in, lost password", "Change my password"},
			Answer: "Click 'forgot password' on the sign-in page and follow the e-mail."},
		{ID: "business_en", Language: "en", Question: "Do you offer business accounts?", Similar: []string{"Corporate account for my company", "Can my company open an account?", "Business account benefits"},
			Answer: "Yes, business accounts get invoices and volume discounts."},
	}
}

var (
	shopOnce   sync.Once
	shopEngine *Engine
)

func shop(t testing.TB) *Engine {
	t.Helper()
	shopOnce.Do(func() {
		e, err := Build(shopKB(), Options{
			Synonyms: [][]string{{"退款", "退钱"}, {"refund", "money back"}},
			Terms:    []string{"增值税发票"},
			Decline:  []string{"今天天气怎么样", "what's the weather like", "tell me a joke", "讲个笑话"},
			Seed:     1,
		})
		if err != nil {
			t.Fatal(err)
		}
		shopEngine = e
	})
	if shopEngine == nil {
		t.Fatal("shop engine failed to build")
	}
	return shopEngine
}

func TestBuildErrors(t *testing.T) {
	ok := Entry{ID: "a", Question: "how do i pay"}
	long := make([]string, MaxSimilar+1)
	for i := range long {
		long[i] = "q"
	}
	for _, tc := range []struct {
		name    string
		entries []Entry
		o       Options
		want    string
	}{
		{"no entries", nil, Options{}, "no entries"},
		{"no id", []Entry{{Question: "x"}}, Options{}, "entry 1 has no id"},
		{"duplicate id", []Entry{ok, ok}, Options{}, `"a" appears twice`},
		{"no question", []Entry{ok, {ID: "b", Question: " 🙂 ", Similar: []string{"!!"}}}, Options{}, `"b" has no question`},
		{"too many similar", []Entry{{ID: "b", Question: "x", Similar: long}}, Options{}, "similar questions, at most"},
		{"bad lexicon", []Entry{ok}, Options{Synonyms: [][]string{{"a", "b"}, {"c", "b"}}}, "lexicon"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(tc.entries, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	if err := DefaultPolicy().Validate(); err != nil {
		t.Fatalf("default policy: %v", err)
	}
	for _, p := range []Policy{{Answer: 1.2}, {Answer: 0.5, Clarify: -0.1}, {Answer: 0.5, Negative: 2}, {Answer: 0.3, Clarify: 0.6}} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v validated", p)
		}
	}
	err := Policy{Answer: 0.3, Clarify: 0.6, Negative: 1}.Validate()
	if err == nil || !strings.Contains(err.Error(), "Clarify") || !strings.Contains(err.Error(), "Answer") {
		t.Errorf("Clarify above Answer: %v", err)
	}
}

func TestDecideAnswers(t *testing.T) {
	e := shop(t)
	for _, tc := range []struct{ text, want string }{
		{"国内运费多少", "ship_domestic_zh"},
		{"國際運費多少？", "ship_intl_zh"}, // traditional script
		{"我想退钱", "refund_zh"},       // synonym of 退款
		{"能开增值税发票么", "invoice_zh"},  // tenant term
		{"How much is international shipping", "ship_intl_en"},
		{"how do i reset my pasword", "password_en"}, // typo
		{"ＲＥＦＵＮＤ process", "refund_en"},              // full width
		{"你好，请问怎么退货", "return_zh"},                   // greeting, then the question
		{"Hi there! I forgot my password", "password_en"},
	} {
		d := e.Decide(Query{Text: tc.text})
		if len(d.Candidates) == 0 || d.Candidates[0].EntryID != tc.want {
			t.Errorf("%q: kind %s candidates %+v, want %s first", tc.text, d.Kind, d.Candidates, tc.want)
			continue
		}
		if d.Kind != KindAnswer && d.Kind != KindClarify {
			t.Errorf("%q: kind %s (confidence %.2f), want an answer or clarify", tc.text, d.Kind, d.Confidence)
		}
		if d.Kind == KindAnswer && d.EntryID != tc.want {
			t.Errorf("%q: answered %s", tc.text, d.EntryID)
		}
	}
	// an exact standard question is answered outright, in its language
	d := e.Decide(Query{Text: "国内运费多少"})
	if d.Kind != KindAnswer || d.EntryID != "ship_domestic_zh" || d.Language != "zh" || d.Confidence < DefaultPolicy().Answer {
		t.Errorf("exact question: %+v", d)
	}
	if d = e.Decide(Query{Text: "How do I return an item?"}); d.Language != "en" || d.Kind != KindAnswer {
		t.Errorf("english exact question: %+v", d)
	}
	// unrelated questions are not answered
	for _, s := range []string{"qwrtzp xkcd vvv", "量子力学的薛定谔方程", "what's the weather like tomorrow"} {
		d := e.Decide(Query{Text: s})
		if d.Kind == KindAnswer {
			t.Errorf("%q answered with %s (confidence %.2f)", s, d.EntryID, d.Confidence)
		}
		if d.Kind == KindNoMatch && d.Reason != ReasonNoMatch && d.Reason != ReasonLowConfidence {
			t.Errorf("%q: reason %q", s, d.Reason)
		}
	}
}

func TestDecideInvariants(t *testing.T) {
	e := shop(t)
	for _, s := range []string{"运费", "shipping", "refund", "退", "password reset shipping refund return"} {
		d := e.Decide(Query{Text: s})
		if len(d.Candidates) > 3 {
			t.Errorf("%q: %d candidates", s, len(d.Candidates))
		}
		for i := 1; i < len(d.Candidates); i++ {
			if d.Candidates[i].Confidence > d.Candidates[i-1].Confidence {
				t.Errorf("%q: candidates not best first: %+v", s, d.Candidates)
			}
		}
		if len(d.Candidates) > 0 && d.Confidence != d.Candidates[0].Confidence {
			t.Errorf("%q: confidence %v is not the best candidate's %v", s, d.Confidence, d.Candidates[0].Confidence)
		}
		if d.Elapsed <= 0 {
			t.Errorf("%q: elapsed not measured", s)
		}
	}
	// the policy decides between answer, clarify and no match
	d := e.Decide(Query{Text: "shipping", Policy: Policy{Answer: 1, Clarify: 0, Negative: 1}})
	if d.Kind != KindClarify || len(d.Candidates) == 0 {
		t.Errorf("Answer 1, Clarify 0: %+v, want clarify with candidates", d)
	}
	d = e.Decide(Query{Text: "shipping", Policy: Policy{Answer: 1, Clarify: 1, Negative: 1}})
	if d.Kind != KindNoMatch || d.Reason != ReasonLowConfidence || len(d.Candidates) == 0 {
		t.Errorf("Clarify 1: %+v, want no_match/low_confidence with candidates", d)
	}
	d = e.Decide(Query{Text: "shipping", Policy: Policy{Answer: 0, Clarify: 0, Negative: 1}})
	if d.Kind != KindAnswer {
		t.Errorf("Answer 0: %+v, want an answer", d)
	}
	// an invalid policy falls back to the default instead of misbehaving
	d = e.Decide(Query{Text: "国内运费多少", Policy: Policy{Answer: 7}})
	if d.Kind != KindAnswer {
		t.Errorf("invalid policy: %+v", d)
	}
}

func TestDeterministic(t *testing.T) {
	a, err := Build(shopKB(), Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(shopKB(), Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"运费怎么算", "refund please", "how much to ship abroad"} {
		da, db := a.Decide(Query{Text: s}), b.Decide(Query{Text: s})
		da.Elapsed, db.Elapsed = 0, 0
		if !equalDecisions(da, db) {
			t.Errorf("%q: %+v vs %+v", s, da, db)
		}
	}
	if n, q := a.Size(); n != 12 || q != 48 {
		t.Errorf("Size = %d, %d; want 12 entries, 48 questions", n, q)
	}
}

func equalDecisions(a, b Decision) bool {
	if a.Kind != b.Kind || a.EntryID != b.EntryID || a.Confidence != b.Confidence || len(a.Candidates) != len(b.Candidates) {
		return false
	}
	for i := range a.Candidates {
		if a.Candidates[i] != b.Candidates[i] {
			return false
		}
	}
	return true
}

func TestConcurrentDecide(t *testing.T) {
	e := shop(t)
	want := e.Decide(Query{Text: "退款多久到账"})
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				d := e.Decide(Query{Text: "退款多久到账"})
				if !equalDecisions(d, want) {
					errs <- "different decision under concurrency"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for s := range errs {
		t.Fatal(s)
	}
}

func TestFollowUp(t *testing.T) {
	e := shop(t)
	for _, tc := range []struct {
		first, firstID, follow, want string
	}{
		{"国内运费多少", "ship_domestic_zh", "那国际的呢？", "ship_intl_zh"},
		{"How much is domestic shipping?", "ship_domestic_en", "what about international?", "ship_intl_en"},
		{"怎么申请退款", "refund_zh", "那退货呢", "return_zh"},
	} {
		d1 := e.Decide(Query{Text: tc.first})
		if d1.Kind != KindAnswer || d1.EntryID != tc.firstID {
			t.Fatalf("%q: %+v, want an answer from %s", tc.first, d1, tc.firstID)
		}
		d2 := e.Decide(Query{Text: tc.follow, Prev: &Turn{Question: tc.first, EntryID: d1.EntryID}})
		if d2.Kind != KindAnswer || d2.EntryID != tc.want || !d2.Context {
			t.Errorf("%q after %q: kind %s entry %s context %v confidence %.2f candidates %+v; want an answer from %s using the context",
				tc.follow, tc.first, d2.Kind, d2.EntryID, d2.Context, d2.Confidence, d2.Candidates, tc.want)
		}
	}
	// a complete question after a previous turn stands on its own
	d := e.Decide(Query{Text: "忘记密码怎么办", Prev: &Turn{Question: "国内运费多少", EntryID: "ship_domestic_zh"}})
	if d.Kind != KindAnswer || d.EntryID != "password_zh" || d.Context {
		t.Errorf("standalone question after a turn: %+v", d)
	}
	// an empty previous turn is ignored
	d = e.Decide(Query{Text: "国内运费多少", Prev: &Turn{}})
	if d.EntryID != "ship_domestic_zh" || d.Context {
		t.Errorf("empty previous turn: %+v", d)
	}
}

func TestTune(t *testing.T) {
	e := shop(t)
	dev := []dataset.Example{
		{Text: "国内寄快递多少钱", Label: "ship_domestic_zh"},
		{Text: "退款什么时候到", Label: "refund_zh"},
		{Text: "how much to ship overseas", Label: "ship_intl_en"},
		{Text: "reset password", Label: "password_en"},
		{Text: "发票怎么开", Label: "invoice_zh"},
		{Text: "what is the meaning of life", Label: "oos"},
		{Text: "帮我订一张去北京的机票", Label: "oos"},
		{Text: "play some music", Label: "oos"},
		{Text: "who won the football game", Label: "oos"},
	}
	p := e.Tune(dev, TuneTarget{OOSRecall: 0.75})
	if err := p.Validate(); err != nil {
		t.Fatalf("tuned policy %+v: %v", p, err)
	}
	m := Evaluate(e, dev, p)
	if m.OOSRecall < 0.75 {
		t.Errorf("tuned for oos recall 0.75, got %.2f (policy %+v)", m.OOSRecall, p)
	}
	// without oos examples the policy keeps nearly every in-scope answer
	p = e.Tune(dev[:5], TuneTarget{})
	if p.Clarify > noOOSClarifyCap {
		t.Errorf("no oos: Clarify %v above %v", p.Clarify, noOOSClarifyCap)
	}
	if m := Evaluate(e, dev[:5], p); m.InScopeAcc < 0.8 {
		t.Errorf("no oos: in-scope accuracy %.2f with %+v", m.InScopeAcc, p)
	}
	if got := e.Tune(nil, TuneTarget{}); got != DefaultPolicy() {
		t.Errorf("no data: %+v, want the default policy", got)
	}
}

func TestFromExamplesAndSplit(t *testing.T) {
	exs := []dataset.Example{
		{Text: "a1", Label: "a", Line: 1}, {Text: "b1", Label: "b", Line: 2}, {Text: "a2", Label: "a", Line: 3},
		{Text: "x", Label: "oos", Line: 4}, {Text: "a3", Label: "a", Line: 5},
	}
	entries, decline, err := FromExamples(exs)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].ID != "a" || entries[0].Question != "a1" || len(entries[0].Similar) != 2 || entries[1].Question != "b1" {
		t.Errorf("entries %+v", entries)
	}
	if len(decline) != 1 || decline[0] != "x" {
		t.Errorf("decline %v", decline)
	}
	if _, _, err := FromExamples([]dataset.Example{{Text: "x", Label: "oos", Line: 1}}); err == nil {
		t.Error("only oos examples: no error")
	}
	if _, _, err := FromExamples([]dataset.Example{{Text: "x", Label: "", Line: 3}}); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("empty label: %v", err)
	}
	rest, held := Split(exs, 0.4, 1)
	if len(rest)+len(held) != len(exs) || len(held) != 1 || held[0].Label != "a" {
		t.Errorf("split: rest %v held %v", rest, held)
	}
	rest2, held2 := Split(exs, 0.4, 1)
	if held2[0] != held[0] || len(rest2) != len(rest) {
		t.Error("split is not deterministic")
	}
}

// TestClassifierRegime: a knowledge base big enough to calibrate trains the
// classifier; one above the label limit ranks with retrieval alone. Both
// answer unseen phrasings.
func TestClassifierRegime(t *testing.T) {
	kb := genKB(60, 9, 5)
	texts, ids := genQueries(len(kb), 200, 11)
	for _, limit := range []int{0, -1} {
		e, err := Build(kb, Options{Seed: 1, ClassifierLabels: limit})
		if err != nil {
			t.Fatal(err)
		}
		if e.Classifier() != (limit == 0) {
			t.Fatalf("limit %d: classifier %v", limit, e.Classifier())
		}
		if e.calib.Examples < minCalibration {
			t.Errorf("limit %d: calibrated on %d held-out questions", limit, e.calib.Examples)
		}
		right := 0
		for i, s := range texts {
			d := e.Decide(Query{Text: s, Policy: Policy{Answer: 0, Clarify: 0, Negative: 1}})
			if d.EntryID == ids[i] {
				right++
			}
		}
		if acc := float64(right) / float64(len(texts)); acc < 0.9 {
			t.Errorf("limit %d: accuracy %.2f on generated questions", limit, acc)
		}
	}
}

// An article is found through its body as well as its title; a tenant
// term is matched whole.
func TestArticleAndTerms(t *testing.T) {
	kb := append(shopKB(), Entry{
		ID: "size_article", Kind: "article", Language: "en", Question: "Returns and exchanges policy",
		Answer: "Clothing can be exchanged for a different size or colour within 30 days, free of charge, " +
			"as long as the tags are still attached.",
	}, Entry{
		ID: "vip_zh", Kind: "faq", Language: "zh", Question: "黑金会员有什么权益", Similar: []string{"黑金会员怎么开通"},
	})
	e, err := Build(kb, Options{Terms: []string{"黑金会员"}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	d := e.Decide(Query{Text: "can I swap this shirt for a different size?"})
	if len(d.Candidates) == 0 || d.Candidates[0].EntryID != "size_article" {
		t.Errorf("question answered by an article's body: %+v", d)
	}
	d = e.Decide(Query{Text: "黑金会员续费"})
	if len(d.Candidates) == 0 || d.Candidates[0].EntryID != "vip_zh" {
		t.Errorf("tenant term: %+v", d)
	}
}
