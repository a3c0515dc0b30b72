package engine

import (
	"testing"
	"unicode/utf8"
)

var validKinds = map[string]bool{
	KindAnswer: true, KindClarify: true, KindNoMatch: true, KindHandoff: true,
	KindGreeting: true, KindThanks: true, KindGoodbye: true, KindEmpty: true,
}

// FuzzDecide sends arbitrary messages, with an arbitrary previous turn and
// policy, through Decide: it must not panic and its decision must keep the
// documented invariants.
func FuzzDecide(f *testing.F) {
	e := shop(f)
	for _, s := range []string{"", "你好", "那国际的呢？", "转人工", "refund", "\xff\xfe", "🙂", "hi, how do i get a refund", "國際運費"} {
		f.Add(s, "国内运费多少", "ship_domestic_zh", 0.6, 0.25, 0.99)
	}
	f.Add("what about international?", "", "", 0.0, 0.0, 1.0)
	f.Add("x", "\x00", "nope", 2.0, -1.0, 0.5)
	f.Fuzz(func(t *testing.T, msg, prevQ, prevID string, answer, clarify, negative float64) {
		q := Query{Text: msg, Policy: Policy{Answer: answer, Clarify: clarify, Negative: negative}}
		if prevQ != "" || prevID != "" {
			q.Prev = &Turn{Question: prevQ, EntryID: prevID}
		}
		d := e.Decide(q)
		if !validKinds[d.Kind] {
			t.Fatalf("kind %q", d.Kind)
		}
		if !(d.Confidence >= 0 && d.Confidence <= 1) || !(d.Sentiment >= 0 && d.Sentiment <= 1) {
			t.Fatalf("confidence %v sentiment %v", d.Confidence, d.Sentiment)
		}
		if len(d.Candidates) > 3 {
			t.Fatalf("%d candidates", len(d.Candidates))
		}
		for _, c := range d.Candidates {
			if !(c.Confidence >= 0 && c.Confidence <= 1) || c.EntryID == "" {
				t.Fatalf("candidate %+v", c)
			}
		}
		switch d.Kind {
		case KindAnswer:
			if d.EntryID == "" || len(d.Candidates) == 0 || d.EntryID != d.Candidates[0].EntryID {
				t.Fatalf("answer without its entry: %+v", d)
			}
		case KindHandoff, KindNoMatch:
			if d.Reason == "" {
				t.Fatalf("%s without a reason", d.Kind)
			}
		}
		if d.Kind != KindAnswer && d.EntryID != "" {
			t.Fatalf("%s with entry %q", d.Kind, d.EntryID)
		}
		if !utf8.ValidString(d.Language) {
			t.Fatalf("language %q", d.Language)
		}
	})
}
