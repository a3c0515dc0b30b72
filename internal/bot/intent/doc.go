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
//   - Classifier: one-vs-rest L2-regularised squared-hinge linear SVM per
//     label, dual coordinate descent with shrinking, regularised bias,
//     C = 1, seeded shuffles (deterministic; labels train in parallel).
//     Weights are stored feature-major so a decision touches only the
//     question's active features.
//   - Several members (feature sets) can be summed as an ensemble; an
//     optional per-label nearest-training-example cosine similarity can be
//     added to the scores (KNNWeight).
//   - Probabilities: softmax of the decision values with a temperature
//     fitted on held-out data (Calibrate, golden-section search on NLL).
//   - Out of scope: an explicit reject class trained from examples labelled
//     "oos", plus a threshold on the calibrated probability of the best
//     in-scope label, chosen on held-out data to reach a target recall of
//     the held-out oos examples (ThresholdForRecall), not to maximise
//     accuracy, because the share of oos questions differs between splits.
//
// # Dev results (research only; datasets_test.go, SWITCHBOARD_DATASETS set)
//
// Trained on train only, 2 cores. BANKING77 has no dev split: a stratified
// 10 % of train (seed 42, 1,001 texts) is held out and used for both
// calibration and measurement. CLINC150 and SMP2017 use their dev split for
// calibration, threshold and measurement.
//
//	BANKING77   top-1 90.95 %  top-3 96.72 %  macro-F1 90.79 %
//	            train 1.1-2.8 s, 35k features, ~12 MB, p50 36 µs, p99 ~0.15 ms
//	CLINC150    top-1 (no reject) 93.37 %, top-3 97.90 %
//	            oos recall target 0.6: in-scope 92.97 %, oos recall 60 %, oos precision 67 %
//	            oos recall target 0.7: in-scope 92.03 %, oos recall 70 %
//	            oos recall target 0.8: in-scope 90.47 %, oos recall 80 %
//	            train ~4 s, 62k features, ~38 MB, p50 48 µs, p99 ~0.12 ms
//	SMP2017     top-1 89.48 %  top-3 96.75 %  macro-F1 87.89 %  train 56 ms
//
// These are below the product targets (BANKING77 92.5 %, CLINC150 93 %
// in-scope with 60 % oos recall, SMP2017 92 %): bag-of-n-gram linear models
// sit at the published TF-IDF level.
//
// What did not help (all within the noise of roughly ±0.9 points on ~1,000
// dev texts): C in {0.3, 0.5, 3}; word trigrams; character 1..5 or 3..6
// grams; character group weight 0.5 or 2; adding the nearest-example
// similarity (weight 0.5..2: +0.5 on BANKING77, 0 on CLINC150, −0.1 on
// SMP2017, at 5-7x the latency). Dropping character n-grams costs 1.5-2
// points on the English sets and is neutral on Chinese.
package intent
