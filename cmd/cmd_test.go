package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const sample = "../testdata/sample.csv"
const small = "../testdata/small.csv"

type run struct {
	code           int
	stdout, stderr string
}

func wacost(t *testing.T, stdin string, args ...string) run {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return run{code, out.String(), errb.String()}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got  %q\n want %q\n(go test ./cmd -update rewrites it)", name, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d", name, len(gl), len(wl))
	}
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"sample.table.txt", []string{"simulate", sample}},
		{"sample.json", []string{"simulate", sample, "--format", "json"}},
		{"sample.csv", []string{"simulate", sample, "--format", "csv", "--group-by", "month,market"}},
		{"sample.ndjson", []string{"simulate", sample, "--format", "ndjson"}},
		{"sample.md", []string{"simulate", sample, "--format", "markdown", "--group-by", "day"}},
		{"sample.ledger.csv", []string{"simulate", sample, "--ledger", "--format", "csv"}},
		{"small.ledger.txt", []string{"simulate", small, "--ledger"}},
		{"small.ledger.json", []string{"simulate", small, "--ledger", "--format", "json"}},
		{"small.ledger.ndjson", []string{"simulate", small, "--ledger", "--format", "ndjson"}},
		{"span-2018-2026.table.txt", []string{"simulate", "../testdata/span-2018-2026.csv"}},
		{"small.block.sao-paulo.txt", []string{"simulate", small, "--ledger", "--late-replies", "block", "--timezone", "America/Sao_Paulo", "--format", "markdown"}},
		{"webhooks.ledger.csv", []string{"simulate", "../testdata/webhooks.ndjson", "--ledger", "--format", "csv", "-q"}},
		{"webhooks.table.txt", []string{"simulate", "../testdata/webhooks.ndjson", "--ledger", "-q"}},
		{"twilio.ledger.csv", []string{"simulate", "../testdata/twilio-export.csv", "--ledger", "--format", "csv", "-q"}},
		{"chat.ledger.csv", []string{"simulate", "../testdata/WhatsApp Chat with Ana.txt", "--me", "Shop", "--default-country", "BR", "--ledger", "--format", "csv", "-q"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := wacost(t, "", c.args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			golden(t, c.name, r.stdout)
		})
	}
}

