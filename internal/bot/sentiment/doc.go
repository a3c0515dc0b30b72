// Package sentiment detects negative (unhappy, angry) customer messages in
// Chinese and English, so that the bot can hand them to a human first.
//
// Two detectors share one interface (Detector: Score in [0, 1], Negative
// from a threshold):
//
//   - Default() is the shipped rule-based detector: an embedded lexicon
//     written by hand (lexicon/*.txt, see lexicon/NOTICE) of weighted
//     sentiment words and phrases, matched longest first over the
//     normalised text (Chinese character by character, English word by
//     word), with negation (不/没/别, not/never/no… flip the next sentiment
//     word of the clause: "not good" is negative, "not bad" mildly
//     positive), intensifiers and softeners (很/太/有点, very/so/a bit),
//     contrast (但是/不过, but/however: what came before counts less),
//     and anger signals (!!!, ?!, shouted English words) that strengthen a
//     negative clause. It needs no data and scores a message in a few
//     microseconds.
//   - Train(examples) fits a tenant's own detector: logistic regression
//     with naive-Bayes feature scaling (NB-LR) on hashed features — Chinese
//     character 1–3-grams, English words, their Porter2 stems and word
//     bigrams (with the stems after a negator marked up to the end of the
//     clause), character 3–5-grams inside English words, punctuation marks
//     and the default lexicon's score in buckets — plus the lexicon's total,
//     squashed (3·tanh(total/3)), as one real-valued input with its own
//     learnt weight, and the English prior's logit, squashed the same way,
//     as a second one. 16 passes of SGD, pure Go, deterministic.
//
// The English prior (prior/en.tsv, about 20,000 weights, 280 KB, embedded;
// EnglishPrior) carries knowledge of English words that neither a tenant's
// examples nor the hand-written lexicon have ("creepy", "congrats"). It is a
// logistic model over Porter2 stems, stem bigrams and negated stems
// ("~good"), fitted on the polar comments of the GoEmotions corpus
// (Apache-2.0, see prior/NOTICE: 11 positive and 11 negative emotions,
// mixed and neutral comments dropped). prior_gen_test.go regenerates it
// deterministically (SWITCHBOARD_GEN_PRIOR=1), and a test pins its
// checksum. Text with no English word gets 0 from the prior, so Chinese
// scoring is exactly what it was without it.
//
// # Measured (docs/bot-quality.md)
//
// Dev-split accuracy, trained on the matching train split: waimai_10k_zh
// 0.908, chnsenticorp_htl_zh 0.909, uci_sentiment_en 0.862 — the English
// figure is below the product's 0.88 target (0.869 before the prior). The
// default detector: 0.818, 0.821, 0.845. Modelling was chosen by 10-fold
// cross-validation on the English train split, never on dev. The prior
// raised it from 0.9015 to 0.9055 (mean of four fold assignments,
// TestDatasetsPriorAblation), but on the 290 dev sentences the trained
// detector lost two (0.869 → 0.862, within the ±2-point noise of that
// split). Prior settings tried by cross-validation, all within ±0.2 points
// of the chosen one: regression L2 0–1e-4, 3 or 10 epochs, naive-Bayes
// log-ratios instead of regression, unigrams only, no bigrams, 5,000 or
// 30,000 entries, input scale 1.5–6 and squash 1–8, the prior's logit also
// in buckets, per-word prior bins as hashed features, and a stronger L2 or
// other epoch counts of the tenant model. Before the prior, what helped:
// the continuous lexicon input, stems, 16 instead of 8 epochs, and a larger
// English lexicon; what did not: NB-SVM weight interpolation, bigrams of
// stems, negation-marked bigrams, skip-bigrams, character grams across word
// boundaries, bagging several seeds, other learning rates, L2 strengths, NB
// smoothing or lexicon scales, separate positive and negative lexicon
// sums, a tuned threshold (0.5 was best out-of-fold), and a longer negation
// window in the lexicon.
//
// Both are immutable after construction and safe for concurrent use.
package sentiment
