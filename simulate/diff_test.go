package simulate

import "testing"

// A key in one result only counts as zero in the other; a cost change
// from zero has no percent (and no cost.delta_pct metric).
func TestDiffResults(t *testing.T) {
	base := Result{Summary: Summary{Counts: Counts{Messages: 10, Billed: 2, Cost: 100_000}, Currency: "USD"},
		ByMarket: []Group{{Market: "Brazil", Counts: Counts{Messages: 10, Billed: 2, Cost: 100_000}}}}
	nw := Result{Summary: Summary{Counts: Counts{Messages: 13, Billed: 3, Cost: 162_500}, Currency: "USD"},
		ByMarket: []Group{{Market: "Brazil", Counts: Counts{Messages: 10, Billed: 2, Cost: 100_000}}, {Market: "India", Counts: Counts{Messages: 3, Billed: 1, Cost: 62_500}}}}
	d, err := DiffResults(&base, &nw)
	if err != nil {
		t.Fatal(err)
	}
	if d.Total.Delta.Cost != 62_500 || d.Total.Delta.Messages != 3 || d.Total.DeltaPct != "62.50" {
		t.Fatalf("total %+v %s", d.Total.Delta, d.Total.DeltaPct)
	}
	if len(d.ByMarket) != 2 || d.ByMarket[0].Key != "India" || d.ByMarket[0].Base.Messages != 0 || d.ByMarket[0].DeltaPct != "" || d.ByMarket[1].Delta.Cost != 0 {
		t.Fatalf("markets %+v", d.ByMarket)
	}
	m := d.Metrics()
	if _, ok := m["cost.delta_pct"]["market=india"]; ok {
		t.Error("a percent change from zero")
	}
	if v := m["cost.delta"]["market=india"]; v.V == nil || v.Format() != "0.0625" {
		t.Errorf("india cost.delta %v", v)
	}
	nw.Summary.Currency = "EUR"
	if _, err := DiffResults(&base, &nw); err == nil {
		t.Error("two currencies")
	}
}
