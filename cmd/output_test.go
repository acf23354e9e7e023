package cmd

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestOutputWrittenInPlace: with a regular file as standard output, the
// ledger is written in place, and is exactly what a buffer gets; a run
// that starts again (unsorted input) leaves only the final output; a
// failed run (a bad row) leaves the file as it was; output after what a
// file already holds (">>"-like, positioned at its end) keeps that.
func TestOutputWrittenInPlace(t *testing.T) {
	dir := t.TempDir()
	runTo := func(path string, keep string, stdin string, args ...string) (int, string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(keep), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Seek(0, 2); err != nil {
			t.Fatal(err)
		}
		var errb strings.Builder
		code := Run(context.Background(), args, strings.NewReader(stdin), f, &errb)
		f.Close()
		b, _ := os.ReadFile(path)
		return code, string(b)
	}
	args := []string{"simulate", sample, "--ledger", "--format", "csv", "-q"}
	want := wacost(t, "", args...)
	out := filepath.Join(dir, "ledger.csv")
	if code, got := runTo(out, "", "", args...); code != 0 || got != want.stdout {
		t.Fatalf("in place: exit %d, %d bytes, want %d", code, len(got), len(want.stdout))
	}
	if code, got := runTo(out, "kept\n", "", args...); code != 0 || got != "kept\n"+want.stdout {
		t.Fatalf("after what the file held: exit %d, %q...", code, got[:min(20, len(got))])
	}
	// Unsorted beyond the reorder buffer: a restart, the output once.
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	header, rest, _ := strings.Cut(string(data), "\n")
	first, rest, _ := strings.Cut(rest, "\n") // the earliest row, moved last
	unsorted := header + "\n" + rest + first + "\n"
	uargs := []string{"simulate", "-", "--ledger", "--format", "csv", "-q", "--reorder-buffer", "16"}
	wantU := wacost(t, unsorted, uargs...)
	if wantU.code != 0 || !strings.Contains(wantU.stderr, "starting again") || wantU.stdout == "" {
		t.Fatalf("the unsorted log: exit %d %s", wantU.code, wantU.stderr)
	}
	if code, got := runTo(out, "", unsorted, uargs...); code != 0 || got != wantU.stdout {
		t.Fatalf("restarted: exit %d, %d bytes, want %d", code, len(got), len(wantU.stdout))
	}
	// A bad row: exit 1, and the file as it was.
	bad := string(data) + "2026-11-30T10:05:00Z,wamid.x,15550100002,5511987654321,sideways,text,,,\n" // after a ledger's worth of rows
	if code, got := runTo(out, "kept\n", bad, "simulate", "-", "--ledger", "--format", "csv", "-q"); code != 1 || got != "kept\n" {
		t.Fatalf("failed run: exit %d, the file holds %d bytes, want the 5 it had", code, len(got))
	}
}

// CSV outputs are safe to open in a spreadsheet: ids, businesses and
// group names that would run as formulas are written as text.
func TestCSVOutputsAreFormulaSafe(t *testing.T) {
	log := writeTemp(t, "evil.csv", "timestamp,id,business,customer,direction,type,category\n"+
		"2026-10-01T10:00:00Z,@SUM(1+1)*cmd,=1+2,5511987654321,in,text,\n"+
		"2026-10-01T10:05:00Z,\"=HYPERLINK(\"\"http://evil.example\"\")\",=1+2,5511987654321,out,text,\n")
	for _, args := range [][]string{
		{"simulate", log, "--ledger", "-f", "csv", "-q"},
		{"simulate", log, "--group-by", "business", "-f", "csv", "-q"},
		{"sla", log, "--group-by", "business", "-f", "csv", "-q"},
	} {
		r := wacost(t, "", args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
		}
		recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		found := false
		for _, rec := range recs {
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+@", rune(cell[0])) {
					t.Errorf("%v: cell %q would run as a formula", args, cell)
				}
				found = found || cell == "'=1+2"
			}
		}
		if !found {
			t.Errorf("%v: the business is not in the output as text:\n%s", args, r.stdout)
		}
	}
}

// Markdown tables keep their columns whatever the cells hold: a pipe, HTML
// or a line break in a business's name is text.
func TestMarkdownEscapesCells(t *testing.T) {
	log := writeTemp(t, "md.csv", "timestamp,business,customer,direction\n2026-10-01T10:00:00Z,\"biz|with|pipes<b>x</b>\",5511987654321,in\n")
	r := wacost(t, "", "simulate", log, "--group-by", "business", "-f", "markdown", "-q")
	if r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	found := false
	for _, line := range strings.Split(r.stdout, "\n") {
		if !strings.Contains(line, "biz") {
			continue
		}
		found = true
		if strings.Contains(line, "<b>") || strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != strings.Count(line, "|")-2 {
			t.Errorf("the row is not escaped: %s", line)
		}
		if !strings.Contains(line, `biz\|with\|pipes&lt;b&gt;x&lt;/b&gt;`) {
			t.Errorf("the business is not kept as text: %s", line)
		}
	}
	if !found {
		t.Fatalf("no row names the business:\n%s", r.stdout)
	}
}

