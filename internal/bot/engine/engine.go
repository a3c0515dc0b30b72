package engine

import (
	"errors"
	"fmt"
	"github.com/switchboard-cs/switchboard/internal/bot/splitmix"
	"math"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/bot/intent"
	"github.com/switchboard-cs/switchboard/internal/bot/sentiment"
	"github.com/switchboard-cs/switchboard/internal/bot/text"
)

// Entry is one knowledge-base entry.
type Entry struct {
	ID       string   // KB entry id (for eval: the label)
	Kind     string   // "faq" or "article"
	Language string   // "zh", "en" or "" (any); kept for the caller, not used in ranking
	Question string   // standard question (FAQ) or title (article)
	Similar  []string // similar questions (FAQ)
	Answer   string   // plain-text answer/body, used for retrieval (lower weight than questions)
	Category string
}

// Options configure Build.
type Options struct {
	Terms     []string           // tenant dictionary (product/brand names)
	Synonyms  [][]string         // tenant synonym groups, e.g. {"退款","退钱"}
	Decline   []string           // example questions the bot must decline (dataset label "oos")
	Sentiment sentiment.Detector // nil = sentiment.Default()
	Seed      uint64
	// ClassifierLabels is the largest number of entries for which a full
	// classifier is trained (0 = DefaultClassifierLabels; negative = never).
	// Above it the engine ranks with retrieval alone (see the package
	// documentation).
	ClassifierLabels int
}

// Limits of Build.
const (
	MaxEntries        = 100000 // entries in one knowledge base
	MaxSimilar        = 500    // similar questions of one entry
	MaxDecline        = 100000 // decline examples
	MaxIDRunes        = 200    // length of an entry id
	MaxQuestionsTotal = 500000 // questions and similar questions in all
	// DefaultClassifierLabels is the default limit for the full classifier:
	// its weights grow with features × labels, so a few hundred labels is
	// where it stops fitting the memory budget of one knowledge base.
	DefaultClassifierLabels = 400
	// minCalibration is the number of held-out questions below which the
	// classifier is not trained (it could not be calibrated) and the
	// combiner keeps its default weights.
	minCalibration = 40
	// ClassifierBudget bounds entries × questions for the classifier (its
	// features grow with the questions, its weights with features ×
	// labels): CLINC150's 150 × 15,000 retain about 70 MB with the index.
	ClassifierBudget = 6000000
	declineLabel     = "\x00decline"
)

// Decision kinds.
const (
	KindAnswer   = "answer"
	KindClarify  = "clarify"
	KindNoMatch  = "no_match"
	KindHandoff  = "handoff"
	KindGreeting = "greeting"
	KindThanks   = "thanks"
	KindGoodbye  = "goodbye"
	KindEmpty    = "empty"
)

// Reasons of handoff and no_match decisions.
const (
	ReasonAskedForHuman     = "asked_for_human"
	ReasonNegativeSentiment = "negative_sentiment"
	ReasonNoMatch           = "no_match"
	ReasonLowConfidence     = "low_confidence"
)

// Engine decides how the bot answers one customer message. It is immutable
// after Build and safe for concurrent use.
type Engine struct {
	entries    []Entry
	byID       map[string]int
	an         analyzer
	ix         *index
	clf        *intent.Model
	clfEntry   []int32 // classifier label → entry (-1: decline)
	clfDecline int     // label index of the reject class, -1 if none
	// while building: every classifier example and the configuration, for
	// the final training on all of them
	clfAll    []intent.Example
	clfCfg    intent.Config
	comb      combiner
	sent      sentiment.Detector
	questions int
	calib     calibInfo
	tie       float64 // knnTie (a field so that research code can vary it)
	pool      sync.Pool
}

// calibInfo records how the confidence was fitted (for reports).
type calibInfo struct {
	Examples   int
	NLLBefore  float64
	NLLAfter   float64
	Classifier bool
}

