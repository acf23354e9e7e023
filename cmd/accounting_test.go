package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// accountingLog is a CSV log of rows data rows, a few of each kind of bad
// row among them, in order or (shuffled) out of order beyond the default
// reorder buffer; it returns the log and how many rows are bad.
func accountingLog(rows int, shuffled bool) (string, int) {
	var lines []string
	bad := 0
	for i := 0; i < rows; i++ {
		min := i
		if shuffled {
			min = (i * 7919) % rows // a permutation: rows far from their place
		}
		ts := fmt.Sprintf("2026-10-%02dT%02d:%02d:00Z", 1+min/1440, min/60%24, min%60)
		cust := fmt.Sprintf("55119876%05d", i%300)
		row := fmt.Sprintf("%s,w%d,%s,%s,text,", ts, i, cust, []string{"in", "out"}[i%2])
		switch i % 97 {
		case 3:
			row = fmt.Sprintf("not-a-time,w%d,%s,in,text,", i, cust) // timestamp
		case 11:
			row = fmt.Sprintf("%s,w%d,%s,sideways,text,", ts, i, cust) // direction
		case 29:
			row = fmt.Sprintf("%s,w%d,abc,in,text,", ts, i) // customer
		case 41:
			row = fmt.Sprintf("2017-03-0%dT10:00:00Z,w%d,%s,in,text,", 1+i%5, i, cust) // before 2018: no regime
		case 53:
			row = fmt.Sprintf("%s,w%d,%s,out,template,", ts, i, cust) // a template with no category
		default:
			lines = append(lines, row)
			continue
		}
		bad++
		lines = append(lines, row)
	}
	return "timestamp,id,customer,direction,type,category\n" + strings.Join(lines, "\n") + "\n", bad
}

// summaryCounts runs wacost and returns summary.messages + rejected.
func summaryCounts(t *testing.T, stdin string, args ...string) (messages, rejected int64) {
	t.Helper()
	r := wacost(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("wacost %v: exit %d\n%s", args, r.code, r.stderr)
	}
	var doc struct {
		Summary struct{ Messages, Rejected int64 }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("wacost %v: %v\n%.300s", args, err, r.stdout)
	}
	return doc.Summary.Messages, doc.Summary.Rejected
}

// Every data row is either a message or a rejected row, whichever path
// read it: one replay, a replay restarted to sort, parts side by side,
// shards merged, standard input, and the whole-log load of compare.
func TestEveryRowAccountedFor(t *testing.T) {
	const rows = 6000
	for _, shuffled := range []bool{false, true} {
		log, bad := accountingLog(rows, shuffled)
		if bad < 5*(rows/97) {
			t.Fatalf("the log has %d bad rows", bad)
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "log.csv")
		if err := os.WriteFile(file, []byte(log), 0o644); err != nil {
			t.Fatal(err)
		}
		check := func(what string, messages, rejected int64) {
			t.Helper()
			if messages+rejected != rows || rejected != int64(bad) {
				t.Errorf("shuffled=%v, %s: %d messages + %d rejected, want %d rows with %d rejected", shuffled, what, messages, rejected, rows, bad)
			}
		}
		common := []string{"--skip-invalid", "-q", "-f", "json", "--progress", "never"}
		m, rj := summaryCounts(t, "", append([]string{"simulate", file}, common...)...)
		check("one replay", m, rj)
		m, rj = summaryCounts(t, "", append([]string{"simulate", file, "--reorder-buffer", "1"}, common...)...)
		check("sorted in full", m, rj)
		m, rj = summaryCounts(t, "", append([]string{"simulate", file, "--sort-memory", "500", "--reorder-buffer", "1"}, common...)...)
		check("sorted on disk", m, rj)
		m, rj = summaryCounts(t, "", append([]string{"simulate", file, "-j", "3"}, common...)...)
		check("in 3 parts", m, rj)
		m, rj = summaryCounts(t, log, append([]string{"simulate", "-"}, common...)...)
		check("standard input", m, rj)
		var parts []string
		for i := 1; i <= 3; i++ {
			r := wacost(t, "", "simulate", file, "--skip-invalid", "-q", "--shard", fmt.Sprintf("%d/3", i), "-f", "partial")
			if r.code != 0 {
				t.Fatalf("shard %d: %s", i, r.stderr)
			}
			p := filepath.Join(dir, fmt.Sprintf("p%d.json", i))
			os.WriteFile(p, []byte(r.stdout), 0o644)
			parts = append(parts, p)
		}
		m, rj = summaryCounts(t, "", append([]string{"merge"}, append(parts, "-f", "json")...)...)
		check("3 shards merged", m, rj)
		r := wacost(t, "", "compare", file, "--skip-invalid", "-q", "-f", "json", "--scenario", "late:late_replies=drop", "--progress", "never")
		var cmp struct {
			Scenarios []struct{ Messages, Rejected int64 }
		}
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &cmp) != nil || len(cmp.Scenarios) == 0 {
			t.Fatalf("compare: exit %d %s %.300s", r.code, r.stderr, r.stdout)
		}
		for i, sc := range cmp.Scenarios {
			check(fmt.Sprintf("compare's scenario %d", i+1), sc.Messages, sc.Rejected)
		}
		// Each scenario replays the log, but a row is listed once.
		seen := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
			if seen[line] {
				t.Errorf("compare lists %q twice", line)
			}
			seen[line] = true
		}
	}
}
