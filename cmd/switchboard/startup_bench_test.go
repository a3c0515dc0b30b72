package main

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkStartup measures what an operator sees: the time from starting
// "switchboard serve" on an existing SQLite data directory until /readyz
// answers 200, and the resident memory of the idle server afterwards.
// Run: go test ./cmd/switchboard -run '^$' -bench Startup -benchtime 10x
func BenchmarkStartup(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "switchboard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	dataDir := b.TempDir()
	// The first run creates and migrates the database; it is not measured.
	stop, _ := startServer(b, bin, dataDir)
	stop()
	var rssTotal float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		stop, pid := startServer(b, bin, dataDir)
		b.StopTimer()
		time.Sleep(2 * time.Second) // let the idle server settle
		rssTotal += rssMB(b, pid)
		stop()
		b.StartTimer()
	}
	b.ReportMetric(rssTotal/float64(b.N), "idle-RSS-MB")
}

// startServer starts serve on a free port and returns once /readyz is 200.
func startServer(b *testing.B, bin, dataDir string) (stop func(), pid int) {
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir,
		"--admin-email", "admin@example.com", "--admin-password", "bench start-up passphrase")
	cmd.Env = append(os.Environ(), "SWITCHBOARD_LOG_LEVEL=warn")
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	url := ""
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "Switchboard is ready at "); ok {
			url = u
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if url == "" {
		b.Fatal("serve did not print its URL")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url + "readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			b.Fatal("not ready within 10 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
	return func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}, cmd.Process.Pid
}

func rssMB(b *testing.B, pid int) float64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Skip("no /proc: cannot read RSS on this system")
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
