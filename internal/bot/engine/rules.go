package engine

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/bot/text"
)

// The fixed rules run before any model: they recognise messages that are not
// questions (empty, greeting, thanks, goodbye) and explicit requests for a
// person. They work on a compact form of the message: normalised
// (text.Normalize), then cut into chunks that are either a run of Han
// characters or a Latin/digit word; punctuation, symbols and emoji are
// dropped, and so are apostrophes inside words ("you're" → "youre"). "你好，在吗？"
// becomes "你好 在吗"; "Hi there!! 👋" becomes "hi there".

// compact returns the chunks of s (see above) joined by single spaces.
func compact(s string) string {
	n := text.Normalize(s)
	var b strings.Builder
	b.Grow(len(n))
	prevHan, inWord := false, false
	for _, r := range n {
		han := unicode.Is(unicode.Han, r)
		word := !han && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'')
		switch {
		case han:
			if inWord || (!prevHan && b.Len() > 0) {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
		case word:
			if !inWord && b.Len() > 0 {
				b.WriteByte(' ')
			}
			if r != '\'' {
				b.WriteRune(r)
			}
		}
		prevHan, inWord = han, word
	}
	return b.String()
}

// Phrase lists of the rules. Chinese phrases match inside Han chunks (the
// language has no spaces); English phrases match whole words.
var (
	greetZH = []string{
		"你们好", "您好", "你好", "哈喽", "哈啰", "嗨", "早上好", "上午好", "中午好", "下午好", "晚上好", "早安", "晚安",
		"在吗", "在不在", "在么", "在嘛", "有人吗", "有人在吗", "有没有人", "客服在吗", "请问在吗",
	}
	greetEN = []string{
		"hi", "hello", "hey", "hiya", "howdy", "greetings", "good morning", "good afternoon", "good evening",
		"hi there", "hello there", "hey there", "hi all", "hello all", "hello everyone", "hi everyone", "hi team", "hello team",
		"anyone there", "is anyone there", "anybody there", "is anybody there", "are you there", "yo",
	}
	thanksZH = []string{"谢谢你们", "谢谢你", "谢谢您", "谢谢", "多谢", "谢啦", "谢了", "感谢", "非常感谢", "十分感谢", "太感谢了", "辛苦了", "辛苦"}
	thanksEN = []string{"thanks", "thank you", "thx", "ty", "thanks a lot", "many thanks", "thank you very much", "thank you so much", "thanks so much", "much appreciated", "appreciate it", "cheers"}
	byeZH    = []string{"再见", "拜拜", "回头见", "下次见", "先这样", "就这样", "没事了", "没有了", "没问题了"}
	byeEN    = []string{"bye", "goodbye", "good bye", "bye bye", "see you", "see ya", "see you later", "have a nice day", "have a good day", "thats all", "88", "886"}
	// fillers may stand around a greeting, thanks or goodbye without making
	// the message a question.
	fillerZH = []string{
		"客服", "小姐姐", "亲爱的", "亲", "好的", "好滴", "好", "嗯嗯", "嗯", "哦", "噢", "喔", "啊", "呀", "哈哈", "哈", "了", "啦", "呢", "吧",
		"吗", "么", "的", "大家", "你", "您", "们", "非常", "很", "真的", "帮助", "帮忙", "我", "都", "喽", "哟",
	}
	fillerEN = []string{
		"there", "all", "team", "guys", "everyone", "support", "again", "ok", "okay", "great", "cool", "good", "nice", "awesome",
		"perfect", "so", "much", "very", "a", "lot", "for", "your", "the", "help", "helping", "me", "you", "and", "oh", "ah",
		"well", "sir", "madam", "friend", "bot", "dear", "now", "then", "got", "it", "i", "see",
	}
)

// phraseSet matches the phrases at the start of a compact string.
type phraseSet struct {
	zh []string // longest first
	en [][]string
}

func newPhraseSet(zh, en []string) phraseSet {
	var p phraseSet
	p.zh = append(p.zh, zh...)
	sortByLenDesc(p.zh)
	for _, e := range en {
		p.en = append(p.en, strings.Fields(e))
	}
	// longer English phrases first
	for i := 1; i < len(p.en); i++ {
		for j := i; j > 0 && len(p.en[j]) > len(p.en[j-1]); j-- {
			p.en[j], p.en[j-1] = p.en[j-1], p.en[j]
		}
	}
	return p
}

