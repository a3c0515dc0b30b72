package kb

import (
	"testing"
	"time"
)

func TestLineDiff(t *testing.T) {
	got := LineDiff("a\nb\nc\nd", "a\nc\nd\ne")
	want := []DiffLine{{"=", "a"}, {"-", "b"}, {"=", "c"}, {"=", "d"}, {"+", "e"}}
	if len(got) != len(want) {
		t.Fatalf("diff %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("diff %v, want %v", got, want)
		}
	}
	if d := LineDiff("", "x"); len(d) != 1 || d[0] != (DiffLine{"+", "x"}) {
		t.Fatalf("from empty: %v", d)
	}
	if d := LineDiff("same\ntext", "same\ntext"); len(d) != 2 || d[0].Op != "=" || d[1].Op != "=" {
		t.Fatalf("unchanged: %v", d)
	}
}

func TestDiffContent(t *testing.T) {
	until := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	a := Content{Kind: KindFAQ, Language: "en", Question: "How do I get a refund?", Similar: []string{"refund please"},
		Answer: "Open your order.\nClick Refund.", Tags: []string{"refund"}}
	b := a
	b.Similar = []string{"refund please", "money back"}
	b.Answer = "Open your order.\nClick Return."
	b.ValidUntil = &until
	d := DiffContent(1, 2, a, b)
	fields := map[string]FieldChange{}
	for _, c := range d.Changes {
		fields[c.Field] = c
	}
	if len(fields) != 3 || fields["valid_until"].To != "2026-06-01T00:00:00Z" || fields["similar"].To != "refund please\nmoney back" {
		t.Fatalf("changes %+v", d.Changes)
	}
	if _, ok := fields["question"]; ok {
		t.Fatal("the unchanged question is listed as changed")
	}
	var answer []DiffLine
	for _, td := range d.Text {
		if td.Field == "answer" {
			answer = td.Lines
		}
	}
	want := []DiffLine{{"=", "Open your order."}, {"-", "Click Refund."}, {"+", "Click Return."}}
	if len(answer) != 3 || answer[0] != want[0] || answer[1] != want[1] || answer[2] != want[2] {
		t.Fatalf("answer diff %v, want %v", answer, want)
	}
}
