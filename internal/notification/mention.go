package notification

import (
	"strings"
	"unicode"
)

// Person is someone of the tenant a note may mention.
type Person struct {
	ID    string
	Name  string // display name, e.g. "Li Na" or "李娜"
	Email string // "li.na@example.com": "@li.na" mentions them too
}

// MaxMentions bounds how many people one note notifies.
const MaxMentions = 50

// MaxScan is how much of a text Mentions reads, in characters (a note has
// at most 10,000).
const MaxScan = 20000

// maxKeyRunes bounds a name or e-mail local part the parser looks for
// (longer ones are never mentioned, which keeps each "@" cheap).
const maxKeyRunes = 200

// Directory finds the mentions of a tenant's people in a text. It holds the
// folded display names and e-mail local parts in a trie, so that each "@"
// costs at most the length of the longest name.
type Directory struct {
	root node
	size int
}

type node struct {
	next map[rune]*node
	ids  []string // people whose name or local part ends here
}

// NewDirectory prepares the people for Mentions. People without an id, and
// names or local parts that are empty or too long, are left out.
func NewDirectory(people []Person) *Directory {
	d := &Directory{}
	for _, p := range people {
		if p.ID == "" {
			continue
		}
		d.add(p.Name, p.ID)
		if at := strings.LastIndexByte(p.Email, '@'); at > 0 {
			d.add(p.Email[:at], p.ID)
		}
	}
	return d
}

func (d *Directory) add(key, id string) {
	key = strings.TrimSpace(key)
	rs := []rune(key)
	if len(rs) == 0 || len(rs) > maxKeyRunes {
		return
	}
	n := &d.root
	for _, r := range rs {
		r = fold(r)
		if n.next == nil {
			n.next = map[rune]*node{}
		}
		c := n.next[r]
		if c == nil {
			c = &node{}
			n.next[r] = c
		}
		n = c
	}
	for _, x := range n.ids {
		if x == id {
			return
		}
	}
	n.ids = append(n.ids, id)
	d.size++
}

// Mentions returns the ids of the people the text mentions, each once, in
// the order of their first mention, at most MaxMentions, in the first
// MaxScan characters.
//
// A mention is "@" (or the full-width "＠") followed by a person's display
// name or e-mail local part, compared without case. Where several names
// start at the same "@", the longest wins ("@Li Na" is Li Na, not Li). The
// "@" must not follow a letter or digit of a word ("li.na@example.com" is an
// address, not a mention), and a name that ends in a letter or digit must
// not be followed by one ("@Lin" does not mention "Li"); Chinese, Japanese
// and Korean characters need no spaces around them ("请@李娜看一下").
func (d *Directory) Mentions(text string) []string {
	if d == nil || d.size == 0 || !strings.ContainsAny(text, "@＠") {
		return nil
	}
	rs := []rune(text)
	if len(rs) > MaxScan {
		rs = rs[:MaxScan]
	}
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(rs); i++ {
		if !isAt(rs[i]) || (i > 0 && wordRune(rs[i-1])) {
			continue
		}
		end, ids := d.longest(rs, i+1)
		if end < 0 {
			continue
		}
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
				if len(out) == MaxMentions {
					return out
				}
			}
		}
		i = end - 1 // the name is not searched for more mentions
	}
	return out
}

// longest walks the trie from rs[start] and returns the end (exclusive) and
// the people of the longest name that ends on a word boundary, or -1.
func (d *Directory) longest(rs []rune, start int) (int, []string) {
	best, bestIDs := -1, []string(nil)
	n := &d.root
	for j := start; j < len(rs) && j-start < maxKeyRunes; j++ {
		n = n.next[fold(rs[j])]
		if n == nil {
			break
		}
		if len(n.ids) > 0 && (j+1 == len(rs) || !wordRune(rs[j]) || !wordRune(rs[j+1])) {
			best, bestIDs = j+1, n.ids
		}
	}
	return best, bestIDs
}

func isAt(r rune) bool { return r == '@' || r == '＠' }

// fold makes a rune comparable without case, and every kind of space a
// plain space.
func fold(r rune) rune {
	switch r {
	case '\u00a0', '\u3000':
		return ' '
	}
	return unicode.ToLower(r)
}

// wordRune reports whether r is part of a word written with spaces between
// words (letters and digits of alphabetic scripts, "_").
func wordRune(r rune) bool {
	if r == '_' {
		return true
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return false
	}
	return !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}
