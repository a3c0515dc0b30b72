package text

import "testing"

func TestDetect(t *testing.T) {
	tests := []struct{ in, want string }{
		{"我想申请退款", LangChinese},
		{"退款與發票", LangChinese},
		{"我的iPhone坏了", LangChinese}, // a brand name in Chinese text
		{"I want a refund for my order", LangEnglish},
		{"ＲＥＦＵＮＤ ｐｌｅａｓｅ", LangEnglish},
		{"please refund 谢谢", LangMixed},
		{"iPhone 15 Pro 怎么退款", LangMixed},
		{"What does 退款 mean?", LangMixed},
		{"Здравствуйте, где мой заказ", LangOther},
		{"注文をキャンセルしたいです", LangOther},
		{"환불해 주세요", LangOther},
		{"😀🎉👍", LangNone},
		{"", LangNone},
		{"12345 !!! ???", LangNone},
		{"\u0000\u0001\u001f\u007f", LangNone},
		{"\u0000退款\u0007", LangChinese},
	}
	for _, tt := range tests {
		if got := Detect(tt.in); got != tt.want {
			t.Errorf("Detect(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
