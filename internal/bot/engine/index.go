package engine

import (
	"math"
	"runtime"
	"sort"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/bot/text"
)

// The retrieval index: a TF-IDF vector space over documents, where every
// question (standard and similar), every answer text and every decline
// example is one document. A document's vector has two groups of features,
// each L2-normalised on its own and weighted (wordWeight, 1-wordWeight):
//
//   - words: the tokens of internal/bot/text (tenant lexicon, Chinese
//     segmenter, stop words dropped, English stemmed, synonyms folded) and
//     their adjacent pairs;
//   - characters: 3- and 4-grams inside each non-Chinese token padded with
//     spaces, and Han character unigrams and bigrams of the normalised text,
//     so that typos, unseen inflections and segmentation differences still
//     share most features.
//
// Weights are sublinear term frequency times smoothed IDF. A query is scored
// against every document that shares a feature with it (postings are kept in
// one compressed-row array, feature-major), so the cosine similarity of the
// query to each of those documents comes out of one pass.

const (
	wordWeight = 0.5
	groupWord  = 0
	groupChar  = 1
)

// Document kinds.
const (
	docQuestion = iota
	docAnswer
	docDecline
)

type index struct {
	terms map[uint64]uint32
	idf   []float32
	start []uint32 // postings of term t: [start[t], start[t+1])
	pdoc  []uint32
	pw    []float32
	// per document
	docEntry []int32 // entry index (decline documents: -1)
	docKind  []uint8
	nDocs    int
	// maxIDF is the weight of a feature no document has.
	maxIDF float32
}

// tf is one feature of a text with its count.
type tf struct {
	h   uint64
	n   float32
	grp uint8
}

// analyzer turns text into features.
type analyzer struct {
	lex *text.Lexicon
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hash is 64-bit FNV-1a of a group byte and s.
func hash(grp byte, s string) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(grp)) * fnvPrime
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// hashPair hashes an adjacent pair of tokens.
func hashPair(a, b string) uint64 {
	h := hash(2, a)
	h = (h ^ 0) * fnvPrime
	for i := 0; i < len(b); i++ {
		h = (h ^ uint64(b[i])) * fnvPrime
	}
	return h
}

// features returns the counted features of s. Chinese is segmented in mode.
func (a analyzer) features(s string, mode text.ChineseMode) []tf {
	toks := text.TokenizeWith(s, text.Options{Lexicon: a.lex, Chinese: mode})
	counts := make(map[uint64]int, 4*len(toks)+8)
	var order []tf
	add := func(h uint64, grp uint8) {
		if i, ok := counts[h]; ok {
			order[i].n++
			return
		}
		counts[h] = len(order)
		order = append(order, tf{h: h, n: 1, grp: grp})
	}
	var buf []rune
	for i, t := range toks {
		add(hash('w', t), groupWord)
		if i > 0 && mode == text.ChineseWords {
			add(hashPair(toks[i-1], t), groupWord)
		}
		r, _ := utf8.DecodeRuneInString(t)
		if unicode.Is(unicode.Han, r) {
			continue
		}
		buf = append(buf[:0], ' ')
		buf = append(buf, []rune(t)...)
		buf = append(buf, ' ')
		for n := 3; n <= 4; n++ {
			for j := 0; j+n <= len(buf); j++ {
				add(hash('c', string(buf[j:j+n])), groupChar)
			}
		}
	}
	// Han characters and bigrams of the normalised text.
	var prev rune
	for _, r := range text.Normalize(s) {
		if !unicode.Is(unicode.Han, r) {
			prev = 0
			continue
		}
		add(hash('h', string(r)), groupChar)
		if prev != 0 {
			add(hash('h', string([]rune{prev, r})), groupChar)
		}
		prev = r
	}
	return order
}

// doc is one text to index.
type doc struct {
	text  string
	entry int32
	kind  uint8
}

