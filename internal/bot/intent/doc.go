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
//     balanced example weights (Balanced), and a per-label nearest-
//     training-example cosine similarity (KNNWeight).
//   - Probabilities: each member's decision values are divided by its own
//     temperature fitted on held-out data, summed with the member weights
//     (a log-linear pool of calibrated probabilities), and a final softmax
//     temperature is fitted on the pool (Calibrate, golden-section search
//     on NLL).
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
// calibration, threshold and measurement (so the figures are optimistic by
// the calibration choice; the test splits were not used). Default
// (SVM + embedding), with the SVM alone in brackets:
//
//	BANKING77   top-1 91.84 % (90.95)  top-3 97.11 %  macro-F1 91.51 % (90.79)
//	            train 4.6 s, 70k features over two members, ~26 MB,
//	            p50 78 µs, p99 ~0.29 ms per decision
//	CLINC150    top-1 (no reject) 94.23 % (93.37), top-3 98.27 %
//	            oos recall target 0.6: in-scope 93.67 % (92.97), oos recall 60 %, oos precision 64 %
//	            oos recall target 0.7: in-scope 93.27 % (92.03), oos recall 70 %
//	            oos recall target 0.8: in-scope 91.93 % (90.47), oos recall 80 %
//	            train ~10 s, 123k features, ~64 MB, p50 88 µs, p99 ~0.22 ms
//	SMP2017     top-1 90.00 % (89.48)  top-3 96.49 %  macro-F1 88.37 % (87.89)
//	            train 0.3 s, p50 15 µs, p99 ~0.05 ms
//
// The gains (+0.9, +0.7 in-scope at 60 % oos recall, +0.5) are the same
// sign on all three sets but each is within the noise of roughly ±0.9
// points on ~1,000 dev texts. BANKING77 (target 92.5 %) and SMP2017
// (target 92 %) remain below target; CLINC150 in-scope at 60 % oos recall
// reaches the 93 % target on dev.
//
// What did not help (all within noise): C in {0.3, 0.5, 3}; word trigrams;
// character 1..5 or 3..6 grams; character group weight 0.5 or 2; the
// nearest-example similarity (+0.5 on BANKING77, 0 on CLINC150, −0.1 on
// SMP2017, at 5-7x the latency). Logistic regression alone (lambda 1e-4
// .. 3e-6) matches the SVM (BANKING77 90.2-90.9, SMP2017 89.1-90.0); SVM +
// logistic regression +0.4 / 0 / −0.1 (BANKING77 / CLINC150 in-scope /
// SMP2017); SVM + a second SVM on character 2..6 or 1..4 grams +0.1..0.2;
// three members (SVM, logistic regression, embedding) no better than two.
// The embedding model alone is 1-2 points below the SVM, and with learning
// rate 0.5 it overfits (BANKING77 88.6 %, calibrated temperature at its
// bound) and drags the ensemble down. SMP2017: CJK 1..4-grams −0.1,
// class-balanced weights −0.4..−0.7. Dropping character n-grams costs
// 1.5-2 points on the English sets and is neutral on Chinese.
package intent
