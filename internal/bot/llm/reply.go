package llm

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// NoAnswer is the reply the model is told to give when the sources do not
// answer the question.
const NoAnswer = "NO_ANSWER"

// MaxAnswerRunes bounds a phrased answer; a longer one is refused rather
// than cut mid-sentence.
const MaxAnswerRunes = 4000

// maxReplyBytes bounds the reply given to the parser (4 bytes per rune of
// MaxAnswerRunes, with room for markup), and maxMarkerPasses the rounds of
// marker removal, so that a hostile reply cannot make parsing slow.
const (
	maxReplyBytes   = 4*MaxAnswerRunes + 16<<10
	maxMarkerPasses = 4
)

// citationRE finds citation markers: [1], [1, 2], [1][2] (two markers),
// full-width 【1】 and ［1］, and "[source 1]" / "[来源1]" spellings.
var citationRE = regexp.MustCompile(`[\[【［]\s*(?:(?i:source|sources|来源|资料)\s*)?(\d{1,3}(?:\s*[,，、;；]\s*\d{1,3})*)\s*[\]】］]`)

// spaceBeforePunct and manySpaces tidy the text where markers were removed.
var (
	spaceBeforePunct = regexp.MustCompile(`[ \t]+([.,;:!?。，；：！？、）)])`)
	manySpaces       = regexp.MustCompile(`[ \t]{2,}`)
	manyNewlines     = regexp.MustCompile(`\n{3,}`)
)

// parseReply checks the model's reply against n numbered sources and
// returns the plain text (HTML and citation markers removed) and the cited
// source numbers (1-based, in order of first citation, without repeats).
// Every refusal wraps ErrUnsupported; the errors never quote the reply.
func parseReply(content string, n int) (string, []int, error) {
	s := strings.TrimSpace(strings.ToValidUTF8(content, ""))
	if s == "" {
		return "", nil, fmt.Errorf("%w: empty answer", ErrUnsupported)
	}
	if len(s) > maxReplyBytes {
		return "", nil, fmt.Errorf("%w: answer longer than %d bytes", ErrUnsupported, maxReplyBytes)
	}
	if strings.Contains(strings.ToUpper(s), NoAnswer) {
		return "", nil, fmt.Errorf("%w: the model found no answer in the sources", ErrUnsupported)
	}
	s = dropControl(s)

	var nums []int
	seen := map[int]bool{}
	// Removing a tag can reveal a marker and removing a marker can join
	// the text around it into another marker or a tag ("[[1]2]", "<[1]b>"),
	// so repeat until a pass finds no marker. A reply that needs more than
	// a few passes is not an answer anyone wrote.
	for pass := 0; ; pass++ {
		s = stripHTML(s)
		ms := citationRE.FindAllStringSubmatch(s, -1)
		if len(ms) == 0 {
			break
		}
		if pass == maxMarkerPasses {
			return "", nil, fmt.Errorf("%w: nested citation markers", ErrUnsupported)
		}
		for _, m := range ms {
			for _, f := range strings.FieldsFunc(m[1], func(r rune) bool { return !('0' <= r && r <= '9') }) {
				k, err := strconv.Atoi(f)
				if err != nil || k < 1 || k > n {
					return "", nil, fmt.Errorf("%w: cites source [%s] of %d", ErrUnsupported, f, n)
				}
				if !seen[k] {
					seen[k] = true
					nums = append(nums, k)
				}
			}
		}
		s = citationRE.ReplaceAllString(s, "")
	}
	if len(nums) == 0 {
		return "", nil, fmt.Errorf("%w: no citation", ErrUnsupported)
	}
	s = tidy(s)
	if strings.Contains(strings.ToUpper(s), NoAnswer) {
		return "", nil, fmt.Errorf("%w: the model found no answer in the sources", ErrUnsupported)
	}
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return "", nil, fmt.Errorf("%w: nothing but citations", ErrUnsupported)
	}
	if runeLen(s) > MaxAnswerRunes {
		return "", nil, fmt.Errorf("%w: answer longer than %d characters", ErrUnsupported, MaxAnswerRunes)
	}
	return s, nums, nil
}

// tidy removes the blanks left where markers were, trailing blanks of each
// line and runs of empty lines.
func tidy(s string) string {
	s = spaceBeforePunct.ReplaceAllString(s, "$1")
	s = manySpaces.ReplaceAllString(s, " ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = strings.Join(lines, "\n")
	s = manyNewlines.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}

// dropControl removes control characters except newlines and tabs, and
// turns carriage returns into newlines.
func dropControl(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r':
			return '\n'
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// stripHTML turns text that may contain HTML into plain text: entities are
// decoded, then tags, comments and the content of script and style elements
// are removed (line-breaking tags become newlines). The result contains no
// "<" that starts a tag, even after decoding.
func stripHTML(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	s = html.UnescapeString(s)
	// Removing a tag can join two halves into a new one ("<<b>i>"), so
	// repeat until nothing changes; each pass only shrinks the text.
	for range 8 {
		t := stripTagsOnce(s)
		if t == s {
			return s
		}
		s = t
	}
	// Pathological nesting: drop every remaining tag opener.
	return strings.Map(func(r rune) rune {
		if r == '<' {
			return -1
		}
		return r
	}, stripTagsOnce(s))
}

// tagStart reports whether s[i] is a "<" that opens a tag, an end tag, a
// comment or a processing instruction.
func tagStart(s string, i int) bool {
	if s[i] != '<' || i+1 >= len(s) {
		return false
	}
	c := s[i+1]
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c == '/' || c == '!' || c == '?'
}

// lineTags become a newline when removed, so that paragraphs stay apart.
var lineTags = map[string]bool{"br": true, "p": true, "div": true, "li": true, "tr": true, "ul": true,
	"ol": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true}

func stripTagsOnce(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if !tagStart(s, i) {
			b.WriteByte(s[i])
			i++
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				break // an unterminated comment hides the rest, as in a browser
			}
			i += 4 + end + 3
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			break // an unterminated tag is dropped, as in a browser
		}
		inner := s[i+1 : i+end]
		name := tagName(inner)
		i += end + 1
		rawText := name == "script" || name == "style" || name == "textarea" || name == "title"
		if rawText && !strings.HasPrefix(inner, "/") {
			closeTag := "</" + name
			j := indexASCIIFold(s[i:], closeTag)
			if j < 0 {
				break
			}
			i += j // the closing tag is removed on the next iteration
			continue
		}
		if lineTags[name] {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// tagName is the lower-case element name of a tag's inside ("/p", "br/",
// "a href=…").
func tagName(inner string) string {
	inner = strings.TrimPrefix(inner, "/")
	end := strings.IndexFunc(inner, func(r rune) bool {
		return !(('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9'))
	})
	if end >= 0 {
		inner = inner[:end]
	}
	return strings.ToLower(inner)
}

// indexASCIIFold is strings.Index ignoring ASCII case; sub is lower case.
// Unlike lower-casing s first, it keeps byte offsets exact for any UTF-8.
func indexASCIIFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		ok := true
		for j := 0; j < len(sub); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}