// buildIndex analyses the documents (in parallel, deterministic result)
// and builds the postings.
func buildIndex(a analyzer, docs []doc) *index {
	feats := make([][]tf, len(docs))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	next := make(chan int, 256)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				mode := text.ChineseWords
				if docs[i].kind == docAnswer {
					mode = text.ChineseSearch
				}
				feats[i] = a.features(docs[i].text, mode)
			}
		}()
	}
	for i := range docs {
		next <- i
	}
	close(next)
	wg.Wait()

	ix := &index{terms: map[uint64]uint32{}, nDocs: len(docs)}
	var df []uint32
	var grp []uint8
	total := 0
	for _, fs := range feats {
		for _, f := range fs {
			id, ok := ix.terms[f.h]
			if !ok {
				id = uint32(len(df))
				ix.terms[f.h] = id
				df = append(df, 0)
				grp = append(grp, f.grp)
			}
			df[id]++
		}
		total += len(fs)
	}
	n := float64(len(docs))
	ix.idf = make([]float32, len(df))
	for t, d := range df {
		ix.idf[t] = float32(math.Log((n+1)/(float64(d)+1)) + 1)
	}
	ix.maxIDF = float32(math.Log(n+1) + 1)
	ix.start = make([]uint32, len(df)+1)
	for t, d := range df {
		ix.start[t+1] = ix.start[t] + d
	}
	ix.pdoc = make([]uint32, total)
	ix.pw = make([]float32, total)
	fill := make([]uint32, len(df))
	copy(fill, ix.start[:len(df)])
	ix.docEntry = make([]int32, len(docs))
	ix.docKind = make([]uint8, len(docs))
	var ws []float32
	for d, fs := range feats {
		ix.docEntry[d] = docs[d].entry
		ix.docKind[d] = docs[d].kind
		ws = ws[:0]
		var norm [2]float64
		for _, f := range fs {
			w := (1 + float32(math.Log(float64(f.n)))) * ix.idf[ix.terms[f.h]]
			ws = append(ws, w)
			norm[f.grp] += float64(w) * float64(w)
		}
		scale := groupScale(norm)
		for i, f := range fs {
			t := ix.terms[f.h]
			ix.pdoc[fill[t]] = uint32(d)
			ix.pw[fill[t]] = ws[i] * scale[f.grp]
			fill[t]++
		}
		feats[d] = nil
	}
	return ix
}

// groupScale turns squared group norms into the factors that make each
// group unit length; the group weights are applied on the query side.
func groupScale(norm [2]float64) [2]float32 {
	var s [2]float32
	for g := range norm {
		if norm[g] > 0 {
			s[g] = float32(1 / math.Sqrt(norm[g]))
		}
	}
	return s
}

// qterm is one known query feature and its weight.
type qterm struct {
	t uint32
	w float32
}

// query returns the weighted, normalised features of s that the index
// knows; unknown features count in the norm (a question full of words the
// knowledge base never uses is less similar to everything).
func (ix *index) query(a analyzer, s string) []qterm {
	fs := a.features(s, text.ChineseWords)
	out := make([]qterm, 0, len(fs))
	var norm [2]float64
	grps := make([]uint8, 0, len(fs))
	for _, f := range fs {
		idf := ix.maxIDF
		t, ok := ix.terms[f.h]
		if ok {
			idf = ix.idf[t]
		}
		w := (1 + float32(math.Log(float64(f.n)))) * idf
		norm[f.grp] += float64(w) * float64(w)
		if ok {
			out = append(out, qterm{t: t, w: w})
			grps = append(grps, f.grp)
		}
	}
	scale := groupScale(norm)
	gw := [2]float32{wordWeight, 1 - wordWeight}
	if norm[groupChar] == 0 {
		gw[groupWord] = 1
	}
	if norm[groupWord] == 0 {
		gw[groupChar] = 1
	}
	for i := range out {
		out[i].w *= scale[grps[i]] * gw[grps[i]]
	}
	return out
}

// hits are the similarities of one query, aggregated per entry.
type hits struct {
	acc     []float32 // per document
	touched []uint32
	best    []float32 // per entry: best question similarity
	second  []float32 // per entry: second best question similarity
	answer  []float32 // per entry: answer similarity
	entries []int32   // entries with any similarity
	decline float32   // best decline similarity
	// scratch of search
	deferred []qterm
	heap     []uint32
}

func newHits(nDocs, nEntries int) *hits {
	return &hits{
		acc:    make([]float32, nDocs),
		best:   make([]float32, nEntries),
		second: make([]float32, nEntries),
		answer: make([]float32, nEntries),
	}
}

func (h *hits) reset() {
	for _, d := range h.touched {
		h.acc[d] = 0
	}
	for _, e := range h.entries {
		h.best[e], h.second[e], h.answer[e] = 0, 0, 0
	}
	h.touched, h.entries, h.decline = h.touched[:0], h.entries[:0], 0
}

