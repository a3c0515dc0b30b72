package apitest

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-cs/switchboard/client"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
)

// TestBotSettingsAndChannelModes checks the bot's settings and a channel's
// bot mode through the API: values out of range get a field error and
// change nothing, the LLM key is never sent back, and business hours are
// checked (time zone, days, order).
func TestBotSettingsAndChannelModes(t *testing.T) {
	onEngines(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		s := Start(t, e)
		admin := s.Admin(t)

		var st map[string]any
		if _, err := admin.Do(ctx, "GET", "/api/v1/bot/settings", nil, &st); err != nil {
			t.Fatal(err)
		}
		if st["enabled"] != true || st["answer_threshold"].(float64) <= st["clarify_threshold"].(float64) {
			t.Fatalf("default settings: %v", st)
		}
		bad := []struct {
			change      map[string]any
			field, code string
		}{
			{map[string]any{"answer_threshold": 1.5}, "answer_threshold", "out_of_range"},
			{map[string]any{"clarify_threshold": -0.1}, "clarify_threshold", "out_of_range"},
			{map[string]any{"answer_threshold": 0.3, "clarify_threshold": 0.5}, "clarify_threshold", "clarify_above_answer"},
			{map[string]any{"max_turns": 0}, "max_turns", "out_of_range"},
			{map[string]any{"max_misses": 1000}, "max_misses", "out_of_range"},
			{map[string]any{"synonyms": [][]string{{"退款"}}}, "synonyms[0]", "synonym_group"},
			{map[string]any{"llm": map[string]any{"enabled": true, "base_url": "ftp://x", "model": "m"}}, "llm", "invalid_llm"},
		}
		for _, b := range bad {
			in := clone(st)
			for k, v := range b.change {
				in[k] = v
			}
			_, err := admin.Do(ctx, "PUT", "/api/v1/bot/settings", in, nil)
			ce := wantError(t, asJSON(t, b.change), err, 422, b.code)
			if strings.Contains(ce.Message, "err.") {
				t.Errorf("%v: untranslated message %q", b.change, ce.Message)
			}
			if ce.Field != b.field {
				t.Errorf("%v: error on field %q, want %q (%s)", b.change, ce.Field, b.field, ce.Message)
			}
		}
		in := clone(st)
		in["answer_threshold"], in["clarify_threshold"], in["max_turns"] = 0.7, 0.2, 4
		in["terms"] = []string{"Switchboard Pro"}
		in["synonyms"] = [][]string{{"退款", "退钱"}}
		in["llm"] = map[string]any{"enabled": true, "base_url": "http://127.0.0.1:9/v1", "model": "local", "api_key": "sk-secret-key"}
		var saved map[string]any
		if _, err := admin.Do(ctx, "PUT", "/api/v1/bot/settings", in, &saved); err != nil {
			t.Fatal(err)
		}
		var again map[string]any
		if _, err := admin.Do(ctx, "GET", "/api/v1/bot/settings", nil, &again); err != nil {
			t.Fatal(err)
		}
		for _, got := range []map[string]any{saved, again} {
			if got["answer_threshold"] != 0.7 || got["max_turns"] != float64(4) || strings.Contains(asJSON(t, got), "sk-secret-key") {
				t.Fatalf("saved settings: %v", got)
			}
		}
		// An agent reads the settings but cannot change them.
		agentClient := agent(t, s, admin)
		if _, err := agentClient.Do(ctx, "PUT", "/api/v1/bot/settings", in, nil); err == nil {
			t.Fatal("an agent changed the bot settings")
		} else {
			wantError(t, "agent PUT settings", err, 403, "forbidden")
		}

		ch := must[*client.Channel](t, "channel")(admin.CreateChannel(ctx, client.ChannelInput{Name: "Shop"}))
		if ch.Settings.Bot.Mode != "bot_first" || ch.Settings.Bot.Hours.TimeZone != "UTC" || len(ch.Settings.Bot.Hours.Days) != 5 {
			t.Fatalf("a new channel's bot mode: %+v", ch.Settings.Bot)
		}
		badHours := []struct {
			bot   client.ChannelBot
			field string
		}{
			{client.ChannelBot{Mode: "sometimes"}, "settings.bot.mode"},
			{client.ChannelBot{Mode: "bot_outside_hours", Hours: client.BusinessHours{TimeZone: "Mars/Olympus"}}, "settings.bot.hours.time_zone"},
			{client.ChannelBot{Mode: "bot_outside_hours", Hours: client.BusinessHours{Days: []int{7}}}, "settings.bot.hours.days"},
			{client.ChannelBot{Mode: "bot_outside_hours", Hours: client.BusinessHours{Open: "18:00", Close: "09:00"}}, "settings.bot.hours.close"},
			{client.ChannelBot{Mode: "bot_outside_hours", Hours: client.BusinessHours{Open: "25:00"}}, "settings.bot.hours.open"},
		}
		for _, b := range badHours {
			set := ch.Settings
			set.Bot = b.bot
			_, err := admin.UpdateChannel(ctx, ch.ID, client.ChannelPatch{Settings: &set})
			var ce *client.Error
			if !errors.As(err, &ce) || ce.Status != 422 || ce.Field != b.field {
				t.Errorf("bot mode %+v: %v, want 422 on %s", b.bot, err, b.field)
			}
		}
		set := ch.Settings
		set.Bot = client.ChannelBot{Mode: "bot_outside_hours", Hours: client.BusinessHours{TimeZone: "Asia/Shanghai", Days: []int{5, 1, 1, 3}, Open: "08:30", Close: "20:00"}}
		got := must[*client.Channel](t, "update")(admin.UpdateChannel(ctx, ch.ID, client.ChannelPatch{Settings: &set}))
		if h := got.Settings.Bot.Hours; got.Settings.Bot.Mode != "bot_outside_hours" || h.TimeZone != "Asia/Shanghai" ||
			asJSON(t, h.Days) != "[1,3,5]" || h.Open != "08:30" || h.Close != "20:00" {
			t.Fatalf("saved bot mode: %+v", got.Settings.Bot)
		}
	})
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// agent creates an agent and signs them in.
func agent(t *testing.T, s *Server, admin *client.Client) *client.Client {
	t.Helper()
	const pw = "an agent's long passphrase"
	u := must[*client.User](t, "agent")(admin.CreateUser(t.Context(), client.UserCreate{Email: "bot-agent@example.com", Name: "Agent",
		Role: client.RoleAgent, Password: pw, MustChangePassword: ptr(false)}))
	c, _ := s.Login(t, u.Email, pw)
	return c
}
