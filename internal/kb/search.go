package kb

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/store"
)

// Search limits.
const (
	MaxQueryRunes = 200
	MaxSearchSkip = 1000 // how deep paging goes into one result list
)

// Hit is one search result: the entry, its score (higher is better; only
// comparable within one search) and a passage around the first match.
type Hit struct {
	Entry   Entry   `json:"entry"`
	Score   float64 `json:"score"`
	Snippet string  `json:"snippet"`
}

// Search finds entries (working copies) whose questions, similar
// questions, title, answer or tags match the query, in Chinese or English,
// best first. The page cursor is an offset into the ranked list. At most
// MaxCandidates matches are ranked (see there).
func (s *Service) Search(ctx context.Context, tenantID, query string, f Filter, p store.Page) ([]Hit, string, error) {
	if err := f.check(); err != nil {
		return nil, "", err
	}
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, "", apperr.Invalidf("q", "required")
	}
	if len([]rune(query)) > MaxQueryRunes {
		return nil, "", apperr.Invalidf("q", "too_long", "max", MaxQueryRunes)
	}
	p = p.Normalized()
	// Entries with every term come first; only when none has them all does
	// the search take entries with any of them. The cursor remembers which.
	skip, anyTerm := 0, false
	if p.After != "" {
		after, isAny := strings.CutPrefix(p.After, "any:")
		n, err := strconv.Atoi(after)
		if err != nil || n < 0 || n > MaxSearchSkip {
			return nil, "", apperr.New(apperr.BadRequest, "bad_cursor", "cursor")
		}
		skip, anyTerm = n, isAny
	}
	all, strict := queryTokens(query)
	if len(all) == 0 {
		return []Hit{}, "", nil // only stop words or punctuation
	}
	sc := s.db.Tenant(tenantID)
	terms := strict
	if anyTerm {
		terms = all
	}
	out, err := s.searchOnce(ctx, sc, matchExpr(sc.Dialect(), terms, anyTerm), terms, anyTerm, f, p.Limit, skip)
	if err == nil && !anyTerm && skip == 0 && len(out) == 0 && len(all) > 1 {
		anyTerm = true
		out, err = s.searchOnce(ctx, sc, matchExpr(sc.Dialect(), all, true), all, true, f, p.Limit, skip)
	}
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > p.Limit {
		out = out[:p.Limit]
		if skip+p.Limit <= MaxSearchSkip {
			c := strconv.Itoa(skip + p.Limit)
			if anyTerm {
				c = "any:" + c
			}
			next = store.EncodeCursor(c)
		}
	}
	t, _, err := loadTree(ctx, sc)
	if err != nil {
		return nil, "", err
	}
	words := append(append([]string{}, all...), strings.Fields(strings.ToLower(query))...)
	for i := range out {
		out[i].Entry.CategoryPath = t.path(out[i].Entry.CategoryID)
		out[i].Snippet = snippet(&out[i].Entry.Content, words)
	}
	return out, next, nil
}

// MaxCandidates bounds how many matching entries one search ranks, which
// bounds its time: a query whose terms are in more entries than this ranks
// the first MaxCandidates of them the index yields and is better narrowed
// with another word or a filter.
const MaxCandidates = 500

// candidate is a matching entry with its indexed question and tag tokens.
type candidate struct {
	id    string
	score float64
}

// searchOnce finds the candidates, ranks them and returns the entries of
// one page (plus one, to tell whether there is a next page).
//
// The rank is computed here rather than by the engine (FTS5's bm25 first
// scans the whole index list of every term, which costs milliseconds per
// common term at 100,000 entries): each query term found among the
// entry's question tokens (standard and similar, or the title) counts 3,
// among its tags 2, elsewhere (the answer) 1 when every term had to
// match; then the share of the question's tokens the query covers breaks
// ties, so that the most specific question comes first.
func (s *Service) searchOnce(ctx context.Context, sc store.Scope, match string, terms []string, anyTerm bool, f Filter,
	limit, skip int) ([]Hit, error) {
	args := append([]any{match}, f.args()...)
	rows, err := sc.Query(ctx, q.Get("SearchCandidates"), append(args, MaxCandidates)...)
	if err != nil {
		return nil, err
	}
	var cands []candidate
	for rows.Next() {
		var c candidate
		var qTok, tTok string
		if err := rows.Scan(&c.id, &qTok, &tTok); err != nil {
			rows.Close()
			return nil, err
		}
		c.score = rank(terms, qTok, tTok, anyTerm)
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		return cmp.Compare(a.id, b.id)
	})
	out := []Hit{}
	for i := skip; i < len(cands) && i <= skip+limit; i++ {
		e, err := getEntry(ctx, sc, cands[i].id)
		if apperr.IsKind(err, apperr.NotFound) {
			continue // deleted since
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Hit{Entry: e, Score: cands[i].score})
	}
	return out, nil
}

func rank(terms []string, qTok, tTok string, anyTerm bool) float64 {
	score := 0.0
	inQ, qLen := 0, 0
	// The token lists are space-separated; walking them allocates nothing.
	has := func(list, t string) bool {
		for list != "" {
			tok, rest, _ := strings.Cut(list, " ")
			if tok == t {
				return true
			}
			list = rest
		}
		return false
	}
	for _, t := range terms {
		switch {
		case has(qTok, t):
			score += 3
			inQ++
		case has(tTok, t):
			score += 2
		case !anyTerm:
			score++
		}
	}
	if inQ > 0 {
		qLen = strings.Count(qTok, " ") + 1
		score += float64(inQ) / float64(qLen)
	}
	return score
}

// matchExpr is the engine's query for all the terms (or, with anyTerm,
// any of them): an FTS5 MATCH expression, or a PostgreSQL tsquery. Terms are
// letters and digits only (see cleanToken), so they need no escaping beyond
// FTS5's quotes.
func matchExpr(d store.Dialect, terms []string, anyTerm bool) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		if d == store.Postgres {
			parts[i] = t
		} else {
			parts[i] = `"` + t + `"`
		}
	}
	switch {
	case d == store.Postgres && anyTerm:
		return strings.Join(parts, " | ")
	case d == store.Postgres:
		return strings.Join(parts, " & ")
	case anyTerm:
		return "{search_q search_t search_a} : (" + strings.Join(parts, " OR ") + ")"
	}
	return "{search_q search_t search_a} : (" + strings.Join(parts, " AND ") + ")"
}
