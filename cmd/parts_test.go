package cmd

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTemp writes a file in a test's temporary directory.
func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// spoil breaks about one row in 40 of a CSV log in ways a reader or the
// rules refuse or must normalize, drops some, and writes some customers
// as "+digits" or spaced and quoted.
func spoil(log string, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 1))
	lines := strings.Split(log, "\n")
	for i := 1; i < len(lines); i++ {
		f := strings.Split(lines[i], ",")
		if len(f) < 5 {
			continue
		}
		switch rng.IntN(200) {
		case 0:
			f[0] = strings.Replace(f[0], "-", "-13", 1)
		case 1:
			f[4] = "sideways"
		case 2:
			f = append(f, "extra")
		case 3:
			f = f[:3]
		case 4:
			f[3] = "+" + f[3]
		case 5:
			f[3] = `"+` + f[3][:2] + " " + f[3][2:] + `"`
		case 6:
			f[3] = "12ab"
		case 7:
			f = nil
		}
		lines[i] = strings.Join(f, ",")
	}
	return strings.Join(lines, "\n")
}

// TestPartsEqualOneReplay: a replay in parts (--jobs) prints what one
// replay prints, byte for byte, stdout and stderr, with the same exit
// code: over the sample logs and generated ones (with pools ranked
// across parts: small quotas, free tiers and volume bands), bad rows,
// unsorted rows, two files, and the settings that change what is summed.
func TestPartsEqualOneReplay(t *testing.T) {
	gen := func(args ...string) string {
		r := wacost(t, "", append([]string{"generate", "--seed", "3"}, args...)...)
		if r.code != 0 {
			t.Fatalf("generate: %s", r.stderr)
		}
		return r.stdout
	}
	late := gen("--rows", "20000", "--customers", "600", "--days", "20", "--start", "2026-10-01")
	early := gen("--rows", "20000", "--customers", "600", "--days", "40", "--start", "2023-05-15")
	lateLog, earlyLog := writeTemp(t, "late.csv", late), writeTemp(t, "early.csv", early)
	bad := writeTemp(t, "bad.csv", spoil(late, 5))
	lines := strings.Split(strings.TrimSpace(early), "\n")
	rng := rand.New(rand.NewPCG(8, 9))
	rng.Shuffle(len(lines)-1, func(i, j int) { lines[i+1], lines[j+1] = lines[j+1], lines[i+1] })
	shuffled := writeTemp(t, "shuffled.csv", strings.Join(lines, "\n")+"\n")
	var tbl strings.Builder
	tbl.WriteString("# currency: USD\nmarket,category,from,to,rate,discount\n")
	for _, mk := range []string{"India", "Brazil", "Indonesia", "Mexico", "Germany", "North America", "Rest of Latin America"} {
		for _, cat := range []string{"utility", "authentication"} {
			tbl.WriteString(mk + "," + cat + ",1,50,,0\n" + mk + "," + cat + ",51,150,,-30%\n" + mk + "," + cat + ",151,,0.0007,\n")
		}
	}
	tiers := writeTemp(t, "tiers.csv", tbl.String())

	cases := [][]string{
		{sample, "--format", "json"},
		{sample, small, "--format", "json", "--regime", "auto"},
		{"../testdata/span-2018-2026.csv", "--format", "json", "--group-by", "month,market,category"},
		{lateLog, "--format", "json", "--service-quota", "30", "--group-by", "business,day"},
		{lateLog, "--format", "csv", "--service-quota", "30", "--tiers", tiers, "--fx", "EUR=0.91"},
		{earlyLog, "--format", "json", "--regime", "2022-02", "--free-tier", "40"},
		{earlyLog, "--format", "json", "--regime", "2023-06", "--free-tier", "40", "--tiers", tiers},
		{earlyLog, "--format", "markdown", "--late-replies", "block", "--timezone", "America/Sao_Paulo"},
		{bad, "--format", "json"},
		{bad, "--format", "json", "--skip-invalid", "--service-quota", "30", "--max-errors", "1000"},
		{bad, earlyLog, "--format", "json", "--skip-invalid", "--max-errors", "3"},
		{shuffled, "--format", "json", "--reorder-buffer", "500"},                      // a full sort, in one replay
		{shuffled, "--format", "json", "--reorder-buffer", "30000"},                    // reordered in each part
		{lateLog, "--format", "json", "--threshold", "cost<1", "--group-by", "market"}, // exit 3
	}
	for _, c := range cases {
		one := wacost(t, "", append([]string{"simulate", "-j", "1"}, c...)...)
		if one.code != 0 && one.code != 3 && !strings.Contains(one.stderr, "bad rows") {
			t.Fatalf("%v: exit %d: %s", c, one.code, one.stderr)
		}
		var res struct{ Notes []string }
		if json.Unmarshal([]byte(one.stdout), &res) == nil {
			for i, n := range res.Notes { // a note is said once
				if slices.Contains(res.Notes[:i], n) {
					t.Fatalf("%v: note %q twice", c, n)
				}
			}
		}
		for _, j := range []string{"2", "3", "7"} {
			parts := wacost(t, "", append([]string{"simulate", "-j", j}, c...)...)
			if parts != one {
				t.Fatalf("%v in %s parts: exit %d, want %d\nstderr:\n%s\nwant:\n%s\nstdout:\n%.3000s\nwant:\n%.3000s", c, j, parts.code, one.code, parts.stderr, one.stderr, parts.stdout, one.stdout)
			}
		}
	}
}

