package reconcile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/wacost/wacost/msglog"

	"github.com/wacost/wacost/pricing"
)

// Analytics kinds: the fields of Meta's analytics responses wacost reads.
const (
	KindPricing      = "pricing_analytics"      // per message (2025-07 on): volume and cost
	KindConversation = "conversation_analytics" // per conversation (2022-02 to 2025-06)
	KindMessaging    = "analytics"              // sent and delivered counts
)

// Point is one data point of an analytics response, with the dimensions
// it names ("" for a dimension it does not break down by).
type Point struct {
	File  string
	Kind  string
	Start int64
	End   int64
	// Dimensions (Tier "LOWER:UPPER", "" for none and for marketing's
	// 0:MAX).
	Country, Phone, Type, Category, Direction, Tier string
	// Measures: Volume (messages, conversations or sent), Delivered (for
	// the messaging analytics), Cost (HasCost false: no COST metric).
	Volume, Delivered int64
	Cost              pricing.Money
	HasCost           bool
}

// rawPoint is a data point as Meta writes it.
type rawPoint struct {
	Start        json.Number `json:"start"`
	End          json.Number `json:"end"`
	Country      string      `json:"country"`
	Phone        string      `json:"phone_number"`
	Tier         string      `json:"tier"`
	PricingType  string      `json:"pricing_type"`
	PricingCat   string      `json:"pricing_category"`
	ConvType     string      `json:"conversation_type"`
	ConvCat      string      `json:"conversation_category"`
	ConvDir      string      `json:"conversation_direction"`
	Volume       *int64      `json:"volume"`
	Conversation *int64      `json:"conversation"`
	Sent         *int64      `json:"sent"`
	Delivered    *int64      `json:"delivered"`
	Cost         json.Number `json:"cost"`
}

// ReadAnalytics reads a saved analytics response: the WABA's fields
// ({"pricing_analytics":{"data":[{"data_points":[...]}]}}, or
// conversation_analytics, or analytics with data_points at its top), or
// the edge's own {"data":[{"data_points":[...]}]} (pricing analytics).
func ReadAnalytics(r io.Reader, name string) ([]Point, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: not an analytics response (a JSON object): %v", name, err)
	}
	var pts []Point
	found := false
	for _, kind := range []string{KindPricing, KindConversation, KindMessaging} {
		body, ok := doc[kind]
		if !ok {
			continue
		}
		found = true
		ps, err := readField(body, name, kind)
		if err != nil {
			return nil, err
		}
		pts = append(pts, ps...)
	}
	if !found {
		if _, ok := doc["data"]; !ok {
			return nil, fmt.Errorf("%s: no pricing_analytics, conversation_analytics or analytics field, and no data", name)
		}
		ps, err := readField(raw, name, KindPricing)
		if err != nil {
			return nil, err
		}
		pts = ps
	}
	return pts, nil
}

func readField(body []byte, name, kind string) ([]Point, error) {
	var f struct {
		Data []struct {
			Points []json.RawMessage `json:"data_points"`
		} `json:"data"`
		Points []json.RawMessage `json:"data_points"` // analytics: at the top
	}
	if err := json.Unmarshal(body, &f); err != nil {
		return nil, fmt.Errorf("%s: %s: %v", name, kind, err)
	}
	raws := f.Points
	for _, d := range f.Data {
		raws = append(raws, d.Points...)
	}
	var pts []Point
	for i, rp := range raws {
		p, err := readPoint(rp, kind)
		if err != nil {
			return nil, fmt.Errorf("%s: %s data point %d: %v", name, kind, i+1, err)
		}
		p.File = name
		pts = append(pts, p)
	}
	return pts, nil
}

