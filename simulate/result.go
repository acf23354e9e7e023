package simulate

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/pricing"
)

// Counts are the totals of a set of messages.
type Counts struct {
	Messages    int64         `json:"messages"`
	Inbound     int64         `json:"inbound"`
	Outbound    int64         `json:"outbound"`
	Free        int64         `json:"free"`
	Billed      int64         `json:"billed"`
	Blocked     int64         `json:"blocked"`
	Undelivered int64         `json:"undelivered"`
	Cost        pricing.Money `json:"cost"`
	// Fees are a provider's charges on top of Meta's (what-if scenarios only).
	Fees pricing.Money `json:"fees,omitempty"`
	// Provider is what the provider's own figures (Twilio's Price) add
	// up to, over the ProviderPriced messages that carry one.
	Provider       pricing.Money `json:"provider_cost,omitempty"`
	ProviderPriced int64         `json:"provider_priced,omitempty"`
}

func (c *Counts) add(e *Entry, inbound bool) {
	if e.ProviderCurrency != "" {
		c.Provider += e.ProviderPrice
		c.ProviderPriced++
	}
	if inbound {
		c.addInbound(e.Fee)
		return
	}
	c.Messages++
	c.Outbound++
	switch e.Decision {
	case pricing.Free:
		c.Free++
	case pricing.Billed:
		c.Billed++
	case pricing.Blocked:
		c.Blocked++
	case pricing.Undelivered:
		c.Undelivered++
	}
	c.Cost += e.Cost
	c.Fees += e.Fee
}

// addInbound counts a customer message and its fee.
func (c *Counts) addInbound(fee pricing.Money) {
	c.Messages++
	c.Inbound++
	c.Fees += fee
}

// Summary is the whole run's totals.
type Summary struct {
	Counts
	// Rejected rows could not be read (only with --skip-invalid; otherwise the run fails).
	Rejected int64 `json:"rejected"`
	// LateReplies are free-form business messages sent with no window open.
	LateReplies int64 `json:"late_replies"`
	// AppMessages were sent from the WhatsApp Business app (webhook
	// echoes): not through the API, so neither priced nor in the counts.
	AppMessages int64  `json:"app_messages,omitempty"`
	Currency    string `json:"currency"`
	// ProviderCurrency is the currency of Counts.Provider ("" when no
	// message carries a provider's figure).
	ProviderCurrency string   `json:"provider_currency,omitempty"`
	Regimes          []string `json:"regimes"`
	// First and Last are the earliest and latest message times.
	First *time.Time `json:"first,omitempty"`
	Last  *time.Time `json:"last,omitempty"`
}

// Group is one row of a breakdown. Only the grouped fields are set.
type Group struct {
	Market   string `json:"market,omitempty"`
	Category string `json:"category,omitempty"`
	Month    string `json:"month,omitempty"`
	Day      string `json:"day,omitempty"`
	Business string `json:"business,omitempty"`
	Regime   string `json:"regime,omitempty"`
	Counts
}

// RegimeUse is the subtotal of the messages one regime priced with one card.
type RegimeUse struct {
	Regime   string `json:"regime"`
	Card     string `json:"card"`
	Currency string `json:"currency"`
	From     string `json:"from"`
	To       string `json:"to"`
	Counts
}