func TestSpan2018To2026(t *testing.T) {
	// A log from August 2018 to October 2026 under --regime auto: every
	// regime appears, with its own subtotal, and no date is unsupported.
	r := wacost(t, "", "simulate", "../testdata/span-2018-2026.csv", "--format", "json")
	var doc struct {
		Summary struct{ Regimes []string }
		Regimes []struct{ Regime, Card string }
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if got := strings.Join(doc.Summary.Regimes, ","); got != "2018-08,2021-02,2022-02,2023-06,2024-11,2025-07,2026-10" {
		t.Fatalf("regimes used: %s", got)
	}
	if len(doc.Regimes) < 7 {
		t.Fatalf("%d regime subtotals", len(doc.Regimes))
	}
}

func TestSmallLedgerByHand(t *testing.T) {
	// testdata/small.csv, priced by hand:
	// s2 reply to an ad inside 24h: free, opens the FEP (2025-07 regime).
	// s3 marketing 2026-09-30 inside the FEP (until 10-02 09:05): free.
	// s4 India authentication 2026-10-03 (2026-10 card): 0.0014.
	// s6 utility in the window, 2026-10: billed 0.0014.
	// s7 failed: undelivered. s8 free-form 48h after the customer wrote:
	// a late reply, priced as a utility template: 0.0014.
	// s9 +1 416 (Canada) marketing: North America 0.025. s10 +1 415 (US)
	// marketing after 2025-04-01: withheld by Meta, undelivered (policy),
	// not priced. Total 0.0292.
	r := wacost(t, "", "simulate", small, "--ledger", "--format", "json")
	var out struct {
		Ledger []struct {
			ID, Decision, Reason, Cost, Market string
		}
		Summary struct {
			Cost, Currency                      string
			Billed, Free, Undelivered, Rejected int
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"s2": "free free_entry_point 0.000000 Brazil", "s3": "free free_entry_point 0.000000 Brazil",
		"s4": "billed template 0.001400 India", "s6": "billed template 0.001400 India",
		"s7": "undelivered failed 0.000000 India", "s8": "billed late_reply 0.001400 India",
		"s9":  "billed template 0.025000 North America",
		"s10": "undelivered policy 0.000000 North America",
	}
	for _, e := range out.Ledger {
		if got := strings.Join([]string{e.Decision, e.Reason, e.Cost, e.Market}, " "); got != want[e.ID] {
			t.Errorf("%s: %s, want %s", e.ID, got, want[e.ID])
		}
	}
	s := out.Summary
	if len(out.Ledger) != 8 || s.Cost != "0.029200" || s.Currency != "USD" || s.Billed != 4 || s.Free != 2 || s.Undelivered != 2 {
		t.Fatalf("summary %+v", s)
	}
}

func TestSpilledOutputIsComplete(t *testing.T) {
	// With a tiny in-memory limit the ledger goes through a temporary file;
	// the output must be the same bytes.
	want := wacost(t, "", "simulate", sample, "--ledger", "--format", "csv")
	defer func(old int) { spoolMemory = old }(spoolMemory)
	spoolMemory = 1024
	got := wacost(t, "", "simulate", sample, "--ledger", "--format", "csv")
	if got.code != 0 || got.stdout != want.stdout || len(got.stdout) < 100*1024 {
		t.Fatalf("spilled output differs (exit %d, %d bytes vs %d)", got.code, len(got.stdout), len(want.stdout))
	}
}

func TestJSONSummaryKeys(t *testing.T) {
	r := wacost(t, "", "simulate", sample, "--format", "json")
	var doc struct{ Summary map[string]any }
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"messages", "inbound", "outbound", "free", "billed", "blocked", "undelivered", "rejected", "cost", "currency"} {
		if _, ok := doc.Summary[k]; !ok {
			t.Errorf("summary.%s missing", k)
		}
	}
	if _, ok := doc.Summary["cost"].(string); !ok {
		t.Error("summary.cost must be a decimal string")
	}
}

func TestStdinAndUnsortedInput(t *testing.T) {
	data, err := os.ReadFile(small)
	if err != nil {
		t.Fatal(err)
	}
	want := wacost(t, "", "simulate", small, "--format", "json")
	got := wacost(t, string(data), "simulate", "--format", "json")
	if got.code != 0 || got.stdout != want.stdout {
		t.Fatalf("stdin gave exit %d and a different result: %s", got.code, got.stderr)
	}
	got = wacost(t, string(data), "simulate", "-", "--format", "json")
	if got.stdout != want.stdout {
		t.Fatal("'-' must read stdin")
	}
	// Reverse the rows: far more disorder than a reorder buffer of 2 fixes.
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for i, j := 1, len(lines)-1; i < j; i, j = i+1, j-1 {
		lines[i], lines[j] = lines[j], lines[i]
	}
	rev := strings.Join(lines, "\n") + "\n"
	got = wacost(t, rev, "simulate", "--format", "json", "--reorder-buffer", "2")
	if got.code != 0 || got.stdout != strings.Replace(want.stdout, "../testdata/small.csv", "stdin", -1) && !sameSummary(got.stdout, want.stdout) {
		t.Fatalf("unsorted stdin: exit %d, stderr %s", got.code, got.stderr)
	}
	if !strings.Contains(got.stderr, "not in time order") {
		t.Fatalf("a full sort should be announced on stderr: %q", got.stderr)
	}
	if !sameSummary(got.stdout, want.stdout) {
		t.Fatal("unsorted stdin priced differently")
	}
	// The same with the full sort spilling runs of 3 rows to disk.
	got = wacost(t, rev, "simulate", "--format", "json", "--reorder-buffer", "2", "--sort-memory", "3")
	if got.code != 0 || !sameSummary(got.stdout, want.stdout) {
		t.Fatalf("external sort: exit %d, %s", got.code, got.stderr)
	}
	// Bad rows found before the restart are reported once, not per pass.
	bad := strings.Replace(rev, "2026-10-03T10:02:00Z", "noon", 1)
	got = wacost(t, bad, "simulate", "--reorder-buffer", "2", "--skip-invalid")
	if got.code != 0 || strings.Count(got.stderr, "timestamp: \"noon\"") != 1 {
		t.Fatalf("the bad row must be reported exactly once: exit %d\n%s", got.code, got.stderr)
	}
}

func sameSummary(a, b string) bool {
	var x, y struct{ Summary, ByMarket, ByCategory any }
	json.Unmarshal([]byte(a), &x)
	json.Unmarshal([]byte(b), &y)
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

func TestBadRows(t *testing.T) {
	in := "timestamp,customer,direction,type,category\n" +
		"2026-10-01T10:00:00Z,5511987654321,in,,\n" +
		"2026-10-01T11:00:00Z,5511987654321,out,template,\n" + // 3: no category under 2026-10
		"not-a-time,5511987654321,in,,\n" + // 4
		"2026-10-01T12:00:00Z,5511987654321,out,text,\n"
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.csv")
	os.WriteFile(path, []byte(in), 0o644)

	r := wacost(t, "", "simulate", path)
	if r.code != 1 || r.stdout != "" {
		t.Fatalf("bad rows: exit %d, stdout %q; want 1 and nothing on stdout", r.code, r.stdout)
	}
	for _, want := range []string{path + ":3: category:", path + ":4: timestamp:", "2 bad rows", "--skip-invalid"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	r = wacost(t, "", "simulate", path, "--skip-invalid", "--format", "json")
	if r.code != 0 {
		t.Fatalf("--skip-invalid: exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Summary struct{ Rejected, Messages int }
	}
	json.Unmarshal([]byte(r.stdout), &doc)
	if doc.Summary.Rejected != 2 || doc.Summary.Messages != 2 {
		t.Fatalf("rejected %d messages %d, want 2 and 2", doc.Summary.Rejected, doc.Summary.Messages)
	}
	if !strings.Contains(r.stderr, path+":4: timestamp:") {
		t.Fatalf("skipped rows are still reported on stderr: %q", r.stderr)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	badTariff := filepath.Join(dir, "t.csv")
	os.WriteFile(badTariff, []byte("# currency: USD\nmarket,marketing\nBrazil,0.05\nNarnia,0.01\n"), 0o644)
	old := filepath.Join(dir, "old.csv")
	os.WriteFile(old, []byte("timestamp,customer,direction,type,category\n2017-03-01T10:00:00Z,5511987654321,out,template,marketing\n"), 0o644)
	cases := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"simulate", small}, 0, ""},
		{[]string{"simulate", "--bogus"}, 2, "unknown flag"},
		{[]string{"simulate", small, "--format", "xml"}, 2, `--format "xml"`},
		{[]string{"simulate", small, "--regime", "1999-01"}, 2, `unknown regime "1999-01"`},
		{[]string{"simulate", small, "--regime", "2023-06"}, 0, ""},
		{[]string{"simulate", small, "--timezone", "Mars/Olympus"}, 2, "IANA"},
		{[]string{"simulate", small, "--map", "timestamp"}, 2, "COLUMN=HEADER"},
		{[]string{"simulate", small, "--map", "colour=x"}, 2, "no such column"},
		{[]string{"simulate", small, "--group-by", "planet"}, 2, "planet"},
		{[]string{"simulate", small, "--late-replies", "maybe"}, 2, "template or block"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"tariff", "show"}, 2, "accepts 1 arg"},
		{[]string{"compare"}, 2, "requires at least 1 arg"},
		{[]string{"version", "extra"}, 2, "unknown command"},
		{[]string{"simulate", small, "-j", "x"}, 2, "invalid argument"},
		{[]string{"simulate", small, "-j", "100000"}, 2, "--jobs 100000: want 0 (automatic) to 64"},
		{[]string{"simulate", small, "--reorder-buffer", "99999999999"}, 2, "--reorder-buffer 99999999999: want at most 1000000"},
		{[]string{"simulate", small, "--sort-memory", "0"}, 2, "--sort-memory 0: want 1 to 10000000"},
		{[]string{"simulate", small, "--max-errors", "5000000"}, 2, "--max-errors 5000000: want at most 1000000"},
		{[]string{"simulate", small, small}, 2, "given twice"},
		{[]string{"simulate", filepath.Join(dir, "missing.csv")}, 1, "missing.csv"},
		{[]string{"simulate", small, "--tariff", badTariff}, 1, badTariff + ":4: market:"},
		{[]string{"simulate", old}, 1, "old.csv:2: timestamp: 2017-03-01 is before 2018-08-01"},
		{[]string{"simulate", old, "--skip-invalid"}, 0, ""},
		{[]string{"simulate", old, "--regime", "2025-07"}, 0, ""},
		{[]string{"simulate", small, "--map", "timestamp=created_at"}, 1, `small.csv:1: header: missing required column timestamp (mapped from "created_at")`},
	}
	for _, c := range cases {
		r := wacost(t, "", c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.stderr) {
			t.Errorf("wacost %s: exit %d, stderr %q; want %d and %q", strings.Join(c.args, " "), r.code, r.stderr, c.code, c.stderr)
		}
	}
}

func TestConfigAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "wacost.yaml")
	os.WriteFile(cfg, []byte("format: json\nlate-replies: block\nmap:\n  timestamp: Created_At\n"), 0o644)
	log := filepath.Join(dir, "log.csv")
	os.WriteFile(log, []byte("created_at,customer,direction\n2026-10-01T10:00:00Z,5511987654321,in\n2026-10-03T10:00:00Z,5511987654321,out\n"), 0o644)
	r := wacost(t, "", "simulate", log, "--config", cfg)
	var doc struct{ Summary struct{ Blocked int } }
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil || doc.Summary.Blocked != 1 {
		t.Fatalf("config file not applied: exit %d %s %s", r.code, r.stderr, r.stdout)
	}
	// A flag beats the config file; an environment variable beats the file too.
	r = wacost(t, "", "simulate", log, "--config", cfg, "--late-replies", "template")
	if json.Unmarshal([]byte(r.stdout), &doc); doc.Summary.Blocked != 0 {
		t.Fatal("--late-replies must override the config file")
	}
	t.Setenv("WACOST_LATE_REPLIES", "template")
	r = wacost(t, "", "simulate", log, "--config", cfg)
	if json.Unmarshal([]byte(r.stdout), &doc); doc.Summary.Blocked != 0 {
		t.Fatal("WACOST_LATE_REPLIES must override the config file")
	}
	os.WriteFile(cfg, []byte("fromat: json\n"), 0o644)
	r = wacost(t, "", "simulate", log, "--config", cfg)
	if r.code != 2 || !strings.Contains(r.stderr, "unknown key fromat") {
		t.Fatalf("a typo in the config must be a usage error: %d %q", r.code, r.stderr)
	}
	r = wacost(t, "", "simulate", log, "--config", filepath.Join(dir, "nope.yaml"))
	if r.code != 2 {
		t.Fatalf("a missing --config file: exit %d", r.code)
	}
}

