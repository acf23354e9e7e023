package simulate

import (
	"fmt"
	"math/big"
	"reflect"
	"sort"
	"strings"

	"github.com/wacost/wacost/gate"
)

// Change is one figure's change from a base result to a new one.
type Change struct {
	Key string `json:"key,omitempty"` // the market or category ("" for the total)
	// Base and New are each result's counts (zero where the key is absent).
	Base Counts `json:"base"`
	New  Counts `json:"new"`
	// Delta is New - Base, field by field; DeltaPct the cost's change in
	// percent with two decimals ("" when the base cost is 0).
	Delta    Counts `json:"delta"`
	DeltaPct string `json:"cost_delta_pct"`
	deltaPct *big.Rat
}

// SettingChange is a setting that differs between the two results.
type SettingChange struct {
	Name string `json:"name"`
	Base string `json:"base"`
	New  string `json:"new"`
}

// Diff is what changed between two saved results (say last month's and
// this month's, or before and after a change of templates).
type Diff struct {
	Currency   string          `json:"currency"`
	Total      Change          `json:"total"`
	ByMarket   []Change        `json:"by_market"`
	ByCategory []Change        `json:"by_category"`
	Settings   []SettingChange `json:"settings_changed"`
	// Base and New span the messages of each result.
	BasePeriod [2]string `json:"base_period"`
	NewPeriod  [2]string `json:"new_period"`
}

func (c *Counts) minus(o Counts) Counts {
	return Counts{Messages: c.Messages - o.Messages, Inbound: c.Inbound - o.Inbound, Outbound: c.Outbound - o.Outbound, Free: c.Free - o.Free,
		Billed: c.Billed - o.Billed, Blocked: c.Blocked - o.Blocked, Undelivered: c.Undelivered - o.Undelivered, Cost: c.Cost - o.Cost,
		Fees: c.Fees - o.Fees, Provider: c.Provider - o.Provider, ProviderPriced: c.ProviderPriced - o.ProviderPriced}
}

func change(key string, base, new Counts) Change {
	c := Change{Key: key, Base: base, New: new, Delta: new.minus(base)}
	if base.Cost != 0 {
		c.deltaPct = big.NewRat(int64(c.Delta.Cost)*100, int64(base.Cost))
		c.DeltaPct = c.deltaPct.FloatString(2)
	}
	return c
}

// DiffResults compares two results in one currency.
func DiffResults(base, new *Result) (Diff, error) {
	if base.Summary.Currency != "" && new.Summary.Currency != "" && base.Summary.Currency != new.Summary.Currency {
		return Diff{}, fmt.Errorf("the base result is in %s, the new one in %s: compare results in one currency (--fx)", base.Summary.Currency, new.Summary.Currency)
	}
	d := Diff{Currency: base.Summary.Currency, Total: change("", base.Summary.Counts, new.Summary.Counts),
		BasePeriod: period(base), NewPeriod: period(new)}
	if d.Currency == "" {
		d.Currency = new.Summary.Currency
	}
	d.ByMarket = changes(base.ByMarket, new.ByMarket, func(g Group) string { return g.Market })
	d.ByCategory = changes(base.ByCategory, new.ByCategory, func(g Group) string { return g.Category })
	bv, nv := reflect.ValueOf(base.Settings), reflect.ValueOf(new.Settings)
	for i := 0; i < bv.NumField(); i++ {
		x, y := fmt.Sprint(bv.Field(i).Interface()), fmt.Sprint(nv.Field(i).Interface())
		if x != y {
			name, _, _ := strings.Cut(bv.Type().Field(i).Tag.Get("json"), ",")
			d.Settings = append(d.Settings, SettingChange{Name: name, Base: x, New: y})
		}
	}
	if d.Settings == nil {
		d.Settings = []SettingChange{}
	}
	return d, nil
}

func period(r *Result) [2]string {
	var p [2]string
	if r.Summary.First != nil {
		p[0] = r.Summary.First.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	if r.Summary.Last != nil {
		p[1] = r.Summary.Last.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	return p
}

// changes pairs the groups of two breakdowns by key, the largest change
// in cost first (then by key).
func changes(base, new []Group, key func(Group) string) []Change {
	b, n := map[string]Counts{}, map[string]Counts{}
	keys := map[string]bool{}
	for _, g := range base {
		b[key(g)] = g.Counts
		keys[key(g)] = true
	}
	for _, g := range new {
		n[key(g)] = g.Counts
		keys[key(g)] = true
	}
	out := []Change{}
	for k := range keys {
		out = append(out, change(k, b[k], n[k]))
	}
	sort.Slice(out, func(i, j int) bool {
		ai, aj := abs(out[i].Delta.Cost), abs(out[j].Delta.Cost)
		if ai != aj {
			return ai > aj
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func abs[T ~int64](x T) T {
	if x < 0 {
		return -x
	}
	return x
}

// DiffMetricNames documents diff's metrics for thresholds: each of the
// total (scope ""), each market (market=NAME) and category
// (category=NAME).
var DiffMetricNames = []string{"cost.delta", "cost.delta_pct", "billed.delta", "free.delta", "messages.delta", "blocked.delta",
	"undelivered.delta", "cost.base", "cost.new"}

// Metrics are the diff's metrics for CI thresholds.
func (d *Diff) Metrics() gate.Metrics {
	m := gate.Metrics{}
	set := func(scope string, c Change) {
		m.Set(scope, "cost.delta", gate.MoneyOf(int64(c.Delta.Cost)))
		if c.deltaPct != nil {
			m.Set(scope, "cost.delta_pct", gate.Value{V: new(big.Rat).Quo(c.deltaPct, big.NewRat(100, 1)), Kind: gate.Ratio})
		}
		m.Set(scope, "billed.delta", gate.CountOf(c.Delta.Billed))
		m.Set(scope, "free.delta", gate.CountOf(c.Delta.Free))
		m.Set(scope, "messages.delta", gate.CountOf(c.Delta.Messages))
		m.Set(scope, "blocked.delta", gate.CountOf(c.Delta.Blocked))
		m.Set(scope, "undelivered.delta", gate.CountOf(c.Delta.Undelivered))
		m.Set(scope, "cost.base", gate.MoneyOf(int64(c.Base.Cost)))
		m.Set(scope, "cost.new", gate.MoneyOf(int64(c.New.Cost)))
	}
	set("", d.Total)
	for _, c := range d.ByMarket {
		set(gate.Scope("market", c.Key), c)
	}
	for _, c := range d.ByCategory {
		set(gate.Scope("category", c.Key), c)
	}
	return m
}
