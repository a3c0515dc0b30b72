// Package intent is the classifier core of the intelligent bot: given a
// customer's question it ranks the knowledge-base intents (FAQ entries) with
// calibrated probabilities and decides whether none of them applies
// (out of scope: offer a human).
//
// # Method
//
//   - Normalisation: full-width to half-width, lower case, apostrophes
//     dropped, every other non letter/digit becomes a space.
//   - Tokens: runs of letters/digits are words; every CJK character is its
//     own token, so Chinese needs no dictionary.
//   - Features (64-bit FNV hashes mapped to a vocabulary built from the
//     training texts; no strings kept): word uni/bi-grams, CJK character
//     uni/bi/tri-grams, character 2..5-grams inside each space-padded
//     non-CJK word. Sublinear TF times smoothed IDF; the word and character
//     groups are L2-normalised separately.
//   - Chinese part-of-speech group (Config.WithPOS; off in DefaultConfig
//     because it needs a Tagger, see below): for text with Han characters
//     only, the Han runs are cut into dictionary words with their
//     part-of-speech tags (nr person, ns place, nt organisation, nz other
//     proper noun, t time, m numeral, v, n, …), other words become m or
//     eng. Features: each tag (pos:ns), adjacent tag pairs with start and
//     end marks, and the uni/bigrams containing a class of the sequence
//     with proper nouns, time words, numerals and foreign words replaced
//     by their class (北京到上海的火车 → <ns> 到 <ns> 的 火车). The group is
//     L2-normalised on its own and weighted 0.5 (RecommendedPOSWeight).
//     It lets a name the training texts never contained (another singer,
//     another city) count as what it is. Text without Han characters
//     never reaches the tagger and gets exactly the features it had.
//   - Members (default two, on the same features):
//     (a) one-vs-rest L2-regularised squared-hinge linear SVM per label,
//     dual coordinate descent with shrinking, regularised bias, C = 1,
//     seeded shuffles (deterministic; labels train in parallel). Weights
//     are stored feature-major so a decision touches only the question's
//     active features.
//     (b) fastText-style embedding model: every feature has a 100-d
//     embedding, the question is the TF-IDF-weighted sum, a softmax layer
//     maps it to the labels; SGD, 10 epochs, learning rate 0.1 decaying
//     linearly, one thread, seeded (deterministic).
//     Also available but not in the default: multinomial logistic
//     regression (Kind "softmax", L2, SGD with lazy shrinkage), class-
//     balanced example weights (Balanced), a per-label nearest-
//     training-example cosine similarity (KNNWeight), noisy copies of the
//     training texts (Config.Augment: random word or CJK character
//     deletion and adjacent swaps, at a lower example weight, for every
//     member or one kind; the vocabulary stays that of the original
//     texts) and mixup steps in the embedding member (Mixup).
//   - Probabilities: each member's decision values are divided by its own
//     temperature fitted on held-out data, summed with the member weights
//     (a log-linear pool of calibrated probabilities), and a final softmax
//     temperature is fitted on the pool (Calibrate, golden-section search
//     on NLL).
//   - Out of scope: an explicit reject class trained from examples labelled
//     "oos", plus a threshold on an in-scope score (Prediction.InScope).
//     With a reject class the score is the probability of the best
//     in-scope label against the reject class alone, p(top) / (p(top) +
//     p(oos)) (DeclineAgainstReject): unlike the probability of the best
//     label it does not fall when a question is merely torn between two
//     close intents. ChooseThreshold picks the threshold on held-out
//     examples for a target recall of the held-out oos examples with a
//     safety margin (the 90 % Wilson lower bound of the declined share
//     must reach the target: 67 of 100 for a 60 % target). The threshold
//     is set by recall of oos examples, not by accuracy, because recall
//     does not depend on the share of oos questions, which differs
//     between dev (3 %) and live traffic or the CLINC150 test split (18 %).
//
// # Dev results (research only; datasets_test.go, SWITCHBOARD_DATASETS set)
//
//	SWITCHBOARD_DATASETS=/work/shared/datasets go test -run 'Datasets$' -v ./internal/bot/intent
//
// Trained on train only, default configuration (SVM + embedding, no
// augmentation; figures re-measured unchanged after Config.Augment and
// Mixup were added, since both are off by default), 2 cores
// shared with other work (latency p99 is noisy). BANKING77 has no dev
// split: a stratified 10 % of train (1,001 texts) is held out, with two
// split seeds to show the noise, and used for both calibration and
// measurement. SMP2017 and CLINC150 are calibrated and measured on dev.
// ECE is the expected calibration error of the most probable label (15
// bins).
//
//	BANKING77   seed 42: top-1 91.84 %, top-3 97.11 %, macro-F1 91.51 %, ECE 1.9 %
//	            seed 7:  top-1 92.64 %, top-3 98.01 %, macro-F1 92.64 %, ECE 2.5 %
//	            train 5-12 s, 70k features over two members, ~26 MB,
//	            p50 ~0.1 ms, p99 0.5-0.6 ms per decision (4 ms in one
//	            run while the machine was busy)
//	SMP2017     top-1 90.00 %, top-3 96.49 %, macro-F1 88.37 %, ECE 3.8 %
//	            train 0.4 s, p50 16 µs, p99 ~0.08 ms
//	CLINC150    top-1 (no decline) 94.23 %, top-3 98.27 %, ECE 1.7 %
//	            train 11-22 s, 123k features, ~63 MB, p50 0.1 ms, p99 ~0.35 ms
//
// With the part-of-speech group (DefaultConfig().WithPOS, tagged by the
// embedded simplified dictionary with the shared segmenter's settings:
// words of frequency ≥ 4, plain cut with HMM, each word's dictionary tag;
// add SWITCHBOARD_INTENT_POS=1 to the command above) BANKING77 and
// CLINC150 are bit-for-bit unchanged (no Chinese; every figure above
// identical) and
//
//	SMP2017     top-1 91.17 % (+1.17), top-3 97.14 %, macro-F1 90.00 %,
//	            ECE 4.6 %, train 0.54 s (1.6x), 41k features, p50 39 µs,
//	            p99 ~0.10 ms (two taggings per decision, one per member)
//
// and on SMP2017 train+dev pooled, five stratified 20 % hold-outs
// (SWITCHBOARD_INTENT_SETS=smpcv in compare_test.go) the mean top-1 goes
// from 90.21 % to 90.96 % (+0.75; +1.6, +0.7, +0.5, +0.7, +0.3 per
// hold-out, none negative). Variants (dev / pooled hold-outs, against
// 90.00 / 90.21): weight 1 on both members 90.39 / 90.18; 0.7 91.30 /
// 90.67; 0.4 90.65 / 91.03; 0.3 90.65 / 90.67; SVM member only at 0.5
// 90.78 / 90.57, at 1 90.78 / 91.00, at 1.5 90.26 / 90.93; tags only
// 90.78 / 90.34; tag pairs only 91.17 / 90.77; tags and tag pairs 91.30
// / 90.93; class n-grams only at weight 1 89.09 (dev); with the class-free
// word n-grams as well 91.30 / 90.77 (plain words again add nothing).
// Everything from 0.4 to 0.7 on both members gains; 0.5 is the middle.
// The tags come from a dictionary, so they need the dictionary in memory:
// the group is switched on by passing a Tagger that uses the one shared
// segmenter of the text package, never a second copy of the dictionary.
//
// CLINC150 decline, cross-fitted so that no figure is measured on the data
// that chose it: dev is split into stratified halves (3 seeds, both ways
// round, 6 folds); the model is calibrated and ChooseThreshold picks the
// threshold on one half, the other half is measured, as it is and
// resampled to 18 % oos (1,000 draws per fold). Mean over folds (worst
// fold):
//
//	rule, target         in-scope        oos recall   at 18 % oos: oos precision, accuracy
//	reject, 0.6          93.46 (92.80)   67.3 (46)    92.7 %, 88.8 %
//	reject, 0.7          93.01 (92.60)   78.0 (62)    89.9 %, 90.3 %
//	top prob, 0.6        93.19 (92.47)   70.0 (58)    88.5 %, 89.0 %
//	top prob, 0.7        91.61 (89.60)   78.7 (66)    78.6 %, 89.3 %
//
// So in-scope ≥ 93 % and oos recall ≥ 60 % hold together on average with
// the reject rule and a 60-70 % target, and at about 78 % recall the
// reject rule keeps 1.4 points more in-scope accuracy than the top
// probability. The share of resamples with in-scope ≥ 93 % is 0.73 (0.6
// target) and 0.52 (0.7): in-scope accuracy sits close to 93 %, within
// the noise of 1,500 texts. Each half has only 50 oos examples, so single
// folds vary widely in recall; a threshold chosen on all 100 dev oos
// examples is steadier. The earlier protocol (threshold without margin
// chosen and measured on all of dev) gives 93.87 % in-scope at 60 % recall
// and 93.57 % at 70 % (top probability: 93.67 % and 93.27 %).
//
// A confusion-pair reranker (not kept): from 3-fold out-of-fold
// predictions on the training set, the 40 most confused label pairs got a
// binary SVM each, applied when the two best labels were such a pair
// within a margin chosen out of fold. BANKING77 91.84 -> 91.84 (seed 42)
// and 92.64 -> 92.34 (seed 7), CLINC150 94.23 -> 94.20, SMP2017 (with the
// part-of-speech group) 91.17 -> 91.43, at 3x the training time: the pair
// models, trained on fewer examples with the same features, mostly agree
// with the ensemble. The code was removed.
//
// Below target: BANKING77 (92.24 % mean of the two hold-outs, target
// 92.5 %) and SMP2017 (90.0 %, 91.17 % with the part-of-speech group,
// target 92 %). The SMP2017 errors are mostly
// world knowledge that the training texts do not carry (disease names for
// health, share names for stock, programme names for video/epg/tvchannel).
//
// What did not help (top-1 change against the default on the sets named,
// BANKING77 on both seeds; noise is about ±0.5 point on BANKING77 and
// CLINC150 and ±1 on SMP2017; research harness compare_test.go):
//   - words of the text package as a third feature group (gse-segmented
//     Chinese words, Porter2-stemmed English words, uni+bigrams, stop
//     words dropped or kept, weight 1): BANKING77 −0.5..+0.4, CLINC150
//     −0.3..+0.2, SMP2017 −0.8..−1.0, at 3-5x the training time; unigrams
//     at weight 0.3 in the SVM only: SMP2017 −0.1;
//   - start/end markers on word n-grams: BANKING77 −0.2, SMP2017 +0.1;
//     word skip-bigrams: BANKING77 −0.1/−0.2, CLINC150 0, SMP2017 +0.1;
//     character n-grams across word boundaries: BANKING77 −0.2/−0.6;
//   - binary TF: 0..+0.2 everywhere (noise); no IDF: BANKING77 −1.0;
//     IDF to the power 0.5: BANKING77 −0.5;
//   - averaging three seeds of the embedding model: ±0.1 at 3x its memory;
//     embedding model with 30 epochs or learning rate 0.2: SMP2017 0/−0.1;
//     member weight 2 for either member: 0..−0.3;
//   - naive Bayes: SVM features scaled per label by their naive Bayes
//     log-count ratio (NBSVM, smoothing 1): BANKING77 −0.4/−1.8, SMP2017
//     −0.9 (smoothing 0.25: SMP2017 −0.4); NBSVM as a third member:
//     BANKING77 +0.4/−1.3, SMP2017 −0.5; multinomial or complement naive
//     Bayes as a third member: BANKING77 −0.4/−0.2, SMP2017 −0.5..0;
//   - a third member, an SVM on word n-grams only: BANKING77 +0.3/−0.8,
//     SMP2017 −0.3;
//   - nearest-example similarity (KNNWeight 0.5): BANKING77 +0.3/+0.1,
//     SMP2017 0, at 5-7x the latency;
//   - SMP2017: C 0.5 −0.5, C 2 0, CJK n-grams up to 2 0, logistic
//     regression instead of the SVM −0.3;
//   - training-set augmentation (Config.Augment, copies made from the
//     training texts only; BANKING77 seed 42/7, CLINC150, SMP2017):
//     1 copy, deletion p 0.1, weight 0.5: −0.8/−0.7, +0.2, −0.1 (and 2-3x
//     the BANKING77 training time in that run); 2 copies, deletion 0.1
//     and a swap in 30 % of them: −0.5/−0.8, +0.1, −0.9; the same at
//     weight 1: −0.3/−1.0, −0.3, −0.5; SVM only: −0.3/−0.4, +0.1, −0.5;
//     embedding member only: −0.1/−0.2, +0.1, −0.4; 1 copy at weight
//     0.25: −0.5/−0.5, +0.4, 0; embedding only with 5 epochs: −0.6/+0.2,
//     +0.2, −0.9; swap only: +0.1/−0.1, −0.2, −0.4; 2 copies, deletion
//     0.05, weight 0.3: −0.3/+0.1, +0.1, −0.4; the same for the SVM only:
//     0/+0.1, +0.1, +0.1, and with 4 copies: −0.1/0, +0.3, −0.7. Only
//     CLINC150 gains, by no more than the noise; the option stays off;
//   - mixup in the embedding member (a step on the example blended with
//     a random other one, weight uniform, after 30 % of the steps):
//     −0.3/−0.2, −0.1, 0; after 50 %: −0.2/−0.7, −0.2, +0.1.
//
// Earlier measurements (same protocol, seed 42 only): C in {0.3, 0.5, 3},
// word trigrams, character 1..5 or 3..6 grams and character group weight
// 0.5 or 2 were within noise; logistic regression alone matches the SVM;
// a second SVM on other character n-grams +0.1..0.2; the embedding model
// alone is 1-2 points below the SVM and with learning rate 0.5 overfits;
// SMP2017 CJK 1..4-grams −0.1 and class-balanced weights −0.4..−0.7;
// dropping character n-grams costs 1.5-2 points on the English sets.
package intent
