package reconcile

import (
	"math/big"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/pricing"
)

// MetricNames documents the metrics a reconcile run offers to thresholds
// (besides simulate's).
var MetricNames = []string{"compared", "agree", "disagree", "no_label", "agreement", "cost.delta", "cost.meta", "cost.wacost",
	"disagree.<cause>", "analytics.rows", "analytics.differ"}

func count(n int64) gate.Value { return gate.CountOf(n) }

func money(m pricing.Money) gate.Value { return gate.MoneyOf(int64(m)) }

// SetMetrics adds the report's metrics to m (scope ""): the counts, the
// agreement as a ratio (exact: agree/compared), the money and, per
// cause, disagree.CAUSE.
func (r *Report) SetMetrics(m gate.Metrics) {
	m.Set("", "compared", count(r.Compared))
	m.Set("", "agree", count(r.Agree))
	m.Set("", "disagree", count(r.Disagree))
	m.Set("", "no_label", count(r.NoLabel))
	ag := big.NewRat(1, 1)
	if r.Compared > 0 {
		ag = big.NewRat(r.Agree, r.Compared)
	}
	m.Set("", "agreement", gate.Value{V: ag, Kind: gate.Ratio})
	m.Set("", "cost.delta", money(r.Cost.Delta))
	m.Set("", "cost.meta", money(r.Cost.Meta))
	m.Set("", "cost.wacost", money(r.Cost.Wacost))
	for _, c := range Causes {
		n := int64(0)
		for _, ct := range r.Causes {
			if ct.Cause == c {
				n = ct.Count
			}
		}
		m.Set("", "disagree."+c, count(n))
	}
	if a := r.Analytics; a != nil {
		m.Set("", "analytics.rows", count(a.Rows))
		m.Set("", "analytics.differ", count(a.Differ))
	}
}
