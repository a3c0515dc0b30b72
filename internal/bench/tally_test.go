package bench

import "testing"

// TestTally checks how the records become the verdict: each kind of fault
// is counted once per message, and only acknowledged messages count.
func TestTally(t *testing.T) {
	ok := func(sent, seq int64) msgRec {
		return msgRec{sentAt: sent, ackAt: sent + 2e6, deliverAt: sent + 3e6, seq: seq, acks: 1, deliveries: 1, deliverGen: 1, stored: 1, verified: true}
	}
	r := &run{agent: &agentStream{}}
	good := &visitor{idx: 0, msgs: []msgRec{ok(1e6, 1), ok(2e6, 2), ok(3e6, 3)}}
	undelivered := ok(1e6, 1)
	undelivered.deliveries = 0
	notStored := ok(2e6, 2)
	notStored.stored = 0
	twice := ok(3e6, 3)
	twice.deliveries = 2
	swapped := ok(4e6, 3) // acked with a seq lower than the message sent before it
	refused := msgRec{sentAt: 5e6, refused: true}
	unanswered := msgRec{sentAt: 6e6}
	bad := &visitor{idx: 1, msgs: []msgRec{undelivered, notStored, twice, ok(3500000, 4), swapped, refused, unanswered}}
	r.visitors = []*visitor{good, bad}
	var res Result
	r.tally(&res, 10e6)
	want := Result{Sent: 10, Acked: 8, Lost: 2, Duplicated: 1, OutOfOrder: 1, Refused: 1, Unacked: 1, Undelivered: 1, NotStored: 1, Verified: 8}
	if res.Sent != want.Sent || res.Acked != want.Acked || res.Lost != want.Lost || res.Duplicated != want.Duplicated ||
		res.OutOfOrder != want.OutOfOrder || res.Refused != want.Refused || res.Unacked != want.Unacked ||
		res.Undelivered != want.Undelivered || res.NotStored != want.NotStored || res.Verified != want.Verified {
		t.Fatalf("got %+v\nwant %+v", res, want)
	}
	if !res.Failed() {
		t.Fatal("a run with losses must fail")
	}
	if res.AckP50Ms != 2 || res.DeliverP99Ms != 3 {
		t.Errorf("ack p50 %v, deliver p99 %v", res.AckP50Ms, res.DeliverP99Ms)
	}
	var clean Result
	r.visitors = []*visitor{good}
	r.tally(&clean, 10e6)
	if clean.Failed() || clean.Acked != 3 {
		t.Fatalf("clean run: %+v", clean)
	}
}

func TestSplitFrame(t *testing.T) {
	for in, want := range map[string][2]string{
		`{"type":"ack","data":{"seq":1}}`: {"ack", `{"seq":1}`},
		`{"data":{"seq":1},"type":"ack"}`: {"ack", `{"seq":1}`},
		`{"type":"pong","data":{}}`:       {"pong", `{}`},
		`{"type":"x"}`:                    {"x", ``},
		`not json`:                        {"", ""},
	} {
		typ, data := splitFrame([]byte(in))
		if typ != want[0] || string(data) != want[1] {
			t.Errorf("%s: %q %q", in, typ, data)
		}
	}
}
