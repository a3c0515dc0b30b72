package app

import (
	"context"
	"slices"
	"testing"

	"github.com/switchboard-cs/switchboard/internal/platform/config"
)

// The demo tenant closes conversations with the shop's summary categories
// (a summary optional) and a two-minute response target; other tenants
// keep the defaults.
func TestDemoWorkspaceSettings(t *testing.T) {
	a, _, _ := newTestApp(t, func(c *config.Config) { c.Demo = true })
	ctx := context.Background()
	demo, err := a.Tenants.BySlug(ctx, DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	st, err := a.Workspace.Settings(ctx, demo.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"物流 Shipping", "退换货 Returns", "支付 Payment", "账户 Account", "其他 Other"}
	if !slices.Equal(st.SummaryCategories, want) || st.SummaryRequired || st.ResponseTargetSeconds != 120 {
		t.Fatalf("demo workspace settings: %+v", st)
	}
	def, err := a.Tenants.BySlug(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := a.Workspace.Settings(ctx, def.ID); len(st.SummaryCategories) != 0 {
		t.Fatalf("the default tenant has categories: %+v", st)
	}
}
