package text

import (
	"reflect"
	"strings"
	"sync"
	"testing"
)

var testLexicon = MustLexicon(
	[]string{"小米手机", "iPhone 15 Pro", "Switchboard", "极光会员"},
	[][]string{
		{"退款", "退钱", "返款"},
		{"refund", "money back", "reimburse"},
	},
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		lex  *Lexicon
		want []string
	}{
		{"chinese", "我想申请退款，发票还没有收到", nil, []string{"申请", "退款", "发票", "没有", "收到"}},
		{"traditional", "退款與發票", nil, []string{"退款", "发票"}},
		{"english stemmed, stop words dropped", "Refunds were not processed for my orders!", nil,
			[]string{"refund", "not", "process", "order"}},
		{"full width english", "ＲＥＦＵＮＤ　ＰＬＥＡＳＥ", nil, []string{"refund"}},
		{"emoji and symbols dropped", "退款😡😡 ★★★ → refund!!! 👍", nil, []string{"退款", "refund"}},
		{"mixed scripts", "iPhone15怎么退款", nil, []string{"iphone15", "怎么", "退款"}},
		{"apostrophe", "I don't know what's wrong", nil, []string{"don't", "know", "what", "wrong"}},
		{"empty", "", nil, nil},
		{"only symbols", "😀 !!! ★", nil, []string{}},
		{"brand split without lexicon", "我的小米手机坏了", nil, []string{"小米", "手机", "坏"}},
		{"brand kept whole with lexicon", "我的小米手机坏了", testLexicon, []string{"小米手机", "坏"}},
		{"unknown brand kept whole", "极光会员怎么续费", testLexicon, []string{"极光会员", "怎么", "续费"}},
		{"synonym 退钱 → 退款", "快点退钱！", testLexicon, []string{"快点", "退款"}},
		{"synonym in traditional text", "請返款", testLexicon, []string{"退款"}},
		{"english multi-word term", "My iPhone 15 Pro is broken", testLexicon, []string{"iphone 15 pro", "broken"}},
		{"english phrase synonym", "I want my money back", testLexicon, []string{"want", "refund"}},
		{"english stem synonym", "They reimbursed me", testLexicon, []string{"refund"}},
		{"word boundary", "product probe", testLexicon, []string{"product", "probe"}},
		{"term at word boundary", "switchboard's app", testLexicon, []string{"switchboard", "app"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Tokenize(tt.in, tt.lex)
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTokenizeModes(t *testing.T) {
	in := "会员卡怎么办理"
	if got, want := TokenizeWith(in, Options{Chinese: ChineseBigrams}), []string{"会员", "员卡", "卡怎", "怎么", "么办", "办理"}; !reflect.DeepEqual(got, want) {
		t.Errorf("bigrams = %q, want %q", got, want)
	}
	if got := TokenizeWith("退", Options{Chinese: ChineseBigrams}); !reflect.DeepEqual(got, []string{"退"}) {
		t.Errorf("single character bigram = %q", got)
	}
	words := TokenizeWith(in, Options{})
	search := TokenizeWith(in, Options{Chinese: ChineseSearch})
	if !contains(words, "会员卡") || contains(words, "会员") {
		t.Errorf("word mode = %q, want 会员卡 only", words)
	}
	if !contains(search, "会员卡") || !contains(search, "会员") {
		t.Errorf("search mode = %q, want 会员 and 会员卡", search)
	}
	if got := TokenizeWith("我的订单", Options{KeepStopWords: true}); !contains(got, "我") {
		t.Errorf("KeepStopWords lost 我: %q", got)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// The dictionary loads only for Han text in a segmenter mode, and only
// once even under concurrent first use.
func TestSegmenterLoadsLazilyOnce(t *testing.T) {
	l := &lazySegmenter{minFreq: DefaultDictMinFreq}
	for _, s := range []string{"", "hello world", "Refund my order 😀", "ＡＢＣ", "Здравствуйте"} {
		tokenizeUsing(s, Options{}, l)
	}
	tokenizeUsing("退款与发票", Options{Chinese: ChineseBigrams}, l)
	tokenizeUsing("キャンセル", Options{}, l) // kana: bigrams, no dictionary
	if n := l.loads.Load(); n != 0 || l.loaded() {
		t.Fatalf("segmenter loaded %d times before any Chinese text", n)
	}
	var wg sync.WaitGroup
	results := make([][]string, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = tokenizeUsing("我想申请退款", Options{}, l)
		}()
	}
	wg.Wait()
	tokenizeUsing("发票还没有收到", Options{Chinese: ChineseSearch}, l)
	if n := l.loads.Load(); n != 1 {
		t.Fatalf("segmenter loaded %d times, want 1", n)
	}
	for _, r := range results[1:] {
		if !reflect.DeepEqual(r, results[0]) {
			t.Fatalf("concurrent results differ: %q vs %q", r, results[0])
		}
	}
}

func TestTokenizeConcurrent(t *testing.T) {
	inputs := []string{"我想申请退款，发票还没有收到", "I want my money back", "我的小米手机坏了", "退款與發票"}
	want := make([][]string, len(inputs))
	for i, s := range inputs {
		want[i] = Tokenize(s, testLexicon)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 50; k++ {
				i := (g + k) % len(inputs)
				if got := Tokenize(inputs[i], testLexicon); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("concurrent Tokenize(%q) = %q, want %q", inputs[i], got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestNewLexicon(t *testing.T) {
	if _, err := NewLexicon(nil, [][]string{{"退款", "退钱"}, {"退货", "退钱"}}); err == nil {
		t.Error("member in two groups: want error")
	}
	if _, err := NewLexicon([]string{strings.Repeat("长", MaxTermRunes+1)}, nil); err == nil {
		t.Error("over-long term: want error")
	}
	l, err := NewLexicon([]string{"", "  ", "😀", "退钱", "ＡＢＣ"}, [][]string{{}, {"退款", "退錢"}, {"😀"}})
	if err != nil {
		t.Fatal(err)
	}
	// 退錢 normalises to 退钱 and the synonym group wins over the plain term.
	if l.Len() != 3 || l.Canonical("退钱") != "退款" || l.Canonical("abc") != "abc" {
		t.Errorf("Len = %d, Canonical(退钱) = %q", l.Len(), l.Canonical("退钱"))
	}
	var nilLex *Lexicon
	if nilLex.Len() != 0 || nilLex.Canonical("x") != "x" {
		t.Error("nil lexicon")
	}
}

// TestTagChinese: the dictionary's part-of-speech tags come with the words,
// places and person names included, and unknown words are "x".
func TestTagChinese(t *testing.T) {
	words, tags := TagChinese("北京到上海的火车")
	got := map[string]string{}
	for i, w := range words {
		got[w] = tags[i]
	}
	if got["北京"] != "ns" || got["上海"] != "ns" || got["火车"] == "" || len(words) != len(tags) {
		t.Fatalf("tags: %v %v", words, tags)
	}
	if w, tg := TagChinese(""); len(w) != 0 || len(tg) != 0 {
		t.Fatalf("empty text: %v %v", w, tg)
	}
}