// Build indexes the entries and trains the models. It is deterministic for
// the same entries, options and seed.
func Build(entries []Entry, o Options) (*Engine, error) {
	if len(entries) == 0 {
		return nil, errors.New("engine: no entries")
	}
	if len(entries) > MaxEntries {
		return nil, fmt.Errorf("engine: %d entries, at most %d", len(entries), MaxEntries)
	}
	if len(o.Decline) > MaxDecline {
		return nil, fmt.Errorf("engine: %d decline examples, at most %d", len(o.Decline), MaxDecline)
	}
	lex, err := text.NewLexicon(o.Terms, o.Synonyms)
	if err != nil {
		return nil, fmt.Errorf("engine: lexicon: %w", err)
	}
	e := &Engine{byID: make(map[string]int, len(entries)), an: analyzer{lex: lex}, sent: o.Sentiment, clfDecline: -1, tie: knnTie}
	if e.sent == nil {
		e.sent = defaultDetector()
	}
	// questions per entry, deduplicated after normalisation
	qs := make([][]string, len(entries))
	for i, en := range entries {
		if strings.TrimSpace(en.ID) == "" {
			return nil, fmt.Errorf("engine: entry %d has no id", i+1)
		}
		if utf8.RuneCountInString(en.ID) > MaxIDRunes {
			return nil, fmt.Errorf("engine: entry %d: id longer than %d characters", i+1, MaxIDRunes)
		}
		if _, dup := e.byID[en.ID]; dup {
			return nil, fmt.Errorf("engine: entry id %q appears twice", en.ID)
		}
		if len(en.Similar) > MaxSimilar {
			return nil, fmt.Errorf("engine: entry %q has %d similar questions, at most %d", en.ID, len(en.Similar), MaxSimilar)
		}
		e.byID[en.ID] = i
		seen := map[string]bool{}
		for _, q := range append([]string{en.Question}, en.Similar...) {
			n := text.Normalize(q)
			if !hasContent(n) || seen[n] {
				continue
			}
			seen[n] = true
			qs[i] = append(qs[i], q)
		}
		if len(qs[i]) == 0 {
			return nil, fmt.Errorf("engine: entry %q has no question with a letter or digit", en.ID)
		}
		e.questions += len(qs[i])
		cp := en
		cp.Similar = append([]string(nil), en.Similar...)
		e.entries = append(e.entries, cp)
	}
	if e.questions > MaxQuestionsTotal {
		return nil, fmt.Errorf("engine: %d questions, at most %d", e.questions, MaxQuestionsTotal)
	}
	var decline []string
	for _, d := range o.Decline {
		if hasContent(d) {
			decline = append(decline, d)
		}
	}

	// documents: questions, answers, decline examples
	var docs []doc
	qdoc := make([][]int, len(entries)) // document of every question
	for i := range qs {
		for _, q := range qs[i] {
			qdoc[i] = append(qdoc[i], len(docs))
			docs = append(docs, doc{text: q, entry: int32(i), kind: docQuestion})
		}
	}
	for i, en := range entries {
		if hasContent(en.Answer) {
			docs = append(docs, doc{text: en.Answer, entry: int32(i), kind: docAnswer})
		}
	}
	ddoc := make([]int, len(decline))
	for i, d := range decline {
		ddoc[i] = len(docs)
		docs = append(docs, doc{text: d, entry: -1, kind: docDecline})
	}
	e.ix = buildIndex(e.an, docs)

	// held-out questions for calibration
	limit := o.ClassifierLabels
	if limit == 0 {
		limit = DefaultClassifierLabels
	}
	useClf := limit > 0 && len(entries) >= 2 && len(entries) <= limit &&
		len(entries)*e.questions <= ClassifierBudget
	heldQ, heldD := holdOut(qs, len(decline), useClf, o.Seed)
	if len(heldQ) < minCalibration {
		useClf = false
	}
	if useClf {
		if err := e.trainClassifier(qs, decline, heldQ, heldD, o.Seed); err != nil {
			return nil, err
		}
	}
	e.pool.New = func() any { return newHits(e.ix.nDocs, len(e.entries)) }

	// fit the combiner on the held-out questions
	prior := defaultCombiner(e.clf != nil)
	var exs []fitExample
	if len(heldQ)+len(heldD) > 0 {
		// Every held-out question is scored against the knowledge base
		// without any of them, as the classifier never saw them either.
		skip := make([]bool, len(docs))
		for _, h := range heldQ {
			skip[qdoc[h.entry][h.q]] = true
		}
		for _, d := range heldD {
			skip[ddoc[d]] = true
		}
		for _, h := range heldQ {
			r := e.rankText(qs[h.entry][h.q], skip)
			exs = append(exs, r.fitExample(h.entry))
		}
		for _, d := range heldD {
			r := e.rankText(decline[d], skip)
			exs = append(exs, r.fitExample(-1))
		}
	}
	e.calib.Classifier = e.clf != nil
	e.calib.Examples = len(exs)
	e.calib.NLLBefore = prior.nll(exs)
	e.comb = prior
	if len(exs) >= minCalibration {
		e.comb = fitCombiner(exs, prior, 5)
	}
	e.calib.NLLAfter = e.comb.nll(exs)
	if e.clf != nil {
		// Calibrated on the held-out slice; now the same classifier trained
		// on every question, with that calibration, so that the slice is
		// not lost to the answers.
		// If that fails, the calibrated model stays.
		if full, err := intent.Train(e.clfAll, e.clfCfg); err == nil && full.AdoptCalibration(e.clf) == nil {
			e.clf = full
			e.setClassifierLabels()
		}
	}
	e.clfAll = nil
	return e, nil
}

