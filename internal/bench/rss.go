package bench

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// rssReader reads the server's resident memory and CPU time: from the
// process_* gauges of its /metrics, or else from /proc of a local PID.
type rssReader struct {
	metricsURL string
	pid        int
	hc         *http.Client
	noMetrics  atomic.Bool // scraping failed once: do not wait for it again
}

type rssSample struct {
	rssMB  float64
	source string
}

func newRSSReader(base string, pid int, hc *http.Client) *rssReader {
	return &rssReader{metricsURL: base + "/metrics", pid: pid, hc: hc}
}

// scrape returns the process gauges of /metrics.
func (r *rssReader) scrape(ctx context.Context) (rss, cpu float64, err error) {
	if r.noMetrics.Load() {
		return 0, 0, fmt.Errorf("metrics unavailable")
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.metricsURL, nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		r.noMetrics.Store(true)
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		r.noMetrics.Store(true)
		return 0, 0, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	rss, cpu = -1, -1
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if name, val, ok := strings.Cut(line, " "); ok {
			switch name {
			case "process_resident_memory_bytes":
				rss, _ = strconv.ParseFloat(strings.TrimSpace(val), 64)
			case "process_cpu_seconds_total":
				cpu, _ = strconv.ParseFloat(strings.TrimSpace(val), 64)
			}
		}
	}
	if rss <= 0 {
		r.noMetrics.Store(true)
		return 0, 0, fmt.Errorf("no process_resident_memory_bytes in /metrics")
	}
	return rss, cpu, sc.Err()
}

// read returns the server's RSS now.
func (r *rssReader) read(ctx context.Context) (rssSample, bool) {
	if rss, _, err := r.scrape(ctx); err == nil {
		return rssSample{rss / (1 << 20), "metrics"}, true
	}
	if r.pid > 0 {
		if kb, err := procRSSKB(r.pid); err == nil {
			return rssSample{kb / 1024, "proc"}, true
		}
	}
	return rssSample{}, false
}

// cpu returns the server's CPU seconds so far.
func (r *rssReader) cpu(ctx context.Context) (float64, bool) {
	if _, cpu, err := r.scrape(ctx); err == nil && cpu >= 0 {
		return cpu, true
	}
	if r.pid > 0 {
		if s, err := procCPU(r.pid); err == nil {
			return s, true
		}
	}
	return -1, false
}

// procRSSKB reads VmRSS of a local process.
func procRSSKB(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				return strconv.ParseFloat(f[0], 64)
			}
		}
	}
	return 0, fmt.Errorf("no VmRSS for process %d", pid)
}

// procCPU reads utime+stime of a local process, in seconds.
func procCPU(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("unreadable /proc/%d/stat", pid)
	}
	f := strings.Fields(s[i+1:])
	// After the command come state (field 3) … utime (14) and stime (15).
	if len(f) < 13 {
		return 0, fmt.Errorf("unreadable /proc/%d/stat", pid)
	}
	u, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unreadable /proc/%d/stat", pid)
	}
	return (u + st) / 100, nil // USER_HZ is 100 on Linux
}

// sampler keeps the peak RSS seen while it runs.
type sampler struct {
	stopc chan struct{}
	done  chan struct{}
	mu    sync.Mutex
	peak  rssSample
}

func (r *rssReader) sample(ctx context.Context, every time.Duration) *sampler {
	s := &sampler{stopc: make(chan struct{}), done: make(chan struct{})}
	take := func() {
		if v, ok := r.read(ctx); ok {
			s.mu.Lock()
			if v.rssMB > s.peak.rssMB {
				s.peak = v
			}
			s.mu.Unlock()
		}
	}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stopc:
				take()
				return
			case <-ctx.Done():
				return
			case <-t.C:
				take()
			}
		}
	}()
	return s
}

// stop ends the sampling, with one last sample, and returns the peak.
func (s *sampler) stop() rssSample {
	close(s.stopc)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}
