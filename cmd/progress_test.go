package cmd

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// testProgress is a progress line on w, not yet started.
func testProgress(w *bytes.Buffer, tty bool, total int64) *progress {
	clock := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	p := &progress{w: w, tty: tty, total: total, every: time.Hour, now: func() time.Time { return clock },
		stop: make(chan struct{}), done: make(chan struct{})}
	p.Begin("reading", 1)
	return p
}

func TestProgressLine(t *testing.T) {
	var w bytes.Buffer
	p := testProgress(&w, false, 780e6)
	p.Begin("reading", 2) // two parts, each reading the whole log
	p.Tally().Bytes.Store(2 * 312e6)
	p.Tally().Rows.Store(4e6)
	el := 1300 * time.Millisecond
	// 4M rows in 1.3 s; 468 MB left at 312 MB in 1.3 s: 1.95 s.
	if got, want := p.line(el, false), "wacost: reading 312 MB of 780 MB (40%), 4.0M rows, 3.1M rows/s, about 2s left"; got != want {
		t.Errorf("line:\n got %q\nwant %q", got, want)
	}
	if got, want := p.line(el, true), "wacost: read 312 MB, 4.0M rows, in 1.3s (3.1M rows/s)"; got != want {
		t.Errorf("last line:\n got %q\nwant %q", got, want)
	}
	p.Tally().Bytes.Store(2 * 770e6) // 10 MB left at 770 MB in 1.3 s: 17 ms
	if got, want := p.line(el, false), "wacost: reading 770 MB of 780 MB (98%), 4.0M rows, 3.1M rows/s, less than 1s left"; got != want {
		t.Errorf("line near the end:\n got %q\nwant %q", got, want)
	}
	p.Tally().Bytes.Store(2 * 312e6)
	p.total = 0 // standard input: its size is not known
	if got, want := p.line(el, false), "wacost: reading 312 MB, 4.0M rows, 3.1M rows/s"; got != want {
		t.Errorf("line of unknown size:\n got %q\nwant %q", got, want)
	}
	p.total = 780e6
	p.Begin("reading", 1)
	if got, want := p.line(0, false), "wacost: reading 0 B of 780 MB (0%), 0 rows"; got != want {
		t.Errorf("line at the start:\n got %q\nwant %q", got, want)
	}
	for n, want := range map[int64]string{999: "999 B", 1500: "2 kB", 77e6: "77 MB", 1.56e9: "1.56 GB"} {
		if got := sizeString(n); got != want {
			t.Errorf("sizeString(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int64]string{950: "950", 9999: "9999", 12400: "12k", 4.25e6: "4.2M"} {
		if got := countString(n); got != want {
			t.Errorf("countString(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestProgressTerminal: on a terminal the line is redrawn in place,
// padded over a longer one, and cleared before anything else is written
// and at the end.
func TestProgressTerminal(t *testing.T) {
	var w bytes.Buffer
	p := testProgress(&w, true, 0)
	go p.run()
	p.draw("wacost: a long line")
	p.draw("wacost: short")
	if _, err := p.Write([]byte("wacost: a note\n")); err != nil {
		t.Fatal(err)
	}
	p.draw("wacost: again")
	p.End()
	p.End() // a second call does nothing
	want := "\rwacost: a long line" + "\rwacost: short      " +
		"\r             \r" + "wacost: a note\n" + // the padding is blank already
		"\rwacost: again" + "\r             \r"
	if got := w.String(); got != want {
		t.Errorf("terminal:\n got %q\nwant %q", got, want)
	}
}

// TestProgressOnStderr runs simulate with --progress always (a line every
// millisecond here): stdout is what it is without, stderr has the same
// lines and progress lines, the last of them the rows replayed; in one
// replay and in parts. Without a terminal, auto shows nothing.
func TestProgressOnStderr(t *testing.T) {
	defer func(d time.Duration) { progressLogEvery = d }(progressLogEvery)
	progressLogEvery = time.Millisecond
	r := wacost(t, "", "generate", "--seed", "4", "--rows", "150000", "--customers", "3000", "--days", "10", "--start", "2025-08-01")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	log := writeTemp(t, "log.csv", r.stdout)
	line := regexp.MustCompile(`^wacost: reading \d+ (B|kB|MB) of 1[01] MB \(\d+%\), \d+k? rows(, \d+(\.\d)?[kM]? rows/s(, (about \d+s|less than 1s) left)?)?$`)
	last := regexp.MustCompile(`^wacost: read 1[01] MB, 150k rows, in [0-9.]+m?s \(\d+(\.\d)?[kM]? rows/s\)$`)
	for _, jobs := range []string{"1", "2"} {
		args := []string{"simulate", log, "--regime", "2025-07", "--format", "csv", "-j", jobs}
		plain := wacost(t, "", append(args, "--progress", "never")...)
		auto := wacost(t, "", args...)
		shown := wacost(t, "", append(args, "--progress", "always")...)
		if plain.code != 0 || shown.code != 0 || auto.code != 0 {
			t.Fatalf("-j %s: exit %d, %d, %d: %s", jobs, plain.code, auto.code, shown.code, shown.stderr)
		}
		if auto.stdout != plain.stdout || auto.stderr != plain.stderr {
			t.Errorf("-j %s: --progress auto without a terminal changed the output", jobs)
		}
		if shown.stdout != plain.stdout {
			t.Errorf("-j %s: the progress line changed stdout", jobs)
		}
		var rest []string
		progressLines, lastLines := 0, 0
		for _, l := range strings.SplitAfter(shown.stderr, "\n") {
			trimmed := strings.TrimSuffix(l, "\n")
			switch {
			case line.MatchString(trimmed):
				progressLines++
				if lastLines > 0 {
					t.Errorf("-j %s: a progress line after the last: %q", jobs, l)
				}
			case last.MatchString(trimmed):
				lastLines++
			case strings.HasPrefix(l, "wacost: read"):
				t.Errorf("-j %s: a malformed progress line: %q", jobs, l)
			default:
				rest = append(rest, l)
			}
		}
		if progressLines == 0 || lastLines != 1 {
			t.Errorf("-j %s: %d progress lines and %d last lines, want some and one:\n%s", jobs, progressLines, lastLines, shown.stderr)
		}
		if got := strings.Join(rest, ""); got != plain.stderr {
			t.Errorf("-j %s: stderr without the progress lines:\n%s\nwant\n%s", jobs, got, plain.stderr)
		}
	}
	// Unsorted: the rows are read again to be sorted, and the line says so.
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	slices.Reverse(lines[1:])
	reversed := writeTemp(t, "reversed.csv", strings.Join(lines, "\n")+"\n")
	sorted := wacost(t, "", "simulate", reversed, "--regime", "2025-07", "--progress", "always", "--format", "csv")
	if sorted.code != 0 {
		t.Fatal(sorted.stderr)
	}
	again := strings.Index(sorted.stderr, "starting again")
	toSort := regexp.MustCompile(`(?m)^wacost: reading to sort \d+ (B|kB|MB) of 1[01] MB \(\d+%\), \d+k? rows`)
	if again < 0 || !toSort.MatchString(sorted.stderr[again:]) || !regexp.MustCompile(`(?m)^wacost: read 1[01] MB, 150k rows, in `).MatchString(sorted.stderr[again:]) {
		t.Errorf("unsorted input: want lines reading to sort after the restart, and the last:\n%s", sorted.stderr)
	}
	// compare (and backlog) load the whole log first: the same line.
	cmpArgs := []string{"compare", log, "--scenario", "now:regime=2025-07", "--scenario", "block:late_replies=block", "--format", "csv"}
	cmpPlain, cmpShown := wacost(t, "", append(cmpArgs, "--progress", "never")...), wacost(t, "", append(cmpArgs, "--progress", "always")...)
	if cmpPlain.code != 0 || cmpShown.code != 0 || cmpShown.stdout != cmpPlain.stdout ||
		!regexp.MustCompile(`(?m)^wacost: read 1[01] MB, 150k rows, in `).MatchString(cmpShown.stderr) {
		t.Errorf("compare --progress always: exit %d, stdout same %v, stderr:\n%s", cmpShown.code, cmpShown.stdout == cmpPlain.stdout, cmpShown.stderr)
	}
	if r := wacost(t, "", "simulate", log, "--progress", "sometimes"); r.code != 2 || !strings.Contains(r.stderr, "--progress") {
		t.Errorf("--progress sometimes: exit %d, %q; want a usage error", r.code, r.stderr)
	}
}
