package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Help says what each command does: exit 3 only where --threshold is,
// simulate's --format names partial; merge takes -q as simulate does and
// otherwise repeats the notes on stderr.
func TestHelpAndQuiet(t *testing.T) {
	for cmd, three := range map[string]bool{"simulate": true, "sla": true, "compare": true, "reconcile": true, "merge": true, "backlog": false, "generate": false, "tariff": false} {
		r := wacost(t, "", cmd, "--help")
		if got := strings.Contains(r.stdout, "3  a --threshold was crossed"); got != three || !strings.Contains(r.stdout, "130, 143") {
			t.Errorf("%s --help: exit 3 listed %v, want %v", cmd, got, three)
		}
	}
	if r := wacost(t, "", "simulate", "--help"); !strings.Contains(r.stdout, "html, partial (a shard") {
		t.Errorf("simulate --help: --format does not name partial")
	}
	p := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(p, []byte(wacost(t, "", "simulate", sample, "--format", "partial", "-q").stdout), 0o644)
	loud, quiet := wacost(t, "", "merge", p), wacost(t, "", "merge", p, "-q")
	if loud.code != 0 || quiet.code != 0 || !strings.Contains(loud.stderr, "wacost: note: ") || strings.Contains(quiet.stderr, "note") || loud.stdout != quiet.stdout {
		t.Fatalf("merge: exit %d/%d, stderr %q / %q", loud.code, quiet.code, loud.stderr, quiet.stderr)
	}
}

// The table output lists every threshold with its outcome, and a scope
// with nothing measured (a misspelt market) is said on stderr too: it
// passes, but never silently.
func TestThresholdsInTheTable(t *testing.T) {
	r := wacost(t, "", "simulate", sample, "-q", "--threshold", "market=Brasil:cost<5", "--threshold", "cost<5", "--warn", "late_replies==0", "--threshold", "billed>0")
	if r.code != 3 {
		t.Fatalf("exit %d", r.code)
	}
	i := strings.Index(r.stdout, "\nThresholds\n")
	if i < 0 {
		t.Fatalf("no Thresholds section:\n%s", r.stdout)
	}
	// --threshold ones first, then the --warn ones.
	want := "? market=Brasil:cost<5: no value measured for market=brasil (it passes: a misspelt scope?)\n✗ cost<5: CROSSED (measured 15.6823)\n✓ billed>0: ok (measured 645)\n! late_replies==0: warning (measured 18)\n"
	if got := r.stdout[i+len("\nThresholds\n"):]; got != want {
		t.Errorf("thresholds:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(r.stderr, "wacost: threshold not measured: market=Brasil:cost<5") {
		t.Errorf("stderr: %s", r.stderr)
	}
	if r := wacost(t, "", "simulate", sample, "-q", "--threshold", "market=Brasil:cost<5"); r.code != 0 || !strings.Contains(r.stderr, "not measured") {
		t.Errorf("a scope with nothing measured alone: exit %d, stderr %q", r.code, r.stderr)
	}
}

// A metric means one thing in every command: late_replies is simulate's
// (free-form messages sent with no window open) in sla too; sla's own
// count of replies after the window closed is replies_after_window.
func TestMetricNamesMeanOneThing(t *testing.T) {
	sim := wacost(t, "", "simulate", sample, "-q", "--warn", "late_replies==0")
	sl := wacost(t, "", "sla", sample, "-q", "--warn", "late_replies==0", "--warn", "replies_after_window==0")
	measured := func(stderr, expr string) string {
		i := strings.Index(stderr, expr+": measured ")
		if i < 0 {
			return ""
		}
		rest := stderr[i+len(expr+": measured "):]
		return rest[:strings.IndexByte(rest, '\n')]
	}
	a, b, c := measured(sim.stderr, "late_replies==0"), measured(sl.stderr, "late_replies==0"), measured(sl.stderr, "replies_after_window==0")
	if a == "" || a != b || c == "" || c == a {
		t.Fatalf("late_replies: simulate %q, sla %q; sla replies_after_window %q", a, b, c)
	}
}

// -o FILE writes the output whole or not at all: a failed run leaves an
// existing FILE as it was and no temporary file behind; a crossed
// threshold still writes the report.
func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "out.json")
	r := wacost(t, "", "simulate", sample, "-q", "-f", "json", "-o", f)
	b, _ := os.ReadFile(f)
	if r.code != 0 || r.stdout != "" || !strings.Contains(string(b), `"summary"`) {
		t.Fatalf("exit %d, stdout %q, file %.80s", r.code, r.stdout, b)
	}
	os.WriteFile(f, []byte("keep me"), 0o640)
	os.Chmod(f, 0o640)
	if r := wacost(t, "", "simulate", "../testdata/bad/no-header.csv", "-q", "-o", f); r.code != 1 {
		t.Fatalf("a bad log: exit %d", r.code)
	}
	if r := wacost(t, "", "sla", sample, "--bots", "sometimes", "-o", f); r.code != 2 {
		t.Fatalf("a usage error: exit %d", r.code)
	}
	if b, _ := os.ReadFile(f); string(b) != "keep me" {
		t.Fatalf("a failed run changed the file: %q", b)
	}
	if r := wacost(t, "", "simulate", sample, "-q", "--threshold", "cost<1", "-o", f); r.code != 3 {
		t.Fatalf("a crossed threshold: exit %d", r.code)
	}
	fi, _ := os.Stat(f)
	if b, _ := os.ReadFile(f); !strings.Contains(string(b), "Summary") || fi.Mode().Perm() != 0o640 {
		t.Fatalf("the report of a crossed threshold: %v %.40q", fi.Mode(), b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("files left in the directory: %v", ents)
	}
	if r := wacost(t, "", "simulate", sample, "-o", filepath.Join(dir, "no", "such", "dir.json")); r.code != 2 {
		t.Fatalf("an output in no directory: exit %d %s", r.code, r.stderr)
	}
}

// The notes are said once to a person: a table on a terminal shows them,
// so stderr does not repeat them; anywhere else (a pipe, a file, a
// machine format) stderr says them.
func TestNotesShownOnce(t *testing.T) {
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err == nil {
		defer tty.Close()
		if !notesShown("table", tty) || notesShown("json", tty) {
			t.Error("a table on a terminal shows the notes; json does not")
		}
	}
	var buf strings.Builder
	if notesShown("table", &buf) || notesShown("table", os.Stdout) && !isTerminal(os.Stdout) {
		t.Error("a table in a pipe or a buffer: stderr says the notes")
	}
	if r := wacost(t, "", "simulate", sample); !strings.Contains(r.stderr, "wacost: note: ") || !strings.Contains(r.stdout, "\nNotes\n") {
		t.Error("not on a terminal: the notes in the output and on stderr")
	}
}
