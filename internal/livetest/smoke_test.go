package livetest

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/apitest"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

func TestVisitorAndAgentTalk(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			srv := apitest.Start(t, e)
			admin := srv.Admin(t)
			ch, err := admin.CreateChannel(ctx, client.ChannelInput{Name: "Shop"})
			if err != nil {
				t.Fatal(err)
			}
			agent, err := admin.DialAgent(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer agent.Close()
			if err := agent.Send("hello", map[string]any{}); err != nil {
				t.Fatal(err)
			}
			if f, err := agent.NextOf(ctx, "welcome"); err != nil {
				t.Fatal(err, f)
			}
			v, err := client.DialVisitor(ctx, srv.URL, ch.Key)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			v.Send("hello", map[string]any{"lang": "zh-CN", "page_url": "https://shop.example.com/cart"})
			f, err := v.NextOf(ctx, "welcome")
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("welcome %s", f.Data)
			v.Send("message", map[string]any{"client_id": "c1", "body": "你好，我的订单还没发货"})
			ack, err := v.NextOf(ctx, "ack", "error")
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("ack %s", ack.Data)
			var a struct {
				ConversationID string `json:"conversation_id"`
				Seq            int64  `json:"seq"`
			}
			ack.Decode(&a)
			if ack.Type != "ack" || a.Seq != 1 {
				t.Fatalf("ack %s %s", ack.Type, ack.Data)
			}
			m, err := agent.NextOf(ctx, "message")
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("agent got %s", m.Data)
			agent.Send("message", map[string]any{"conversation_id": a.ConversationID, "client_id": "a1", "body": "马上帮您查"})
			got, err := v.NextOf(ctx, "message")
			if err != nil {
				t.Fatal(err)
			}
			for {
				var mm struct {
					Seq        int64  `json:"seq"`
					Body       string `json:"body"`
					SenderName string `json:"sender_name"`
				}
				got.Decode(&mm)
				if mm.Seq == 2 {
					t.Logf("visitor got %s", got.Data)
					if mm.Body != "马上帮您查" {
						t.Fatalf("visitor got %s", got.Data)
					}
					break
				}
				if got, err = v.NextOf(ctx, "message"); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
