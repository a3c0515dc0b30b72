package llm

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseReply feeds arbitrary model replies to the citation and HTML
// parser. An accepted reply must cite only given sources, each once, and
// leave plain text without markers, tags or NO_ANSWER.
func FuzzParseReply(f *testing.F) {
	for _, s := range []string{
		"Ships in 48 hours [1].", "A [2]. B [1, 2]. C [1][2].", "国内发货【1】，国际［2］。", "NO_ANSWER",
		"<p>满 <b>¥99</b> 包邮 [1]</p><script>x</script>", "[[1]2]", "<<b>i>[1]", "&lt;b&gt;x[1]",
		"[source 3]", "[1，2、3]", "x\r\ny\x00[1]", "NO_[1]ANSWER", "<!--[1]", "[999]",
	} {
		f.Add(s, uint8(2))
	}
	f.Fuzz(func(t *testing.T, content string, n uint8) {
		text, nums, err := parseReply(content, int(n))
		if err != nil {
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("error %v does not wrap ErrUnsupported", err)
			}
			if text != "" || nums != nil {
				t.Fatalf("refusal returned %q, %v", text, nums)
			}
			return
		}
		if len(nums) == 0 {
			t.Fatal("accepted without a citation")
		}
		seen := map[int]bool{}
		for _, k := range nums {
			if k < 1 || k > int(n) || seen[k] {
				t.Fatalf("citation %d of %d (seen %v)", k, n, seen[k])
			}
			seen[k] = true
		}
		if strings.TrimSpace(text) != text || text == "" || !utf8.ValidString(text) {
			t.Fatalf("text %q is empty, untrimmed or invalid UTF-8", text)
		}
		if tagRE.MatchString(text) {
			t.Fatalf("text %q contains a tag", text)
		}
		if citationRE.MatchString(text) {
			t.Fatalf("text %q still contains a citation marker", text)
		}
		if strings.Contains(strings.ToUpper(text), NoAnswer) {
			t.Fatalf("text %q contains %s", text, NoAnswer)
		}
		if utf8.RuneCountInString(text) > MaxAnswerRunes {
			t.Fatal("text longer than MaxAnswerRunes")
		}
	})
}

// FuzzDecodeResponse feeds arbitrary bodies to the response and error
// decoders: no panic, errors of the documented kinds, and the API key never
// appears in an error.
func FuzzDecodeResponse(f *testing.F) {
	const key = "sk-fuzz-secret-key-1234567890"
	for _, s := range []string{
		completionBody("m", "A [1].", "stop"),
		`{"choices":[{"index":0,"message":{"role":"assistant","content":[{"type":"text","text":"A [1]"}]}}]}`,
		`{"choices":[]}`, `{"choices":[{"message":{"content":null}}]}`, `{"choices":[{"message":{"content":42}}]}`,
		`{"error":{"message":"Incorrect API key provided: sk-fuzz-secret-key-1234567890","type":"invalid_request_error","code":"invalid_api_key"}}`,
		`{"error":"overloaded"}`, `{"error":{"code":503}}`, `{"error":null,"choices":[{"message":{"content":"x"}}]}`,
		"<html>502</html>", "", "null", "[]", `{"choices":null}`,
	} {
		f.Add([]byte(s), 200)
	}
	f.Fuzz(func(t *testing.T, raw []byte, status int) {
		if _, err := decodeResponse(raw, status, key); err != nil {
			var ae *APIError
			if !errors.Is(err, ErrBadResponse) && !errors.As(err, &ae) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if strings.Contains(err.Error(), key) {
				t.Fatalf("error shows the key: %v", err)
			}
		}
		ae := apiError(status, raw, "12", key)
		if ae.Status != status || strings.Contains(ae.Error(), key) {
			t.Fatalf("apiError = %v", ae)
		}
		if utf8.RuneCountInString(ae.Message) > maxErrorMessage+1 {
			t.Fatalf("message of %d runes", utf8.RuneCountInString(ae.Message))
		}
	})
}
