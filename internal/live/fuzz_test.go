package live

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// clientTypes are the frame types a client may send, with the type of body
// DecodeFrame gives each (nil for none), for visitors and for agents.
var clientTypes = map[string][2]string{
	TypeHello:        {"*live.VisitorHello", "*live.AgentHello"},
	TypeMessage:      {"*live.MessageIn", "*live.MessageIn"},
	TypeTyping:       {"*live.TypingIn", "*live.TypingIn"},
	TypeRead:         {"*live.ReadIn", "*live.ReadIn"},
	TypeSync:         {"*live.SyncIn", "*live.SyncIn"},
	TypeSubscribe:    {"*live.SyncIn", "*live.SyncIn"},
	TypeUnsubscribe:  {"*live.SyncIn", "*live.SyncIn"},
	TypePage:         {"*live.PageIn", "*live.PageIn"},
	TypeRate:         {"*live.RateIn", "*live.RateIn"},
	TypeCSAT:         {"*live.CSATIn", "*live.CSATIn"},
	TypeLeaveMessage: {"*live.LeaveMessageIn", "*live.LeaveMessageIn"},
	TypePing:         {"", ""},
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return ""
	case *VisitorHello:
		return "*live.VisitorHello"
	case *AgentHello:
		return "*live.AgentHello"
	case *MessageIn:
		return "*live.MessageIn"
	case *TypingIn:
		return "*live.TypingIn"
	case *ReadIn:
		return "*live.ReadIn"
	case *SyncIn:
		return "*live.SyncIn"
	case *RateIn:
		return "*live.RateIn"
	case *CSATIn:
		return "*live.CSATIn"
	case *LeaveMessageIn:
		return "*live.LeaveMessageIn"
	case *PageIn:
		return "*live.PageIn"
	}
	return "unexpected"
}

// FuzzDecodeFrame feeds arbitrary bytes to the frame decoder of both
// endpoints: it must never panic, and a frame it accepts has a known type
// with the body of that type.
func FuzzDecodeFrame(f *testing.F) {
	seeds := []string{
		`{"type":"hello","data":{"token":"v1.abc.def","conversation_id":"c1","last_seq":7,"name":"Ann","email":"ann@example.com","user_id":"u1","user_hash":"00ff","page_url":"https://shop.example.com/","page_title":"Shop","referrer":"https://search.example","lang":"zh-CN","origin":"https://shop.example.com"}}`,
		`{"type":"hello","data":{"subscriptions":[{"conversation_id":"c1","after_seq":3},{"conversation_id":"c2","after_seq":0}]}}`,
		`{"type":"hello"}`,
		`{"type":"hello","data":null}`,
		`{"type":"message","data":{"client_id":"m-1","body":"你好 <script>alert(1)</script>","attachments":["a1"]}}`,
		`{"type":"message","data":{"conversation_id":"c1","client_id":"a-1","body":"note","private":true}}`,
		`{"type":"typing","data":{"on":true}}`,
		`{"type":"typing","data":{"conversation_id":"c1","on":false}}`,
		`{"type":"read","data":{"seq":12}}`,
		`{"type":"read","data":{"conversation_id":"c1","seq":-1}}`,
		`{"type":"sync","data":{"after_seq":5}}`,
		`{"type":"subscribe","data":{"conversation_id":"c1","after_seq":9}}`,
		`{"type":"unsubscribe","data":{"conversation_id":"c1"}}`,
		`{"type":"page","data":{"page_url":"https://shop.example.com/cart","page_title":"Cart"}}`,
		`{"type":"leave_message","data":{"client_id":"l-1","name":"王芳","email":"wang@example.com","phone":"+86 138","message":"请回电"}}`,
		`{"type":"leave_message","data":{"message":1}}`,
		`{"type":"ping"}`,
		`{"type":"ping","data":{"x":1}}`,
		// Frames the server sends, which a client must not:
		`{"type":"welcome","data":{}}`, `{"type":"ack","data":{}}`, `{"type":"bye","data":{"reason":"x"}}`,
		// Broken ones:
		``, `{}`, `[]`, `null`, `"hello"`, `{"type":""}`, `{"type":1}`, `{"type":"message","data":[]}`,
		`{"type":"message","data":"x"}`, `{"type":"message","data":{"body":1}}`, `{"type":"read","data":{"seq":1e400}}`,
		`{"type":"hello","data":{"subscriptions":{}}}`, `{"type":"message"`, "{\"type\":\"message\",\"data\":{\"body\":\"\xff\"}}",
		`{"type":"message","data":{"client_id":"x"}} trailing`, `{"type":"message","type":"hello","data":{}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Add(append(append([]byte(`{"type":"message","data":{"client_id":"big","body":"`), bytes.Repeat([]byte("x"), MaxFrameBytes)...), `"}}`...), false)

	f.Fuzz(func(t *testing.T, b []byte, agent bool) {
		typ, v, err := DecodeFrame(b, agent)
		if len(b) > MaxFrameBytes {
			if !errors.Is(err, errTooLarge) {
				t.Fatalf("a frame of %d bytes: err %v, want frame too large", len(b), err)
			}
			return
		}
		if err != nil {
			if !errors.Is(err, errMalformed) && !errors.Is(err, errUnknownType) {
				t.Fatalf("unexpected error %v", err)
			}
			if v != nil {
				t.Fatalf("refused frame with a body %#v", v)
			}
			if errors.Is(err, errUnknownType) {
				if _, known := clientTypes[typ]; known || typ == "" {
					t.Fatalf("type %q refused as unknown", typ)
				}
			}
			return
		}
		want, known := clientTypes[typ]
		if !known {
			t.Fatalf("accepted a frame of unknown type %q", typ)
		}
		i := 0
		if agent {
			i = 1
		}
		if got := typeName(v); got != want[i] {
			t.Fatalf("type %q decoded to %s, want %s", typ, got, want[i])
		}
		if strings.TrimSpace(typ) == "" {
			t.Fatal("accepted a frame without a type")
		}
	})
}

// TestDecodeFrameErrors pins the answers the handler turns into error codes.
func TestDecodeFrameErrors(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{`{"type":"message","data":{"client_id":"a","body":"b"}}`, nil},
		{`{"type":"nonsense","data":{}}`, errUnknownType},
		{`{"type":"message","data":[1]}`, errMalformed},
		{`not json`, errMalformed},
		{`{"data":{}}`, errMalformed},
		{`{"type":"message","data":{"client_id":"` + strings.Repeat("x", MaxFrameBytes) + `"}}`, errTooLarge},
	}
	for _, c := range cases {
		_, _, err := DecodeFrame([]byte(c.in), false)
		if !errors.Is(err, c.want) && !(err == nil && c.want == nil) {
			t.Errorf("%.60q: err %v, want %v", c.in, err, c.want)
		}
	}
}
