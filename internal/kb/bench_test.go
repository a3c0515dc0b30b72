package kb

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cs/switchboard/internal/platform/store"
	"github.com/switchboard-cs/switchboard/internal/platform/store/storetest"
	"github.com/switchboard-cs/switchboard/internal/tenant"
)

// BenchEntriesEnv sets how many entries BenchmarkSearch seeds (default
// 2,000; the published figures use 100,000, which takes minutes to seed);
// BenchEngineEnv, if set, names the one engine to run on ("sqlite" or
// "postgres").
const (
	BenchEntriesEnv = "SWITCHBOARD_KB_BENCH_ENTRIES"
	BenchEngineEnv  = "SWITCHBOARD_KB_BENCH_ENGINE"
)

var (
	benchEN = strings.Fields(`order refund return delivery shipping parcel package account password invoice payment card
		address change cancel track status price discount coupon voucher warranty repair replace broken damaged missing
		late fast express international customs fee tax receipt email phone login reset subscription plan upgrade
		downgrade member points gift wrap size colour stock available restock preorder pickup store opening hours
		contact support agent complaint feedback review rating exchange credit bank transfer wallet paypal instalment
		battery charger screen cable headphones laptop phone tablet camera watch shoes jacket shirt dress bag`)
	benchZH = strings.Fields(`订单 退款 退货 配送 快递 包裹 账户 密码 发票 支付 银行卡 地址 修改 取消 物流 状态 价格 优惠
		优惠券 保修 维修 更换 损坏 丢失 延迟 加急 国际 海关 运费 税费 收据 邮箱 手机 登录 重置 会员 积分 礼品 包装
		尺码 颜色 库存 到货 预售 自提 门店 营业 时间 客服 投诉 反馈 评价 换货 信用卡 转账 钱包 分期 电池 充电器 屏幕
		耳机 电脑 平板 相机 手表 鞋子 外套 衬衫 裙子 背包`)
	benchEnStart = []string{"how do i", "can i", "why is my", "where is my", "when will my", "what is the"}
	benchZhStart = []string{"怎么", "如何", "为什么我的", "请问", "能不能", "什么时候"}
)

// zipfWords picks n words, frequent ones more often, deterministically.
func zipfWords(z *rand.Zipf, words []string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = words[z.Uint64()%uint64(len(words))]
	}
	return out
}

// benchPlan makes n entries of made-up but realistic customer-service
// text, half English and half Chinese, with a fixed seed.
func benchPlan(n int) (*ImportPlan, []string) {
	r := rand.New(rand.NewPCG(7, 11))
	zEN := rand.NewZipf(r, 1.2, 4, uint64(len(benchEN)-1))
	zZH := rand.NewZipf(r, 1.2, 4, uint64(len(benchZH)-1))
	p := &ImportPlan{}
	var queries []string
	for i := 0; i < n; i++ {
		var c Content
		if i%2 == 0 {
			q := benchEnStart[r.IntN(len(benchEnStart))] + " " + strings.Join(zipfWords(zEN, benchEN, 3+r.IntN(4)), " ") + " " + strconv.Itoa(i)
			c = Content{Kind: KindFAQ, Language: "en", Question: q, Answer: strings.Join(zipfWords(zEN, benchEN, 25+r.IntN(20)), " ") + "."}
			for j := 0; j < 3; j++ {
				c.Similar = append(c.Similar, strings.Join(zipfWords(zEN, benchEN, 4), " ")+" "+strconv.Itoa(j))
			}
			if i%97 == 0 {
				queries = append(queries, strings.Join(zipfWords(zEN, benchEN, 1+r.IntN(3)), " "))
			}
		} else {
			q := benchZhStart[r.IntN(len(benchZhStart))] + strings.Join(zipfWords(zZH, benchZH, 3+r.IntN(3)), "") + strconv.Itoa(i)
			c = Content{Kind: KindFAQ, Language: "zh", Question: q, Answer: strings.Join(zipfWords(zZH, benchZH, 20+r.IntN(20)), "，") + "。"}
			for j := 0; j < 3; j++ {
				c.Similar = append(c.Similar, strings.Join(zipfWords(zZH, benchZH, 3), "")+strconv.Itoa(j))
			}
			if i%97 == 1 {
				queries = append(queries, strings.Join(zipfWords(zZH, benchZH, 1+r.IntN(3)), ""))
			}
		}
		c.Tags = []string{zipfWords(zEN, benchEN, 1)[0]}
		if err := complete(&c); err != nil {
			panic(err)
		}
		p.Entries = append(p.Entries, ImportEntry{Row: i + 2, Status: StatusPublished, Content: c})
	}
	p.Rows = n
	return p, queries
}

// benchDB opens a fresh database of engine e, with a function that updates
// PostgreSQL's planner statistics as autovacuum would between the seeding
// batches (test servers often run without autovacuum).
func benchDB(b *testing.B, e storetest.Engine) (*store.DB, func()) {
	if e.Name != "postgres" {
		return e.Open(b), func() {}
	}
	url := storetest.FreshPostgres(b)
	ctx := context.Background()
	db, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	raw, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close() })
	return db, func() {
		if _, err := raw.Exec("ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearch measures knowledge-base search over a seeded tenant on
// every configured engine and reports the p50 and p99 latency of one search
// (a page of 20 hits with snippets) for a mix of English and Chinese
// queries of one to three words.
func BenchmarkSearch(b *testing.B) {
	n := 2000
	if v := os.Getenv(BenchEntriesEnv); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("%s=%q", BenchEntriesEnv, v)
		}
	}
	ctx := context.Background()
	plan, queries := benchPlan(n)
	for _, e := range storetest.Engines(b) {
		if only := os.Getenv(BenchEngineEnv); only != "" && only != e.Name {
			continue
		}
		db, analyze := benchDB(b, e)
		tn, err := tenant.New(db).Create(ctx, "bench", "")
		if err != nil {
			b.Fatal(err)
		}
		s := New(Options{DB: db})
		start := time.Now()
		// Batches keep each transaction of the seeding moderate.
		for i := 0; i < len(plan.Entries); i += 1000 {
			part := &ImportPlan{Entries: plan.Entries[i:min(i+1000, len(plan.Entries))]}
			if _, err := s.Import(ctx, tn.ID, Actor{ID: "bench", Reviewer: true}, part, false); err != nil {
				b.Fatal(err)
			}
			analyze()
		}
		b.Logf("%s: seeded %d entries in %s", e.Name, n, time.Since(start).Round(time.Second))
		b.Run(fmt.Sprintf("%s/%d", e.Name, n), func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			hits := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				q := queries[i%len(queries)]
				t0 := time.Now()
				out, _, err := s.Search(ctx, tn.ID, q, Filter{}, store.Page{Limit: 20})
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				hits += len(out)
			}
			b.StopTimer()
			if hits == 0 {
				b.Fatal("no search found anything")
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
		})
	}
}