// heldQuestion names one held-out question: entry and position.
type heldQuestion struct{ entry, q int }

// holdOut picks the held-out questions: about a tenth of the similar
// questions of every entry (at least one; never the standard question),
// entries in a seeded random order, until there are 3,000. With the
// classifier only entries with at least four questions give any (they are
// left out of its training); for retrieval alone every entry with two.
func holdOut(qs [][]string, nDecline int, clf bool, seed uint64) ([]heldQuestion, []int) {
	r := splitmix.New(seed*2654435761 + 12345)
	var held []heldQuestion
	order := make([]int, len(qs))
	for i := range order {
		order[i] = i
	}
	splitmix.Shuffle(r, order)
	const maxHeld = 3000
	for _, i := range order {
		n := len(qs[i])
		if (clf && n < 4) || n < 2 {
			continue
		}
		k := max(1, int(float64(n-1)*holdFrac+0.5))
		pos := make([]int, n-1)
		for j := range pos {
			pos[j] = j + 1
		}
		splitmix.Shuffle(r, pos)
		for _, p := range pos[:k] {
			held = append(held, heldQuestion{entry: i, q: p})
		}
		if len(held) >= maxHeld {
			break
		}
	}
	sort.Slice(held, func(a, b int) bool {
		if held[a].entry != held[b].entry {
			return held[a].entry < held[b].entry
		}
		return held[a].q < held[b].q
	})
	var hd []int
	if nDecline >= 4 {
		perm := make([]int, nDecline)
		for i := range perm {
			perm[i] = i
		}
		splitmix.Shuffle(r, perm)
		k := int(float64(nDecline)*0.15 + 0.5)
		hd = append(hd, perm[:k]...)
		sort.Ints(hd)
	}
	return held, hd
}

// trainClassifier trains the intent model on the questions that are not
// held out and calibrates it on those that are.
func (e *Engine) trainClassifier(qs [][]string, decline []string, heldQ []heldQuestion, heldD []int, seed uint64) error {
	isHeld := map[heldQuestion]bool{}
	for _, h := range heldQ {
		isHeld[h] = true
	}
	dHeld := map[int]bool{}
	for _, d := range heldD {
		dHeld[d] = true
	}
	var train, cal []intent.Example
	for i := range qs {
		for j, q := range qs[i] {
			ex := intent.Example{Text: normalizeForClassifier(q), Label: e.entries[i].ID}
			if isHeld[heldQuestion{i, j}] {
				cal = append(cal, ex)
			} else {
				train = append(train, ex)
			}
		}
	}
	for i, d := range decline {
		ex := intent.Example{Text: normalizeForClassifier(d), Label: declineLabel}
		if dHeld[i] {
			cal = append(cal, ex)
		} else {
			train = append(train, ex)
		}
	}
	// Chinese questions also get the dictionary's part-of-speech features
	// (place, person, organisation…), which tell apart short commands
	// that differ only by a name; text without Han characters never
	// reaches the tagger.
	cfg := intent.DefaultConfig().WithPOS(chineseTags)
	cfg.Seed = seed + 1
	cfg.OOSLabel = declineLabel
	m, err := intent.Train(train, cfg)
	if err != nil {
		return fmt.Errorf("engine: classifier: %w", err)
	}
	m.Calibrate(cal)
	m.SetThreshold(0)
	e.clf = m
	e.clfAll = append(train, cal...)
	e.clfCfg = cfg
	e.setClassifierLabels()
	return nil
}

