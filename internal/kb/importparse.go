package kb

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/switchboard-cs/switchboard/internal/bot/text"
	"github.com/switchboard-cs/switchboard/internal/platform/apperr"
)

// Import limits.
const (
	MaxImportBytes    = 20 << 20
	MaxImportRows     = 100000
	MaxImportLine     = 1 << 20 // one JSON line
	MaxRowErrors      = 100     // row errors reported; the rest are counted
	MaxDeclineSamples = 5000
)

// The import and export formats.
const (
	FormatCSV   = "csv"
	FormatJSONL = "jsonl"
)

// CSVHeader is the header row of the CSV format, in export order. On
// import the columns may come in any order and all but question may be
// left out.
var CSVHeader = []string{"kind", "language", "category", "key", "question", "similar", "answer", "tags", "status",
	"valid_from", "valid_until", "buttons", "links"}

// ImportOptions tune how a file becomes entries.
type ImportOptions struct {
	// Language of labelled rows ({"text","label"}); empty detects it from
	// each label's first text.
	Language string
	// AnswerTemplate is the answer of entries made from labelled rows;
	// "{label}" is replaced by the label. Empty leaves them without an
	// answer, as drafts.
	AnswerTemplate string
	// Status of entries made from labelled rows that have an answer
	// (default draft).
	Status Status
}

// ImportEntry is one entry the file would create.
type ImportEntry struct {
	Row      int     `json:"row"`
	Category string  `json:"category"`
	Status   Status  `json:"status"`
	Content  Content `json:"content"`
}

// RowError says why a row (by its line number) was not imported.
type RowError struct {
	Row     int    `json:"row"`
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	cause   *apperr.Error
}

// Cause is the user-visible error behind the row error, for translation.
func (e RowError) Cause() *apperr.Error { return e.cause }

// ImportPlan is a parsed import file: the entries it would create, the
// out-of-scope examples of labelled data ("decline examples": texts the bot
// should decline, which create no entry), and the rows that are broken.
type ImportPlan struct {
	Format   string        `json:"format"`
	Rows     int           `json:"rows"`
	Entries  []ImportEntry `json:"entries"`
	Declines []string      `json:"declines"`
	Errors   []RowError    `json:"errors"`
	// MoreErrors counts broken rows beyond the MaxRowErrors reported.
	MoreErrors int `json:"more_errors"`
	// Truncated counts similar questions dropped because a label had more
	// than MaxSimilar.
	Truncated int `json:"truncated"`
}

func (p *ImportPlan) fail(row int, err error) {
	e, ok := apperr.As(err)
	if !ok {
		e = apperr.New(apperr.Invalid, "invalid_value", "")
	}
	if len(p.Errors) >= MaxRowErrors {
		p.MoreErrors++
		return
	}
	p.Errors = append(p.Errors, RowError{Row: row, Code: e.Code, Field: e.Field, Message: e.Error(), cause: e})
}

// importRow is one row of either format before validation.
type importRow struct {
	Kind       string   `json:"kind"`
	Language   string   `json:"language"`
	Category   string   `json:"category"`
	Key        string   `json:"key"`
	Question   string   `json:"question"`
	Similar    []string `json:"similar"`
	Answer     string   `json:"answer"`
	Tags       []string `json:"tags"`
	Buttons    []Button `json:"buttons"`
	Links      []Link   `json:"links"`
	Status     string   `json:"status"`
	ValidFrom  string   `json:"valid_from"`
	ValidUntil string   `json:"valid_until"`
	// The labelled-data shape.
	Text  *string `json:"text"`
	Label *string `json:"label"`
}

var errTooLarge = errors.New("import file too large")

// limited fails once more than n bytes are read.
type limited struct {
	r io.Reader
	n int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errTooLarge
	}
	return n, err
}

func tooLarge() error {
	return apperr.New(apperr.TooLarge, "kb_import_too_large", "file", "max", MaxImportBytes>>20)
}

func tooManyRows() error {
	return apperr.New(apperr.TooLarge, "kb_import_too_many_rows", "file", "max", MaxImportRows)
}

