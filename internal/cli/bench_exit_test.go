package cli

import (
	"testing"

	"github.com/switchboard-cs/switchboard/internal/bench"
)

func TestBenchExit(t *testing.T) {
	for _, tc := range []struct {
		res  bench.Result
		want int
	}{
		{bench.Result{Sent: 10, Acked: 10}, ExitOK},
		{bench.Result{Sent: 10, Acked: 8, Refused: 2}, ExitOK}, // refused is not lost
		{bench.Result{Sent: 10, Acked: 10, Lost: 1}, ExitError},
		{bench.Result{Sent: 10, Acked: 10, Duplicated: 1}, ExitError},
		{bench.Result{Sent: 10, Acked: 10, OutOfOrder: 1}, ExitError},
	} {
		if got := benchExit(&tc.res); got != tc.want {
			t.Errorf("%+v: exit %d, want %d", tc.res, got, tc.want)
		}
	}
}
