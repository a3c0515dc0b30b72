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
//     character 1–3-grams, English words and word bigrams (with the words
//     after a negator marked), character 3–5-grams inside English words,
//     punctuation marks and the default lexicon's score in buckets.
//     Training is pure Go and deterministic.
//
// Both are immutable after construction and safe for concurrent use.
package sentiment
