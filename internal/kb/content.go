package kb

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-cs/switchboard/internal/bot/text"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
	"github.com/switchboard-cs/switchboard/internal/platform/validate"
)

// EntryInput creates an entry, or changes one: in a change, nil fields stay
// as they are and a list given (even empty) replaces the old one.
type EntryInput struct {
	Kind       *Kind
	Language   *string
	CategoryID *string // "" for none
	Key        *string
	Question   *string
	Similar    []string
	Answer     *string
	Buttons    []Button
	Links      []Link
	Tags       []string
	// ValidFrom and ValidUntil are RFC 3339 times; "" removes the date.
	ValidFrom  *string
	ValidUntil *string
	// Note describes the change in the version history.
	Note string
	// TranslationOf, on create, puts the new entry in the translation group
	// of that entry (which must have no entry in the new one's language).
	TranslationOf string
}

var languageRE = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})?$`)

// NormalizeTag folds a tag to its stored form: NFKC, lower case, single
// spaces, no surrounding space, no commas.
func NormalizeTag(t string) string {
	// Commas separate tags in the CSV format, so a tag cannot hold one.
	t = strings.NewReplacer(",", " ", "，", " ").Replace(t)
	return strings.Join(strings.Fields(strings.ToLower(text.Normalize(t))), " ")
}

// QuestionKey is the form of a question that duplicates are found by:
// normalised (width, case, traditional → simplified Chinese) with only its
// letters and digits.
func QuestionKey(question string) string {
	n := text.Normalize(question)
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, n)
}

func checkURL(field, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", apperr.Invalidf(field, "required")
	}
	if len(raw) > MaxURLLength {
		return "", apperr.Invalidf(field, "too_long", "max", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", apperr.Invalidf(field, "kb_invalid_url")
	}
	return u.String(), nil
}

func checkTime(field, v string) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, apperr.Invalidf(field, "kb_invalid_time")
	}
	t = t.UTC().Truncate(time.Millisecond)
	return &t, nil
}

// apply validates in and writes it over c.
func apply(c *Content, in EntryInput) error {
	if in.Kind != nil {
		if *in.Kind != KindFAQ && *in.Kind != KindArticle {
			return apperr.Invalidf("kind", "kb_invalid_kind")
		}
		c.Kind = *in.Kind
	}
	if in.Question != nil {
		field := "question"
		v, err := validate.Name(field, *in.Question, true, MaxQuestionRunes)
		if err != nil {
			return err
		}
		c.Question = v
	}
	if in.Language != nil {
		l := strings.ToLower(strings.TrimSpace(*in.Language))
		if !languageRE.MatchString(l) {
			return apperr.Invalidf("language", "kb_invalid_language")
		}
		c.Language = l
	}
	if in.CategoryID != nil {
		c.CategoryID = strings.TrimSpace(*in.CategoryID)
	}
	if in.Key != nil {
		v, err := validate.Name("key", *in.Key, false, MaxKeyRunes)
		if err != nil {
			return err
		}
		c.Key = v
	}
	if in.Similar != nil {
		if len(in.Similar) > MaxSimilar {
			return apperr.Invalidf("similar", "too_many", "max", MaxSimilar)
		}
		seen := map[string]bool{}
		out := []string{}
		for i, s := range in.Similar {
			v, err := validate.Name(fmt.Sprintf("similar[%d]", i), s, true, MaxQuestionRunes)
			if err != nil {
				return err
			}
			k := QuestionKey(v)
			if seen[k] {
				continue // the same question twice adds nothing
			}
			seen[k] = true
			out = append(out, v)
		}
		c.Similar = out
	}
	if in.Answer != nil {
		v, err := validate.Text("answer", strings.TrimSpace(*in.Answer), MaxAnswerRunes)
		if err != nil {
			return err
		}
		c.Answer = v
	}
	if in.Buttons != nil {
		if len(in.Buttons) > MaxButtons {
			return apperr.Invalidf("buttons", "too_many", "max", MaxButtons)
		}
		out := []Button{}
		for i, b := range in.Buttons {
			f := fmt.Sprintf("buttons[%d]", i)
			label, err := validate.Name(f+".label", b.Label, true, MaxLabelRunes)
			if err != nil {
				return err
			}
			nb := Button{Label: label}
			switch {
			case strings.TrimSpace(b.Text) != "" && strings.TrimSpace(b.URL) != "", strings.TrimSpace(b.Text) == "" && strings.TrimSpace(b.URL) == "":
				return apperr.Invalidf(f, "kb_button_action")
			case b.URL != "":
				if nb.URL, err = checkURL(f+".url", b.URL); err != nil {
					return err
				}
			default:
				if nb.Text, err = validate.Name(f+".text", b.Text, true, MaxQuestionRunes); err != nil {
					return err
				}
			}
			out = append(out, nb)
		}
		c.Buttons = out
	}
	if in.Links != nil {
		if len(in.Links) > MaxLinks {
			return apperr.Invalidf("links", "too_many", "max", MaxLinks)
		}
		out := []Link{}
		for i, l := range in.Links {
			f := fmt.Sprintf("links[%d]", i)
			u, err := checkURL(f+".url", l.URL)
			if err != nil {
				return err
			}
			title, err := validate.Name(f+".title", l.Title, false, 200)
			if err != nil {
				return err
			}
			if title == "" {
				title = u
			}
			out = append(out, Link{Title: title, URL: u})
		}
		c.Links = out
	}
	if in.Tags != nil {
		if len(in.Tags) > MaxTags {
			return apperr.Invalidf("tags", "too_many", "max", MaxTags)
		}
		seen := map[string]bool{}
		out := []string{}
		for i, t := range in.Tags {
			if !utf8.ValidString(t) {
				return apperr.Invalidf(fmt.Sprintf("tags[%d]", i), "invalid_utf8")
			}
			n := NormalizeTag(t)
			if n == "" {
				continue
			}
			if utf8.RuneCountInString(n) > MaxTagRunes {
				return apperr.Invalidf(fmt.Sprintf("tags[%d]", i), "too_long", "max", MaxTagRunes)
			}
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
		c.Tags = out
	}
	if in.ValidFrom != nil {
		t, err := checkTime("valid_from", *in.ValidFrom)
		if err != nil {
			return err
		}
		c.ValidFrom = t
	}
	if in.ValidUntil != nil {
		t, err := checkTime("valid_until", *in.ValidUntil)
		if err != nil {
			return err
		}
		c.ValidUntil = t
	}
	return nil
}

// complete checks what every saved entry needs and derives the rendered
// answer; it is the last step before a content is stored.
func complete(c *Content) error {
	if c.Kind == "" {
		c.Kind = KindFAQ
	}
	if c.Question == "" {
		return apperr.Invalidf("question", "required")
	}
	if c.Language == "" {
		switch text.Detect(c.Question + " " + c.Answer) {
		case text.LangChinese:
			c.Language = "zh"
		case text.LangEnglish:
			c.Language = "en"
		default:
			return apperr.Invalidf("language", "required")
		}
	}
	if c.Kind == KindArticle && len(c.Similar) > 0 {
		return apperr.Invalidf("similar", "kb_article_similar")
	}
	if c.ValidFrom != nil && c.ValidUntil != nil && !c.ValidUntil.After(*c.ValidFrom) {
		return apperr.Invalidf("valid_until", "kb_invalid_period")
	}
	if c.Similar == nil {
		c.Similar = []string{}
	}
	if c.Buttons == nil {
		c.Buttons = []Button{}
	}
	if c.Links == nil {
		c.Links = []Link{}
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	c.AnswerHTML, c.AnswerText = Render(c.Answer)
	return nil
}

// servedAt reports whether content with these dates is served at now:
// inside [valid_from, valid_until).
func servedAt(from, until *time.Time, now time.Time) bool {
	if from != nil && now.Before(*from) {
		return false
	}
	if until != nil && !now.Before(*until) {
		return false
	}
	return true
}