// --mask-customers leaves no customer number in a ledger, an sla report or
// a backlog plan; with --mask-key the pseudonyms are the same every run.
func TestMaskCustomers(t *testing.T) {
	customer := regexp.MustCompile(`"customer": ?"([^"]*)"`)
	for _, args := range [][]string{
		{"simulate", small, "--ledger", "-f", "json", "-q"},
		{"sla", small, "--ledger", "-f", "json", "-q"},
		{"backlog", sample, "--capacity", "30/h", "-f", "json", "-q"},
	} {
		plain := wacost(t, "", args...)
		var numbers []string
		for _, m := range customer.FindAllStringSubmatch(plain.stdout, -1) {
			numbers = append(numbers, m[1])
		}
		if len(numbers) == 0 {
			t.Fatalf("%v: no customer in the output", args)
		}
		for _, mask := range [][]string{{"--mask-customers"}, {"--mask-key", "k"}} {
			r := wacost(t, "", append(append([]string{}, args...), mask...)...)
			if r.code != 0 {
				t.Fatalf("%v %v: exit %d %s", args, mask, r.code, r.stderr)
			}
			for _, n := range numbers {
				if strings.Contains(r.stdout, n) {
					t.Errorf("%v %v: %s is in the output", args, mask, n)
				}
			}
			got := customer.FindAllStringSubmatch(r.stdout, -1)
			if len(got) != len(numbers) || !regexp.MustCompile(`^c[0-9a-f]+$`).MatchString(got[0][1]) {
				t.Errorf("%v %v: customers %v", args, mask, got)
			}
		}
	}
	a := wacost(t, "", "simulate", small, "--ledger", "-f", "csv", "-q", "--mask-key", "k").stdout
	b := wacost(t, "", "simulate", small, "--ledger", "-f", "csv", "-q", "--mask-key", "k").stdout
	if a != b || !regexp.MustCompile(`,c[0-9a-f]{12},`).MatchString(a) {
		t.Errorf("a keyed mask differs between runs, or is not in the CSV:\n%.300s", a)
	}
}

// With --mask-customers no number is in a shard's partial or in a bad
// row's error either, and masked shards merge to the unmasked result.
func TestMaskCustomersInPartialsAndErrors(t *testing.T) {
	whole := wacost(t, "", "simulate", sample, "-f", "json", "-q").stdout
	var files []string
	for i := 1; i <= 2; i++ {
		plain := wacost(t, "", "simulate", sample, "-q", "--shard", fmt.Sprintf("%d/2", i), "-f", "partial").stdout
		r := wacost(t, "", "simulate", sample, "-q", "--shard", fmt.Sprintf("%d/2", i), "-f", "partial", "--mask-key", "k")
		if r.code != 0 {
			t.Fatal(r.stderr)
		}
		numbers := regexp.MustCompile(`"customer":"([0-9]+)"`).FindAllStringSubmatch(plain, -1)
		if len(numbers) == 0 {
			t.Fatal("the partial has no candidates to mask")
		}
		for _, n := range numbers {
			if strings.Contains(r.stdout, n[1]) {
				t.Fatalf("shard %d: %s is in the masked partial", i, n[1])
			}
		}
		files = append(files, writeTemp(t, fmt.Sprintf("m%d.json", i), r.stdout))
	}
	if m := wacost(t, "", "merge", files[0], files[1], "-f", "json"); m.code != 0 || m.stdout != whole {
		t.Errorf("masked shards merge to another result: exit %d %s", m.code, m.stderr)
	}
	bad := writeTemp(t, "bad.csv", "timestamp,customer,direction\n2026-10-01T10:00:00Z,5511987654321999,in\n2026-10-01T10:00:00Z,+55 11 98765-432x,in\n")
	for _, cmd := range [][]string{{"simulate"}, {"compare", "--scenarios", "../testdata/scenarios.yaml"}, {"sla"}} {
		r := wacost(t, "", append(append(cmd, bad, "--skip-invalid", "--mask-customers"), "-q")...)
		if strings.Contains(r.stderr, "5511987654321999") || strings.Contains(r.stderr, "98765-432x") || !strings.Contains(r.stderr, `bad.csv:2: customer: "c1" has 16 digits`) {
			t.Errorf("%v: a number is in the errors, or they are not there: %s", cmd, r.stderr)
		}
	}
}
