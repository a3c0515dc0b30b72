package engine

import (
	"strings"
	"testing"
)

func TestFixedBehaviour(t *testing.T) {
	e := shop(t)
	for _, tc := range []struct {
		text, kind, reason string
	}{
		{"", KindEmpty, ""},
		{"   \t\n ", KindEmpty, ""},
		{"🙂🙂👍", KindEmpty, ""},
		{"\x00\x01\u200b\ufeff", KindEmpty, ""},
		{"？？！。", KindEmpty, ""},
		{"你好", KindGreeting, ""},
		{"您好！", KindGreeting, ""},
		{"在吗", KindGreeting, ""},
		{"你好，在吗？", KindGreeting, ""},
		{"客服你好", KindGreeting, ""},
		{"hi", KindGreeting, ""},
		{"Hello there!", KindGreeting, ""},
		{"hey 👋", KindGreeting, ""},
		{"good morning", KindGreeting, ""},
		{"谢谢", KindThanks, ""},
		{"多谢！", KindThanks, ""},
		{"好的，谢谢你", KindThanks, ""},
		{"thanks a lot", KindThanks, ""},
		{"Thank you so much for your help!", KindThanks, ""},
		{"ok thx", KindThanks, ""},
		{"再见", KindGoodbye, ""},
		{"拜拜", KindGoodbye, ""},
		{"谢谢，再见", KindGoodbye, ""},
		{"bye", KindGoodbye, ""},
		{"thanks, bye!", KindGoodbye, ""},
		{"转人工", KindHandoff, ReasonAskedForHuman},
		{"人工客服", KindHandoff, ReasonAskedForHuman},
		{"我要找人工", KindHandoff, ReasonAskedForHuman},
		{"真人", KindHandoff, ReasonAskedForHuman},
		{"人工", KindHandoff, ReasonAskedForHuman},
		{"人工！！", KindHandoff, ReasonAskedForHuman},
		{"退款一直不到，帮我转人工", KindHandoff, ReasonAskedForHuman},
		{"human", KindHandoff, ReasonAskedForHuman},
		{"Agent", KindHandoff, ReasonAskedForHuman},
		{"agent please", KindHandoff, ReasonAskedForHuman},
		{"I want to talk to a person", KindHandoff, ReasonAskedForHuman},
		{"can I speak to a representative?", KindHandoff, ReasonAskedForHuman},
		{"real person please", KindHandoff, ReasonAskedForHuman},
		{"connect me with a live agent", KindHandoff, ReasonAskedForHuman},
		{"please transfer me to one of your agents", KindHandoff, ReasonAskedForHuman},
		{"Let me talk to a human!", KindHandoff, ReasonAskedForHuman},
		{"你们这什么垃圾服务，气死我了！", KindHandoff, ReasonNegativeSentiment},
		{"This is ridiculous, worst service ever!!!", KindHandoff, ReasonNegativeSentiment},
	} {
		d := e.Decide(Query{Text: tc.text})
		if d.Kind != tc.kind || d.Reason != tc.reason {
			t.Errorf("%q: kind %q reason %q, want %q %q", tc.text, d.Kind, d.Reason, tc.kind, tc.reason)
		}
		if tc.reason == ReasonNegativeSentiment && (!d.Negative || d.Sentiment < DefaultPolicy().Negative) {
			t.Errorf("%q: Negative %v Sentiment %.3f", tc.text, d.Negative, d.Sentiment)
		}
		if tc.kind != KindHandoff && d.Candidates != nil {
			t.Errorf("%q: %s with candidates %+v", tc.text, d.Kind, d.Candidates)
		}
	}
	// a handoff still shows the agent what the question was about
	d := e.Decide(Query{Text: "退款多久到账？转人工"})
	if d.Kind != KindHandoff || len(d.Candidates) == 0 || d.Candidates[0].EntryID != "refund_zh" {
		t.Errorf("handoff with a question: %+v", d)
	}
	// the sentiment handoff can be switched off
	d = e.Decide(Query{Text: "This is ridiculous, worst service ever!!!", Policy: Policy{Answer: 0.6, Clarify: 0.2, Negative: 1}})
	if d.Kind == KindHandoff || !(d.Sentiment > 0.9) || d.Negative {
		t.Errorf("Negative 1: %+v", d)
	}
	// a huge message is bounded and still decided
	d = e.Decide(Query{Text: strings.Repeat("退款多久到账 ", 100000)})
	if d.Kind == KindEmpty || d.Elapsed <= 0 {
		t.Errorf("long message: %+v", d)
	}
}

// Words about people in another sense, and questions about the bot, are
// not requests for a person.
func TestNotAskingForHuman(t *testing.T) {
	for _, s := range []string{
		"my agent card is not working",
		"I'm trying to send the deposit over to the agent",
		"Do I need to speak to a representative to change my pin?",
		"are you a real person",
		"you're a real person, right?",
		"I'd like to know if an agent can open my account",
		"am i talking to a human or a bot",
		"At what age can a person open an account?",
		"I sent money to a person and they haven't received it",
		"put smooth operator by sade on my playlist",
		"Can someone help me unblock my pin?",
		"人工智能是什么",
		"你是真人还是机器人",
		"客服电话是多少", // asks for a number, answered from the knowledge base
		"how do i contact customer service by email",
		"can I transfer to a person who banks elsewhere?",
		"I need a person's bank details to send money",
	} {
		if asksForHuman(compact(s)) {
			t.Errorf("%q read as a request for a person", s)
		}
	}
}

func TestSmallTalkRest(t *testing.T) {
	for _, tc := range []struct{ in, kind, rest string }{
		{"你好，请问怎么退款", "", "请问怎么退款"},
		{"hi, how do I reset my password", "", "how do i reset my password"},
		{"hello there how much is shipping", "", "how much is shipping"},
		{"thanks, but where is my parcel", "", ""},
		{"hi there", KindGreeting, ""},
		{"退款", "", ""},
	} {
		kind, rest := smallTalk(compact(tc.in))
		if kind != tc.kind || rest != tc.rest {
			t.Errorf("%q: %q %q, want %q %q", tc.in, kind, rest, tc.kind, tc.rest)
		}
	}
}

func TestFollowUpCue(t *testing.T) {
	for s, want := range map[string]bool{
		"那国际的呢？":                     true,
		"那退货呢":                       true,
		"国际的呢":                       true,
		"what about international?":  true,
		"and for business accounts?": true,
		"How about returns":          true,
		"国内运费多少":                     false,
		"How much is shipping?":      false,
		"我想知道退款流程具体需要哪些材料和步骤呢": false,
	} {
		if got := followUpCue(compact(s)); got != want {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
}

func TestCompact(t *testing.T) {
	for in, want := range map[string]string{
		"你好，在吗？":                "你好 在吗",
		"Hi there!! 👋":          "hi there",
		"I'm sure you're a bot": "im sure youre a bot",
		"我的iPhone坏了":            "我的 iphone 坏了",
		"ＡＢＣ１２３":                "abc123",
		"":                      "",
	} {
		if got := compact(in); got != want {
			t.Errorf("compact(%q) = %q, want %q", in, got, want)
		}
	}
}
