package livetest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/auth"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// signVisitorToken makes a visitor token with the deployment's key, as the
// server would, for a given issue time.
func signVisitorToken(ctx context.Context, t *testing.T, s *site, v channel.Visitor) string {
	t.Helper()
	var key string
	if err := s.srv.App.DB.Global().QueryRow(ctx, channel.Queries().Get("GetSecret"), "visitor_token_key").Scan(&key); err != nil {
		t.Fatalf("the visitor token key: %v", err)
	}
	b, _ := json.Marshal(v)
	payload := base64.RawURLEncoding.EncodeToString(b)
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("visitor." + payload))
	return "v1." + payload + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// TestVisitorBadInput sends the visitor endpoint what it must refuse: each
// refusal is a clear error, nothing of a refused frame is stored, the
// connection stays open where the protocol says so, and a visitor talking
// at the same time is not disturbed.
func TestVisitorBadInput(t *testing.T) {
	t.Parallel()
	onEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		defer cancel()
		s := newSite(ctx, t, e, nil)
		agent, _ := dialAgent(ctx, t, s.admin, "agent", nil)
		agentTape := record(agent)

		// A bystander keeps talking while the others misbehave.
		by, _ := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "bystander", nil)
		byConv := by.say(ctx, "b-0", "just browsing").ConversationID
		bySaid := 1
		bystander := func() {
			t.Helper()
			bySaid++
			id := fmt.Sprintf("b-%d", bySaid-1)
			a := by.say(ctx, id, "still here "+id)
			if a.Seq != int64(bySaid) || a.ConversationID != byConv {
				t.Fatalf("bystander ack %+v after %d messages", a, bySaid)
			}
			agentTape.await(0, "message", "the bystander's "+id, func(f client.Frame) bool { return decodeAs[wireMessage](t, f).ClientID == id })
		}

		v, w := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "visitor", map[string]any{"name": "Ann"})
		conv := v.say(ctx, "m-1", "first").ConversationID
		storedCount := func() int { return len(storedMessages(ctx, t, s.admin, conv)) }

		t.Run("oversized frame", func(t *testing.T) {
			big := `{"type":"message","data":{"client_id":"big-1","body":"` + strings.Repeat("x", 70<<10) + `"}}`
			if err := v.SendRaw([]byte(big)); err != nil {
				t.Fatal(err)
			}
			v.wantError(ctx, "frame_too_large")
			v.alive(ctx)
			bystander()
			// Beyond 1 MiB the connection is closed with 1009 (message too
			// big). The server closes before reading the rest of the frame, so
			// the client's kernel may get a reset and drop the close frame:
			// then the client sees only the end of the connection.
			huge, _ := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "huge", map[string]any{"token": w.Token})
			_ = huge.SendRaw([]byte(`{"type":"message","data":{"client_id":"huge-1","body":"` + strings.Repeat("x", 1<<20) + `"}}`))
			huge.ended(ctx)
			if huge.CloseCode != 1009 && huge.CloseCode != 0 {
				t.Fatalf("close code %d, want 1009", huge.CloseCode)
			}
			bystander()
		})
		t.Run("body over 10,000 characters", func(t *testing.T) {
			v.send("message", map[string]any{"client_id": "long-1", "body": strings.Repeat("长", 10001)})
			e := v.wantError(ctx, "too_long")
			if e.ClientID != "long-1" || e.Field != "body" {
				t.Fatalf("error %+v", e)
			}
			// Exactly 10,000 characters are fine (30,000 bytes in UTF-8).
			if a := v.say(ctx, "long-2", strings.Repeat("长", 10000)); a.Seq != 2 {
				t.Fatalf("ack %+v", a)
			}
		})
		t.Run("malformed JSON", func(t *testing.T) {
			for _, raw := range []string{`{"type":"message","data":{"client_id":"j-1","body":"x"`, `not json at all`, `{"type":"message","data":"j-2"}`,
				`{"type":"message","data":{"client_id":"j-3","body":42}}`, `{"data":{"client_id":"j-4","body":"no type"}}`} {
				if err := v.SendRaw([]byte(raw)); err != nil {
					t.Fatal(err)
				}
				v.wantError(ctx, "bad_frame")
			}
			v.alive(ctx)
		})
		t.Run("unknown event types", func(t *testing.T) {
			for _, typ := range []string{"explode", "welcome", "ack", "subscribe", "MESSAGE"} {
				v.send(typ, map[string]any{"client_id": "u-" + typ, "body": "x", "conversation_id": byConv})
				v.wantError(ctx, "unknown_type")
			}
			v.alive(ctx)
			bystander()
		})
		t.Run("bad client ids", func(t *testing.T) {
			v.send("message", map[string]any{"body": "no client id"})
			v.wantError(ctx, "required")
			v.send("message", map[string]any{"client_id": "has space", "body": "x"})
			v.wantError(ctx, "invalid_client_id")
			v.send("message", map[string]any{"client_id": "empty-body", "body": "  "})
			v.wantError(ctx, "required")
		})
		if n := storedCount(); n != 2 {
			t.Fatalf("%d messages stored after the refused frames, want 2", n)
		}

		t.Run("frames before hello", func(t *testing.T) {
			c, err := client.DialVisitor(ctx, s.srv.URL, s.ch.Key)
			if err != nil {
				t.Fatal(err)
			}
			p := &peer{LiveConn: c, t: t, name: "no hello"}
			defer p.Abort()
			for _, typ := range []string{"message", "typing", "read", "sync", "page"} {
				p.send(typ, map[string]any{"client_id": "early-" + typ, "body": "before hello", "seq": 1, "on": true})
				p.wantError(ctx, "hello_first")
			}
			p.alive(ctx) // ping needs no hello
			p.send("hello", map[string]any{})
			if w := decodeAs[wireWelcome](t, p.next(ctx, "welcome")); w.ConversationID != "" {
				t.Fatalf("a new visitor has a conversation: %+v", w)
			}
			p.send("hello", map[string]any{})
			p.wantError(ctx, "hello_twice")
		})

		// A token that must not open Ann's session: the server says so,
		// and the visitor goes on as someone new who sees nothing of Ann.
		newcomer := func(t *testing.T, key, name string, hello map[string]any) wireWelcome {
			t.Helper()
			c, err := client.DialVisitor(ctx, s.srv.URL, key)
			if err != nil {
				t.Fatal(err)
			}
			p := &peer{LiveConn: c, t: t, name: name}
			defer p.Abort()
			tp := record(p)
			p.send("hello", hello)
			tp.await(0, "error", "visitor_token_invalid", func(f client.Frame) bool {
				return decodeAs[wireError](t, f).Code == "visitor_token_invalid"
			})
			nw := decodeAs[wireWelcome](t, tp.await(0, "welcome", "the welcome", nil))
			if nw.ContactID == "" || nw.ContactID == w.ContactID || nw.ConversationID != "" || nw.LastSeq != 0 || nw.Token == "" {
				t.Fatalf("%s opened %+v (Ann is %s)", name, nw, w.ContactID)
			}
			p.send("sync", map[string]any{"after_seq": 0})
			p.send("ping", nil)
			tp.await(0, "pong", "pong", nil)
			for _, f := range tp.all() {
				if f.Type == "message" || strings.Contains(string(f.Data), conv) || strings.Contains(string(f.Data), "first") {
					t.Fatalf("%s saw Ann's conversation: %s %s", name, f.Type, f.Data)
				}
			}
			return nw
		}
		t.Run("forged token", func(t *testing.T) {
			parts := strings.Split(w.Token, ".")
			forged := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(make([]byte, 32))
			newcomer(t, s.ch.Key, "forged", map[string]any{"token": forged, "conversation_id": conv})
			newcomer(t, s.ch.Key, "garbage", map[string]any{"token": "not-a-token"})
		})
		t.Run("expired token", func(t *testing.T) {
			chID, _ := s.srv.App.Channels.ByKey(ctx, s.ch.Key)
			ann := channel.Visitor{TenantID: chID.TenantID, ChannelID: s.ch.ID, ContactID: w.ContactID}
			// The same signature, fresh, opens Ann's session: only the age differs.
			ann.IssuedAt = time.Now().Unix()
			p, fresh := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "fresh", map[string]any{"token": signVisitorToken(ctx, t, s, ann)})
			p.Abort()
			if fresh.ContactID != w.ContactID {
				t.Fatalf("a freshly signed token did not open Ann's session: %+v", fresh)
			}
			ann.IssuedAt = time.Now().Add(-channel.VisitorTokenLifetime - time.Hour).Unix()
			newcomer(t, s.ch.Key, "expired", map[string]any{"token": signVisitorToken(ctx, t, s, ann), "conversation_id": conv})
		})
		t.Run("another channel's token", func(t *testing.T) {
			other, err := s.admin.CreateChannel(ctx, client.ChannelInput{Name: "Other site"})
			if err != nil {
				t.Fatal(err)
			}
			newcomer(t, other.Key, "other channel", map[string]any{"token": w.Token, "conversation_id": conv})
		})
		t.Run("another tenant's channel key", func(t *testing.T) {
			a := s.srv.App
			tb, err := a.Tenants.Create(ctx, "tenant-b", "Tenant B")
			if err != nil {
				t.Fatal(err)
			}
			chB, err := a.Channels.Create(ctx, tb.ID, "B's site", channel.DefaultSettings())
			if err != nil {
				t.Fatal(err)
			}
			nw := newcomer(t, chB.Key, "tenant B visitor", map[string]any{"token": w.Token, "conversation_id": conv})
			if _, err := a.Contacts.Get(ctx, tb.ID, nw.ContactID); err != nil {
				t.Fatalf("the newcomer is not tenant B's contact: %v", err)
			}
			if _, err := s.admin.GetContact(ctx, nw.ContactID); client.StatusOf(err) != http.StatusNotFound {
				t.Fatalf("tenant A sees B's new contact: %v", err)
			}
		})
		t.Run("unknown channel key", func(t *testing.T) {
			for _, key := range []string{"NoSuchChannelKey12345", "bad key!", ""} {
				_, err := client.DialVisitor(ctx, s.srv.URL, key)
				if client.StatusOf(err) != http.StatusNotFound {
					t.Fatalf("channel %q: %v, want 404", key, err)
				}
			}
		})
		t.Run("disallowed origin", func(t *testing.T) {
			shop, err := s.admin.CreateChannel(ctx, client.ChannelInput{Name: "Locked shop", Settings: &client.ChannelSettings{
				AllowedOrigins: []string{"https://shop.example.com"}}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = client.DialVisitor(ctx, s.srv.URL, shop.Key, client.WithHeader(http.Header{"Origin": {"https://evil.example"}}))
			if e, ok := client.AsError(err); !ok || e.Status != http.StatusForbidden || e.Code != "origin_not_allowed" {
				t.Fatalf("a foreign origin: %v, want 403 origin_not_allowed", err)
			}
			p, _ := dialVisitor(ctx, t, s.srv.URL, shop.Key, "allowed origin", nil, client.WithHeader(http.Header{"Origin": {"https://shop.example.com"}}))
			p.Abort()
			// The widget frame is this server's page; it names the embedding page.
			c, err := client.DialVisitor(ctx, s.srv.URL, shop.Key, client.WithHeader(http.Header{"Origin": {s.srv.URL}}))
			if err != nil {
				t.Fatal(err)
			}
			fp := &peer{LiveConn: c, t: t, name: "widget frame"}
			defer fp.Abort()
			fp.send("hello", map[string]any{"origin": "https://evil.example"})
			fp.wantError(ctx, "origin_not_allowed")
			fp.ended(ctx)
			if fp.CloseCode != 4001 {
				t.Fatalf("close code %d, want 4001", fp.CloseCode)
			}
		})
		t.Run("identity verification", func(t *testing.T) {
			signed, err := s.admin.CreateChannel(ctx, client.ChannelInput{Name: "Members"})
			if err != nil {
				t.Fatal(err)
			}
			hash := func(userID string) string {
				m := hmac.New(sha256.New, []byte(signed.IdentitySecret))
				m.Write([]byte(userID))
				return hex.EncodeToString(m.Sum(nil))
			}
			laptop, lw := dialVisitor(ctx, t, s.srv.URL, signed.Key, "laptop", map[string]any{"user_id": "user-42", "user_hash": hash("user-42")})
			a := laptop.say(ctx, "u42-1", "hello from my laptop")
			// Another browser, no token: the same person, the same conversation.
			phone, pw := dialVisitor(ctx, t, s.srv.URL, signed.Key, "phone", map[string]any{"user_id": "user-42", "user_hash": hash("user-42")})
			if pw.ContactID != lw.ContactID || pw.ConversationID != a.ConversationID {
				t.Fatalf("the phone is %+v, the laptop %+v", pw, lw)
			}
			if m := decodeAs[wireMessage](t, phone.next(ctx, "message")); m.Body != "hello from my laptop" {
				t.Fatalf("the phone replayed %+v", m)
			}
			// A token of user-42 with another user's id and hash is that other user.
			other, ow := dialVisitor(ctx, t, s.srv.URL, signed.Key, "other user", map[string]any{"token": lw.Token,
				"user_id": "user-7", "user_hash": hash("user-7")})
			other.Abort()
			if ow.ContactID == lw.ContactID || ow.ConversationID != "" {
				t.Fatalf("user-7 opened user-42's session: %+v", ow)
			}
			for _, bad := range []map[string]any{{"user_id": "user-42", "user_hash": hash("user-43")}, {"user_id": "user-42"},
				{"user_id": "user-42", "user_hash": strings.ToUpper(hash("user-42")) + "00"}} {
				c, err := client.DialVisitor(ctx, s.srv.URL, signed.Key)
				if err != nil {
					t.Fatal(err)
				}
				p := &peer{LiveConn: c, t: t, name: "wrong hash"}
				p.send("hello", bad)
				p.wantError(ctx, "identity_invalid")
				for _, f := range p.ended(ctx) {
					if f.Type == "welcome" || f.Type == "message" {
						t.Fatalf("a wrong hash got %s %s", f.Type, f.Data)
					}
				}
				if p.CloseCode != 4001 {
					t.Fatalf("close code %d, want 4001", p.CloseCode)
				}
			}
			// A channel that requires identity refuses anonymous visitors.
			st := signed.Settings
			st.RequireIdentity = true
			if _, err := s.admin.UpdateChannel(ctx, signed.ID, client.ChannelPatch{Settings: &st}); err != nil {
				t.Fatal(err)
			}
			c, err := client.DialVisitor(ctx, s.srv.URL, signed.Key)
			if err != nil {
				t.Fatal(err)
			}
			anon := &peer{LiveConn: c, t: t, name: "anonymous"}
			anon.send("hello", map[string]any{"name": "Nobody"})
			anon.wantError(ctx, "identity_required")
			anon.ended(ctx)
			if anon.CloseCode != 4001 {
				t.Fatalf("close code %d, want 4001", anon.CloseCode)
			}
			// The token of a signed-in visitor without the hash is anonymous too.
			c, err = client.DialVisitor(ctx, s.srv.URL, signed.Key)
			if err != nil {
				t.Fatal(err)
			}
			anon = &peer{LiveConn: c, t: t, name: "token only"}
			anon.send("hello", map[string]any{"token": lw.Token})
			anon.wantError(ctx, "identity_required")
			anon.ended(ctx)
			// Signed, it still works.
			again, aw := dialVisitor(ctx, t, s.srv.URL, signed.Key, "laptop again", map[string]any{"user_id": "user-42", "user_hash": hash("user-42")})
			again.Abort()
			if aw.ContactID != lw.ContactID {
				t.Fatalf("user-42 is now %+v", aw)
			}
		})
		t.Run("script is text", func(t *testing.T) {
			name := `<script>alert("name")</script>`
			body := `<img src=x onerror=alert(1)> & <b>bold</b> "quoted" 'single' </script>`
			m := agentTape.mark()
			p, pw := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "script kiddie", map[string]any{"name": name})
			ack := p.say(ctx, "x-1", body)
			if echo := decodeAs[wireMessage](t, p.next(ctx, "message")); echo.Body != body {
				t.Fatalf("the visitor's echo: %q", echo.Body)
			}
			got := decodeAs[wireMessage](t, agentTape.await(m, "message", "the script message", func(f client.Frame) bool {
				return decodeAs[wireMessage](t, f).ClientID == "x-1"
			}))
			if got.Body != body {
				t.Fatalf("the agent got %q", got.Body)
			}
			cv := decodeAs[wireConversation](t, agentTape.await(m, "conversation", "the script conversation", func(f client.Frame) bool {
				return decodeAs[wireConversation](t, f).ID == ack.ConversationID
			}))
			if cv.ContactName != name {
				t.Fatalf("the agent sees the contact as %q", cv.ContactName)
			}
			stored := storedMessages(ctx, t, s.admin, ack.ConversationID)
			if len(stored) != 1 || stored[0].Body != body {
				t.Fatalf("stored %+v", stored)
			}
			ct, err := s.admin.GetContact(ctx, pw.ContactID)
			if err != nil || ct.Name != name {
				t.Fatalf("the contact: %+v %v", ct, err)
			}
		})
		t.Run("flood", func(t *testing.T) {
			p, _ := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "flooder", nil)
			fp := record(p)
			const n = 40
			for i := range n {
				p.send("message", map[string]any{"client_id": fmt.Sprintf("f-%d", i), "body": "spam"})
			}
			// Meanwhile the bystander talks as usual.
			bystander()
			bystander()
			acked, limited := map[string]int64{}, map[string]bool{}
			var convF string
			eventually(t, 10*time.Second, "every flood message answered", func() bool {
				acked, limited = map[string]int64{}, map[string]bool{}
				for _, f := range fp.all() {
					switch f.Type {
					case "ack":
						a := decodeAs[wireAck](t, f)
						acked[a.ClientID], convF = a.Seq, a.ConversationID
					case "error":
						e := decodeAs[wireError](t, f)
						if e.Code != "rate_limited" || e.ClientID == "" || e.Message == "" {
							t.Fatalf("flood error %+v", e)
						}
						limited[e.ClientID] = true
					}
				}
				return len(acked)+len(limited) == n
			})
			if len(limited) < n/2 || len(acked) < 10 {
				t.Fatalf("%d acknowledged, %d rate limited of %d", len(acked), len(limited), n)
			}
			stored := storedMessages(ctx, t, s.admin, convF)
			byClient := checkStored(t, stored)
			if len(stored) != len(acked) {
				t.Fatalf("%d stored, %d acknowledged", len(stored), len(acked))
			}
			for id := range limited {
				if _, ok := byClient[id]; ok {
					t.Fatalf("rate limited %s was stored", id)
				}
			}
			mark := fp.mark()
			p.send("ping", nil)
			fp.await(mark, "pong", "pong after the flood", nil)
			t.Logf("flood: %d acknowledged, %d rate limited", len(acked), len(limited))
		})
		if n := storedCount(); n != 2 {
			t.Fatalf("%d messages in Ann's conversation, want 2", n)
		}
		if got := len(storedMessages(ctx, t, s.admin, byConv)); got != bySaid {
			t.Fatalf("the bystander's conversation has %d messages, %d were sent", got, bySaid)
		}
	})
}

