package cmd

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const slaSmall = "../testdata/sla-small.csv"

// testdata/sla-small.csv by hand (UTC; Spain, 2026-12 regime 2026-10):
// a1 15:00 -> bot a2 15:01: first reply 1m (or, bots excluded, human a3 15:40: 40m).
// a4 16:00 (window open, answered) -> a5 18:00: next reply 2h.
// b1 Sat 09:00 -> template b2 Sun 10:00: first reply 25h, after the window
//   closed (Sun 09:00): late, a utility template for Spain, 0.02.
// c1 Mon 10:00 -> c2 failed (no answer) -> c3 10:30: first reply 30m.
// d1 Mon 12:00: still waiting at the end of the log (12:00, 0s; window closes Tue 12:00).

func TestSLAByHand(t *testing.T) {
	r := wacost(t, "", "sla", slaSmall, "--format", "json", "--ledger", "-q", "--target", "first=1h", "--target", "next=1h")
	var doc struct {
		Summary struct {
			FirstReply struct {
				Count    int
				Max      float64 `json:"max_s"`
				P50      float64 `json:"p50_s"`
				Breaches int
			} `json:"first_reply"`
			NextReply struct {
				Count    int
				Max      float64 `json:"max_s"`
				Breaches int
			} `json:"next_reply"`
			LateReplies   int    `json:"replies_after_window"`
			LateReplyCost string `json:"replies_after_window_cost"`
			Waiting       int
		}
		Waiting []struct {
			Customer   string
			WindowLeft float64 `json:"window_left_s"`
		}
		Replies []struct {
			ID   string
			Kind string
			Late bool    `json:"late_reply"`
			S    float64 `json:"reply_s"`
		}
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil {
		t.Fatalf("exit %d %s\n%s", r.code, r.stderr, r.stdout)
	}
	s := doc.Summary
	// first replies: 1m, 30m, 25h -> p50 (nearest rank of 3) = 30m; next: 2h.
	if s.FirstReply.Count != 3 || s.FirstReply.Max != 90000 || s.FirstReply.P50 != 1800 || s.FirstReply.Breaches != 1 ||
		s.NextReply.Count != 1 || s.NextReply.Max != 7200 || s.NextReply.Breaches != 1 {
		t.Fatalf("summary %+v", s)
	}
	if s.LateReplies != 1 || s.LateReplyCost != "0.020000" || s.Waiting != 1 || doc.Waiting[0].Customer != "34600000004" || doc.Waiting[0].WindowLeft != 86400 {
		t.Fatalf("late %d %s waiting %+v", s.LateReplies, s.LateReplyCost, doc.Waiting)
	}
	want := map[string]string{"a2": "first 60 false", "a5": "next 7200 false", "b2": "first 90000 true", "c3": "first 1800 false"}
	for _, x := range doc.Replies {
		if got := strings.Join([]string{x.Kind, ftoa(x.S), btoa(x.Late)}, " "); got != want[x.ID] {
			t.Errorf("%s: %s, want %s", x.ID, got, want[x.ID])
		}
	}
	// Bots excluded: a3 answers a1 after 40m.
	r = wacost(t, "", "sla", slaSmall, "--format", "json", "--ledger", "-q", "--bots", "exclude")
	json.Unmarshal([]byte(r.stdout), &doc)
	if doc.Replies[0].ID != "a3" || doc.Replies[0].S != 2400 {
		t.Fatalf("bots excluded: %+v", doc.Replies[0])
	}
}

func ftoa(f float64) string { b, _ := json.Marshal(f); return string(b) }
func btoa(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestSLAGroupByAgent(t *testing.T) {
	r := wacost(t, "", "sla", slaSmall, "--format", "csv", "-q", "--group-by", "agent")
	if r.code != 0 || !strings.Contains(r.stdout, "group,,,,,ana,,first_reply,0,") || !strings.Contains(r.stdout, "group,,,,,luis,,first_reply,2,") {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	r = wacost(t, "", "sla", slaSmall, "-q", "--group-by", "agent", "--threshold", "agent=luis:first_reply.max<=1h")
	if r.code != 3 || !strings.Contains(r.stderr, "agent=luis:first_reply.max<=1h: measured 1d01h") {
		t.Fatalf("scoped threshold: %d %s", r.code, r.stderr)
	}
}

func TestSLABusinessHoursFromConfig(t *testing.T) {
	// Mon-Fri 09:00-17:00 Madrid (UTC+1 in December). b1 Sat 10:00 local ->
	// b2 Sun 11:00 local: 0 business time. c1 Mon 11:00 -> c3 11:30: 30m.
	// a1 Fri 16:00 -> bot a2 16:01: 1m; a4 17:00 -> a5 19:00: 0 (closed).
	dir := t.TempDir()
	cfg := filepath.Join(dir, "wacost.yaml")
	os.WriteFile(cfg, []byte("business-hours:\n  timezone: Europe/Madrid\n  weekly:\n    mon-fri: \"09:00-17:00\"\n  holidays: [2026-12-08]\nclock: business\ntarget:\n  first: 1h\nquiet: true\n"), 0o644)
	r := wacost(t, "", "sla", slaSmall, "--config", cfg, "--format", "json")
	var doc struct {
		Clock   string
		Summary struct {
			FirstReply struct {
				Max      float64 `json:"max_s"`
				Breaches int
			} `json:"first_reply"`
			NextReply struct {
				Max float64 `json:"max_s"`
			} `json:"next_reply"`
			Calendar map[string]struct {
				Max float64 `json:"max_s"`
			}
		}
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	if doc.Clock != "business" || doc.Summary.FirstReply.Max != 1800 || doc.Summary.FirstReply.Breaches != 0 || doc.Summary.NextReply.Max != 0 ||
		doc.Summary.Calendar["first_reply"].Max != 90000 {
		t.Fatalf("%+v", doc)
	}
	r = wacost(t, "", "sla", slaSmall, "--clock", "business", "-q")
	if r.code != 2 || !strings.Contains(r.stderr, "business-hours") {
		t.Fatalf("--clock business without hours: %d %s", r.code, r.stderr)
	}
}

func TestSLADoneWhen(t *testing.T) {
	// The acceptance command: the sample's first-reply p95 is far
	// above 4h, so the gate fails with exit 3 after printing the report.
	r := wacost(t, "", "sla", sample, "--target", "first=1h", "--threshold", "first_reply.p95<=4h")
	if r.code != 3 || !strings.Contains(r.stdout, "first reply") || !strings.Contains(r.stderr, "threshold crossed: first_reply.p95<=4h: measured") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	r = wacost(t, "", "sla", sample, "-q", "--target", "first=1h", "--threshold", "first_reply.p95<=1d", "--threshold", "cost.marketing<120", "--format", "junit")
	var x struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
		} `xml:"testsuite"`
	}
	if r.code != 0 || xml.Unmarshal([]byte(r.stdout), &x) != nil || x.Suites[0].Tests != 2 || x.Suites[0].Failures != 0 {
		t.Fatalf("passing junit: exit %d %s\n%s", r.code, r.stderr, r.stdout)
	}
	for _, bad := range [][]string{{"--target", "third=1h"}, {"--target", "first=soon"}, {"--threshold", "first_reply.p95<=4 hours"}, {"--group-by", "planet"}, {"--bots", "maybe"}, {"--now", "tomorrow"}} {
		if r := wacost(t, "", append([]string{"sla", slaSmall, "-q"}, bad...)...); r.code != 2 {
			t.Errorf("%v: exit %d", bad, r.code)
		}
	}
}

func TestSLAGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
	}{
		{"sla.sample.table.txt", []string{"sla", sample, "-q", "--target", "first=1h", "--target", "next=4h", "--group-by", "business"}},
		{"sla.small.json", []string{"sla", slaSmall, "-q", "--target", "first=1h", "--ledger", "--format", "json", "--threshold", "replies_after_window<=1"}},
		{"sla.small.md", []string{"sla", slaSmall, "-q", "--ledger", "--format", "markdown", "--now", "2026-12-08T12:00:00Z"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := wacost(t, "", c.args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			golden(t, c.name, r.stdout)
		})
	}
}
