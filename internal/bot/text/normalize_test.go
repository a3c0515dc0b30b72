package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalizeWidthAndCase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"hello world", "hello world"},
		{"Hello World", "hello world"},
		{"ＡＢＣ　ｘｙｚ　１２３", "abc xyz 123"},               // full-width letters, digits, ideographic space
		{"！？（），：；＠＃％", "!?(),:;@#%"},                 // full-width punctuation
		{"订单号：ＳＷ－２０２４", "订单号:sw-2024"},               // mixed
		{"  many \t\n  spaces\r\n ", "many spaces"},  // collapse and trim
		{"ﾃｽﾄ", "テスト"},                               // half-width katakana → full-width
		{"ﬁle ① ㎏", "file 1 kg"},                     // compatibility forms
		{"ÉCOLE Straße", "école straße"},             // non-ASCII lower case
		{"e\u0301", "é"},                             // composed
		{"a\u0000b\u0007c\u200bd\ufeffe", "abcde"},   // controls and format characters dropped
		{"line1\u2028line2\u00a0x", "line1 line2 x"}, // other spaces
		{"bad\xffutf8\xc0", "badutf8"},               // invalid UTF-8 dropped
		{"退款，请尽快处理。", "退款,请尽快处理。"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeTraditionalToSimplified(t *testing.T) {
	tests := []struct{ in, want string }{
		{"退款與發票", "退款与发票"},
		{"請問這個訂單什麼時候發貨", "请问这个订单什么时候发货"},
		{"會員帳號無法登錄", "会员帐号无法登录"},
		{"乾隆皇帝", "乾隆皇帝"},     // phrase keeps 乾
		{"乾燥", "干燥"},         // character table
		{"計畫", "计划"},         // phrase-level conversion
		{"已经是简体了", "已经是简体了"}, // simplified unchanged
		{"ＡＢＣ與ＸＹＺ", "abc与xyz"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Every entry of the conversion tables, alone and run together, must
// normalise idempotently: converted text must not convert again.
func TestNormalizeTablesIdempotent(t *testing.T) {
	t2sOnce.Do(loadT2S)
	var all strings.Builder
	check := func(s string) {
		t.Helper()
		n := Normalize(s)
		if again := Normalize(n); again != n {
			t.Errorf("not idempotent: %q → %q → %q", s, n, again)
		}
	}
	for from := range t2sChars {
		check(string(from))
	}
	for _, ps := range t2sPhrases {
		for _, p := range ps {
			check(string(p.from))
			check(string(p.to))
			all.WriteString(string(p.from))
			all.WriteString(string(p.to))
		}
	}
	s := all.String()
	for i := 0; i+3*200 < len(s); i += 3 * 150 {
		check(s[i : i+3*200])
	}
}

func TestNormalizeBounded(t *testing.T) {
	long := strings.Repeat("退款與發票 ＡＢＣ ", 100000) // 1.1 M runes
	got := Normalize(long)
	if n := utf8.RuneCountInString(got); n > MaxRunes {
		t.Fatalf("Normalize returned %d runes, more than %d", n, MaxRunes)
	}
	if !strings.HasPrefix(got, "退款与发票 abc 退款与发票") {
		t.Fatalf("unexpected prefix %q", got[:40])
	}
	// Expanding compatibility characters must still be capped.
	if n := utf8.RuneCountInString(Normalize(strings.Repeat("\ufdfa", 5000))); n > MaxRunes {
		t.Fatalf("expansion not capped: %d runes", n)
	}
}