// setClassifierLabels maps the classifier's labels to entries.
func (e *Engine) setClassifierLabels() {
	labels := e.clf.Labels()
	e.clfEntry = make([]int32, len(labels))
	for i, l := range labels {
		if l == declineLabel {
			e.clfEntry[i] = -1
			e.clfDecline = i
			continue
		}
		e.clfEntry[i] = int32(e.byID[l])
	}
}

// Size reports the number of entries and of distinct questions indexed.
func (e *Engine) Size() (entries, questions int) { return len(e.entries), e.questions }

// Classifier reports whether a full classifier takes part in ranking
// (false: retrieval with the reranker alone).
func (e *Engine) Classifier() bool { return e.clf != nil }

// ranking is the scored candidate list of one text.
type ranking struct {
	ents  []int32
	alts  []alt
	g     [nNull]float64
	p     []float64 // per candidate, after combining
	pNone float64
}

const (
	retrievalK  = 20
	classifierK = 10
	// knnTie is the weight of the best question similarity (plus half the
	// answer similarity) next to the classifier's log-probability: a
	// tie-breaker. At 0.5 a perfect match moves the classifier's odds by a
	// factor of 1.65 at most. Measured on the dev data, retrieval with a
	// larger weight ranks below the classifier alone (weight 3: −0.2 to
	// −0.5 points), and fitting the weight on held-out questions of the
	// training data overrates it (a held-out question often has a near
	// copy among the others, unlike a customer's question).
	knnTie = 0.5
)

// rankText scores a text: retrieval candidates, classifier candidates,
// their features and combined probabilities, best first. skip marks index
// documents to leave out (calibration), nil for none.
func (e *Engine) rankText(s string, skip []bool) ranking {
	h := e.pool.Get().(*hits)
	defer func() {
		h.reset()
		e.pool.Put(h)
	}()
	q := e.ix.query(e.an, s)
	e.ix.search(q, skip, h)

	var r ranking
	// retrieval candidates: best question similarity, or half the answer's
	ents := topEntries(h, retrievalK)
	var probs []float64
	if e.clf != nil {
		probs = e.clf.Probabilities(normalizeForClassifier(s))
		type lp struct {
			e int32
			p float64
		}
		var top []lp
		for l, p := range probs {
			if en := e.clfEntry[l]; en >= 0 {
				top = append(top, lp{en, p})
			}
		}
		sort.Slice(top, func(a, b int) bool {
			if top[a].p != top[b].p {
				return top[a].p > top[b].p
			}
			return top[a].e < top[b].e
		})
		if len(top) > classifierK {
			top = top[:classifierK]
		}
		for _, t := range top {
			found := false
			for _, x := range ents {
				if x == t.e {
					found = true
					break
				}
			}
			if !found {
				ents = append(ents, t.e)
			}
		}
		if e.clfDecline >= 0 {
			r.g[1] = math.Max(logFloor, math.Log(probs[e.clfDecline]))
		}
	}
	var entryProb []float64
	if probs != nil {
		entryProb = make([]float64, len(e.entries))
		for l, p := range probs {
			if en := e.clfEntry[l]; en >= 0 {
				entryProb[en] = p
			}
		}
	}
	r.g[0] = 1
	r.g[2] = float64(h.decline)
	for _, en := range ents {
		var a alt
		b := float64(h.best[en])
		if entryProb != nil {
			// With the classifier, retrieval adds a fixed share of
			// evidence (see knnTie); only the scale is fitted.
			a.f[0] = math.Max(logFloor, math.Log(entryProb[en])) + e.tie*(b+0.5*float64(h.answer[en]))
		} else {
			a.f[1] = b
			a.f[2] = float64(h.second[en])
			a.f[3] = float64(h.answer[en])
			a.f[4] = b * b
		}
		r.ents = append(r.ents, en)
		r.alts = append(r.alts, a)
	}
	r.p = make([]float64, len(r.alts))
	r.pNone = e.comb.probs(r.alts, r.g, r.p)
	r.sort()
	return r
}