func readPoint(b []byte, kind string) (Point, error) {
	var rp rawPoint
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&rp); err != nil {
		return Point{}, err
	}
	p := Point{Kind: kind, Country: strings.ToUpper(rp.Country), Phone: digits(rp.Phone), Tier: strings.ToUpper(rp.Tier)}
	if p.Tier == "0:MAX" {
		p.Tier = "" // marketing: no tiers
	}
	var err error
	if p.Start, err = rp.Start.Int64(); err != nil {
		return Point{}, fmt.Errorf("start: %q is not a Unix time", rp.Start)
	}
	if p.End, err = rp.End.Int64(); err != nil || p.End <= p.Start {
		return Point{}, fmt.Errorf("end: %q is not a Unix time after start", rp.End)
	}
	var vol *int64
	switch kind {
	case KindPricing:
		p.Type, p.Category, vol = strings.ToUpper(rp.PricingType), strings.ToUpper(rp.PricingCat), rp.Volume
	case KindConversation:
		p.Type, p.Category, p.Direction, vol = strings.ToUpper(rp.ConvType), strings.ToUpper(rp.ConvCat), strings.ToUpper(rp.ConvDir), rp.Conversation
		if p.Type == "FREE_ENTRY" {
			p.Type = "FREE_ENTRY_POINT" // the docs' word for what responses write
		}
	case KindMessaging:
		vol = rp.Sent
		if rp.Delivered != nil {
			p.Delivered = *rp.Delivered
		}
	}
	if vol == nil {
		return Point{}, fmt.Errorf("no %s", map[string]string{KindPricing: "volume", KindConversation: "conversation", KindMessaging: "sent"}[kind])
	}
	if *vol < 0 || p.Delivered < 0 {
		return Point{}, fmt.Errorf("a negative count")
	}
	p.Volume = *vol
	if rp.Cost != "" {
		c, ok := micros(string(rp.Cost))
		if !ok {
			return Point{}, fmt.Errorf("cost: %q is not an amount", rp.Cost)
		}
		p.Cost, p.HasCost = c, true
	}
	return p, nil
}

// micros reads a JSON number (analytics costs are approximate floats:
// 4.6, 0.0118000001, 1e-3) as millionths, rounded half away from zero.
func micros(s string) (pricing.Money, bool) {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, false
	}
	r.Mul(r, big.NewRat(pricing.MicrosPerUnit, 1))
	n, d := new(big.Int).Set(r.Num()), r.Denom()
	half := new(big.Int).Quo(d, big.NewInt(2))
	if n.Sign() < 0 {
		n.Sub(n, half)
	} else {
		n.Add(n, half)
	}
	n.Quo(n, d)
	if !n.IsInt64() {
		return 0, false
	}
	return pricing.Money(n.Int64()), true
}

// digits is a phone number's digits (as msglog reads a number), or s
// itself when it is not one.
func digits(s string) string {
	if d, msg := msglog.NormalizeNumber(s); msg == "" {
		return d
	}
	return s
}

// AnalyticsReport compares wacost's totals with each data point.
type AnalyticsReport struct {
	Rows   int64 `json:"rows"`
	Agree  int64 `json:"agree"`
	Differ int64 `json:"differ"`
	// Tolerance is the share a cost may differ by (Meta calls its
	// analytics approximate).
	Tolerance float64 `json:"tolerance"`
	// VolumesOnly: no data point had a cost (a WABA billed through a
	// partner's credit line): volumes were compared alone.
	VolumesOnly bool       `json:"volumes_only"`
	Differing   []PointRow `json:"differing"`
}

// PointRow is a data point beside wacost's figures for it.
type PointRow struct {
	File      string        `json:"file"`
	Kind      string        `json:"kind"`
	Start     time.Time     `json:"start"`
	End       time.Time     `json:"end"`
	Country   string        `json:"country,omitempty"`
	Phone     string        `json:"phone_number,omitempty"`
	Type      string        `json:"type,omitempty"`
	Category  string        `json:"category,omitempty"`
	Direction string        `json:"direction,omitempty"`
	Tier      string        `json:"tier,omitempty"`
	Meta      int64         `json:"meta_volume"`
	Wacost    int64         `json:"wacost_volume"`
	MetaCost  *string       `json:"meta_cost"`
	WacCost   pricing.Money `json:"wacost_cost"`
	// MetaDelivered and WacostDelivered: the messaging analytics only.
	MetaDelivered   int64 `json:"meta_delivered,omitempty"`
	WacostDelivered int64 `json:"wacost_delivered,omitempty"`
}

