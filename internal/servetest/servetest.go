// Package servetest helps tests that run the real switchboard binary:
// building it once per test and collecting a child process's output.
package servetest

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Build compiles cmd/switchboard into the test's temporary directory and
// returns the binary's path.
func Build(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "switchboard")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/switchboard-cs/switchboard/cmd/switchboard").CombinedOutput()
	if err != nil {
		t.Fatalf("build the switchboard binary: %v\n%s", err, out)
	}
	return bin
}

// Output collects a child process's output while the test reads it.
type Output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

// String returns everything written so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}
