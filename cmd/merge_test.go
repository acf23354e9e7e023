package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShardsAndMergeEqualTheWholeRun(t *testing.T) {
	// The sample log in 4 shards, with a small service quota so that each
	// business number's first messages of a month fall in several shards,
	// and volume tiers with small bands, so that each month's utility and
	// authentication volumes do too: the merged JSON is byte for byte the
	// whole run's.
	tiers := filepath.Join(t.TempDir(), "tiers.csv")
	var tbl strings.Builder
	tbl.WriteString("# currency: USD\nmarket,category,from,to,rate,discount\n")
	for _, mk := range []string{"India", "Brazil", "Indonesia", "Mexico", "Germany", "North America"} {
		for _, cat := range []string{"utility", "authentication"} {
			tbl.WriteString(mk + "," + cat + ",1,5,,0\n" + mk + "," + cat + ",6,15,,-30%\n" + mk + "," + cat + ",16,,0.0007,\n")
		}
	}
	if err := os.WriteFile(tiers, []byte(tbl.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	plain := wacost(t, "", "simulate", sample, "--format", "json", "--service-quota", "5", "-q")
	args := []string{"--service-quota", "5", "--group-by", "month,market", "-q", "--tiers", tiers}
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
	if cost := func(out string) string { return out[strings.Index(out, `"cost"`):][:20] }; cost(whole.stdout) == cost(plain.stdout) {
		t.Fatalf("the tier table changed nothing: %s", cost(whole.stdout))
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

// An empty file, or a result that is not a partial, is not merged.
func TestMergeRefusesWhatIsNotAPartial(t *testing.T) {
	empty := writeTemp(t, "empty.json", "")
	res := writeTemp(t, "result.json", wacost(t, "", "simulate", small, "-f", "json", "-q").stdout)
	for file, want := range map[string]string{empty: "empty: no partial result in it", res: `not a partial result: json: unknown field "summary"`} {
		if r := wacost(t, "", "merge", file); r.code != 1 || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: exit %d %q, want %q", file, r.code, r.stderr, want)
		}
	}
}

// A partial changed by hand or cut short fails its checksum, and a shard
// of another log its fingerprint: neither is merged.
func TestMergeRefusesATamperedPartial(t *testing.T) {
	var files []string
	for i := 1; i <= 2; i++ {
		r := wacost(t, "", "simulate", sample, "-q", "--shard", fmt.Sprintf("%d/2", i), "-f", "partial")
		if r.code != 0 {
			t.Fatal(r.stderr)
		}
		files = append(files, writeTemp(t, fmt.Sprintf("p%d.json", i), r.stdout))
	}
	if r := wacost(t, "", "merge", files[0], files[1], "-f", "json"); r.code != 0 {
		t.Fatalf("untouched: exit %d %s", r.code, r.stderr)
	}
	orig, _ := os.ReadFile(files[1])
	var p map[string]any
	json.Unmarshal(orig, &p)
	sum := p["result"].(map[string]any)["summary"].(map[string]any)
	for _, c := range []struct {
		key  string
		val  any
		want string
	}{
		{"messages", sum["messages"].(float64) + 1000, "shard 2/2: its checksum does not match"},
		{"cost", "-5.00", "shard 2/2: its checksum does not match"},
		{"cost", json.Number(sum["cost"].(string)), "not a JSON number"}, // the same cost as a JSON number
		{"billed", sum["billed"].(float64) + 1, "shard 2/2: its checksum does not match"},
		{"surprise", 1, `unknown field "surprise"`},
	} {
		old, had := sum[c.key]
		sum[c.key] = c.val
		b, _ := json.Marshal(p)
		os.WriteFile(files[1], b, 0o644)
		if r := wacost(t, "", "merge", files[0], files[1]); r.code == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s=%v: exit %d %q", c.key, c.val, r.code, r.stderr)
		}
		if sum[c.key] = old; !had {
			delete(sum, c.key)
		}
	}
	os.WriteFile(files[1], orig[:len(orig)/2], 0o644) // cut short
	if r := wacost(t, "", "merge", files[0], files[1]); r.code == 0 || !strings.Contains(r.stderr, "ends inside a partial result (cut short?)") {
		t.Errorf("cut short: exit %d %q", r.code, r.stderr)
	}
	// Shard 2 of another log: the same settings, another fingerprint.
	other := wacost(t, "", "simulate", small, "-q", "--shard", "2/2", "-f", "partial")
	os.WriteFile(files[1], []byte(other.stdout), 0o644)
	if r := wacost(t, "", "merge", files[0], files[1]); r.code == 0 || !strings.Contains(r.stderr, "shard 2/2 read another log than shard 1/2") {
		t.Errorf("another log: exit %d %q", r.code, r.stderr)
	}
}

// The provider's figures (Twilio's Price) merge as the whole run has them.
func TestShardsKeepTheProvidersFigures(t *testing.T) {
	log := "../testdata/twilio-export.csv"
	whole := wacost(t, "", "simulate", log, "--format", "json", "-q")
	dir := t.TempDir()
	var files []string
	for i := 1; i <= 3; i++ {
		r := wacost(t, "", "simulate", log, "--shard", string(rune('0'+i))+"/3", "--format", "partial", "-q")
		f := filepath.Join(dir, "p"+string(rune('0'+i))+".json")
		os.WriteFile(f, []byte(r.stdout), 0o644)
		files = append(files, f)
	}
	merged := wacost(t, "", append([]string{"merge", "--format", "json"}, files...)...)
	if merged.code != 0 || merged.stdout != whole.stdout || !strings.Contains(whole.stdout, `"provider_cost": "0.048100"`) {
		t.Fatalf("merged (exit %d, %s) differs from the whole run, or has no provider's figures:\n%s", merged.code, merged.stderr, merged.stdout)
	}
}
