package app

import (
	"context"
	"fmt"

	"github.com/switchboard-cs/switchboard/internal/quickreply"
)

// demoQuickReplies are the demo shop's tenant-wide quick replies, in 中文
// and English, in agreement with the demo knowledge base.
var demoQuickReplies = []struct{ shortcut, title, body string }{
	{"hello", "问候", "您好 {{customer.name}}，我是 {{agent.name}}，很高兴为您服务。"},
	{"hi", "Greeting", "Hi {{customer.name}}, this is {{agent.name}}. How can I help you today?"},
	{"refund", "退款 Refunds",
		"我们收到退货并检查无误后，1–3 个工作日内原路退款；银行或支付机构到账通常还需 3–5 个工作日。\n" +
			"Once we receive and check your return, we refund the original payment method within 1–3 business days; your bank may take another 3–5 business days to show it."},
	{"shipping", "运费 Shipping",
		"中国大陆地区订单满 ¥99 包邮，不满 ¥99 收取 ¥10 运费；16:00 前付款当天发货。\n" +
			"Orders within mainland China ship free over ¥99 (otherwise ¥10); orders paid before 16:00 ship the same day."},
	{"订单", "查询订单 Order number", "请提供您的订单号，我马上为您查询。\nCould you send me your order number? I'll look it up right away."},
	{"thanks", "结束语 Thanks", "感谢您的耐心等待！还有其他可以帮您的吗？\nThank you for your patience! Is there anything else I can help with?"},
}

// seedDemoQuickReplies creates the demo tenant's tenant-wide quick replies.
func (a *App) seedDemoQuickReplies(ctx context.Context, tenantID string) error {
	system := quickreply.Viewer{Editor: true}
	tenantWide := quickreply.ScopeTenant
	for _, d := range demoQuickReplies {
		shortcut, title, body := d.shortcut, d.title, d.body
		_, err := a.QuickReplies.Create(ctx, tenantID, system, quickreply.Input{Scope: &tenantWide, Shortcut: &shortcut, Title: &title, Body: &body})
		if err != nil {
			return fmt.Errorf("demo quick reply /%s: %w", d.shortcut, err)
		}
	}
	return nil
}