// TestPartsFallBackToOneReplay: what cannot be replayed in parts is
// replayed as one, with the same output: NDJSON and standard input
// (silently), more pool candidates than a part may hold, and a free
// message whose price is not on its card (saying why, unless -q).
func TestPartsFallBackToOneReplay(t *testing.T) {
	nd := wacost(t, "", "generate", "--rows", "3000", "--customers", "100", "--format", "ndjson", "--start", "2026-10-01")
	ndLog := writeTemp(t, "log.ndjson", nd.stdout)
	csv := wacost(t, "", "generate", "--rows", "3000", "--customers", "100", "--start", "2026-10-01").stdout
	csvLog := writeTemp(t, "log.csv", csv)
	defer func(n int) { maxPartCandidates = n }(maxPartCandidates)
	maxPartCandidates = 5
	for _, c := range []struct {
		stdin string
		args  []string
		note  string
	}{
		{"", []string{ndLog}, ""},
		{csv, []string{"-"}, ""},
		{"", []string{csvLog, "--service-quota", "100"}, "too many pool candidates (over 5); replaying the log as one instead of in 2 parts"},
		{"", []string{sample, "--regime", "2026-10"}, "(needed to merge shards); replaying the log as one instead of in 2 parts"},
	} {
		args := append([]string{"simulate", "--format", "json"}, c.args...)
		one := wacost(t, c.stdin, append(args, "-j", "1")...)
		parts := wacost(t, c.stdin, append(args, "-j", "2")...)
		if one.code != 0 || parts.stdout != one.stdout || parts.code != one.code {
			t.Fatalf("%v: exit %d (want %d), or other output: %s", c.args, parts.code, one.code, parts.stderr)
		}
		if extra := strings.TrimPrefix(parts.stderr, one.stderr); c.note == "" && parts.stderr != one.stderr || c.note != "" && !strings.Contains(parts.stderr, c.note) {
			t.Fatalf("%v: stderr %q, want %q and the note %q", c.args, extra, one.stderr, c.note)
		}
		quiet := wacost(t, c.stdin, append(args, "-j", "2", "-q")...)
		if quiet.stderr != wacost(t, c.stdin, append(args, "-j", "1", "-q")...).stderr {
			t.Fatalf("%v -q: stderr %q", c.args, quiet.stderr)
		}
	}
}

func TestDefaultJobs(t *testing.T) {
	for procs, want := range map[int]int{1: 1, 2: 1, 3: 1, 4: 2, 8: 4, 9: 4} {
		if got := defaultJobs(procs); got != want {
			t.Errorf("defaultJobs(%d) = %d, want %d", procs, got, want)
		}
	}
	if r := wacost(t, "", "simulate", sample, "-j", "-1"); r.code != 2 || !strings.Contains(r.stderr, "--jobs") {
		t.Fatalf("-j -1: %d %s", r.code, r.stderr)
	}
}