// topEntries returns up to k entries by retrieval score, best first.
func topEntries(h *hits, k int) []int32 {
	score := func(en int32) float32 {
		s := h.best[en]
		if a := h.answer[en] * 0.5; a > s {
			s = a
		}
		return s
	}
	out := make([]int32, 0, k)
	for _, en := range h.entries {
		s := score(en)
		if len(out) == k && s <= score(out[k-1]) {
			continue
		}
		// insert in order
		i := len(out)
		if len(out) < k {
			out = append(out, en)
		} else {
			i = k - 1
			out[i] = en
		}
		for ; i > 0 && (score(out[i-1]) < s || (score(out[i-1]) == s && out[i-1] > en)); i-- {
			out[i], out[i-1] = out[i-1], out[i]
		}
	}
	return out
}

// sort orders the candidates by probability, best first (ties: entry order).
func (r *ranking) sort() {
	idx := make([]int, len(r.ents))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		if r.p[idx[a]] != r.p[idx[b]] {
			return r.p[idx[a]] > r.p[idx[b]]
		}
		return r.ents[idx[a]] < r.ents[idx[b]]
	})
	ents := make([]int32, len(idx))
	alts := make([]alt, len(idx))
	p := make([]float64, len(idx))
	for i, j := range idx {
		ents[i], alts[i], p[i] = r.ents[j], r.alts[j], r.p[j]
	}
	r.ents, r.alts, r.p = ents, alts, p
}

// fitExample turns a ranking into a calibration example whose answer is the
// entry (or "none" for -1, or when the entry is not a candidate).
func (r *ranking) fitExample(entry int) fitExample {
	ex := fitExample{alts: r.alts, g: r.g, target: -1}
	for i, en := range r.ents {
		if int(en) == entry {
			ex.target = i
		}
	}
	return ex
}

// confidence is the probability of the best candidate (0 if none).
func (r *ranking) confidence() float64 {
	if len(r.p) == 0 {
		return 0
	}
	return r.p[0]
}

// inScope is the best candidate's probability against "none" alone (0 if
// there is no candidate).
func (r *ranking) inScope() float64 {
	if len(r.p) == 0 || r.p[0] <= 0 {
		return 0
	}
	return r.p[0] / (r.p[0] + r.pNone)
}

// withContext combines the ranking of a follow-up question alone with the
// ranking of the previous question and this one together. Among the
// entries it takes the product of the two distributions (a product of
// experts: the entry must fit both the new words and the conversation's
// topic), renormalised; the probability that no entry applies is the joint
// text's, since a follow-up is incomplete alone by nature.
func withContext(alone, joint ranking) ranking {
	const floor = 1e-4
	pa := map[int32]float64{}
	for i, en := range alone.ents {
		pa[en] = alone.p[i]
	}
	pj := map[int32]float64{}
	for i, en := range joint.ents {
		pj[en] = joint.p[i]
	}
	var r ranking
	add := func(en int32, a alt) {
		x, y := pa[en], pj[en]
		r.ents = append(r.ents, en)
		r.alts = append(r.alts, a)
		r.p = append(r.p, math.Max(x, floor)*math.Max(y, floor))
	}
	for i, en := range joint.ents {
		add(en, joint.alts[i])
	}
	for i, en := range alone.ents {
		if _, ok := pj[en]; !ok {
			add(en, alone.alts[i])
		}
	}
	z := 0.0
	for _, p := range r.p {
		z += p
	}
	r.pNone = joint.pNone
	for i := range r.p {
		r.p[i] *= (1 - r.pNone) / z
	}
	r.g = joint.g
	r.sort()
	return r
}

// normalizeForClassifier prepares a text for the intent model: the shared
// normalisation (width, case, traditional to simplified).
func normalizeForClassifier(s string) string { return text.Normalize(s) }

// defaultDetector is the shipped sentiment detector.
func defaultDetector() sentiment.Detector { return sentiment.Default() }

// holdFrac is the share of every entry's similar questions held out for
// calibration when the classifier is trained.
var holdFrac = 0.1

// chineseTags tags a run of Chinese for the classifier's part-of-speech
// features, with the shared dictionary.
func chineseTags(han string) []intent.TaggedWord {
	words, tags := text.TagChinese(han)
	out := make([]intent.TaggedWord, len(words))
	for i := range words {
		out[i] = intent.TaggedWord{Word: words[i], Tag: tags[i]}
	}
	return out
}