func sortByLenDesc(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && utf8.RuneCountInString(s[j]) > utf8.RuneCountInString(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// strip removes one phrase at the start of words (the compact form cut at
// spaces; a Han chunk may be consumed partly) and reports whether it did.
func (p phraseSet) strip(words []string) ([]string, bool) {
	if len(words) == 0 {
		return words, false
	}
	w := words[0]
	if isHanChunk(w) {
		for _, ph := range p.zh {
			if strings.HasPrefix(w, ph) {
				rest := w[len(ph):]
				if rest == "" {
					return words[1:], true
				}
				out := make([]string, len(words))
				copy(out, words)
				out[0] = rest
				return out, true
			}
		}
		return words, false
	}
	for _, ph := range p.en {
		if len(ph) <= len(words) && equalWords(words[:len(ph)], ph) {
			return words[len(ph):], true
		}
	}
	return words, false
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func isHanChunk(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.Is(unicode.Han, r)
}

var (
	greetSet  = newPhraseSet(greetZH, greetEN)
	thanksSet = newPhraseSet(thanksZH, thanksEN)
	byeSet    = newPhraseSet(byeZH, byeEN)
	fillerSet = newPhraseSet(fillerZH, fillerEN)
)

// smallTalk classifies a message that is only a greeting, thanks or goodbye
// (with fillers such as "there", 客服, 好的). It returns "" when the message
// has anything else in it. rest is what follows a leading greeting (for
// "你好，请问怎么退款" it is "请问怎么退款"), so that the question is answered.
func smallTalk(c string) (kind string, rest string) {
	words := strings.Fields(c)
	var greet, thanks, bye bool
	var afterGreet []string
	for len(words) > 0 {
		var ok bool
		if words, ok = byeSet.strip(words); ok {
			bye = true
			continue
		}
		if words, ok = thanksSet.strip(words); ok {
			thanks = true
			continue
		}
		if words, ok = greetSet.strip(words); ok {
			greet, afterGreet = true, words
			continue
		}
		if words, ok = fillerSet.strip(words); ok {
			continue
		}
		if greet && !thanks && !bye {
			rest = strings.Join(afterGreet, " ")
		}
		return "", rest
	}
	switch {
	case bye:
		return KindGoodbye, ""
	case thanks:
		return KindThanks, ""
	case greet:
		return KindGreeting, ""
	}
	return "", ""
}

// Requests for a person. Chinese: phrases anywhere in the message, or a
// message that is only "人工" / "真人" with fillers. English: a request verb
// followed by a person word, or a message that is only a person word with
// "please" and the like. Questions about the bot itself ("are you a real
// person?") and other senses of the words ("my agent", "smooth operator")
// are not requests.
var (
	humanZH = []string{
		"转人工", "人工客服", "找人工", "要人工", "接人工", "转接人工", "叫人工", "呼叫人工", "换人工", "请人工", "人工服务",
		"人工坐席", "人工座席", "人工处理", "人工回复", "真人客服", "找真人", "要真人", "换真人", "转真人", "真人服务", "真人回复",
		"活人", "客服人员", "客服专员", "转客服", "找客服", "要客服", "叫客服", "联系客服", "人工台",
	}
	humanAloneZH = []string{"人工", "真人", "客服", "转接"}
	humanFillZH  = []string{"我要", "我想", "我需要", "给我", "帮我", "请", "麻烦", "快", "赶紧", "马上", "立刻", "转", "接", "找", "要", "一下", "吧", "啊", "呀", "了", "的"}
	person       = `(?:(?:a|an|the|your|some|one of your|real|live|actual|human|customer|service|support|care|of|with|to)\s+)*` +
		`(?:human|humans|person|people|agent|agents|representative|representatives|rep|reps|operator|someone real|somebody real|staff member|staff|advisor|adviser)`
	humanEN = []*regexp.Regexp{
		regexp.MustCompile(`\b(?:talk|speak|chat|switch)(?: me)?(?: through| over| back)?(?: to| with)\s+` + person + `\b`),
		regexp.MustCompile(`\b(?:connect|transfer|put|get|pass|hand|forward) me(?: through| over| back)?(?: to| with)\s+` + person + `\b`),
		regexp.MustCompile(`\b(?:want|need|request|prefer|give me|get me|let me have|bring me|may i have|can i have|could i have|can i get|could i get)\s+(?:to\s+(?:talk|speak|chat)\s+(?:to|with)\s+)?` + person + `\b`),
		regexp.MustCompile(`\b(?:real|live|actual) (?:person|human|agent|representative)s? please\b`),
		regexp.MustCompile(`\b(?:human|agent|operator|representative) please\b`),
	}
	// notHumanEN vetoes the English patterns: questions about the bot, and
	// questions whether a person is needed for something else.
	notHumanEN   = regexp.MustCompile(`\b(?:are you|am i talking|is this|you are|youre|do i (?:need|have) to|do i need|must i|should i|without (?:talking|speaking))\b`)
	humanAloneEN = map[string]bool{
		"human": true, "agent": true, "operator": true, "representative": true, "person": true, "real person": true,
		"live agent": true, "human agent": true, "live person": true, "a human": true, "an agent": true, "a person": true,
		"customer service": true, "customer support": true, "live chat": true, "real human": true, "a real person": true,
	}
	humanAloneFillEN = regexp.MustCompile(`\b(?:please|pls|plz|now|asap|i want|i need|give me|get me|id like|i would like|can i have|may i have|just)\b`)
)

// asksForHuman reports whether the compact message c asks for a person.
func asksForHuman(c string) bool {
	if c == "" {
		return false
	}
	han := hanOnly(c)
	for _, p := range humanZH {
		if strings.Contains(han, p) {
			return true
		}
	}
	if han != "" && utf8.RuneCountInString(han) <= 12 {
		rest := han
		for _, f := range humanFillZH {
			rest = strings.ReplaceAll(rest, f, "")
		}
		for _, a := range humanAloneZH {
			rest = strings.ReplaceAll(rest, a, "")
		}
		if rest == "" && containsAny(han, humanAloneZH) && latinOnly(c) == "" {
			return true
		}
	}
	lat := latinOnly(c)
	if lat == "" {
		return false
	}
	if !notHumanEN.MatchString(lat) {
		for _, re := range humanEN {
			if re.MatchString(lat) {
				return true
			}
		}
	}
	bare := strings.Join(strings.Fields(humanAloneFillEN.ReplaceAllString(lat, " ")), " ")
	return humanAloneEN[bare]
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// hanOnly returns the Han chunks of a compact string, concatenated.
func hanOnly(c string) string {
	var b strings.Builder
	for _, w := range strings.Fields(c) {
		if isHanChunk(w) {
			b.WriteString(w)
		}
	}
	return b.String()
}

// latinOnly returns the non-Han words of a compact string.
func latinOnly(c string) string {
	var parts []string
	for _, w := range strings.Fields(c) {
		if !isHanChunk(w) {
			parts = append(parts, w)
		}
	}
	return strings.Join(parts, " ")
}

// Follow-up cues: a question that leans on the previous one.
var (
	followZHPrefix = []string{"那么", "那如果", "那要是", "那", "还有", "另外", "如果是", "要是", "换成", "改成", "至于"}
	followZHSuffix = []string{"呢", "的呢", "怎么样", "如何", "也一样吗", "也是吗", "也可以吗", "也行吗"}
	followEN       = regexp.MustCompile(`^(?:and|also|what about|how about|what if|and what about|and how about|same for|same with|is it the same for|does that apply to|and for|and if|but what about|or|then)\b`)
)

// followUpCue reports whether the compact message reads as a follow-up
// ("那国际的呢", "what about international?").
func followUpCue(c string) bool {
	if c == "" {
		return false
	}
	han := hanOnly(c)
	if han != "" && isHanChunk(strings.Fields(c)[0]) {
		for _, p := range followZHPrefix {
			if strings.HasPrefix(han, p) {
				return true
			}
		}
		if utf8.RuneCountInString(han) <= 10 {
			for _, s := range followZHSuffix {
				if strings.HasSuffix(han, s) {
					return true
				}
			}
		}
	}
	lat := latinOnly(c)
	return lat != "" && !isHanChunk(strings.Fields(c)[0]) && followEN.MatchString(lat)
}

// hasContent reports whether the message has any letter or digit.
func hasContent(s string) bool {
	n := 0
	for _, r := range s {
		if n++; n > text.MaxRunes {
			return false
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// Explicit signs of anger at the service: insults, "气死", "worst service".
// They raise the sentiment score of a message the detector already reads
// as negative (see Engine.sentiment).
var (
	angerZH = []string{
		"垃圾", "气死", "骗子", "坑人", "坑爹", "什么玩意", "破服务", "破系统", "破玩意", "太差劲", "差劲", "恶心", "无语", "投诉你们",
		"我要投诉", "妈的", "他妈", "废物", "忍无可忍", "受够了", "太过分", "过分了", "欺骗", "黑心", "无良",
	}
	angerEN = regexp.MustCompile(`\b(?:ridiculous|unacceptable|outrageous|disgusting|disgraceful|pathetic|furious|livid|pissed|angry|scam|scammers|rip ?off|ripoff|useless|incompetent|worst|fed up|sick of|sick and tired|wtf|fuck\w*|shit\w*|damn|crap|rubbish|garbage|joke of a|terrible service|horrible service|awful service|shameful|thieves|liars)\b`)
)

// angerCue reports an explicit sign of anger in the compact message.
func angerCue(c string) bool {
	han := hanOnly(c)
	for _, p := range angerZH {
		if strings.Contains(han, p) {
			return true
		}
	}
	lat := latinOnly(c)
	return lat != "" && angerEN.MatchString(lat)
}
