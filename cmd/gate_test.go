package cmd

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// small.csv costs 0.0292 USD: India 0.0042 (3 x 0.0014), North America 0.025.

func TestGatePassesAndFails(t *testing.T) {
	r := wacost(t, "", "simulate", small, "-q", "--threshold", "cost<=0.0292", "--threshold", "market=India:cost<0.005", "--warn", "late_replies==0")
	if r.code != 0 || !strings.Contains(r.stderr, "warning: late_replies==0: measured 1") || r.stdout == "" {
		t.Fatalf("passing thresholds (and a warning): exit %d\n%s", r.code, r.stderr)
	}
	r = wacost(t, "", "simulate", small, "-q", "--threshold", "cost<0.0292", "--threshold", "billed<=4")
	if r.code != 3 || !strings.Contains(r.stderr, "threshold crossed: cost<0.0292: measured 0.0292") || strings.Contains(r.stderr, "billed<=4") {
		t.Fatalf("a crossed threshold: exit %d\n%s", r.code, r.stderr)
	}
	if r.stdout == "" {
		t.Fatal("the report is still written when a threshold is crossed")
	}
	r = wacost(t, "", "simulate", small, "-q", "--threshold", "category=marketing:billed>=2")
	if r.code != 3 || !strings.Contains(r.stderr, "measured 1") {
		t.Fatalf("category scope: %d %s", r.code, r.stderr)
	}
}

func TestGateUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--threshold", "cost<<5"}, `threshold "cost<<5"`},
		{[]string{"--threshold", "colst<5"}, `unknown metric "colst"`},
		{[]string{"--warn", "cost<5 dollars"}, `threshold "cost<5 dollars"`},
		{[]string{"--threshold", "business=1555:cost<5"}, "needs --group-by business"},
	} {
		r := wacost(t, "", append([]string{"simulate", small, "-q"}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
	r := wacost(t, "", "simulate", small, "-q", "--group-by", "business", "--threshold", "business=15550100001:cost<1")
	if r.code != 0 {
		t.Fatalf("a group-by scope: %d %s", r.code, r.stderr)
	}
}

func TestGateJSONAndJUnit(t *testing.T) {
	r := wacost(t, "", "simulate", small, "-q", "--format", "json", "--threshold", "cost<0.01", "--warn", "blocked==0")
	var doc struct {
		Thresholds []struct {
			Threshold, Value, Numeric string
			Pass, Warn                bool
		}
	}
	if r.code != 3 || json.Unmarshal([]byte(r.stdout), &doc) != nil || len(doc.Thresholds) != 2 {
		t.Fatalf("exit %d %s", r.code, r.stdout)
	}
	if th := doc.Thresholds[0]; th.Threshold != "cost<0.01" || th.Pass || th.Value != "0.0292" || th.Numeric != "0.029200" {
		t.Fatalf("%+v", th)
	}
	if th := doc.Thresholds[1]; !th.Pass || !th.Warn {
		t.Fatalf("%+v", th)
	}
	r = wacost(t, "", "simulate", small, "-q", "--format", "junit", "--threshold", "cost<0.01", "--threshold", "billed==4", "--warn", "late_replies==0")
	var x struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if r.code != 3 || xml.Unmarshal([]byte(r.stdout), &x) != nil {
		t.Fatalf("junit: exit %d\n%s", r.code, r.stdout)
	}
	s := x.Suites[0]
	if s.Tests != 3 || s.Failures != 1 || s.Cases[0].Name != "cost<0.01" || s.Cases[0].Failure == nil || s.Cases[1].Failure != nil {
		t.Fatalf("%+v", s)
	}
}

func TestGateFromConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "wacost.yaml")
	os.WriteFile(cfg, []byte("threshold:\n  - cost<0.01\nwarn:\n  - late_replies==0\nquiet: true\n"), 0o644)
	r := wacost(t, "", "simulate", small, "--config", cfg)
	if r.code != 3 || !strings.Contains(r.stderr, "threshold crossed: cost<0.01") || strings.Contains(r.stderr, "note:") {
		t.Fatalf("config thresholds: exit %d\n%s", r.code, r.stderr)
	}
	// A flag replaces the config's list.
	r = wacost(t, "", "simulate", small, "--config", cfg, "--threshold", "cost<1")
	if r.code != 0 {
		t.Fatalf("flag over config: exit %d\n%s", r.code, r.stderr)
	}
}
