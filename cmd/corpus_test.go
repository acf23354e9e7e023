package cmd

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// badDir holds the malformed-input corpus: logs, cards, tier tables,
// scenario files, config files and partials, with the quirks real files
// have. rows.txt says how many data rows each log holds.
const badDir = "../testdata/bad"

// corpusRows reads rows.txt: each log's data rows (-1: refused whole) and
// extra arguments.
func corpusRows(t *testing.T) (map[string]int, map[string][]string) {
	f, err := os.Open(filepath.Join(badDir, "rows.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, extra := map[string]int{}, map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		spec, more, _ := strings.Cut(line, " args: ")
		name, n, _ := strings.Cut(spec, " ")
		if n == "refused" {
			rows[name] = -1
		} else if rows[name], err = strconv.Atoi(n); err != nil {
			t.Fatalf("rows.txt: %q", line)
		}
		for _, a := range strings.Fields(more) {
			if a == "SELF" {
				a = filepath.Join(badDir, name)
			}
			extra[name] = append(extra[name], a)
		}
	}
	return rows, extra
}

// commandFor is the command that reads a corpus file, by its name.
func commandFor(name, path string) []string {
	switch {
	case strings.HasPrefix(name, "log-"):
		return []string{"simulate", path, "-q", "-f", "json"}
	case strings.HasPrefix(name, "card-"):
		return []string{"tariff", "validate", path}
	case strings.HasPrefix(name, "tiers-"):
		return []string{"tariff", "validate", "--tiers", path}
	case strings.HasPrefix(name, "scenarios-"):
		return []string{"compare", small, "--scenarios", path, "-q", "-f", "json"}
	case strings.HasPrefix(name, "config-"):
		return []string{"simulate", small, "--config", path, "-q", "-f", "json"}
	case strings.HasPrefix(name, "partial-"):
		return []string{"merge", path, "-f", "json"}
	}
	return nil
}

// counts reads summary.messages and rejected from a simulate or merge JSON.
func counts(stdout string) (int64, int64, bool) {
	var doc struct {
		Summary *struct{ Messages, Rejected int64 }
	}
	if json.Unmarshal([]byte(stdout), &doc) != nil || doc.Summary == nil {
		return 0, 0, false
	}
	return doc.Summary.Messages, doc.Summary.Rejected, true
}

// Every file of the malformed-input corpus gets the answer in
// testdata/golden/bad-corpus.txt: its exit code and what wacost says about
// it, and for a log with --skip-invalid how many rows it used and
// rejected. Every log's rows add up on every reader path: one replay, a
// full sort in memory and on disk, parts side by side, standard input,
// shards merged and compare; a log refused whole is refused by each.
func TestBadInputCorpus(t *testing.T) {
	entries, err := os.ReadDir(badDir)
	if err != nil {
		t.Fatal(err)
	}
	rows, extra := corpusRows(t)
	var names []string
	for _, e := range entries {
		if n := e.Name(); n != "rows.txt" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) < 100 {
		t.Fatalf("the corpus has %d files", len(names))
	}
	var out strings.Builder
	for _, name := range names {
		path := filepath.Join(badDir, name)
		args := commandFor(name, path)
		if args == nil {
			t.Fatalf("%s: no command reads it (name it log-, card-, tiers-, scenarios-, config- or partial-)", name)
		}
		args = append(args, extra[name]...)
		r := wacost(t, "", args...)
		fmt.Fprintf(&out, "== %s\n$ wacost %s\nexit %d\n%s", name, strings.Join(args, " "), r.code, r.stderr)
		if strings.HasPrefix(name, "card-") || strings.HasPrefix(name, "tiers-") {
			out.WriteString(r.stdout)
		}
		if !strings.HasPrefix(name, "log-") {
			continue
		}
		want, ok := rows[name]
		if !ok {
			t.Fatalf("%s: not in rows.txt", name)
		}
		skip := append(append([]string{}, args...), "--skip-invalid", "--progress", "never")
		r = wacost(t, "", skip...)
		m, rj, ok := counts(r.stdout)
		if ok {
			fmt.Fprintf(&out, "with --skip-invalid: exit %d, %d messages, %d rejected\n", r.code, m, rj)
		} else {
			fmt.Fprintf(&out, "with --skip-invalid: exit %d\n", r.code)
		}
		checkPaths(t, name, path, skip, want)
	}
	golden(t, "bad-corpus.txt", out.String())
}

// checkPaths runs a corpus log with --skip-invalid (args) on every reader
// path and checks that its rows add up to want on each, or that each
// refuses it (want -1).
func checkPaths(t *testing.T, name, path string, args []string, want int) {
	t.Helper()
	format := strings.TrimPrefix(filepath.Ext(name), ".")
	data, _ := os.ReadFile(path)
	paths := map[string][]string{
		"one replay":     args,
		"sorted":         append(append([]string{}, args...), "--reorder-buffer", "1"),
		"sorted on disk": append(append([]string{}, args...), "--reorder-buffer", "1", "--sort-memory", "2"),
		"3 parts":        append(append([]string{}, args...), "-j", "3"),
		"stdin":          append([]string{"simulate", "-", "--input-format", format}, args[2:]...),
	}
	if self := strings.Count(strings.Join(args, " "), path) > 1; self {
		paths = map[string][]string{"one replay": args} // a usage error: the same file twice
	}
	for what, a := range paths {
		stdin := ""
		if what == "stdin" {
			stdin = string(data)
		}
		r := wacost(t, stdin, a...)
		m, rj, ok := counts(r.stdout)
		switch {
		case want < 0 && r.code == 0:
			t.Errorf("%s, %s: exit 0 for a file refused whole", name, what)
		case want >= 0 && (!ok || r.code != 0 || m+rj != int64(want)):
			t.Errorf("%s, %s: exit %d, %d messages + %d rejected, want %d rows\n%s", name, what, r.code, m, rj, want, r.stderr)
		}
	}
	if want < 0 {
		return
	}
	// Shards merged, and compare's whole-log load.
	dir := t.TempDir()
	var parts []string
	for i := 1; i <= 3; i++ {
		a := append(append([]string{}, args...), "--shard", fmt.Sprintf("%d/3", i), "-f", "partial")
		r := wacost(t, "", a...)
		if r.code != 0 {
			t.Fatalf("%s, shard %d: %s", name, i, r.stderr)
		}
		p := filepath.Join(dir, fmt.Sprintf("p%d.json", i))
		os.WriteFile(p, []byte(r.stdout), 0o644)
		parts = append(parts, p)
	}
	r := wacost(t, "", append([]string{"merge"}, append(parts, "-f", "json")...)...)
	if m, rj, ok := counts(r.stdout); !ok || m+rj != int64(want) {
		t.Errorf("%s, 3 shards merged: exit %d, %d messages + %d rejected, want %d rows\n%s", name, r.code, m, rj, want, r.stderr)
	}
	c := append([]string{"compare"}, args[1:]...)
	c = append(c, "--scenario", "late:late_replies=drop")
	r = wacost(t, "", c...)
	var cmp struct {
		Scenarios []struct{ Messages, Rejected int64 }
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &cmp) != nil || len(cmp.Scenarios) == 0 {
		t.Errorf("%s, compare: exit %d %s", name, r.code, r.stderr)
		return
	}
	for _, sc := range cmp.Scenarios {
		if sc.Messages+sc.Rejected != int64(want) {
			t.Errorf("%s, compare: %d messages + %d rejected, want %d rows", name, sc.Messages, sc.Rejected, want)
		}
	}
}
