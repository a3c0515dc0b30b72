package intent

import (
	"fmt"
	"strings"
	"sync"

	"github.com/go-ego/gse"
)

// dictTagger loads the embedded simplified-Chinese dictionary once, with
// the settings of the shared segmenter of the text package (words of
// frequency ≥ 4), and tags a Han run: the plain cut (dictionary DAG plus
// HMM for unknown words), each word's tag looked up in the dictionary
// ("x" for a word it does not hold). Research runs only.
var dictTagger = sync.OnceValue(func() Tagger {
	seg := &gse.Segmenter{SkipLog: true, MinTokenFreq: 4}
	if err := seg.LoadDictEmbed("zh_s"); err != nil {
		panic(err)
	}
	return func(han string) []TaggedWord {
		words := seg.Cut(han, true)
		out := make([]TaggedWord, 0, len(words))
		for _, w := range words {
			_, pos, ok := seg.Find(w)
			if !ok || pos == "" {
				pos = "x"
			}
			out = append(out, TaggedWord{w, pos})
		}
		return out
	}
})

// posVariant parses "pos/w=0.5:f=tags+bi+cls+words:k=svm" into the default
// configuration with the part-of-speech group (w its weight, f its
// features, k the member kind it is added to: svm, embed or all).
func posVariant(name string) (func() Config, bool) {
	spec, ok := strings.CutPrefix(name, "pos/")
	if !ok {
		return nil, false
	}
	return func() Config {
		cfg := DefaultConfig()
		w, kind, sel := 1.0, "all", POSFeatures(0)
		for _, kv := range strings.Split(spec, ":") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "w":
				fmt.Sscan(v, &w)
			case "k":
				kind = v
			case "f":
				for _, f := range strings.Split(v, "+") {
					sel |= map[string]POSFeatures{"tags": POSTags, "bi": POSTagBigrams, "cls": POSClassNgrams, "words": POSClassWords}[f]
				}
			}
		}
		for i := range cfg.Members {
			mk := cfg.Members[i].Kind
			if mk == "" {
				mk = "svm"
			}
			if kind == "all" || kind == mk {
				cfg.Members[i].Features.POSWeight = w
				cfg.Members[i].Features.POS = sel
				cfg.Members[i].Features.Tagger = dictTagger()
			}
		}
		return cfg
	}, true
}
