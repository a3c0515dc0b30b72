package engine

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Benchmarks on a generated knowledge base of 10,000 FAQ entries with 10
// similar questions each (half Chinese, half English, shared templates and
// filler words, so common words have long posting lists), with answers.
// Retrieval and the reranker decide alone at this size (above the
// classifier's label limit).
//
//	go test -run '^$' -bench 'Decide|Build' -benchtime 2000x -cpu 1 ./internal/bot/engine/
//
// BenchmarkDecide reports p50 and p99 of the recorded durations
// (Decision.Elapsed, wall clock) and of the CPU time of each decision (on a
// machine shared with other work the wall clock also counts their turns);
// BenchmarkBuild reports the retained heap of the built engine after GC.

const (
	benchEntries = 10000
	benchSimilar = 10
)

var (
	benchOnce sync.Once
	benchEng  *Engine
	benchKB   []Entry
)

func benchEngine(b *testing.B) *Engine {
	benchOnce.Do(func() {
		benchKB = genKB(benchEntries, benchSimilar, 1)
		e, err := Build(benchKB, Options{Seed: 1})
		if err != nil {
			panic(err)
		}
		benchEng = e
	})
	return benchEng
}

func BenchmarkDecide(b *testing.B) {
	e := benchEngine(b)
	texts, _ := genQueries(benchEntries, 1000, 99)
	// warm up: the Chinese dictionary, pools
	for _, s := range texts[:50] {
		e.Decide(Query{Text: s})
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	lat := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c0 := threadCPU()
		d := e.Decide(Query{Text: texts[i%len(texts)]})
		cpu = append(cpu, threadCPU()-c0)
		lat = append(lat, d.Elapsed)
	}
	b.StopTimer()
	pct := func(ds []time.Duration, p int) float64 {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return float64(ds[len(ds)*p/100].Microseconds()) / 1000
	}
	b.ReportMetric(pct(lat, 50), "p50-ms")
	b.ReportMetric(pct(lat, 99), "p99-ms")
	b.ReportMetric(pct(cpu, 50), "cpu-p50-ms")
	b.ReportMetric(pct(cpu, 99), "cpu-p99-ms")
}

func BenchmarkBuild(b *testing.B) {
	kb := genKB(benchEntries, benchSimilar, 1)
	Build(genKB(10, 2, 1), Options{}) // load the Chinese dictionary first
	for i := 0; i < b.N; i++ {
		before := heapInUse()
		cpu0 := cpuTime()
		e, err := Build(kb, Options{Seed: 1})
		cpu := cpuTime() - cpu0
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		after := heapInUse()
		n, q := e.Size()
		b.ReportMetric(float64(after-before)/(1<<20), "MB-retained")
		b.ReportMetric(float64(q), "questions")
		b.ReportMetric(cpu.Seconds(), "cpu-s")
		if n != benchEntries {
			b.Fatalf("%d entries", n)
		}
		runtime.KeepAlive(e)
		b.StartTimer()
	}
}

// cpuTime is the CPU time (user + system) used by the process so far: on a
// busy machine it shows the work done, whatever the wall clock says.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestBenchQuality checks, on the benchmark knowledge base, that the
// generated questions are answered right (so the benchmark measures a
// working engine). It builds 10,000 entries, so it runs only with
// SWITCHBOARD_BENCH set.
func TestBenchQuality(t *testing.T) {
	if testing.Short() || !benchEnabled() {
		t.Skip("set SWITCHBOARD_BENCH=1")
	}
	t0 := time.Now()
	e := benchEngine(nil)
	texts, ids := genQueries(benchEntries, 2000, 98)
	right := 0
	for i, s := range texts {
		if d := e.Decide(Query{Text: s, Policy: Policy{Answer: 0, Clarify: 0, Negative: 1}}); d.EntryID == ids[i] {
			right++
		}
	}
	fmt.Printf("bench KB: top-1 %.4f on %d generated questions (%.1fs incl. build), calib %+v\n", float64(right)/float64(len(texts)), len(texts), time.Since(t0).Seconds(), e.calib)
	if float64(right)/float64(len(texts)) < 0.9 {
		t.Errorf("top-1 %d/%d", right, len(texts))
	}
}

func benchEnabled() bool { return os.Getenv("SWITCHBOARD_BENCH") != "" }
