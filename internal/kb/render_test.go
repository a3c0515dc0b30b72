package kb

import (
	"strings"
	"testing"
)

func TestRenderSanitises(t *testing.T) {
	cases := []struct {
		name, md     string
		want, absent []string
	}{
		{"markdown", "**Free** shipping over ¥99.\n\n- fast\n- tracked",
			[]string{"<strong>Free</strong>", "<li>fast</li>"}, nil},
		{"script tag", "Hello <script>alert('x')</script> there",
			[]string{"Hello"}, []string{"<script", "alert("}},
		{"event attribute", `<img src="https://cdn.example.com/a.png" onerror="alert(1)">`,
			[]string{`src="https://cdn.example.com/a.png"`}, []string{"onerror", "alert"}},
		{"javascript link", "[click](javascript:alert(1)) and <a href=\"javascript:alert(2)\">x</a>",
			nil, []string{"javascript:"}},
		{"iframe and style", "<iframe src=\"https://evil.example\"></iframe><style>body{display:none}</style>ok",
			[]string{"ok"}, []string{"<iframe", "<style", "display:none"}},
		{"links open safely", "See [the policy](https://shop.example.com/returns).",
			[]string{`href="https://shop.example.com/returns"`, `target="_blank"`, "nofollow", "noopener"}, nil},
		{"simple html survives", "Press <b>Save</b>", []string{"<b>Save</b>"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, _ := Render(c.md)
			for _, w := range c.want {
				if !strings.Contains(h, w) {
					t.Errorf("Render(%q) = %q, want it to contain %q", c.md, h, w)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(strings.ToLower(h), strings.ToLower(a)) {
					t.Errorf("Render(%q) = %q, must not contain %q", c.md, h, a)
				}
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	_, plain := Render("# 退款\n\n请在 **7 天内** 申请。\n\n- 登录账户\n- 点击[订单](https://shop.example.com/orders)\n\n<script>x()</script>")
	want := "退款\n\n请在 7 天内 申请。\n\n• 登录账户\n• 点击订单 (https://shop.example.com/orders)"
	if plain != want {
		t.Fatalf("plain text:\n%q\nwant\n%q", plain, want)
	}
}
