package dataset

import (
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	got, err := Read(strings.NewReader("{\"text\":\"退款\",\"label\":\"neg\"}\n\n{\"text\":\"ok\",\"label\":\"pos\",\"extra\":1}\n"))
	if err != nil || len(got) != 2 || got[0] != (Example{"退款", "neg", 1}) || got[1].Line != 3 || got[1].Label != "pos" {
		t.Fatalf("got %+v, %v", got, err)
	}
	for _, tc := range []struct{ in, want string }{
		{"{\"text\":\"a\",\"label\":\"x\"}\nnot json\n", "line 2"},
		{"{\"text\":\"a\"}\n", "line 1"},
		{"\n\n", "no examples"},
	} {
		if _, err := Read(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to name %q", tc.in, err, tc.want)
		}
	}
}
