package sentiment

import (
	"math"
	"testing"
)

// FuzzScore feeds arbitrary messages to both detectors: no panic, a score
// in [0, 1], and Negative agreeing with Score and the threshold.
func FuzzScore(f *testing.F) {
	for _, s := range []string{
		"", "!!!", "not not good", "你们的服务太差了，我要投诉！", "It wasn't bad at all.",
		"WORST. SERVICE. EVER?!", "i don’t like it", "不是不好", "a\x00b\xffc", "😡😡😡 refund now",
		"one and done... never again!!! thumbs down", "ＧＲＥＡＴ ｊｏｂ",
	} {
		f.Add(s)
	}
	train, _ := synthetic()
	m, err := Train(train)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, d := range []Detector{Default(), m} {
			sc := d.Score(s)
			if math.IsNaN(sc) || sc < 0 || sc > 1 {
				t.Fatalf("Score(%q) = %v", s, sc)
			}
			if d.Negative(s) != (sc >= d.Threshold()) {
				t.Fatalf("Negative(%q) disagrees with Score %v", s, sc)
			}
		}
	})
}