// TestAgentBadInput checks who may open the agent stream and what an agent
// may do there: a cookie needs this server's Origin, a read-only token
// cannot write, and tenant A's agents can neither reach nor hear tenant B.
func TestAgentBadInput(t *testing.T) {
	t.Parallel()
	onEachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s := newSite(ctx, t, e, nil)
		a := s.srv.App

		t.Run("session cookie from a foreign origin", func(t *testing.T) {
			for _, origin := range []string{"https://evil.example", "null"} {
				_, err := s.admin.DialAgent(ctx, client.WithHeader(http.Header{"Origin": {origin}}))
				if client.StatusOf(err) != http.StatusForbidden {
					t.Fatalf("origin %s: %v, want 403", origin, err)
				}
			}
			_, err := client.New(s.srv.URL).DialAgent(ctx)
			if client.StatusOf(err) != http.StatusUnauthorized {
				t.Fatalf("no credentials: %v, want 401", err)
			}
			p, _ := dialAgent(ctx, t, s.admin, "same origin", nil)
			p.Abort()
		})

		v, _ := dialVisitor(ctx, t, s.srv.URL, s.ch.Key, "visitor", nil)
		conv := v.say(ctx, "v-1", "hello").ConversationID

		t.Run("read-only token", func(t *testing.T) {
			ro, _ := s.srv.TokenClient(t, s.admin, client.ScopeRead)
			p, _ := dialAgent(ctx, t, ro, "read-only", nil)
			p.send("message", map[string]any{"conversation_id": conv, "client_id": "ro-1", "body": "may I?"})
			if e := p.wantError(ctx, "forbidden"); e.ClientID != "ro-1" {
				t.Fatalf("error %+v", e)
			}
			p.send("message", map[string]any{"conversation_id": conv, "client_id": "ro-2", "body": "a note?", "private": true})
			p.wantError(ctx, "forbidden")
			p.send("sync", map[string]any{"conversation_id": conv, "after_seq": 0})
			if m := decodeAs[wireMessage](t, p.next(ctx, "message")); m.ClientID != "v-1" {
				t.Fatalf("the read-only stream synced %+v", m)
			}
			if n := len(storedMessages(ctx, t, s.admin, conv)); n != 1 {
				t.Fatalf("%d messages stored, want 1", n)
			}
		})

		t.Run("agent frames", func(t *testing.T) {
			p, _ := dialAgent(ctx, t, s.admin, "admin", nil)
			p.send("message", map[string]any{"client_id": "no-conv", "body": "where to?"})
			p.wantError(ctx, "required")
			p.send("page", map[string]any{"page_url": "https://x.example"})
			p.wantError(ctx, "unknown_type")
			p.send("subscribe", map[string]any{"conversation_id": "not-an-id", "after_seq": 0})
			p.wantError(ctx, "not_found")
			p.alive(ctx)
		})

		t.Run("tenant isolation", func(t *testing.T) {
			tb, err := a.Tenants.Create(ctx, "tenant-b", "Tenant B")
			if err != nil {
				t.Fatal(err)
			}
			bAdmin, err := a.Accounts.CreateUser(ctx, tb.ID, account.NewUser{Email: "boss@b.example", Name: "B Boss",
				Role: account.RoleAdmin, Password: "tenant b boss passphrase"})
			if err != nil {
				t.Fatal(err)
			}
			secret, _, err := a.Auth.CreateToken(ctx, tb.ID, "B console", auth.ScopeAdmin, bAdmin.ID)
			if err != nil {
				t.Fatal(err)
			}
			chB, err := a.Channels.Create(ctx, tb.ID, "B's site", channel.DefaultSettings())
			if err != nil {
				t.Fatal(err)
			}
			bAgent, _ := dialAgent(ctx, t, client.New(s.srv.URL, client.WithToken(secret)), "B's agent", nil)
			bTape := record(bAgent)
			aAgent, _ := dialAgent(ctx, t, s.admin, "A's agent", nil)
			aTape := record(aAgent)

			// B's visitor talks with B's agent.
			bv, bw := dialVisitor(ctx, t, s.srv.URL, chB.Key, "B's visitor", map[string]any{"name": "B Customer"})
			bConv := bv.say(ctx, "bv-1", "secret of tenant B").ConversationID
			bTape.await(0, "message", "B's visitor message", nil)
			bAgent.send("message", map[string]any{"conversation_id": bConv, "client_id": "ba-1", "body": "B's answer"})
			bTape.await(0, "ack", "B's agent ack", nil)
			bAgent.send("typing", map[string]any{"conversation_id": bConv, "on": true})
			bv.send("typing", map[string]any{"on": true})
			bv.send("read", map[string]any{"seq": 2})
			bTape.await(0, "read", "B's read mark", nil)
			if _, err := a.Conversations.Close(ctx, tb.ID, bConv); err != nil {
				t.Fatal(err)
			}
			bTape.await(0, "conversation", "B's closing", func(f client.Frame) bool { return decodeAs[wireConversation](t, f).Status == "closed" })

			// A's agent cannot reach B's conversation.
			m := aTape.mark()
			for _, f := range []struct {
				typ  string
				data map[string]any
			}{
				{"subscribe", map[string]any{"conversation_id": bConv, "after_seq": 0}},
				{"sync", map[string]any{"conversation_id": bConv, "after_seq": 0}},
				{"message", map[string]any{"conversation_id": bConv, "client_id": "a-into-b", "body": "hello B"}},
				{"message", map[string]any{"conversation_id": bConv, "client_id": "a-note-b", "body": "note", "private": true}},
				{"typing", map[string]any{"conversation_id": bConv, "on": true}},
				{"read", map[string]any{"conversation_id": bConv, "seq": 1}},
			} {
				mark := aTape.mark()
				aAgent.send(f.typ, f.data)
				if e := decodeAs[wireError](t, aTape.await(mark, "error", f.typ+" refused", nil)); e.Code != "not_found" {
					t.Fatalf("%s into B's conversation: %+v", f.typ, e)
				}
			}
			again, _ := dialAgent(ctx, t, s.admin, "A's agent resuming B", map[string]any{
				"subscriptions": []map[string]any{{"conversation_id": bConv, "after_seq": 0}}})
			if e := decodeAs[wireError](t, again.next(ctx, "error", "message")); e.Code != "not_found" {
				t.Fatalf("a subscription to B's conversation: %+v", e)
			}
			// A's own visitor: A's agent hears it, which is after B's events.
			v.say(ctx, "v-2", "A again")
			aTape.await(m, "message", "A's visitor", func(f client.Frame) bool { return decodeAs[wireMessage](t, f).ClientID == "v-2" })
			for _, f := range aTape.all() {
				d := string(f.Data)
				for _, leak := range []string{bConv, bw.ContactID, "tenant B", "B's answer", "B Customer"} {
					if strings.Contains(d, leak) {
						t.Fatalf("A's agent received B's %q: %s %s", leak, f.Type, d)
					}
				}
			}
			msgs, err := a.Conversations.Messages(ctx, tb.ID, bConv, 0, 0)
			if err != nil || len(msgs) != 2 {
				t.Fatalf("B's conversation has %d messages (%v), want 2", len(msgs), err)
			}
		})
	})
}
