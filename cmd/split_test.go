package cmd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// splitAndMerge splits log into n parts, runs each part's shard, merges
// them, and returns the merged JSON with the split's directory.
func splitAndMerge(t *testing.T, log string, n int, split, run []string) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "parts")
	if r := wacost(t, "", append([]string{"split", log, "--shards", strconv.Itoa(n), "--out", dir, "-q"}, split...)...); r.code != 0 {
		t.Fatalf("split %s: exit %d: %s", log, r.code, r.stderr)
	}
	var partials []string
	for i := 1; i <= n; i++ {
		part := filepath.Join(dir, "part-"+strconv.Itoa(i)+"-of-"+strconv.Itoa(n)+".csv")
		out := filepath.Join(dir, strconv.Itoa(i)+".json")
		r := wacost(t, "", append([]string{"simulate", part, "--shard", strconv.Itoa(i) + "/" + strconv.Itoa(n), "--format", "partial", "-q", "-o", out}, run...)...)
		if r.code != 0 {
			t.Fatalf("part %d: exit %d: %s", i, r.code, r.stderr)
		}
		partials = append(partials, out)
	}
	m := wacost(t, "", append([]string{"merge", "--format", "json", "-q"}, partials...)...)
	if m.code != 0 {
		t.Fatalf("merge: exit %d: %s", m.code, m.stderr)
	}
	return m.stdout, dir
}

// A split log's parts, each priced as its shard and merged, give what one
// run over the log gives, byte for byte: for wacost's CSV, a webhook log
// (labels, an echo, a group, statuses), Twilio's export (the provider's
// price), and a log with bad rows skipped.
func TestSplitPartsMergeToTheWholeRun(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.csv")
	src, err := os.ReadFile(small)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(src), "\n")
	withBad := lines[0] + "2026-13-01T00:00:00Z,447700900123,in,text\n" + strings.Join(lines[1:], "") + "yesterday,1,sideways\n"
	if err := os.WriteFile(bad, []byte(withBad), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		log  string
		n    int
		read []string // reading flags, for the split and the whole run
		run  []string // pricing flags, for the parts and the whole run
	}{
		{sample, 4, nil, []string{"--service-quota", "5", "--group-by", "month,market"}},
		{"../testdata/webhooks.ndjson", 3, nil, nil},
		{"../testdata/reconcile/meta-webhooks.ndjson", 2, []string{"--sends", "../testdata/reconcile/meta-sends.csv"}, []string{"--group-by", "day"}},
		{"../testdata/twilio-export.csv", 3, nil, nil},
		{bad, 3, []string{"--skip-invalid"}, nil},
	} {
		whole := wacost(t, "", append(append([]string{"simulate", c.log, "--format", "json", "-q"}, c.read...), c.run...)...)
		if whole.code != 0 {
			t.Fatalf("%s: exit %d: %s", c.log, whole.code, whole.stderr)
		}
		merged, _ := splitAndMerge(t, c.log, c.n, c.read, c.run)
		if merged != whole.stdout {
			t.Errorf("%s in %d parts: the merge differs from the whole run:\n%s\nwant\n%s", c.log, c.n, merged, whole.stdout)
		}
	}
}

// A part changed since the split, parts of two splits, a part with the
// wrong shard count or among other logs, and split's own mistakes are
// refused, each saying why.
func TestSplitRefuses(t *testing.T) {
	_, dir := splitAndMerge(t, sample, 3, nil, nil)
	part := filepath.Join(dir, "part-2-of-3.csv")
	b, _ := os.ReadFile(part)
	changed := filepath.Join(t.TempDir(), "changed")
	os.MkdirAll(changed, 0o755)
	os.WriteFile(filepath.Join(changed, "split.json"), must(os.ReadFile(filepath.Join(dir, "split.json"))), 0o644)
	cut := string(b)[:strings.LastIndex(strings.TrimSuffix(string(b), "\n"), "\n")+1] // the last row gone
	os.WriteFile(filepath.Join(changed, "part-2-of-3.csv"), []byte(cut), 0o644)
	other := filepath.Join(t.TempDir(), "other")
	if r := wacost(t, "", "split", small, "--shards", "3", "--out", other, "-q"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	badLog, badOut := filepath.Join(t.TempDir(), "bad.csv"), filepath.Join(t.TempDir(), "out")
	os.WriteFile(badLog, []byte("timestamp,customer,direction\n2026-10-01T10:00:00Z,447700900123,in\nsoon,447700900123,in\n2026-10-01T11:00:00Z,447700900123,sideways\n"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"simulate", filepath.Join(changed, "part-2-of-3.csv"), "--shard", "2/3", "-f", "partial"}, 1, "the part was changed since the split"},
		{[]string{"simulate", part, "--shard", "2/4", "-f", "partial"}, 2, "a split into 3 shards"},
		{[]string{"simulate", part, sample, "--shard", "2/3"}, 2, "give a split's parts alone"},
		{[]string{"simulate", part, filepath.Join(other, "part-1-of-3.csv"), "--shard", "2/3"}, 2, "give the parts of one split"},
		{[]string{"simulate", filepath.Join(dir, "part-1-of-3.csv"), "--shard", "2/3"}, 2, "no part 2 among the inputs"},
		{[]string{"split", sample, "--shards", "3", "--out", filepath.Dir(sample)}, 2, "holds other files"},
		{[]string{"split", sample, "--out", dir}, 2, "--shards N is required"},
		{[]string{"split", sample, "--shards", "2", "--out", dir, "--regime", "2025-07"}, 2, "--regime: split reads and prices nothing"},
		{[]string{"split", badLog, "--shards", "2", "--out", badOut}, 1, "2 bad rows"},
	} {
		r := wacost(t, "", c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", c.args, r.code, r.stderr, c.code, c.want)
		}
	}
	if ents, _ := os.ReadDir(badOut); len(ents) != 0 {
		t.Errorf("a failed split left %d files in its directory", len(ents))
	}
	// All the parts given, with --shard: the run reads only its own part.
	all, _ := filepath.Glob(filepath.Join(dir, "part-*.csv"))
	one := wacost(t, "", "simulate", part, "--shard", "2/3", "-f", "partial", "-q")
	many := wacost(t, "", append([]string{"simulate", "--shard", "2/3", "-f", "partial", "-q"}, all...)...)
	if one.code != 0 || one.stdout != many.stdout {
		t.Errorf("all parts with --shard 2/3 (exit %d, %s) differ from part 2 alone", many.code, many.stderr)
	}
	// A part from another shard count's split is not merged with these.
	p1 := wacost(t, "", "simulate", filepath.Join(dir, "part-1-of-3.csv"), "--shard", "1/3", "-f", "partial", "-q")
	p3 := wacost(t, "", "simulate", filepath.Join(dir, "part-3-of-3.csv"), "--shard", "3/3", "-f", "partial", "-q")
	whole2 := wacost(t, "", "simulate", sample, "--shard", "2/3", "-f", "partial", "-q")
	if r := wacost(t, p1.stdout+whole2.stdout+p3.stdout, "merge", "-"); r.code != 1 || !strings.Contains(r.stderr, "did not read the same log") {
		t.Errorf("a whole-log shard among split parts: exit %d, %s", r.code, r.stderr)
	}
	if r := wacost(t, p1.stdout+one.stdout+p3.stdout, "merge", "-", "-q", "-f", "json"); r.code != 0 {
		t.Errorf("the three parts: exit %d, %s", r.code, r.stderr)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
