package simulate

import (
	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/pricing"
)

// MetricNames documents the metrics a simulate run offers to thresholds.
// cost.<category>, billed.<category> and free.<category> exist for each
// pricing category seen (marketing, utility, authentication, service, ...).
var MetricNames = []string{"messages", "inbound", "outbound", "free", "billed", "blocked", "undelivered", "rejected",
	"late_replies", "cost", "cost.<category>", "billed.<category>", "free.<category>"}

func count(n int64) gate.Value { return gate.CountOf(n) }

func money(m pricing.Money) gate.Value { return gate.MoneyOf(int64(m)) }

func setCounts(m gate.Metrics, scope string, c Counts) {
	m.Set(scope, "messages", count(c.Messages))
	m.Set(scope, "inbound", count(c.Inbound))
	m.Set(scope, "outbound", count(c.Outbound))
	m.Set(scope, "free", count(c.Free))
	m.Set(scope, "billed", count(c.Billed))
	m.Set(scope, "blocked", count(c.Blocked))
	m.Set(scope, "undelivered", count(c.Undelivered))
	m.Set(scope, "cost", money(c.Cost))
}

// Metrics returns the run's metrics for CI thresholds: the whole run
// (scope ""), each market (market=NAME), each category (category=NAME)
// and each --group-by row (its dims).
func (r *Result) Metrics() gate.Metrics {
	m := gate.Metrics{}
	setCounts(m, "", r.Summary.Counts)
	m.Set("", "rejected", count(r.Summary.Rejected))
	m.Set("", "late_replies", count(r.Summary.LateReplies))
	for _, g := range r.ByCategory {
		m.Set("", "cost."+g.Category, money(g.Cost))
		m.Set("", "billed."+g.Category, count(g.Billed))
		m.Set("", "free."+g.Category, count(g.Free))
		setCounts(m, gate.Scope("category", g.Category), g.Counts)
	}
	for _, g := range r.ByMarket {
		setCounts(m, gate.Scope("market", g.Market), g.Counts)
	}
	for _, g := range r.Groups {
		var pairs []string
		for _, d := range r.GroupBy {
			pairs = append(pairs, d, g.Field(d))
		}
		setCounts(m, gate.Scope(pairs...), g.Counts)
	}
	return m
}
