package sentiment

import (
	"bufio"
	"embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/switchboard-cs/switchboard/internal/bot/text"
)

//go:embed lexicon/*.txt
var lexiconFS embed.FS

// Kinds of lexicon entries.
const (
	kindWord        = iota // a sentiment word or phrase, weight < 0 negative, > 0 positive, 0 blocks a shorter match
	kindNegator            // 不, 没, not, never: flips the next sentiment word in the clause
	kindIntensifier        // 很, 太, very: multiplies the next sentiment word by the weight
	kindContrast           // 但是, but: what came before counts by the weight (< 1)
	kindSummary            // 总体, overall: the rest of the clause counts by the weight (> 1)
)

type entry struct {
	kind   uint8
	weight float64
}

// Lexicon is the rule-based detector: hand-written sentiment words and
// phrases in Chinese and English with negation, intensifiers, contrast and
// exclamation rules. It is immutable and safe for concurrent use.
type Lexicon struct {
	terms     map[string]entry
	maxHan    int // longest Chinese term, in characters
	maxWords  int // longest English term, in words
	threshold float64
}

// Tuning of the rules (chosen on the train splits of the review sets).
const (
	negWindow     = 3    // units between a negator or intensifier and the word it modifies
	flipPositive  = 1.0  // "not good" counts as this much of -good
	flipNegative  = 0.3  // "not bad" counts as this much of +bad
	lonelyNegator = -0.4 // a negator that negated nothing in its clause (没收到, never arrived)
	bangBoost     = 0.25 // per "!" (up to 3) on a negative clause
	questionBoost = 0.15 // per "?" (up to 3) on a negative clause
	capsBoost     = 0.3  // per shouted English word (up to 3) when the message is negative
	bias          = 0.35 // a message with no sentiment at all leans to not negative
	scale         = 1.3
	normPow       = 0.75 // the total is divided by hits^normPow: many mild remarks weigh less than a few pointed ones
)

var (
	defaultOnce sync.Once
	defaultLex  *Lexicon
	defaultErr  error
)

// Default returns the shipped rule-based detector. It is built once from
// the embedded lexicon files and shared.
func Default() *Lexicon {
	defaultOnce.Do(func() {
		defaultLex, defaultErr = loadLexicon()
	})
	if defaultErr != nil {
		panic("sentiment: embedded lexicon: " + defaultErr.Error())
	}
	return defaultLex
}