// Long posting lists. In an index of pruneDocs documents or more, a
// feature found in more than max(minPruneDF, documents/pruneShare) of them
// (a common word or character gram) carries little weight but costs the
// most to walk; search adds it only to the rescore best documents found
// through the other features, looking it up by binary search (postings are
// in document order). A query made of nothing but such features is scored
// in full, and so is every query of a smaller index.
const (
	pruneDocs  = 50000
	minPruneDF = 2048
	pruneShare = 100
	rescore    = 256
)

// search scores the query against every document sharing a feature and
// aggregates per entry. skip marks documents to leave out (nil for none):
// held-out questions scored against the rest of the knowledge base.
func (ix *index) search(q []qterm, skip []bool, h *hits) {
	limit := uint32(math.MaxUint32)
	if ix.nDocs >= pruneDocs {
		limit = uint32(max(minPruneDF, ix.nDocs/pruneShare))
	}
	deferred := h.deferred[:0]
	for _, qt := range q {
		lo, hi := ix.start[qt.t], ix.start[qt.t+1]
		if hi-lo > limit {
			deferred = append(deferred, qt)
			continue
		}
		ix.accumulate(qt, h)
	}
	if len(deferred) > 0 {
		if len(h.touched) == 0 {
			for _, qt := range deferred {
				ix.accumulate(qt, h)
			}
		} else {
			for _, d := range h.best256() {
				for _, qt := range deferred {
					h.acc[d] += qt.w * ix.weight(qt.t, d)
				}
			}
		}
	}
	h.deferred = deferred
	for _, d := range h.touched {
		if skip != nil && skip[d] {
			continue
		}
		s := h.acc[d]
		if s <= 0 {
			continue
		}
		e := ix.docEntry[d]
		if e < 0 {
			if s > h.decline {
				h.decline = s
			}
			continue
		}
		if h.best[e] == 0 && h.answer[e] == 0 {
			h.entries = append(h.entries, e)
		}
		switch ix.docKind[d] {
		case docAnswer:
			if s > h.answer[e] {
				h.answer[e] = s
			}
		default:
			if s > h.best[e] {
				h.second[e], h.best[e] = h.best[e], s
			} else if s > h.second[e] {
				h.second[e] = s
			}
		}
	}
}

// accumulate adds one query feature's share to every document that has it.
func (ix *index) accumulate(qt qterm, h *hits) {
	lo, hi := ix.start[qt.t], ix.start[qt.t+1]
	docs, ws := ix.pdoc[lo:hi], ix.pw[lo:hi]
	acc := h.acc
	for i, d := range docs {
		if acc[d] == 0 {
			h.touched = append(h.touched, d)
		}
		acc[d] += qt.w * ws[i]
	}
}

// weight is the weight of feature t in document d (0 if it has none).
func (ix *index) weight(t, d uint32) float32 {
	lo, hi := int(ix.start[t]), int(ix.start[t+1])
	docs := ix.pdoc[lo:hi]
	i := sort.Search(len(docs), func(i int) bool { return docs[i] >= d })
	if i < len(docs) && docs[i] == d {
		return ix.pw[lo+i]
	}
	return 0
}

// best256 returns the rescore touched documents with the highest scores so
// far (all of them if there are fewer), ties broken by document order.
func (h *hits) best256() []uint32 {
	if len(h.touched) <= rescore {
		return h.touched
	}
	heap := h.heap[:0]
	less := func(a, b uint32) bool { // a ranks below b
		if h.acc[a] != h.acc[b] {
			return h.acc[a] < h.acc[b]
		}
		return a > b
	}
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(heap) {
				return
			}
			m := l
			if r := l + 1; r < len(heap) && less(heap[r], heap[l]) {
				m = r
			}
			if !less(heap[m], heap[i]) {
				return
			}
			heap[i], heap[m] = heap[m], heap[i]
			i = m
		}
	}
	for _, d := range h.touched {
		if len(heap) < rescore {
			heap = append(heap, d)
			if len(heap) == rescore {
				for i := rescore/2 - 1; i >= 0; i-- {
					down(i)
				}
			}
			continue
		}
		if less(heap[0], d) {
			heap[0] = d
			down(0)
		}
	}
	h.heap = heap
	return heap
}

// bytes estimates the memory held by the index.
func (ix *index) bytes() int {
	return len(ix.terms)*24 + len(ix.idf)*4 + len(ix.start)*4 + len(ix.pdoc)*8 + ix.nDocs*5
}