// Settings echo what the run assumed, so a result explains itself.
type Settings struct {
	Regime       string `json:"regime"`
	Timezone     string `json:"timezone"`
	LateReplies  string `json:"late_replies"`
	LateCategory string `json:"late_reply_category"`
	ServiceQuota int64  `json:"service_quota"`
	FreeTier     int64  `json:"free_tier"`
	MexicoFree   int64  `json:"mexico_free_sessions"`
	FEPWindow    string `json:"fep_window"`
	// FEPReentry is the PMP-08b reading: "after-close" or "extend".
	FEPReentry string `json:"fep_reentry"`
	// QuotaCountsFEP: service messages in entry point windows use up the
	// 2026-10 service quota.
	QuotaCountsFEP bool   `json:"quota_counts_fep"`
	Tariff         string `json:"tariff"`
	KazakhstanPre  string `json:"kazakhstan_before_2026_10"`
	NANPCaribbean  string `json:"nanp_caribbean"`
	// AuthIntl is the authentication-international setting: "not
	// eligible", or "eligible" with the business's country and start.
	AuthIntl string `json:"auth_intl"`
	// BusinessTimezones are the businesses in zones of their own,
	// "BUSINESS=ZONE" joined by ", " in business order ("" for none).
	BusinessTimezones string `json:"business_timezones"`
}

// diff names the first setting in which s and o differ, with both values.
func (s Settings) diff(o Settings) (name, a, b string, differ bool) {
	sv, ov := reflect.ValueOf(s), reflect.ValueOf(o)
	for i := 0; i < sv.NumField(); i++ {
		x, y := fmt.Sprint(sv.Field(i).Interface()), fmt.Sprint(ov.Field(i).Interface())
		if x != y {
			name, _, _ = strings.Cut(sv.Type().Field(i).Tag.Get("json"), ",")
			return name, x, y, true
		}
	}
	return "", "", "", false
}

// Result is everything a run found. Every output format renders it.
type Result struct {
	Summary    Summary     `json:"summary"`
	Regimes    []RegimeUse `json:"regimes"`
	ByMarket   []Group     `json:"by_market"`
	ByCategory []Group     `json:"by_category"`
	// GroupBy names the dimensions of Groups (empty when not asked for).
	GroupBy  []string `json:"group_by"`
	Groups   []Group  `json:"groups"`
	Notes    []string `json:"notes"`
	Settings Settings `json:"settings"`
	// Thresholds are the CI checks of the run (empty without --threshold).
	Thresholds []gate.Check `json:"thresholds"`
	// Tally is what the notes are made from (kept for merging shards).
	Tally Tally `json:"-"`
}

// Dimensions that --group-by accepts.
var Dimensions = []string{"market", "category", "month", "day", "business", "regime"}

// ParseGroupBy checks a list of dimensions.
func ParseGroupBy(dims []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, d := range dims {
		for _, p := range strings.Split(d, ",") {
			p = strings.ToLower(strings.TrimSpace(p))
			if p == "" {
				continue
			}
			ok := false
			for _, v := range Dimensions {
				ok = ok || v == p
			}
			if !ok {
				return nil, fmt.Errorf("unknown group-by dimension %q (want %s)", p, strings.Join(Dimensions, ", "))
			}
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}

func groupKey(dims []string, e *Entry, month, day string) Group {
	var g Group
	for _, d := range dims {
		switch d {
		case "market":
			g.Market = e.Market
		case "category":
			g.Category = e.Category
		case "month":
			g.Month = month
		case "day":
			g.Day = day
		case "business":
			g.Business = e.Business
		case "regime":
			g.Regime = e.Regime
		}
	}
	return g
}

// sortGroups orders rows by their key fields, in the dimension order.
func sortGroups(rows []Group, dims []string) {
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		for _, d := range dims {
			x, y := a.field(d), b.field(d)
			if x != y {
				return x < y
			}
		}
		return false
	})
}

// sortByCost orders rows by cost (highest first), then by key.
func sortByCost(rows []Group, dim string) {
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Cost != rows[j].Cost {
			return rows[i].Cost > rows[j].Cost
		}
		return rows[i].field(dim) < rows[j].field(dim)
	})
}

func (g Group) field(d string) string {
	switch d {
	case "market":
		return g.Market
	case "category":
		return g.Category
	case "month":
		return g.Month
	case "day":
		return g.Day
	case "business":
		return g.Business
	case "regime":
		return g.Regime
	}
	return ""
}

// Field returns a group's value for a dimension (for renderers).
func (g Group) Field(d string) string { return g.field(d) }
