package kb

import (
	"bytes"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
	nethtml "golang.org/x/net/html"
)

var (
	markdown = goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify),
		// Raw HTML in an answer is passed on to the sanitiser rather than
		// dropped, so that simple markup (<b>, <br>) written by hand or
		// imported from another system survives; everything unsafe goes.
		goldmark.WithRendererOptions(html.WithUnsafe(), html.WithHardWraps()),
	)
	policyOnce sync.Once
	policy     *bluemonday.Policy
)

// sanitizer is a user-generated-content policy: formatting, lists, tables,
// images and links over http(s), mailto and tel only; links open in a new
// tab with rel="nofollow noopener"; no scripts, styles, frames, forms or
// event attributes.
func sanitizer() *bluemonday.Policy {
	policyOnce.Do(func() {
		p := bluemonday.UGCPolicy()
		p.AllowURLSchemes("http", "https", "mailto", "tel")
		p.RequireParseableURLs(true)
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		policy = p
	})
	return policy
}

// Render turns an answer written in Markdown into sanitised HTML and a
// plain-text rendering (for channels that show no HTML, and for search).
func Render(md string) (htmlOut, plain string) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(md), &buf); err != nil {
		// goldmark fails only on a failing writer; a bytes.Buffer does not.
		buf.Reset()
		buf.WriteString(nethtml.EscapeString(md))
	}
	clean := sanitizer().SanitizeBytes(buf.Bytes())
	return strings.TrimSpace(string(clean)), PlainText(string(clean))
}

var blockTags = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "tr": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "pre": true, "blockquote": true, "table": true, "ul": true, "ol": true, "hr": true,
}

// PlainText renders sanitised HTML as text: block elements become line
// breaks, list items start with "• ", a link whose text differs from its
// address is followed by the address in brackets.
func PlainText(h string) string {
	z := nethtml.NewTokenizer(strings.NewReader(h))
	var b strings.Builder
	var hrefs []string
	newline := func() {
		s := b.String()
		if s != "" && !strings.HasSuffix(s, "\n") {
			b.WriteByte('\n')
		}
	}
	var linkText strings.Builder
	inLink := 0
	for {
		tt := z.Next()
		switch tt {
		case nethtml.ErrorToken:
			return tidyText(b.String())
		case nethtml.TextToken:
			t := string(z.Text())
			if strings.TrimSpace(t) == "" {
				continue // the layout between tags
			}
			b.WriteString(t)
			if inLink > 0 {
				linkText.WriteString(t)
			}
		case nethtml.StartTagToken, nethtml.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if blockTags[tag] {
				newline()
			}
			if tag == "li" {
				b.WriteString("• ")
			}
			if tag == "a" && tt == nethtml.StartTagToken {
				href := ""
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						href = string(v)
					}
				}
				hrefs = append(hrefs, href)
				inLink++
				linkText.Reset()
			}
		case nethtml.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "a" && inLink > 0 {
				inLink--
				href := hrefs[len(hrefs)-1]
				hrefs = hrefs[:len(hrefs)-1]
				text := strings.TrimSpace(linkText.String())
				if href != "" && text != href && strings.TrimPrefix(href, "mailto:") != text {
					b.WriteString(" (" + href + ")")
				}
			}
			if paragraphTags[tag] {
				newline()
				b.WriteByte('\n')
			} else if blockTags[tag] {
				newline()
			}
		}
	}
}

// paragraphTags end with a blank line.
var paragraphTags = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "pre": true, "blockquote": true,
	"table": true, "ul": true, "ol": true,
}

// tidyText trims each line, collapses runs of blank lines and spaces.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
