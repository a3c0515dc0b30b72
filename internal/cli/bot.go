package cli

import (
	"encoding/json"
	"fmt"

	"github.com/switchboard-cs/switchboard/internal/bot/dataset"
	"github.com/switchboard-cs/switchboard/internal/bot/sentiment"
)

// botCmd is the "bot" group: offline checks of the bot's models.
func botCmd(env Env, args []string) int {
	subs := map[string]func(Env, []string) int{
		"eval":           botEval,
		"eval-sentiment": botEvalSentiment,
	}
	return sub(env, "bot", args, subs, []string{"eval", "eval-sentiment"})
}

// botEvalSentiment is "bot eval-sentiment": the negative-message detector
// measured on a labelled JSONL file.
func botEvalSentiment(env Env, args []string) int {
	fs := flagSet(env, "bot eval-sentiment", "bot eval-sentiment --test FILE.jsonl [--train FILE.jsonl] [--json]\n\n"+
		"Measures the detector of negative (unhappy, angry) messages on labelled examples: one JSON object per\n"+
		"line, {\"text\": ..., \"label\": \"pos\"|\"neg\"} (\"positive\"/\"negative\" are accepted too). Without --train\n"+
		"it measures the built-in lexicon detector; with --train it first trains a detector on that file.\n"+
		"Prints accuracy, precision and recall of the negative class, and the time per message.")
	testPath := fs.String("test", "", "labelled examples to measure on (required)")
	trainPath := fs.String("train", "", "labelled examples to train a detector on first (default: the built-in detector)")
	jsonOut := fs.Bool("json", false, "end the output with the figures as one JSON object on the last line")
	if code := parseFlags(env, fs, args); code >= 0 {
		return code
	}
	const name = "switchboard bot eval-sentiment"
	if *testPath == "" {
		fmt.Fprintf(env.Stderr, "%s: --test FILE.jsonl is required\n", name)
		return ExitUsage
	}
	test, err := readSentimentFile(*testPath)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
		return ExitUsage
	}
	var d sentiment.Detector = sentiment.Default()
	detector := "default"
	if *trainPath != "" {
		train, err := readSentimentFile(*trainPath)
		if err != nil {
			fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
			return ExitUsage
		}
		m, err := sentiment.Train(train)
		if err != nil {
			fmt.Fprintf(env.Stderr, "%s: %s: %v\n", name, *trainPath, err)
			return ExitUsage
		}
		d, detector = m, "trained"
	}
	m := sentiment.Evaluate(d, test)
	fmt.Fprintf(env.Stdout, "detector       %s\n", detector)
	fmt.Fprintf(env.Stdout, "examples       %d (negative %d)\n", m.N, m.TP+m.FN)
	fmt.Fprintf(env.Stdout, "accuracy       %.4f\n", m.Accuracy)
	fmt.Fprintf(env.Stdout, "neg precision  %.4f\n", m.NegPrecision)
	fmt.Fprintf(env.Stdout, "neg recall     %.4f\n", m.NegRecall)
	fmt.Fprintf(env.Stdout, "neg f1         %.4f\n", m.NegF1)
	fmt.Fprintf(env.Stdout, "flagged        %d right, %d wrong; missed %d\n", m.TP, m.FP, m.FN)
	fmt.Fprintf(env.Stdout, "time/message   p50 %.3f ms, p99 %.3f ms\n", m.P50ms, m.P99ms)
	if *jsonOut {
		out := struct {
			Detector string `json:"detector"`
			sentiment.Metrics
		}{detector, m}
		b, err := json.Marshal(out)
		if err != nil {
			return fail(env, "bot eval-sentiment", err)
		}
		fmt.Fprintln(env.Stdout, string(b))
	}
	return ExitOK
}

// readSentimentFile reads labelled JSONL; an error names the file and line.
func readSentimentFile(path string) ([]sentiment.Example, error) {
	exs, err := dataset.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := make([]sentiment.Example, 0, len(exs))
	for _, e := range exs {
		neg, err := sentiment.ParseLabel(e.Label)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %v", path, e.Line, err)
		}
		out = append(out, sentiment.Example{Text: e.Text, Negative: neg})
	}
	return out, nil
}
