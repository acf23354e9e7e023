package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompareGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
	}{
		{"compare.sample.txt", []string{"compare", sample, "--scenarios", "../testdata/scenarios.yaml", "-q"}},
		{"compare.sample.csv", []string{"compare", sample, "--scenarios", "../testdata/scenarios.yaml", "-q", "--format", "csv"}},
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

func TestCompareDeltasByHand(t *testing.T) {
	// small.csv costs 0.0292 (India 0.0042, North America 0.025). One-off
	// scenarios: India x2 (+0.0042, +14.38%), a fee of 0.01 per delivered
	// business message (s2 s3 s4 s6 s8 s9: 6 -> +0.06, +205.48%).
	r := wacost(t, "", "compare", small, "-q", "--format", "json",
		"--scenario", "india:rate.utility=x2,rate.authentication=x2", "--scenario", "fee:per_message=0.01",
		"--threshold", "scenario=india:total.delta<=0.0042", "--warn", "total.delta_pct<100%")
	var doc struct {
		Baseline  string
		Scenarios []struct {
			Name, Total string
			DeltaPct    string `json:"delta_pct"`
			Delta       *string
			Fees        string
		}
		ByMarket []struct {
			Scenario, Key, Total string
		} `json:"by_market"`
		Thresholds []struct {
			Threshold string
			Pass      bool
		}
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil {
		t.Fatalf("exit %d %s\n%s", r.code, r.stderr, r.stdout)
	}
	if doc.Baseline != "baseline" || len(doc.Scenarios) != 3 {
		t.Fatalf("%+v", doc)
	}
	want := []struct{ total, delta, pct string }{{"0.029200", "0.000000", "0.00"}, {"0.033400", "0.004200", "14.38"}, {"0.089200", "0.060000", "205.48"}}
	for i, w := range want {
		sc := doc.Scenarios[i]
		if sc.Total != w.total || sc.Delta == nil || *sc.Delta != w.delta || sc.DeltaPct != w.pct {
			t.Errorf("%s: total %s delta %v pct %s, want %+v", sc.Name, sc.Total, sc.Delta, sc.DeltaPct, w)
		}
	}
	if !doc.Thresholds[0].Pass || doc.Thresholds[1].Pass {
		t.Fatalf("thresholds %+v", doc.Thresholds)
	}
	if !strings.Contains(r.stderr, "warning: total.delta_pct<100%: measured 205.4795%") {
		t.Fatalf("the largest delta is checked unscoped: %s", r.stderr)
	}
	r = wacost(t, "", "compare", small, "-q", "--scenario", "india:rate.utility=x2", "--threshold", "total.delta_pct<1%")
	if r.code != 3 {
		t.Fatalf("a crossed delta threshold exits 3: %d %s", r.code, r.stderr)
	}
}

func TestCompareErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "s.yaml")
	os.WriteFile(bad, []byte("scenarios:\n  - name: a\n    reply_delay: soon\n"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"compare", small}, 2, "--scenarios FILE or at least one --scenario"},
		{[]string{"compare", small, "--scenarios", bad}, 1, bad + ":3: reply_delay:"},
		{[]string{"compare", small, "--scenario", "x:colour=red"}, 2, "colour"},
		{[]string{"compare", small, "--scenario", "x:rate.utility=x2", "--threshold", "market=India:total<1"}, 2, "scoped by scenario=NAME only"},
		{[]string{"compare", small, "--scenario", "x:tariff=nonesuch.csv"}, 1, "nonesuch.csv"},
	} {
		r := wacost(t, "", c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d %q; want %d %q", c.args, r.code, r.stderr, c.code, c.want)
		}
	}
	// Different currencies: no delta is made up.
	r := wacost(t, "", "compare", small, "-q", "--format", "json", "--scenario", "eur:tariff=2026-07-eur")
	var doc struct {
		Scenarios []struct {
			Currency string
			Delta    *string
		}
	}
	json.Unmarshal([]byte(r.stdout), &doc)
	if r.code != 0 || doc.Scenarios[1].Currency != "EUR" || doc.Scenarios[1].Delta != nil {
		t.Fatalf("EUR scenario: %d %+v", r.code, doc.Scenarios)
	}
}
