package scenario

import (
	"math/big"
	"sort"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/pricing"
)

// Line is one row of a comparison: a scenario's figures for a key (the
// whole run, a market or a category) and its difference from the baseline.
type Line struct {
	Scenario string        `json:"scenario"`
	Key      string        `json:"key,omitempty"`
	Billed   int64         `json:"billed"`
	Free     int64         `json:"free"`
	Cost     pricing.Money `json:"cost"`
	Fees     pricing.Money `json:"fees"`
	Total    pricing.Money `json:"total"`
	Delta    pricing.Money `json:"delta"`
	// DeltaPct is the change of Total from the baseline, in percent with two
	// decimals ("" when the baseline is 0 or the currencies differ).
	DeltaPct string `json:"delta_pct"`
	// Comparable is false when the scenario's currency is not the baseline's.
	Comparable bool `json:"comparable"`
	deltaRat   *big.Rat
}

// Comparison is the side-by-side result of several scenarios.
type Comparison struct {
	Baseline   string    `json:"baseline"`
	Outcomes   []Outcome `json:"-"`
	Totals     []Line    `json:"totals"`
	ByMarket   []Line    `json:"by_market"`
	ByCategory []Line    `json:"by_category"`
	Markets    []string  `json:"-"`
	Categories []string  `json:"-"`
}

func line(name, key string, billed, free int64, cost, fees pricing.Money) Line {
	return Line{Scenario: name, Key: key, Billed: billed, Free: free, Cost: cost, Fees: fees, Total: cost + fees}
}

func (l *Line) against(base Line, comparable bool) {
	l.Comparable = comparable
	if !comparable {
		return
	}
	l.Delta = l.Total - base.Total
	if base.Total != 0 {
		l.deltaRat = big.NewRat(int64(l.Delta)*100, int64(base.Total))
		l.DeltaPct = l.deltaRat.FloatString(2)
	}
}

// Compare lines the outcomes up against the first (the baseline).
func Compare(outs []Outcome) Comparison {
	c := Comparison{Baseline: outs[0].Scenario.Name, Outcomes: outs}
	markets, cats := map[string]bool{}, map[string]bool{}
	for _, o := range outs {
		for _, g := range o.Result.ByMarket {
			markets[g.Market] = true
		}
		for _, g := range o.Result.ByCategory {
			if g.Category != "inbound" {
				cats[g.Category] = true
			}
		}
	}
	for m := range markets {
		c.Markets = append(c.Markets, m)
	}
	for k := range cats {
		c.Categories = append(c.Categories, k)
	}
	sort.Strings(c.Markets)
	sort.Strings(c.Categories)
	baseCur := outs[0].Result.Summary.Currency
	for _, o := range outs {
		s := o.Result.Summary
		l := line(o.Scenario.Name, "", s.Billed, s.Free, s.Cost, o.Fees)
		c.Totals = append(c.Totals, l)
	}
	for i := range c.Totals {
		c.Totals[i].against(c.Totals[0], outs[i].Result.Summary.Currency == baseCur)
	}
	groupLines := func(keys []string, pick func(o Outcome, k string) Line) []Line {
		var out []Line
		for _, k := range keys {
			base := pick(outs[0], k)
			for _, o := range outs {
				l := pick(o, k)
				l.against(base, o.Result.Summary.Currency == baseCur)
				out = append(out, l)
			}
		}
		return out
	}
	c.ByMarket = groupLines(c.Markets, func(o Outcome, k string) Line {
		for _, g := range o.Result.ByMarket {
			if g.Market == k {
				return line(o.Scenario.Name, k, g.Billed, g.Free, g.Cost, g.Fees)
			}
		}
		return line(o.Scenario.Name, k, 0, 0, 0, 0)
	})
	c.ByCategory = groupLines(c.Categories, func(o Outcome, k string) Line {
		for _, g := range o.Result.ByCategory {
			if g.Category == k {
				return line(o.Scenario.Name, k, g.Billed, g.Free, g.Cost, g.Fees)
			}
		}
		return line(o.Scenario.Name, k, 0, 0, 0, 0)
	})
	return c
}

// MetricNames documents compare's metrics for thresholds, per scenario
// (scenario=NAME) and, unscoped, the baseline's figures and the largest
// delta of any scenario.
var MetricNames = []string{"cost", "fees", "total", "billed", "free", "cost.delta", "cost.delta_pct", "total.delta", "total.delta_pct", "billed.delta"}

// Metrics returns the comparison's metrics for thresholds.
func (c *Comparison) Metrics() gate.Metrics {
	m := gate.Metrics{}
	money := func(v pricing.Money) gate.Value {
		return gate.MoneyOf(int64(v))
	}
	count := gate.CountOf
	worst := map[string]gate.Value{}
	keep := func(name string, v gate.Value) {
		if w, ok := worst[name]; !ok || v.V.Cmp(w.V) > 0 {
			worst[name] = v
		}
	}
	for i, l := range c.Totals {
		o := c.Outcomes[i]
		scope := gate.Scope("scenario", l.Scenario)
		m.Set(scope, "cost", money(l.Cost))
		m.Set(scope, "fees", money(l.Fees))
		m.Set(scope, "total", money(l.Total))
		m.Set(scope, "billed", count(l.Billed))
		m.Set(scope, "free", count(l.Free))
		if !l.Comparable {
			continue
		}
		costDelta := o.Result.Summary.Cost - c.Outcomes[0].Result.Summary.Cost
		billedDelta := l.Billed - c.Totals[0].Billed
		vals := map[string]gate.Value{
			"cost.delta":   money(costDelta),
			"total.delta":  money(l.Delta),
			"billed.delta": count(billedDelta),
		}
		if base := c.Outcomes[0].Result.Summary.Cost; base != 0 {
			vals["cost.delta_pct"] = gate.Value{V: big.NewRat(int64(costDelta), int64(base)), Kind: gate.Ratio}
		}
		if l.deltaRat != nil {
			vals["total.delta_pct"] = gate.Value{V: new(big.Rat).Quo(l.deltaRat, big.NewRat(100, 1)), Kind: gate.Ratio}
		}
		for n, v := range vals {
			m.Set(scope, n, v)
			if i > 0 {
				keep(n, v)
			}
		}
	}
	b := c.Totals[0]
	m.Set("", "cost", money(b.Cost))
	m.Set("", "fees", money(b.Fees))
	m.Set("", "total", money(b.Total))
	m.Set("", "billed", count(b.Billed))
	m.Set("", "free", count(b.Free))
	for n, v := range worst {
		m.Set("", n, v)
	}
	return m
}
