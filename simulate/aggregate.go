package simulate

import (
	"time"

	"github.com/wacost/wacost/gate"
)

// aggregate is a run's totals as they are added up: the whole run's, by
// market, by category, by the --group-by dimensions and by regime and
// card. The engine adds messages to it; a merge adds shards' results; both
// finish it into a Result the same way.
type aggregate struct {
	sum     Summary
	market  map[string]*Counts
	cat     map[string]*Counts
	groups  map[Group]*Counts
	regimes map[regimeKey]*RegimeUse
	// first and last are the earliest and latest message times.
	first, last time.Time
}

// regimeKey names one regime subtotal: a regime and the card it priced with.
type regimeKey struct{ regime, card string }

func newAggregate() aggregate {
	return aggregate{market: map[string]*Counts{}, cat: map[string]*Counts{}, groups: map[Group]*Counts{}, regimes: map[regimeKey]*RegimeUse{}}
}

// counts returns the totals of key in m, made the first time.
func counts[K comparable](m map[K]*Counts, key K) *Counts {
	c := m[key]
	if c == nil {
		c = &Counts{}
		m[key] = c
	}
	return c
}

// saw keeps t as the latest message time (and the first, if none yet):
// messages come in time order.
func (a *aggregate) saw(t time.Time) {
	if a.first.IsZero() {
		a.first = t
	}
	a.last = t
}

// span widens the run's first and last times to take in [first, last].
func (a *aggregate) span(first, last *time.Time) {
	if first != nil && (a.first.IsZero() || first.Before(a.first)) {
		a.first = *first
	}
	if last != nil && (a.last.IsZero() || last.After(a.last)) {
		a.last = *last
	}
}

// addResult adds another run's totals (a shard's) to a.
func (a *aggregate) addResult(r *Result) {
	s := r.Summary
	a.sum.Counts.Plus(s.Counts)
	a.sum.LateReplies += s.LateReplies
	a.sum.AppMessages += s.AppMessages
	a.span(s.First, s.Last)
	for _, g := range r.ByMarket {
		counts(a.market, g.Market).Plus(g.Counts)
	}
	for _, g := range r.ByCategory {
		counts(a.cat, g.Category).Plus(g.Counts)
	}
	for _, g := range r.Groups {
		k := g
		k.Counts = Counts{}
		counts(a.groups, k).Plus(g.Counts)
	}
	for _, ru := range r.Regimes {
		k := regimeKey{ru.Regime, ru.Card}
		m := a.regimes[k]
		if m == nil {
			c := ru
			c.Counts = Counts{}
			m = &c
			a.regimes[k] = m
		}
		m.Counts.Plus(ru.Counts)
		m.From, m.To = min(m.From, ru.From), max(m.To, ru.To)
	}
}

// each calls f on every total a message of market, category and regime
// and card (and group g, when grouped) counts in.
func (a *aggregate) each(market, category string, rk regimeKey, g *Group, f func(*Counts)) {
	f(&a.sum.Counts)
	if m := a.market[market]; m != nil {
		f(m)
	}
	if k := a.cat[category]; k != nil {
		f(k)
	}
	if ru := a.regimes[rk]; ru != nil {
		f(&ru.Counts)
	}
	if g != nil {
		if c := a.groups[*g]; c != nil {
			f(c)
		}
	}
}

// result is the totals as a Result, every list in its documented order,
// the first and last times in loc (as they are, if loc is nil).
func (a *aggregate) result(groupBy []string, loc *time.Location) Result {
	r := Result{Summary: a.sum, GroupBy: groupBy}
	if !a.first.IsZero() {
		first, last := a.first, a.last
		if loc != nil {
			first, last = first.In(loc), last.In(loc)
		}
		r.Summary.First, r.Summary.Last = &first, &last
	}
	if r.GroupBy == nil {
		r.GroupBy = []string{}
	}
	r.Regimes = []RegimeUse{}
	for _, ru := range a.regimes {
		r.Regimes = append(r.Regimes, *ru)
	}
	sortRegimes(r.Regimes)
	r.Summary.Regimes = regimeNames(r.Regimes)
	r.ByMarket, r.ByCategory, r.Groups = []Group{}, []Group{}, []Group{}
	for k, c := range a.market {
		r.ByMarket = append(r.ByMarket, Group{Market: k, Counts: *c})
	}
	sortByCost(r.ByMarket, "market")
	for k, c := range a.cat {
		r.ByCategory = append(r.ByCategory, Group{Category: k, Counts: *c})
	}
	sortByCost(r.ByCategory, "category")
	for k, c := range a.groups {
		g := k
		g.Counts = *c
		r.Groups = append(r.Groups, g)
	}
	sortGroups(r.Groups, groupBy)
	r.Thresholds = []gate.Check{}
	return r
}
