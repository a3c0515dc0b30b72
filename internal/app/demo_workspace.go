package app

import (
	"context"
	"fmt"

	"github.com/switchboard-cs/switchboard/internal/workspace"
)

// demoSummaryCategories are the demo shop's close-summary categories.
var demoSummaryCategories = []string{"物流 Shipping", "退换货 Returns", "支付 Payment", "账户 Account", "其他 Other"}

// seedDemoWorkspace gives the demo tenant its close-summary categories
// (a summary stays optional) and a response target of two minutes.
func (a *App) seedDemoWorkspace(ctx context.Context, tenantID string) error {
	_, err := a.Workspace.PutSettings(ctx, tenantID, workspace.Settings{
		SummaryCategories:     append([]string(nil), demoSummaryCategories...),
		SummaryRequired:       false,
		ResponseTargetSeconds: 120,
	})
	if err != nil {
		return fmt.Errorf("demo workspace settings: %w", err)
	}
	return nil
}
