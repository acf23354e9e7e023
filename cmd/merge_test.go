package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShardsAndMergeEqualTheWholeRun(t *testing.T) {
	// The sample log in 4 shards, with a small service quota so that each
	// business number's first messages of a month fall in several shards:
	// the merged JSON is byte for byte the whole run's.
	args := []string{"--service-quota", "5", "--group-by", "month,market", "-q"}
	whole := wacost(t, "", append([]string{"simulate", sample, "--format", "json"}, args...)...)
	var all strings.Builder
	dir := t.TempDir()
	var files []string
	for i := 1; i <= 4; i++ {
		r := wacost(t, "", append([]string{"simulate", sample, "--shard", string(rune('0'+i)) + "/4", "--format", "partial"}, args...)...)
		if r.code != 0 {
			t.Fatalf("shard %d: %d %s", i, r.code, r.stderr)
		}
		f := filepath.Join(dir, "p"+string(rune('0'+i))+".json")
		os.WriteFile(f, []byte(r.stdout), 0o644)
		files = append(files, f)
		all.WriteString(r.stdout)
	}
	merged := wacost(t, "", append([]string{"merge", "--format", "json"}, files...)...)
	if merged.code != 0 || merged.stdout != whole.stdout {
		t.Fatalf("merged (exit %d, %s) differs from the whole run", merged.code, merged.stderr)
	}
	// From standard input, one partial after another, with a threshold.
	r := wacost(t, all.String(), "merge", "-", "--format", "csv", "--threshold", "cost<1")
	if r.code != 3 || !strings.HasPrefix(r.stdout, "record,") {
		t.Fatalf("merge from stdin with a crossed threshold: %d %s", r.code, r.stderr)
	}
	// A missing shard, a bad shard, unsupported combinations.
	if r := wacost(t, "", "merge", files[0], files[1]); r.code != 1 || !strings.Contains(r.stderr, "missing shard 3/4, 4/4") {
		t.Fatalf("missing shards: %d %s", r.code, r.stderr)
	}
	for _, bad := range [][]string{
		{"simulate", sample, "--shard", "5/4"},
		{"simulate", sample, "--shard", "1/4", "--tiers", "../testdata/tiers-meta-layout.csv"},
		{"simulate", sample, "--format", "partial", "--ledger"},
	} {
		if r := wacost(t, "", bad...); r.code != 2 {
			t.Errorf("%v: exit %d %s", bad, r.code, r.stderr)
		}
	}
	if r := wacost(t, "not json", "merge", "-"); r.code != 1 || !strings.Contains(r.stderr, "not a partial result") {
		t.Fatalf("garbage: %d %s", r.code, r.stderr)
	}
}