// ParseImport reads an import file (format "csv" or "jsonl") without
// touching a database: every row is validated and rendered exactly as a
// typed entry would be. A broken row is reported with its line number and
// reason and the others go on (import-the-rest); a file over MaxImportBytes
// or MaxImportRows, a bad CSV header or an unknown format fails as a whole.
func ParseImport(r io.Reader, format string, o ImportOptions) (*ImportPlan, error) {
	if o.Status != "" && !o.Status.valid() {
		return nil, apperr.Invalidf("status", "kb_invalid_status")
	}
	if o.Language != "" {
		l := o.Language
		if err := apply(&Content{}, EntryInput{Language: &l}); err != nil {
			return nil, err
		}
	}
	if _, err := validateText("answer_template", o.AnswerTemplate); err != nil {
		return nil, err
	}
	br := bufio.NewReader(&limited{r: r, n: MaxImportBytes})
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	p := &ImportPlan{Format: format, Entries: []ImportEntry{}, Declines: []string{}, Errors: []RowError{}}
	b := &planBuilder{plan: p, opts: o, seen: map[string]int{}, labels: map[string]*labelGroup{}}
	var err error
	switch format {
	case FormatCSV:
		err = b.readCSV(br)
	case FormatJSONL:
		err = b.readJSONL(br)
	default:
		return nil, apperr.Invalidf("format", "kb_import_format")
	}
	if errors.Is(err, errTooLarge) {
		return nil, tooLarge()
	}
	if err != nil {
		return nil, err
	}
	b.finishLabels()
	return p, nil
}

func validateText(field, s string) (string, error) {
	return s, apply(&Content{}, EntryInput{Answer: &s})
}

type labelGroup struct {
	row   int
	label string
	texts []string
	seen  map[string]bool
}

type planBuilder struct {
	plan   *ImportPlan
	opts   ImportOptions
	seen   map[string]int // language + question key → row
	labels map[string]*labelGroup
	order  []*labelGroup
}

func (b *planBuilder) count() error {
	b.plan.Rows++
	if b.plan.Rows > MaxImportRows {
		return tooManyRows()
	}
	return nil
}

// add validates one full-entry row.
func (b *planBuilder) add(row int, in importRow) {
	kind := Kind(strings.ToLower(strings.TrimSpace(in.Kind)))
	if kind == "" {
		kind = KindFAQ
	}
	status := Status(strings.ToLower(strings.TrimSpace(in.Status)))
	if status == "" {
		status = StatusDraft
	}
	if !status.valid() {
		b.plan.fail(row, apperr.Invalidf("status", "kb_invalid_status"))
		return
	}
	ei := EntryInput{Kind: &kind, Question: &in.Question, Similar: in.Similar, Answer: &in.Answer, Tags: in.Tags,
		Buttons: in.Buttons, Links: in.Links, ValidFrom: &in.ValidFrom, ValidUntil: &in.ValidUntil, Key: &in.Key}
	if strings.TrimSpace(in.Language) != "" {
		ei.Language = &in.Language
	}
	var c Content
	if err := apply(&c, ei); err != nil {
		b.plan.fail(row, err)
		return
	}
	if err := complete(&c); err != nil {
		b.plan.fail(row, err)
		return
	}
	category := normalizePath(in.Category)
	if err := checkPath(category); err != nil {
		b.plan.fail(row, err)
		return
	}
	dupKey := c.Language + "\x00" + QuestionKey(c.Question)
	if first, dup := b.seen[dupKey]; dup {
		b.plan.fail(row, apperr.New(apperr.Conflict, "kb_duplicate_row", "question", "row", first))
		return
	}
	b.seen[dupKey] = row
	b.plan.Entries = append(b.plan.Entries, ImportEntry{Row: row, Category: category, Status: status, Content: c})
}

func normalizePath(p string) string {
	var parts []string
	for _, s := range strings.Split(p, "/") {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "/")
}

func checkPath(p string) error {
	if p == "" {
		return nil
	}
	parts := strings.Split(p, "/")
	if len(parts) > MaxCategoryDepth {
		return apperr.Invalidf("category", "kb_category_too_deep", "max", MaxCategoryDepth)
	}
	for _, s := range parts {
		if _, err := checkCategoryName(s); err != nil {
			e, _ := apperr.As(err)
			return apperr.Invalidf("category", e.Code, e.Args...)
		}
	}
	return nil
}

// label collects one labelled example.
func (b *planBuilder) label(row int, textV, label string) {
	label = strings.TrimSpace(label)
	// Labelled data is text to match, not to show: line breaks and tabs
	// inside it are just spaces.
	t := strings.Join(strings.FieldsFunc(textV, func(r rune) bool { return r == ' ' || r == '\n' || r == '\r' || r == '\t' }), " ")
	if label == "" {
		b.plan.fail(row, apperr.Invalidf("label", "required"))
		return
	}
	if t == "" {
		b.plan.fail(row, apperr.Invalidf("text", "required"))
		return
	}
	if _, err := checkLabelText(t); err != nil {
		b.plan.fail(row, err)
		return
	}
	if strings.EqualFold(label, "oos") {
		if len(b.plan.Declines) < MaxDeclineSamples {
			b.plan.Declines = append(b.plan.Declines, t)
		}
		return
	}
	g := b.labels[label]
	if g == nil {
		if err := apply(&Content{}, EntryInput{Key: &label}); err != nil {
			b.plan.fail(row, err)
			return
		}
		g = &labelGroup{row: row, label: label, seen: map[string]bool{}}
		b.labels[label] = g
		b.order = append(b.order, g)
	}
	k := QuestionKey(t)
	if g.seen[k] {
		return
	}
	g.seen[k] = true
	g.texts = append(g.texts, t)
}

