// Package dataset reads labelled examples in the JSON Lines form
// {"text": …, "label": …} that the evaluation commands, the importers and
// the quality measurements share. An error names the file and the line.
package dataset

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// MaxLine is the longest line accepted.
const MaxLine = 16 << 20

// Example is one labelled text.
type Example struct {
	Text  string
	Label string
	Line  int // where it stands in its file, for error messages
}

// ReadFile reads a JSONL file of examples; blank lines are skipped, and an
// empty file is an error.
func ReadFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// Read reads JSONL examples from r.
func Read(r io.Reader) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var rec struct {
			Text  *string `json:"text"`
			Label *string `json:"label"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			return nil, fmt.Errorf("line %d: not a JSON object: %v", n, err)
		}
		if rec.Text == nil || rec.Label == nil {
			return nil, fmt.Errorf(`line %d: want {"text": …, "label": …}`, n)
		}
		out = append(out, Example{Text: *rec.Text, Label: *rec.Label, Line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no examples")
	}
	return out, nil
}
