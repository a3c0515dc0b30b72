package text

// Stop words are dropped from tokens (unless Options.KeepStopWords is set).
// The lists are deliberately small: pronouns, articles, auxiliaries,
// particles and conjunctions. Question words (how, why, 怎么, 为什么, 多少),
// negations (not, no, 不, 没有) and greetings and courtesy words (hello, 你好, thanks, 谢谢) are kept
// because they carry the intent of a customer's message.
var stopWords = func() map[string]struct{} {
	m := make(map[string]struct{}, 256)
	for _, w := range []string{
		// English
		"a", "an", "the", "and", "or", "but", "if", "then", "so", "of", "to",
		"in", "on", "at", "by", "for", "with", "from", "into", "about", "as",
		"is", "am", "are", "was", "were", "be", "been", "being", "do", "does",
		"did", "doing", "have", "has", "had", "having", "will", "would",
		"shall", "should", "can", "could", "may", "might", "must",
		"i", "me", "my", "mine", "myself", "we", "us", "our", "ours",
		"you", "your", "yours", "he", "him", "his", "she", "her", "hers",
		"it", "its", "they", "them", "their", "theirs",
		"this", "that", "these", "those", "there", "here",
		"s", "t", "im", "i'm", "ive", "i've", "i'd", "i'll", "it's",
		"please", "pls", "just", "also", "very", "too", "some", "any",
		// Chinese function words
		"的", "地", "得", "了", "着", "过", "吗", "呢", "吧", "啊", "呀", "哦",
		"嗯", "么", "嘛", "啦", "哈", "和", "与", "及", "或", "而", "且", "并",
		"也", "都", "就", "还", "又", "才", "很", "是", "在", "把", "被", "让",
		"给", "对", "从", "向", "于", "这", "那", "这个", "那个", "这些",
		"那些", "一个", "一下", "一些", "我", "你", "您", "他", "她", "它",
		"我们", "你们", "他们", "她们", "它们", "咱们", "自己", "请", "请问",
		"麻烦", "想", "要", "能", "会", "可以",
	} {
		m[w] = struct{}{}
	}
	return m
}()

func isStopWord(w string) bool {
	_, ok := stopWords[w]
	return ok
}