func checkLabelText(t string) (string, error) {
	return t, apply(&Content{}, EntryInput{Question: &t})
}

// finishLabels turns each label into one FAQ entry.
func (b *planBuilder) finishLabels() {
	for _, g := range b.order {
		similar := g.texts[1:]
		if len(similar) > MaxSimilar {
			b.plan.Truncated += len(similar) - MaxSimilar
			similar = similar[:MaxSimilar]
		}
		answer := strings.ReplaceAll(b.opts.AnswerTemplate, "{label}", g.label)
		status := StatusDraft
		if strings.TrimSpace(answer) != "" && b.opts.Status != "" {
			status = b.opts.Status
		}
		lang := b.opts.Language
		if lang == "" {
			lang = "en"
			if text.Detect(g.texts[0]) == text.LangChinese {
				lang = "zh"
			}
		}
		b.add(g.row, importRow{Kind: string(KindFAQ), Language: lang, Key: g.label, Question: g.texts[0],
			Similar: similar, Answer: answer, Status: string(status)})
	}
}

func (b *planBuilder) readJSONL(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxImportLine)
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		if err := b.count(); err != nil {
			return err
		}
		var in importRow
		if err := json.Unmarshal(raw, &in); err != nil {
			b.plan.fail(line, apperr.Invalidf("", "kb_import_bad_json"))
			continue
		}
		if in.Label != nil || (in.Text != nil && in.Question == "") {
			t, l := "", ""
			if in.Text != nil {
				t = *in.Text
			}
			if in.Label != nil {
				l = *in.Label
			}
			b.label(line, t, l)
			continue
		}
		b.add(line, in)
	}
	err := sc.Err()
	if errors.Is(err, bufio.ErrTooLong) {
		return apperr.New(apperr.TooLarge, "kb_import_line_too_long", "file", "row", line+1, "max", MaxImportLine)
	}
	return err
}

func (b *planBuilder) readCSV(r io.Reader) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return apperr.Invalidf("file", "kb_import_empty")
	}
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return err
		}
		return apperr.Invalidf("file", "kb_import_header", "column", "")
	}
	col := map[string]int{}
	known := map[string]bool{}
	for _, h := range CSVHeader {
		known[h] = true
	}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[h]; dup || !known[h] {
			return apperr.Invalidf("file", "kb_import_header", "column", truncate(h, 40))
		}
		col[h] = i
	}
	if _, ok := col["question"]; !ok {
		return apperr.Invalidf("file", "kb_import_header", "column", "question")
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if errors.Is(err, errTooLarge) {
			return err
		}
		if cerr := b.count(); cerr != nil {
			return cerr
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// Past a broken quote nobody can tell where the rows start, so
			// the file fails as a whole rather than importing guesses.
			return apperr.Invalidf("file", "kb_import_bad_csv", "row", pe.StartLine, "reason", pe.Err.Error())
		}
		if err != nil {
			return err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			b.plan.fail(line, apperr.Invalidf("", "kb_import_columns", "want", len(header), "got", len(rec)))
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return rec[i]
			}
			return ""
		}
		in := importRow{Kind: get("kind"), Language: get("language"), Category: get("category"), Key: get("key"),
			Question: get("question"), Answer: get("answer"), Status: get("status"), ValidFrom: get("valid_from"),
			ValidUntil: get("valid_until")}
		for _, s := range strings.Split(strings.ReplaceAll(get("similar"), "\r\n", "\n"), "\n") {
			if strings.TrimSpace(s) != "" {
				in.Similar = append(in.Similar, s)
			}
		}
		for _, t := range strings.FieldsFunc(get("tags"), func(r rune) bool { return r == ',' || r == '，' }) {
			in.Tags = append(in.Tags, t)
		}
		if s := strings.TrimSpace(get("buttons")); s != "" {
			if err := json.Unmarshal([]byte(s), &in.Buttons); err != nil {
				b.plan.fail(line, apperr.Invalidf("buttons", "kb_import_bad_json"))
				continue
			}
		}
		if s := strings.TrimSpace(get("links")); s != "" {
			if err := json.Unmarshal([]byte(s), &in.Links); err != nil {
				b.plan.fail(line, apperr.Invalidf("links", "kb_import_bad_json"))
				continue
			}
		}
		b.add(line, in)
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// String summarises a plan for logs and tests.
func (p *ImportPlan) String() string {
	return fmt.Sprintf("%s: %d rows, %d entries, %d declines, %d errors", p.Format, p.Rows, len(p.Entries), len(p.Declines),
		len(p.Errors)+p.MoreErrors)
}
