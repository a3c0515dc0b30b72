package llm

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestParseReply(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		text string
		nums []int
	}{
		{"Ships in 48 hours [1].", 2, "Ships in 48 hours.", []int{1}},
		{"A [2]. B [1, 2]. C [1][2].", 2, "A. B. C.", []int{2, 1}},
		{"国内 48 小时发货【1】，国际 7–15 天［2］。", 2, "国内 48 小时发货，国际 7–15 天。", []int{1, 2}},
		{"国内 48 小时发货 [1，2]。", 2, "国内 48 小时发货。", []int{1, 2}},
		{"Refunds take 3–5 days [Source 1].", 1, "Refunds take 3–5 days.", []int{1}},
		{"退款 3–5 天到账 [来源1]。", 1, "退款 3–5 天到账。", []int{1}},
		{"Steps:\n\n\n- open **My Orders** [1]\n- choose Return [1]  ", 1, "Steps:\n\n- open **My Orders**\n- choose Return", []int{1}},
		{"Joined [[1]1] marker.", 1, "Joined marker.", []int{1}},
		{"Order 2026 ships [2026] soon [1].", 1, "Order 2026 ships [2026] soon.", []int{1}},
	}
	for _, tc := range cases {
		text, nums, err := parseReply(tc.in, tc.n)
		if err != nil {
			t.Errorf("parseReply(%q): %v", tc.in, err)
			continue
		}
		if text != tc.text || !slices.Equal(nums, tc.nums) {
			t.Errorf("parseReply(%q) = %q, %v; want %q, %v", tc.in, text, nums, tc.text, tc.nums)
		}
	}
}

func TestParseReplyRefuses(t *testing.T) {
	for _, in := range []string{
		"", "   ", "NO_ANSWER", "no_answer.", "Sorry. NO_ANSWER [1]", "NO_[1]ANSWER", "NO&#95;ANSWER [1]",
		"Ships in 48 hours.", "Ships [3].", "Ships [0].", "Ships [1, 5].", "[1][2]", "<b>[1]</b>",
		"Ships <!-- [1] -->", "Ships <span title='[1]'>today</span>",
		strings.Repeat("长", MaxAnswerRunes+1) + "[1]",
	} {
		if text, nums, err := parseReply(in, 2); !errors.Is(err, ErrUnsupported) {
			t.Errorf("parseReply(%q) = %q, %v, %v; want ErrUnsupported", in, text, nums, err)
		}
	}
}

var tagRE = regexp.MustCompile(`<[A-Za-z/!?]`)

func TestStripHTML(t *testing.T) {
	cases := map[string]string{
		"plain text, a < b & c":                  "plain text, a < b & c",
		"<b>bold</b> and <i>italic</i>":          "bold and italic",
		"line<br>next<br/>third":                 "line\nnext\nthird",
		"ok<script>alert(1)</script>done":        "okdone",
		"ok<SCRIPT>x</Script >done":              "okdone",
		"ok<style>p{}</style>done":               "okdone",
		"a<!-- hidden -->b":                      "ab",
		"&lt;script&gt;alert(1)&lt;/script&gt;!": "!",
		"<<b>script>alert(1)<</b>/script>x":      "x",
		"cut <img src=x onerror=alert(1)":        "cut ",
		"&amp; &quot;quoted&quot; &#20013;文":     "& \"quoted\" 中文",
		"İ<script>x</script>ok":                  "İok",
	}
	for in, want := range cases {
		got := stripHTML(in)
		if got != want {
			t.Errorf("stripHTML(%q) = %q, want %q", in, got, want)
		}
		if tagRE.MatchString(got) {
			t.Errorf("stripHTML(%q) left a tag: %q", in, got)
		}
	}
}
