package app

import (
	"context"
	"fmt"
	"io"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/channel"
	"github.com/switchboard-cs/switchboard/internal/contact"
	"github.com/switchboard-cs/switchboard/internal/conversation"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// Demo credentials, printed at start with --demo. They are for a local demo
// only: anyone who reads this file knows them.
const (
	DemoSlug     = "demo"
	DemoPassword = "demo-switchboard-2026"
)

// demoTags are the demo contacts' tags, by e-mail address: 王伟 is a VIP.
var demoTags = map[string][]string{"wang.wei@example.com": {"VIP"}}

var demoAgents = []account.NewUser{
	{Email: "admin@demo.switchboard.local", Name: "Demo Admin", Role: account.RoleAdmin},
	{Email: "li.na@demo.switchboard.local", Name: "李娜", Role: account.RoleAgent, Locale: "zh"},
	{Email: "sam@demo.switchboard.local", Name: "Sam Taylor", Role: account.RoleAgent, Locale: "en"},
}

// seedDemo creates the demo tenant once: an administrator, two agents, a
// team, contacts and conversations in 中文 and English.
func (a *App) seedDemo(ctx context.Context, out io.Writer) error {
	t, err := a.Tenants.BySlug(ctx, DemoSlug)
	if err == nil {
		if err := a.demoChannel(ctx, t.ID); err != nil {
			return err
		}
		a.printDemo(out)
		return nil
	}
	if !apperr.IsKind(err, apperr.NotFound) {
		return err
	}
	t, err = a.Tenants.Create(ctx, DemoSlug, "Demo Shop 演示商店")
	if err != nil {
		return err
	}
	var agents []account.User
	for _, nu := range demoAgents {
		nu.Password = DemoPassword
		u, err := a.Accounts.CreateUser(ctx, t.ID, nu)
		if err != nil {
			return fmt.Errorf("demo user %s: %w", nu.Email, err)
		}
		agents = append(agents, u)
	}
	team, err := a.Accounts.CreateTeam(ctx, t.ID, "售后 After-sales", "Returns, refunds and repairs 退货、退款与维修")
	if err != nil {
		return err
	}
	for _, u := range agents[1:] {
		if err := a.Accounts.AddMember(ctx, t.ID, team.ID, u.ID); err != nil {
			return err
		}
	}
	if err := a.seedDemoRouting(ctx, t.ID, team, agents); err != nil {
		return err
	}
	samples := []struct {
		name, email, subject, body string
		assign                     int
	}{
		{"王伟", "wang.wei@example.com", "订单还没发货", "你好，我的订单 20261118 三天了还没发货，能帮我查一下吗？", 1},
		{"Emma Brown", "emma@example.com", "Refund for a damaged item", "Hi, the mug I received was broken. How do I get a refund?", -1},
		{"陈静", "chen.jing@example.com", "发票", "请问电子发票在哪里下载？", -1},
	}
	for _, s := range samples {
		name := s.name
		c, err := a.Contacts.Create(ctx, t.ID, contact.Input{Name: &name, Emails: []string{s.email}, Tags: demoTags[s.email]})
		if err != nil {
			return err
		}
		nc := conversation.NewConversation{ContactID: c.ID, Channel: "web", Subject: s.subject,
			Message: &conversation.NewMessage{SenderType: conversation.SenderContact, Body: s.body}}
		if s.assign >= 0 {
			nc.AssigneeID = agents[s.assign].ID
		}
		if _, _, err := a.Conversations.Create(ctx, t.ID, nc); err != nil {
			return err
		}
	}
	if err := a.seedDemoKB(ctx, t.ID); err != nil {
		return err
	}
	if err := a.seedDemoWorkspace(ctx, t.ID); err != nil {
		return err
	}
	if err := a.seedDemoQuickReplies(ctx, t.ID); err != nil {
		return err
	}
	if err := a.demoChannel(ctx, t.ID); err != nil {
		return err
	}
	a.printDemo(out)
	return nil
}

// DemoChannelName names the demo tenant's website channel, shown on /demo.
const DemoChannelName = "Demo Shop 演示商店"

// demoChannel finds the demo tenant's website channel, creating it when it
// is missing (a demo made by an older version), and remembers its key.
func (a *App) demoChannel(ctx context.Context, tenantID string) error {
	p := store.Page{Limit: store.MaxPageSize}
	for {
		chs, next, err := a.Channels.List(ctx, tenantID, p)
		if err != nil {
			return err
		}
		for _, ch := range chs {
			if ch.Name == DemoChannelName {
				a.demoKey = ch.Key
				return nil
			}
		}
		if next == "" {
			break
		}
		if p.After, err = store.DecodeCursor(next); err != nil {
			return err
		}
	}
	st := channel.DefaultSettings()
	st.Greeting = "您好！欢迎光临演示商店，有什么可以帮您？\nHi! Welcome to the Demo Shop — how can we help you today?"
	st.Color = "#0e7c66"
	ch, err := a.Channels.Create(ctx, tenantID, DemoChannelName, st)
	if err != nil {
		return fmt.Errorf("demo channel: %w", err)
	}
	a.demoKey = ch.Key
	return nil
}

func (a *App) printDemo(out io.Writer) {
	fmt.Fprintf(out, "Demo tenant %q — sign in with any of these (password %s):\n", DemoSlug, DemoPassword)
	for _, u := range demoAgents {
		fmt.Fprintf(out, "  %-32s %s (%s)\n", u.Email, u.Name, u.Role)
	}
}

// demoChannelKey returns the demo tenant's website channel key ("" without --demo).
func (a *App) demoChannelKey() string {
	return a.demoKey
}
