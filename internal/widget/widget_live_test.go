package widget_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/apitest"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

type liveMessage struct {
	ConversationID string              `json:"conversation_id"`
	Seq            int64               `json:"seq"`
	ClientID       string              `json:"client_id"`
	SenderType     string              `json:"sender_type"`
	Body           string              `json:"body"`
	Attachments    []client.Attachment `json:"attachments"`
}

func TestUploadedImageReachesTheAgent(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := ctxFor(t)
			srv := apitest.Start(t, e)
			admin := srv.Admin(t)
			ch := newChannel(t, admin, "Shop", nil)
			agent, err := admin.DialAgent(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer agent.Close()
			if err := agent.Send("hello", map[string]any{}); err != nil {
				t.Fatal(err)
			}
			if _, err := agent.NextOf(ctx, "welcome"); err != nil {
				t.Fatal(err)
			}

			v := newVisitor(t, srv, ch.Key)
			img := pngBytes(t)
			up := doUpload(t, srv, upload{key: ch.Key, token: v.token, origin: srv.URL, name: "破损的杯子.png", contentType: "image/png", content: img})
			if up.status != 201 {
				t.Fatalf("upload: %d %s", up.status, up.raw)
			}
			if err := v.conn.Send("message", map[string]any{"client_id": "img-1", "body": "杯子到的时候就碎了", "attachments": []string{up.att.ID}}); err != nil {
				t.Fatal(err)
			}
			ack, err := v.conn.NextOf(ctx, "ack", "error")
			if err != nil || ack.Type != "ack" {
				t.Fatalf("ack: %v %s %s", err, ack.Type, ack.Data)
			}

			var got liveMessage
			for got.ClientID != "img-1" {
				f, err := agent.NextOf(ctx, "message")
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(f.Data, &got); err != nil {
					t.Fatal(err)
				}
			}
			if got.SenderType != "contact" || got.Body != "杯子到的时候就碎了" || len(got.Attachments) != 1 {
				t.Fatalf("agent got %+v", got)
			}
			a := got.Attachments[0]
			if a.ID != up.att.ID || a.URL != up.att.URL || a.Kind != "image" || a.Name != "破损的杯子.png" {
				t.Fatalf("attachment at the agent %+v, uploaded %+v", a, up.att)
			}
			resp, body := get(t, srv.URL+a.URL, nil)
			if resp.StatusCode != 200 || !bytes.Equal([]byte(body), img) {
				t.Fatalf("the agent cannot open the picture: %d", resp.StatusCode)
			}

			// The visitor's own copy of the message carries the picture too.
			var echo liveMessage
			for echo.ClientID != "img-1" {
				f, err := v.conn.NextOf(ctx, "message")
				if err != nil {
					t.Fatal(err)
				}
				_ = json.Unmarshal(f.Data, &echo)
			}
			if len(echo.Attachments) != 1 || echo.Attachments[0].URL != a.URL {
				t.Fatalf("visitor echo %+v", echo)
			}
		})
	}
}

func TestVisitorCannotAttachAnotherVisitorsUpload(t *testing.T) {
	ctx := ctxFor(t)
	srv := apitest.Start(t, storetest.Engines(t)[0])
	admin := srv.Admin(t)
	ch := newChannel(t, admin, "Shop", nil)
	alice := newVisitor(t, srv, ch.Key)
	mallory := newVisitor(t, srv, ch.Key)
	up := doUpload(t, srv, upload{key: ch.Key, token: alice.token, name: "passport.png", contentType: "image/png", content: pngBytes(t)})
	if up.status != 201 {
		t.Fatalf("upload: %s", up.raw)
	}
	if err := mallory.conn.Send("message", map[string]any{"client_id": "steal-1", "body": "look", "attachments": []string{up.att.ID}}); err != nil {
		t.Fatal(err)
	}
	f, err := mallory.conn.NextOf(ctx, "ack", "error")
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Code     string `json:"code"`
		ClientID string `json:"client_id"`
	}
	_ = f.Decode(&e)
	if f.Type != "error" || e.Code != "unknown_reference" || e.ClientID != "steal-1" {
		t.Fatalf("another visitor's upload: %s %s", f.Type, f.Data)
	}
	// Nothing was stored: the same client id with no attachment is message 1.
	if err := mallory.conn.Send("message", map[string]any{"client_id": "steal-1", "body": "look"}); err != nil {
		t.Fatal(err)
	}
	f, err = mallory.conn.NextOf(ctx, "ack", "error")
	var a struct {
		Seq       int64 `json:"seq"`
		Duplicate bool  `json:"duplicate"`
	}
	_ = f.Decode(&a)
	if err != nil || f.Type != "ack" || a.Seq != 1 || a.Duplicate {
		t.Fatalf("after the refusal: %v %s %s", err, f.Type, f.Data)
	}
	// An id that is nobody's is refused the same way.
	_ = mallory.conn.Send("message", map[string]any{"client_id": "steal-2", "body": "x", "attachments": []string{"01a1fcc9-0000-7000-8000-000000000000"}})
	f, _ = mallory.conn.NextOf(ctx, "ack", "error")
	if f.Type != "error" || !strings.Contains(string(f.Data), "unknown_reference") {
		t.Fatalf("unknown attachment id: %s %s", f.Type, f.Data)
	}
}
