package engine

import (
	"fmt"
	"github.com/switchboard-cs/switchboard/internal/bot/splitmix"
	"strings"
)

// A synthetic but realistic knowledge base for tests and benchmarks: every
// entry is about one (product, action, detail) combination, in Chinese or
// English, and its questions are phrased with shared templates and filler
// words, so the vocabulary is shared across entries and the posting lists
// of common words are long, as in a real FAQ.

var (
	genProductsEN = strings.Fields("card account app wallet loan mortgage transfer payment refund order parcel subscription " +
		"plan invoice voucher coupon membership ticket booking flight hotel phone laptop tablet charger headphones camera " +
		"printer router modem tv console game watch bike scooter car insurance policy claim deposit savings pension " +
		"statement pin password email address profile device sim contract bill meter")
	genActionsEN = strings.Fields("cancel change update activate close open renew upgrade downgrade return replace " +
		"track pay reset unlock transfer verify register delete export")
	genDetailsEN = strings.Fields("fee limit status deadline balance currency discount warranty delivery speed " +
		"history settings owner date number code rate period")
	genProductsZH = []string{"银行卡", "账户", "钱包", "贷款", "房贷", "转账", "付款", "退款", "订单", "包裹", "会员", "套餐",
		"发票", "优惠券", "积分", "机票", "酒店", "手机", "电脑", "平板", "充电器", "耳机", "相机", "打印机", "路由器",
		"电视", "手表", "自行车", "汽车", "保险", "保单", "理赔", "存款", "理财", "养老金", "账单", "密码", "邮箱", "地址",
		"设备", "电话卡", "合同", "水电费", "快递", "外卖", "门票", "课程", "车票", "信用卡", "储蓄卡"}
	genActionsZH = []string{"取消", "修改", "更新", "激活", "注销", "开通", "续费", "升级", "降级", "退回", "更换", "查询",
		"支付", "重置", "解锁", "转让", "验证", "注册", "删除", "导出"}
	genDetailsZH = []string{"费用", "额度", "状态", "期限", "余额", "币种", "折扣", "保修", "配送", "速度", "记录", "设置",
		"持有人", "日期", "号码", "验证码", "利率", "周期"}
	genTemplatesEN = []string{
		"how do i %[2]s my %[1]s %[3]s",
		"how can i %[2]s the %[3]s of my %[1]s",
		"i want to %[2]s my %[1]s %[3]s please",
		"can you help me %[2]s %[1]s %[3]s",
		"what is the way to %[2]s the %[1]s %[3]s",
		"is it possible to %[2]s my %[1]s %[3]s today",
		"need to %[2]s %[3]s on my %[1]s",
		"%[1]s %[3]s %[2]s how",
		"where do i go to %[2]s my %[1]s %[3]s",
		"why can't i %[2]s the %[3]s for my %[1]s",
		"help with %[2]s of %[1]s %[3]s",
	}
	genTemplatesZH = []string{
		"%[1]s的%[3]s怎么%[2]s",
		"请问如何%[2]s%[1]s%[3]s",
		"我想%[2]s一下%[1]s的%[3]s",
		"%[1]s%[3]s能不能%[2]s",
		"怎样%[2]s我的%[1]s%[3]s",
		"帮我%[2]s%[1]s%[3]s",
		"%[1]s的%[3]s在哪里%[2]s",
		"为什么我的%[1]s%[3]s无法%[2]s",
		"%[2]s%[1]s%[3]s需要什么",
		"%[1]s%[3]s%[2]s的流程是什么",
		"你好，我要%[2]s%[1]s%[3]s",
	}
	genFillersEN = strings.Fields("now quickly again online today still really urgently")
	genFillersZH = []string{"现在", "马上", "今天", "在线", "还是", "一直", "急", "麻烦"}
)

// genEntry returns the topic words of entry i (distinct for every i below
// products × actions × details) and whether it is Chinese.
func genTopic(i int) (product, action, detail string, zh bool) {
	zh = i%2 == 1
	j := i / 2
	if zh {
		p, a, d := genProductsZH, genActionsZH, genDetailsZH
		return p[j%len(p)], a[(j/len(p))%len(a)], d[(j/(len(p)*len(a)))%len(d)], true
	}
	p, a, d := genProductsEN, genActionsEN, genDetailsEN
	return p[j%len(p)], a[(j/len(p))%len(a)], d[(j/(len(p)*len(a)))%len(d)], false
}

// genQuestion phrases question k of a topic.
func genQuestion(product, action, detail string, zh bool, k int, r *splitmix.Rand) string {
	if zh {
		q := fmt.Sprintf(genTemplatesZH[k%len(genTemplatesZH)], product, action, detail)
		if r.Intn(3) == 0 {
			q = genFillersZH[r.Intn(len(genFillersZH))] + q
		}
		return q
	}
	q := fmt.Sprintf(genTemplatesEN[k%len(genTemplatesEN)], product, action, detail)
	if r.Intn(3) == 0 {
		q += " " + genFillersEN[r.Intn(len(genFillersEN))]
	}
	return q
}

// genKB returns n entries with similar questions each (plus the standard
// question) and a short answer.
func genKB(n, similar int, seed uint64) []Entry {
	r := splitmix.New(seed)
	out := make([]Entry, n)
	for i := range out {
		p, a, d, zh := genTopic(i)
		off := r.Intn(len(genTemplatesEN))
		e := Entry{ID: fmt.Sprintf("e%05d", i), Kind: "faq", Question: genQuestion(p, a, d, zh, off, r)}
		for k := 1; k <= similar; k++ {
			e.Similar = append(e.Similar, genQuestion(p, a, d, zh, off+k, r))
		}
		if zh {
			e.Language = "zh"
			e.Answer = fmt.Sprintf("您可以在应用的%s页面%s%s，一般一个工作日内完成，如有问题请联系我们。", p, a, d)
		} else {
			e.Language = "en"
			e.Answer = fmt.Sprintf("You can %s the %s of your %s in the app under settings; it usually takes one working day.", a, d, p)
		}
		out[i] = e
	}
	return out
}

// genQueries returns n questions about random entries of a
// genKB(entries, ...) knowledge base, phrased with the shared templates and
// their own random fillers.
func genQueries(entries, n int, seed uint64) (texts, ids []string) {
	r := splitmix.New(seed)
	for len(texts) < n {
		i := r.Intn(entries)
		p, a, d, zh := genTopic(i)
		k := len(genTemplatesEN) - 1
		texts = append(texts, genQuestion(p, a, d, zh, k+r.Intn(2)*len(genTemplatesEN), r))
		ids = append(ids, fmt.Sprintf("e%05d", i))
	}
	return texts, ids
}
