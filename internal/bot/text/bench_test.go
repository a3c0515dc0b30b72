package text

import (
	"runtime"
	"testing"
	"time"
)

const (
	benchZH = "您好，我上周在你们店里买的小米手机屏幕坏了，想申请退款或者换货，请问需要提供发票吗？订单号是２０２４０５１２。"
	benchEN = "Hello, the phone I bought from your store last week arrived with a cracked screen. I would like a refund or a replacement; do you need the invoice? My order number is 20240512."
	benchTW = "您好，我上週在你們店裡買的小米手機螢幕壞了，想申請退款或者換貨，請問需要提供發票嗎？"
)

func BenchmarkNormalize(b *testing.B) {
	for _, c := range []struct{ name, s string }{{"zh", benchZH}, {"zh-traditional", benchTW}, {"en", benchEN}, {"en-normal-ascii", "hello i would like a refund"}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.s)))
			for b.Loop() {
				Normalize(c.s)
			}
		})
	}
}

func BenchmarkDetect(b *testing.B) {
	for b.Loop() {
		Detect(benchZH)
	}
}

func BenchmarkTokenize(b *testing.B) {
	Preload()
	for _, c := range []struct {
		name string
		s    string
		o    Options
	}{
		{"zh", benchZH, Options{}},
		{"zh-lexicon", benchZH, Options{Lexicon: testLexicon}},
		{"zh-search", benchZH, Options{Chinese: ChineseSearch}},
		{"zh-bigrams", benchZH, Options{Chinese: ChineseBigrams}},
		{"en", benchEN, Options{}},
		{"en-lexicon", benchEN, Options{Lexicon: testLexicon}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.s)))
			for b.Loop() {
				TokenizeWith(c.s, c.o)
			}
		})
	}
}

func BenchmarkNewLexicon(b *testing.B) {
	terms := make([]string, 0, 200)
	for i := range 200 {
		terms = append(terms, "产品"+string(rune('甲'+i))+"型号")
	}
	syn := [][]string{{"退款", "退钱", "返款"}, {"refund", "money back", "reimburse"}, {"发货", "寄出", "出货"}}
	for b.Loop() {
		MustLexicon(terms, syn)
	}
}

// BenchmarkSegmenterLoad measures what the first Chinese text costs: the
// dictionary load time and the heap it keeps, at the default trim and
// with the whole simplified dictionary. Run with -benchtime=1x.
func BenchmarkSegmenterLoad(b *testing.B) {
	for _, c := range []struct {
		name    string
		minFreq float64
	}{{"trimmed", DefaultDictMinFreq}, {"full-zh_s", 0}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				l := &lazySegmenter{minFreq: c.minFreq}
				start := time.Now()
				seg := l.get()
				elapsed := time.Since(start)
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(elapsed.Milliseconds()), "load-ms")
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
				b.ReportMetric(float64(seg.Dict.NumTokens()), "words")
				runtime.KeepAlive(seg)
			}
		})
	}
}
