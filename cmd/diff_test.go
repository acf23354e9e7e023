package cmd

import (
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wacost/wacost/pricing"
)

// saveResult writes simulate's JSON result of args to a file in dir.
func saveResult(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	f := filepath.Join(dir, name)
	if r := wacost(t, "", append(append([]string{"simulate"}, args...), "-f", "json", "-q", "-o", f)...); r.code != 0 {
		t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
	}
	return f
}

// The diff of two saved results is, for the total and each market, new
// minus base in every count and the cost, with the percent change of the
// cost; the settings that differ are named; thresholds on the deltas gate.
func TestDiff(t *testing.T) {
	dir := t.TempDir()
	base := saveResult(t, dir, "base.json", sample)
	nw := saveResult(t, dir, "new.json", sample, "--regime", "2025-07")
	type grp struct {
		Market   string
		Messages int64
		Billed   int64
		Cost     pricing.Money
	}
	read := func(f string) (sum grp, markets map[string]grp) {
		var doc struct {
			Summary  grp
			ByMarket []grp `json:"by_market"`
		}
		b, _ := os.ReadFile(f)
		json.Unmarshal(b, &doc)
		markets = map[string]grp{}
		for _, g := range doc.ByMarket {
			markets[g.Market] = g
		}
		return doc.Summary, markets
	}
	bs, bm := read(base)
	ns, nm := read(nw)
	r := wacost(t, "", "diff", base, nw, "-f", "json")
	var d struct {
		Total struct {
			Delta    grp
			DeltaPct string `json:"cost_delta_pct"`
		}
		ByMarket []struct {
			Key   string
			Delta grp
		} `json:"by_market"`
		Settings []struct{ Name, Base, New string } `json:"settings_changed"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || r.code != 0 {
		t.Fatalf("exit %d %v %s", r.code, err, r.stderr)
	}
	wantPct := new(big.Rat).SetFrac64(int64(ns.Cost-bs.Cost)*100, int64(bs.Cost)).FloatString(2)
	if d.Total.Delta.Cost != ns.Cost-bs.Cost || d.Total.Delta.Billed != ns.Billed-bs.Billed || d.Total.DeltaPct != wantPct || d.Total.Delta.Cost >= 0 {
		t.Fatalf("total delta %+v %s, want cost %s billed %d pct %s", d.Total.Delta, d.Total.DeltaPct, ns.Cost-bs.Cost, ns.Billed-bs.Billed, wantPct)
	}
	if len(d.ByMarket) != len(bm) {
		t.Fatalf("%d markets, want %d", len(d.ByMarket), len(bm))
	}
	for _, x := range d.ByMarket {
		if x.Delta.Cost != nm[x.Key].Cost-bm[x.Key].Cost || x.Delta.Messages != 0 {
			t.Errorf("%s: delta %+v", x.Key, x.Delta)
		}
	}
	if len(d.Settings) != 1 || d.Settings[0].Name != "regime" || d.Settings[0].New != "2025-07" {
		t.Errorf("settings %+v", d.Settings)
	}
	// Gates on the deltas: the 2025-07 rules cost less, so a cut of more
	// than 5% holds and a rise is a crossed threshold.
	if r := wacost(t, "", "diff", base, nw, "--threshold", "cost.delta_pct<-5%", "--threshold", "market=brazil:cost.delta<0"); r.code != 0 {
		t.Errorf("holding thresholds: exit %d %s", r.code, r.stderr)
	}
	if r := wacost(t, "", "diff", nw, base, "--threshold", "cost.delta<=0"); r.code != 3 || !strings.Contains(r.stderr, "threshold crossed: cost.delta<=0: measured 1.1355") {
		t.Errorf("a crossed threshold: exit %d %s", r.code, r.stderr)
	}
	// A result against itself changes nothing.
	r = wacost(t, "", "diff", base, base, "-f", "csv")
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n")[1:] {
		f := strings.Split(line, ",")
		if f[10] != "0.00" {
			t.Errorf("itself: %s", line)
		}
	}
	golden(t, "diff.table.txt", strings.ReplaceAll(wacost(t, "", "diff", base, nw).stdout, dir+"/", ""))
	// Other currencies, and files that are not results.
	eur := saveResult(t, dir, "eur.json", sample, "--fx", "EUR=0.9")
	if r := wacost(t, "", "diff", base, eur); r.code != 2 || !strings.Contains(r.stderr, "one currency") {
		t.Errorf("currencies: exit %d %s", r.code, r.stderr)
	}
	if r := wacost(t, "", "diff", base, sample); r.code != 1 || !strings.Contains(r.stderr, "not a saved result") {
		t.Errorf("a CSV: exit %d %s", r.code, r.stderr)
	}
}
