package text

import (
	"sync"
	"sync/atomic"

	"github.com/go-ego/gse"
)

// DefaultDictMinFreq is the smallest word frequency kept from the embedded
// simplified-Chinese dictionary when the shared segmenter loads. Trimming
// the long tail of rare words (frequency 2 and 3, 57% of its 352,000
// entries) cuts the load from about 0.9 s and 135 MB of heap to about
// 0.4 s and 50 MB; the words lost mostly fall back to shorter words (支付宝 →
// 支付 宝), which matching tolerates because queries and knowledge-base
// text are cut the same way, and a tenant's Lexicon restores the words that
// matter to it. Set it with SetDictMinFreq before the first Chinese text;
// 0 keeps the whole dictionary.
const DefaultDictMinFreq = 4

// lazySegmenter holds one read-only gse segmenter, loaded on first use.
type lazySegmenter struct {
	mu      sync.Mutex
	seg     atomic.Pointer[gse.Segmenter]
	failed  atomic.Bool
	loads   atomic.Int32 // number of dictionary loads, for tests and metrics
	minFreq float64
}

// shared is the one segmenter used by every tenant. Nothing loads it until
// text containing Han characters is tokenised in ChineseWords or
// ChineseSearch mode, or Preload is called.
var shared = &lazySegmenter{minFreq: DefaultDictMinFreq}

// get returns the segmenter, loading it on the first call; it returns nil
// if the dictionary could not be loaded (callers then fall back to
// character bigrams).
func (l *lazySegmenter) get() *gse.Segmenter {
	if s := l.seg.Load(); s != nil {
		return s
	}
	if l.failed.Load() {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.seg.Load(); s != nil {
		return s
	}
	if l.failed.Load() {
		return nil
	}
	l.loads.Add(1)
	s := &gse.Segmenter{SkipLog: true, MinTokenFreq: l.minFreq}
	if l.minFreq <= 0 {
		s.MinTokenFreq = 1 // gse treats 0 as "use its default of 2"
	}
	// Only the simplified dictionary: Normalize has already converted
	// traditional characters, so the traditional one (another 70 MB)
	// would never match.
	if err := s.LoadDictEmbed("zh_s"); err != nil || s.Dict == nil || s.Dict.NumTokens() == 0 {
		l.failed.Store(true)
		return nil
	}
	l.seg.Store(s)
	return s
}

func (l *lazySegmenter) loaded() bool { return l.seg.Load() != nil }

// SetDictMinFreq sets the minimum word frequency kept from the dictionary
// (see DefaultDictMinFreq). It reports false, and changes nothing, once the
// dictionary has been loaded.
func SetDictMinFreq(f float64) bool {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.seg.Load() != nil || shared.failed.Load() {
		return false
	}
	shared.minFreq = f
	return true
}

// Preload loads the shared Chinese dictionary now, for a caller that wants
// to pay its cost (see the package documentation) off the request path,
// for example when a tenant first enables the bot. It reports whether the
// dictionary is available.
func Preload() bool { return shared.get() != nil }

// SegmenterLoaded reports whether the shared Chinese dictionary is in
// memory.
func SegmenterLoaded() bool { return shared.loaded() }

// TagChinese cuts Chinese text into the shared dictionary's words (the
// plain cut of Tokenize, without normalisation, tenant terms or stop words)
// and gives each its part-of-speech tag from the dictionary: nr person, ns
// place, nt organisation, nz other proper noun, t time, m numeral, v verb,
// n noun…, or "x" for a word the dictionary does not hold. It reads at most
// MaxRunes runes and returns nil when the dictionary cannot be loaded.
func TagChinese(s string) (words, tags []string) {
	seg := shared.get()
	if seg == nil {
		return nil, nil
	}
	if r := []rune(s); len(r) > MaxRunes {
		s = string(r[:MaxRunes])
	}
	words = seg.Cut(s, true)
	tags = make([]string, len(words))
	for i, w := range words {
		_, pos, ok := seg.Find(w)
		if !ok || pos == "" {
			pos = "x"
		}
		tags[i] = pos
	}
	return words, tags
}