func loadLexicon() (*Lexicon, error) {
	l := &Lexicon{terms: map[string]entry{}, threshold: 0.5}
	files := []struct {
		name string
		kind uint8
	}{
		{"lexicon/zh.txt", kindWord}, {"lexicon/en.txt", kindWord},
		{"lexicon/modifiers.txt", 255},
	}
	for _, f := range files {
		b, err := lexiconFS.ReadFile(f.name)
		if err != nil {
			return nil, err
		}
		if err := l.parse(f.name, string(b), f.kind); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// parse reads lines "WEIGHT TERM" (sentiment files) or "KIND [WEIGHT] TERM"
// (modifiers: negator, intensifier, contrast). # starts a comment.
func (l *Lexicon) parse(name, src string, kind uint8) error {
	sc := bufio.NewScanner(strings.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "#"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		e := entry{kind: kind}
		if kind == 255 {
			k, rest, _ := strings.Cut(line, " ")
			switch k {
			case "negator":
				e.kind = kindNegator
				e.weight = -1
				line = rest
			case "intensifier":
				e.kind = kindIntensifier
			case "contrast":
				e.kind = kindContrast
			case "summary":
				e.kind = kindSummary
			default:
				return fmt.Errorf("%s:%d: unknown kind %q", name, n, k)
			}
			if e.kind == kindNegator {
				goto term
			}
			line = rest
		}
		{
			w, rest, ok := strings.Cut(line, " ")
			v, err := strconv.ParseFloat(w, 64)
			if !ok || err != nil {
				return fmt.Errorf("%s:%d: want WEIGHT TERM, got %q", name, n, line)
			}
			e.weight, line = v, rest
		}
	term:
		for _, t := range strings.Split(line, "|") {
			t = text.Normalize(t)
			if t == "" {
				return fmt.Errorf("%s:%d: empty term", name, n)
			}
			l.add(t, e)
			if strings.Contains(t, "'") {
				l.add(strings.ReplaceAll(t, "'", "’"), e)
				l.add(strings.ReplaceAll(t, "'", ""), e)
			}
		}
	}
	return nil
}

func (l *Lexicon) add(t string, e entry) {
	us := units(t, nil)
	if len(us) == 0 {
		return
	}
	if us[0].kind == uHan {
		l.maxHan = max(l.maxHan, len(us))
	} else {
		l.maxWords = max(l.maxWords, len(us))
	}
	l.terms[t] = e
}

// Threshold is the score from which a message is negative.
func (l *Lexicon) Threshold() float64 { return l.threshold }

// Negative reports whether the message reads as negative.
func (l *Lexicon) Negative(s string) bool { return l.Score(s) >= l.threshold }

// Score returns the negativity of s in [0, 1].
func (l *Lexicon) Score(s string) float64 {
	return sigmoid(-(l.Total(s) + bias) * scale)
}

// match finds the longest term at units[i]; it returns its entry and the
// number of units it covers (0 when none).
func (l *Lexicon) match(s string, us []unit, i int) (entry, int) {
	kind, limit := us[i].kind, l.maxWords
	if kind == uHan {
		limit = l.maxHan
	} else if kind != uWord {
		return entry{}, 0
	}
	j := i
	for j < len(us) && j-i < limit && us[j].kind == kind && (j == i || kind == uWord || us[j].start == us[j-1].end) {
		j++
	}
	for k := j; k > i; k-- {
		if e, ok := l.terms[s[us[i].start:us[k-1].end]]; ok {
			return e, k - i
		}
	}
	return entry{}, 0
}

// Total is the signed sentiment sum of s: below zero is negative. It is
// exposed so that a trained detector can use it as a feature.
func (l *Lexicon) Total(s string) float64 {
	caps := shouted(s)
	norm := text.Normalize(s)
	var buf [64]unit
	us := units(norm, buf[:0])
	var total, clause float64
	hits := 0
	clauseMult := 1.0
	negEnd, multEnd := -1, -1 // unit index after the pending negator / intensifier
	mult := 1.0
	clauseHasWord := false
	finish := func(i int) {
		if negEnd >= 0 && !clauseHasWord {
			clause += lonelyNegator
		}
		bangs, qs := 0, 0
		for j := i; j < len(us) && (us[j].kind == uBang || us[j].kind == uQuestion || us[j].kind == uBreak); j++ {
			switch us[j].kind {
			case uBang:
				bangs++
			case uQuestion:
				qs++
			}
		}
		if clause < 0 {
			clause *= 1 + bangBoost*float64(min(bangs, 3)) + questionBoost*float64(min(qs, 3))
		}
		total += clause * clauseMult
		clause, clauseHasWord, clauseMult = 0, false, 1
		negEnd, multEnd, mult = -1, -1, 1
	}
	for i := 0; i < len(us); {
		u := us[i]
		if u.kind == uBreak || u.kind == uBang || u.kind == uQuestion {
			if i == 0 || (us[i-1].kind != uBreak && us[i-1].kind != uBang && us[i-1].kind != uQuestion) {
				finish(i)
			}
			i++
			continue
		}
		e, k := l.match(norm, us, i)
		if k == 0 {
			i++
			continue
		}
		switch e.kind {
		case kindNegator:
			if negEnd >= 0 && i-negEnd <= negWindow && !clauseHasWord {
				negEnd = -1 // double negation: 不是不好
			} else {
				negEnd = i + k
			}
		case kindIntensifier:
			if multEnd >= 0 && i-multEnd <= negWindow {
				mult *= e.weight
			} else {
				mult = e.weight
			}
			multEnd = i + k
		case kindContrast:
			finish(i)
			total *= e.weight
		case kindSummary:
			clauseMult = e.weight
		default:
			w := e.weight
			if w == 0 {
				break
			}
			if multEnd >= 0 && i-multEnd <= negWindow {
				w *= mult
			}
			if negEnd >= 0 && i-negEnd <= negWindow {
				if w > 0 {
					w = -w * flipPositive
				} else {
					w = -w * flipNegative
				}
			}
			clause += w
			clauseHasWord = true
			hits++
			multEnd, mult = -1, 1 // a negation reaches the next words too: not a good bargain
		}
		i += k
	}
	finish(len(us))
	if hits > 1 && normPow > 0 {
		total /= math.Pow(float64(hits), normPow)
	}
	if total < 0 && caps > 0 {
		total *= 1 + capsBoost*float64(min(caps, 3))
	}
	return total
}

// shouted counts English words of three or more letters written in
// capitals (WORST, REFUND NOW) in the raw message.
func shouted(s string) int {
	n, run, upper := 0, 0, true
	for i := 0; i <= len(s); i++ {
		var c byte = ' '
		if i < len(s) {
			c = s[i]
		}
		switch {
		case 'A' <= c && c <= 'Z':
			run++
		case 'a' <= c && c <= 'z':
			run++
			upper = false
		default:
			if run >= 3 && upper {
				n++
			}
			run, upper = 0, true
		}
	}
	return n
}
