// Package text is the text-processing layer of the knowledge-base bot:
// normalisation, language detection and tokenising of Chinese and English
// customer messages, with a per-tenant overlay of custom terms and
// synonyms. Everything here is pure, safe for concurrent use, and bounded:
// no step reads more than MaxRunes (2,000) runes of its input.
//
// # Steps
//
// Normalize brings equivalent spellings together before anything is
// compared: control and format characters go, NFKC folds full-width and
// other compatibility forms (ＡＢＣ１２３！ → abc123!, the ideographic space
// → a space), text is lower-cased and its whitespace collapsed, and
// traditional Chinese becomes simplified (退款與發票 → 退款与发票) with a
// character table plus a small phrase table, derived from the OpenCC
// project's TSCharacters and TSPhrases (Apache License 2.0; see the headers
// of t2s_chars.txt and t2s_phrases.txt). Converting to simplified first
// means only the simplified dictionary is needed, and a tenant's
// traditional-script customers match its simplified knowledge base.
// Normalize is idempotent, which the fuzz target checks.
//
// Detect counts letters per script (Han against Latin, others apart) and
// answers "zh", "en", "mixed", "other" or "" (no letters: empty input,
// digits, emoji). It needs no model and does not allocate.
//
// Tokenize normalises, then finds the tenant's Lexicon terms by longest
// match and keeps each whole, then cuts the rest by script: Han runs with
// the shared dictionary segmenter, other letters and digits as words.
// Punctuation, symbols and emoji only separate tokens. Stop words (small
// lists of English and Chinese function words; question words,
// negations and greetings are kept because they carry intent) are
// dropped, English words are stemmed with Porter2 (Snowball English), and
// every token is mapped to its synonym group's canonical token, so 退钱 and
// 退款, or "money back" and "refunds", meet.
//
// The default Chinese mode is a plain cut (dictionary DAG plus HMM for
// unknown words): each span of text yields one token, so a classifier
// does not count a word twice and the lexicon overlay stays coherent.
// ChineseSearch additionally emits the dictionary words inside long words
// (会员卡 → 会员, 会员卡), for indexing knowledge-base articles so that
// shorter queries still find them. ChineseBigrams needs no dictionary at
// all and never loads it.
//
// # The shared segmenter and its cost
//
// One read-only segmenter (github.com/go-ego/gse, dictionary embedded in
// the module) serves every tenant. Nothing loads it at server start; the
// first Chinese text tokenised in a segmenter mode does, once, under a
// lock (Preload does it on purpose, SegmenterLoaded reports it). Tenant
// terms and synonyms never touch it: they are an overlay applied by the
// longest-match pass before segmentation and the synonym map after it, so
// a tenant's Lexicon is built in microseconds (about 0.2 ms for 200 terms)
// and replaced by building a new one.
//
// Measured on the 2-core development machine (BenchmarkSegmenterLoad, Go
// 1.26, gse v0.80.3):
//
//	dictionary                          words    load     heap kept
//	"zh" (simplified + traditional)     587,207  ~1.9 s   ~205 MB
//	"zh_s" whole (SetDictMinFreq(0))    352,275  ~0.8 s   ~127 MiB
//	"zh_s" frequency ≥ 4 (the default)  152,788  ~0.35 s  ~47 MiB
//
// The default trims the rare words of the embedded simplified dictionary
// (DefaultDictMinFreq); on customer-service sentences the cut changes only
// where a rare compound falls back to its parts (支付宝 → 支付 宝), which
// matching tolerates since queries and articles are cut alike, and which a
// tenant's Lexicon can restore. Importing gse also embeds all its
// dictionaries (about 38 MB) in the binary, used or not.
//
// Per message (BenchmarkNormalize, BenchmarkTokenize; a 60-character
// Chinese or 180-character English message): Normalize ~5-9 µs (already
// normal ASCII: ~25 ns, no allocation), Detect ~1 µs, Tokenize ~40 µs for
// Chinese with the segmenter, ~11 µs with bigrams, ~19 µs for English.
package text