// fact is one business message (or conversation) as the analytics count it.
type fact struct {
	t                                              int64
	country, phone, typ, category, direction, tier string
	cost                                           pricing.Money
	delivered                                      bool
}

// compareAnalytics checks each data point against the facts of its kind
// (each kind's facts sorted by time): the facts of a point's interval are
// summed once per set of dimensions its points break down by.
func compareAnalytics(points []Point, facts map[string][]fact, tol float64) *AnalyticsReport {
	a := &AnalyticsReport{Tolerance: tol, Differing: []PointRow{}}
	type span struct {
		kind       string
		start, end int64
	}
	type agg struct {
		vol, delivered int64
		cost           pricing.Money
	}
	bySpan := map[span][]int{}
	var spans []span
	for i, p := range points {
		k := span{p.Kind, p.Start, p.End}
		if _, ok := bySpan[k]; !ok {
			spans = append(spans, k)
		}
		bySpan[k] = append(bySpan[k], i)
	}
	sums := make([]agg, len(points))
	for _, sp := range spans {
		fs := facts[sp.kind]
		lo := sort.Search(len(fs), func(i int) bool { return fs[i].t >= sp.start })
		hi := sort.Search(len(fs), func(i int) bool { return fs[i].t >= sp.end })
		byMask := map[uint8]map[string]*agg{}
		for _, i := range bySpan[sp] {
			p := &points[i]
			mask, key := dimKey(p.Country, p.Phone, p.Type, p.Category, p.Direction, p.Tier, 0xff)
			m := byMask[mask]
			if m == nil {
				m = map[string]*agg{}
				for _, f := range fs[lo:hi] {
					_, fk := dimKey(f.country, f.phone, f.typ, f.category, f.direction, f.tier, mask)
					g := m[fk]
					if g == nil {
						g = &agg{}
						m[fk] = g
					}
					g.vol++
					g.cost += f.cost
					if f.delivered {
						g.delivered++
					}
				}
				byMask[mask] = m
			}
			if g := m[key]; g != nil {
				sums[i] = *g
			}
		}
	}
	anyCost := false
	for i, p := range points {
		anyCost = anyCost || p.HasCost
		g := sums[i]
		vol, delivered, cost := g.vol, g.delivered, g.cost
		a.Rows++
		ok := vol == p.Volume && (p.Kind != KindMessaging || delivered == p.Delivered)
		if ok && p.HasCost && p.Kind != KindMessaging {
			diff := float64(cost - p.Cost)
			if diff < 0 {
				diff = -diff
			}
			lim := tol * float64(p.Cost)
			if lim < 0 {
				lim = -lim
			}
			ok = diff <= lim+0.5 // a millionth's rounding aside
		}
		if ok {
			a.Agree++
			continue
		}
		a.Differ++
		row := PointRow{File: p.File, Kind: p.Kind, Start: time.Unix(p.Start, 0).UTC(), End: time.Unix(p.End, 0).UTC(), Country: p.Country, Phone: p.Phone,
			Type: p.Type, Category: p.Category, Direction: p.Direction, Tier: p.Tier, Meta: p.Volume, Wacost: vol, WacCost: cost,
			MetaDelivered: p.Delivered, WacostDelivered: delivered}
		if p.HasCost {
			s := p.Cost.Fixed()
			row.MetaCost = &s
		}
		a.Differing = append(a.Differing, row)
	}
	a.VolumesOnly = !anyCost
	sort.SliceStable(a.Differing, func(i, j int) bool { return a.Differing[i].Start.Before(a.Differing[j].Start) })
	return a
}

// dimKey is the key of the dimensions in mask (bit i: the i-th of
// country, phone, type, category, direction, tier); with mask 0xff, the
// mask of the dimensions that are set, and their key.
func dimKey(country, phone, typ, category, direction, tier string, mask uint8) (uint8, string) {
	vals := [...]string{country, phone, typ, category, direction, tier}
	var b strings.Builder
	var got uint8
	for i, v := range vals {
		if mask == 0xff {
			if v == "" {
				continue
			}
		} else if mask&(1<<i) == 0 {
			continue
		}
		got |= 1 << i
		b.WriteString(v)
		b.WriteByte(0)
	}
	return got, b.String()
}
