package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildWacost builds the command into dir and writes a generated log of
// rows rows beside it.
func buildWacost(t *testing.T, dir string, rows string) (bin, log string) {
	t.Helper()
	bin = filepath.Join(dir, "wacost")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	log = filepath.Join(dir, "log.csv")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	gen := exec.Command(bin, "generate", "--rows", rows, "--seed", "3")
	gen.Stdout = f
	if err := gen.Run(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return bin, log
}

// waitFor polls until ok holds, or fails the test after a minute.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("want an exit status, got %v", err)
	}
	return ee.ExitCode()
}

// signalFixture builds wacost and a log large enough to stop mid-run, in
// a directory of the test's, with an empty directory for temporary files.
func signalFixture(t *testing.T) (dir, bin, log, tmp string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds wacost and replays a large log")
	}
	dir = t.TempDir()
	bin, log = buildWacost(t, dir, "1500000")
	tmp = filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, bin, log, tmp
}

// SIGTERM while a large ledger is written to a file: wacost stops, the
// file is left as it was before the run (empty: ">" truncated it), no
// temporary file is left, and the exit status is 143.
func TestSIGTERMLeavesNoPartialLedger(t *testing.T) {
	dir, bin, log, tmp := signalFixture(t)
	outPath := filepath.Join(dir, "ledger.csv")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	var stderr strings.Builder
	run := exec.Command(bin, "simulate", log, "--ledger", "-f", "csv", "-q")
	run.Stdout, run.Stderr = out, &stderr
	run.Env = append(os.Environ(), "TMPDIR="+tmp)
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	// Signal once the ledger is being written: rows are in the file.
	waitFor(t, "the ledger to be written", func() bool {
		st, err := os.Stat(outPath)
		return err == nil && st.Size() > 1<<20
	})
	run.Process.Signal(syscall.SIGTERM)
	err = run.Wait()
	if code := exitCode(t, err); code != 143 {
		t.Fatalf("exit %d, want 143; stderr:\n%s", code, stderr.String())
	}
	if st, _ := os.Stat(outPath); st.Size() != 0 {
		t.Errorf("the output file holds %d bytes after SIGTERM; want it as before the run (empty)", st.Size())
	}
	if left := tempFiles(t, tmp); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if !strings.Contains(stderr.String(), "wacost: stopped by SIGTERM") {
		t.Errorf("stderr does not say why it stopped:\n%s", stderr.String())
	}
}

// SIGINT while a large output is spooled to a temporary file (the output
// is a pipe): the temporary file is removed, nothing reaches the pipe, and
// the exit status is 130.
func TestSIGINTRemovesTheOutputSpool(t *testing.T) {
	_, bin, log, tmp := signalFixture(t)
	run := exec.Command(bin, "simulate", log, "--ledger", "-f", "csv", "-q")
	pipe, err := run.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	run.Stderr = &stderr
	run.Env = append(os.Environ(), "TMPDIR="+tmp)
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	got := make(chan int64)
	go func() {
		var n int64
		buf := make([]byte, 1<<16)
		for {
			k, err := pipe.Read(buf)
			n += int64(k)
			if err != nil {
				got <- n
				return
			}
		}
	}()
	waitFor(t, "the output to spill to a temporary file", func() bool {
		for _, n := range tempFiles(t, tmp) {
			if strings.HasPrefix(n, "wacost-out-") {
				return true
			}
		}
		return false
	})
	run.Process.Signal(os.Interrupt)
	n := <-got
	err = run.Wait()
	if code := exitCode(t, err); code != 130 {
		t.Fatalf("exit %d, want 130; stderr:\n%s", code, stderr.String())
	}
	if n != 0 {
		t.Errorf("%d bytes reached the pipe; want none", n)
	}
	if left := tempFiles(t, tmp); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
