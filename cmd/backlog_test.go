package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBacklogDoneWhen(t *testing.T) {
	// The acceptance command: the plan's cost and the curve.
	r := wacost(t, "", "backlog", sample, "--capacity", "30/h", "-q")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"customers waiting", "(the plan)", "(the other order)", "Cost of the whole log if every reply took", "1d00h"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("backlog output lacks %q", want)
		}
	}
	golden(t, "backlog.sample.txt", r.stdout)
}

func TestBacklogByHand(t *testing.T) {
	// 2025-09-10 12:00 (regime 2025-07, Brazil utility 0.0068): B waits
	// since 23h ago and wrote again 30m ago (window closes in 23h30m); A
	// waits since 22h ago (window closes in 2h). Capacity 1/h: FIFO answers
	// B at +1h and A at +2h, the instant A's window closes: late, 0.0068;
	// expiry first answers both inside: 0.
	dir := t.TempDir()
	log := filepath.Join(dir, "backlog.csv")
	os.WriteFile(log, []byte("timestamp,customer,direction\n2025-09-09T13:00:00Z,5511900000002,in\n2025-09-09T14:00:00Z,5511900000001,in\n2025-09-10T11:30:00Z,5511900000002,in\n"), 0o644)
	r := wacost(t, "", "backlog", log, "--capacity", "1/h", "--order", "fifo", "--now", "2025-09-10T12:00:00Z", "--format", "json", "-q")
	var doc struct {
		Waiting int
		Plan    struct {
			Order  string
			Inside int `json:"inside_window"`
			After  int `json:"after_window"`
			Cost   string
		}
		Other struct {
			Order string
			Cost  string
		} `json:"other_order"`
		Needed int `json:"capacity_needed_per_hour"`
		Curve  []struct {
			Delay float64 `json:"delay_s"`
			Cost  string
		}
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil {
		t.Fatalf("exit %d %s\n%s", r.code, r.stderr, r.stdout)
	}
	if doc.Waiting != 2 || doc.Plan.Order != "fifo" || doc.Plan.Inside != 1 || doc.Plan.After != 1 || doc.Plan.Cost != "0.006800" ||
		doc.Other.Order != "expiry-first" || doc.Other.Cost != "0.000000" || doc.Needed != 1 || len(doc.Curve) != 17 || doc.Curve[0].Delay != 60 {
		t.Fatalf("%+v", doc)
	}
	for _, bad := range [][]string{{}, {"--capacity", "fast"}, {"--capacity", "0/h"}, {"--capacity", "3/h", "--order", "random"}, {"--capacity", "3/h", "--format", "csv"}} {
		if r := wacost(t, "", append([]string{"backlog", log, "-q"}, bad...)...); r.code != 2 {
			t.Errorf("%v: exit %d", bad, r.code)
		}
	}
}

// A delay curve that falls somewhere says why, in the table output.
func TestBacklogCurveSaysWhyItFalls(t *testing.T) {
	r := wacost(t, "", "backlog", sample, "--capacity", "30/h", "-q")
	if r.code != 0 || !strings.Contains(r.stdout, "The cost need not rise with the delay (4h00m costs less than 2h00m)") {
		t.Fatalf("exit %d: no word on the falling curve\n%s", r.code, r.stdout)
	}
}

// Every phase of backlog says how far it has come: the plans and the
// delay curve's 17 replays, on a terminal or with --progress always.
func TestBacklogPhasesShowProgress(t *testing.T) {
	r := wacost(t, "", "backlog", sample, "--capacity", "30/h", "-q", "--progress", "always")
	if r.code != 0 || !strings.Contains(r.stderr, "wacost: pricing the plans: 2 of 2\n") || !strings.Contains(r.stderr, "wacost: pricing the cost of the log at each reply delay: 17 of 17\n") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if r := wacost(t, "", "backlog", sample, "--capacity", "30/h", "-q"); strings.Contains(r.stderr, "pricing") {
		t.Fatalf("not a terminal, no --progress always: %q", r.stderr)
	}
	var b strings.Builder
	show := phaseLine(&b, true)
	show("x", 0, 2)
	show("x", 1, 2)
	show("x", 2, 2)
	if got := b.String(); got != "\rwacost: pricing x: 0 of 2\rwacost: pricing x: 1 of 2\r"+strings.Repeat(" ", 25)+"\r" {
		t.Fatalf("on a terminal: %q", got)
	}
}
