package app

import (
	"context"

	"github.com/switchboard-cs/switchboard/internal/account"
	"github.com/switchboard-cs/switchboard/internal/routing"
)

// seedDemoRouting gives the demo tenant something to route with: the
// after-sales team (李娜 and Sam) answers in 中文 and English on weekdays
// and weekends, a VIP team (Sam) takes customers tagged VIP first, with
// the after-sales team as overflow after a minute, and every agent takes
// two conversations at a time. Agents start offline: they go online in the
// console.
func (a *App) seedDemoRouting(ctx context.Context, tenantID string, afterSales account.Team, agents []account.User) error {
	if a.Router == nil {
		return nil
	}
	vip, err := a.Accounts.CreateTeam(ctx, tenantID, "VIP 贵宾", "Customers tagged VIP 标记为 VIP 的客户")
	if err != nil {
		return err
	}
	sam := agents[len(agents)-1]
	if err := a.Accounts.AddMember(ctx, tenantID, vip.ID, sam.ID); err != nil {
		return err
	}
	if _, err := a.Router.PutTeam(ctx, tenantID, afterSales.ID, routing.TeamProfile{Skills: []string{"after-sales"},
		Languages: []string{"zh", "en"}, Capacity: 2}); err != nil {
		return err
	}
	if _, err := a.Router.PutTeam(ctx, tenantID, vip.ID, routing.TeamProfile{Skills: []string{"vip"},
		Languages: []string{"en", "zh"}, Capacity: 2}); err != nil {
		return err
	}
	s := routing.DefaultSettings()
	s.DefaultCapacity = 2
	s.Fallback = routing.Target{TeamID: afterSales.ID}
	if _, err := a.Router.PutSettings(ctx, tenantID, s); err != nil {
		return err
	}
	_, err = a.Router.PutRules(ctx, tenantID, []routing.Rule{{Name: "VIP 客户 VIP customers", Enabled: true,
		When: routing.Conditions{Tags: []string{"VIP"}},
		Then: routing.Target{TeamID: vip.ID, Priority: 5, OverflowTeamID: afterSales.ID, OverflowAfterSeconds: 60}}})
	return err
}