func TestTariffFile(t *testing.T) {
	dir := t.TempDir()
	card := filepath.Join(dir, "eur.yaml")
	os.WriteFile(card, []byte("name: my-eur\ncurrency: EUR\nrates:\n  Brazil: {marketing: 0.05, utility: 0.005, service: 0.004}\n  India: {authentication: 0.001, utility: 0.001, marketing: 0.01}\n  North America: {marketing: 0.02}\n"), 0o644)
	r := wacost(t, "", "simulate", small, "--tariff", card, "--format", "json")
	var doc struct {
		Summary struct{ Cost, Currency string }
	}
	json.Unmarshal([]byte(r.stdout), &doc)
	// s4 0.001 + s6 0.001 + s8 0.001 (late reply as utility) + s9 0.02 = 0.023 EUR
	if r.code != 0 || doc.Summary.Cost != "0.023000" || doc.Summary.Currency != "EUR" {
		t.Fatalf("exit %d, %+v, %s", r.code, doc.Summary, r.stderr)
	}
}

func TestHelpVersionCompletion(t *testing.T) {
	r := wacost(t, "", "simulate", "--help")
	for _, want := range []string{"2018-08", "2021-02", "2022-02", "2023-06", "2024-11", "2025-07", "2026-10", "PROXY", "Exit status", "2018-08-01 .. 2022-01-31"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("simulate --help lacks %q", want)
		}
	}
	if r := wacost(t, "", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "wacost ") {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
	if r := wacost(t, "", "completion", "bash"); r.code != 0 || !strings.Contains(r.stdout, "wacost") {
		t.Errorf("completion bash: %d", r.code)
	}
	r = wacost(t, "", "__complete", "simulate", "--regime", "")
	if !strings.Contains(r.stdout, "2026-10") || !strings.Contains(r.stdout, "auto") {
		t.Errorf("regime completion: %q", r.stdout)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a := wacost(t, "", "generate", "--rows", "500", "--seed", "9")
	b := wacost(t, "", "generate", "--rows", "500", "--seed", "9")
	c := wacost(t, "", "generate", "--rows", "500", "--seed", "10")
	if a.code != 0 || a.stdout != b.stdout || a.stdout == c.stdout {
		t.Fatal("generate must be deterministic per seed")
	}
	if n := strings.Count(a.stdout, "\n"); n != 501 {
		t.Fatalf("%d lines, want header + 500", n)
	}
	// And what it writes is a valid log.
	r := wacost(t, a.stdout, "simulate", "--format", "json")
	if r.code != 0 {
		t.Fatalf("simulate of generated log: %d %s", r.code, r.stderr)
	}
	nd := wacost(t, "", "generate", "--rows", "50", "--format", "ndjson")
	if r := wacost(t, nd.stdout, "simulate"); r.code != 0 {
		t.Fatalf("simulate of generated ndjson: %s", r.stderr)
	}
}
