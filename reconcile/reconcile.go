// Package reconcile checks Meta's verdict on each business message (the
// pricing label of its status webhooks) against wacost's replay of the
// same log: message by message, with the likely cause of each
// disagreement and the money at stake.
package reconcile

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
)

// Verdict is one side's judgement of a delivered business message.
type Verdict struct {
	// Decision is "free" or "billed".
	Decision string `json:"decision"`
	// Category is the pricing category ("marketing", "utility",
	// "authentication", "authentication_international", "service", ...;
	// "" when the side does not say).
	Category string `json:"category"`
	// Kind says what made a free message free: service_window,
	// entry_point, quota, free_tier, conversation; "" for billed messages
	// and when the side does not say.
	Kind string `json:"kind"`
}

func (v Verdict) String() string {
	s := v.Decision
	if v.Category != "" {
		s += " " + v.Category
	}
	if v.Kind != "" {
		s += " (" + v.Kind + ")"
	}
	return s
}

// Causes of a disagreement, in the order they are looked for.
const (
	CauseCategory   = "category"      // the categories differ: a reclassified template (CAT-01)
	CauseEntryPoint = "entry_point"   // a free entry point window on one side
	CauseQuota      = "quota"         // the 2026-10 free service quota on one side
	CauseWindowEdge = "window_edge"   // within Options.Edge of a window's opening or close
	CauseRegime     = "regime_switch" // near a change of regime, or Meta's pricing model is the other regime's
	CauseUnknown    = "unknown"
)

// Causes lists the causes in report order.
var Causes = []string{CauseCategory, CauseEntryPoint, CauseQuota, CauseWindowEdge, CauseRegime, CauseUnknown}

// MetaVerdict reads Meta's pricing label ("MODEL TYPE CATEGORY", as the
// webhook reader keeps it): ok is false for no label or a failure's codes.
// model is the label's pricing model (PMP or CBP).
func MetaVerdict(label string) (v Verdict, model string, ok bool) {
	f := strings.Fields(label)
	if len(f) == 0 || f[0] == "error" {
		return Verdict{}, "", false
	}
	model = strings.ToUpper(f[0])
	typ, cat := "", ""
	switch len(f) {
	case 1:
	case 2:
		cat = f[1]
	default:
		typ, cat = f[1], f[len(f)-1]
	}
	cat = normCategory(cat)
	switch typ {
	case "regular", "billable":
		v.Decision = "billed"
	case "free_customer_service":
		v.Decision, v.Kind = "free", "service_window"
	case "free_entry_point":
		v.Decision, v.Kind = "free", "entry_point"
	case "not_billable":
		v.Decision = "free"
	case "":
		return Verdict{}, "", false
	default:
		v.Decision, v.Kind = "free", typ // a free type wacost does not know yet
	}
	if cat == "referral_conversion" || cat == "free_entry_point" { // the conversation era's entry point
		cat = ""
		if v.Decision == "free" {
			v.Kind = "entry_point"
		}
	}
	v.Category = cat
	return v, model, true
}

// normCategory writes a category one way: lower case, "_" for "-", no
// "group_" prefix, marketing_lite as marketing.
func normCategory(c string) string {
	c = strings.ReplaceAll(strings.ToLower(c), "-", "_")
	c = strings.TrimPrefix(c, "group_")
	if c == "marketing_lite" {
		c = "marketing"
	}
	return c
}

// wacostKind is the kind of free of a reason.
func wacostKind(r pricing.Reason) string {
	switch r {
	case pricing.ReasonCSW, pricing.ReasonFreeService:
		return "service_window"
	case pricing.ReasonFEP:
		return "entry_point"
	case pricing.ReasonFreeQuota:
		return "quota"
	case pricing.ReasonFreeTier:
		return "free_tier"
	case pricing.ReasonConversationOpen:
		return "conversation"
	}
	return ""
}

// Options configure a check.
type Options struct {
	// Edge is how near a window's opening or close a disagreement is put
	// down to the edge (clocks and delivery times differ by seconds).
	Edge time.Duration
	// Window is the customer-service window (24 h).
	Window time.Duration
	// FEP is the free entry point window (72 h).
	FEP time.Duration
	// Mask, if set, writes customers' numbers in the report.
	Mask func(string) string
	// Price is what Meta's verdict costs: the card's price of a category
	// for a market, in the run's currency (ok false if it has none).
	Price func(card, market, category string) (pricing.Money, bool)
	// Analytics are the data points of saved analytics responses to
	// check wacost's totals against (none: no check), costs within
	// Tolerance (a share: 0.005 is 0.5%).
	Analytics []Point
	Tolerance float64
	// CountryOf is the ISO country of a customer's number, for the
	// analytics' COUNTRY dimension.
	CountryOf func(digits string) string
	// Tiers: the run priced with a volume-tier table, so the analytics'
	// TIER dimension is compared (else it is left aside).
	Tiers bool
}

// Disagreement is one message the two sides judge differently.
type Disagreement struct {
	ID       string    `json:"id"`
	Time     time.Time `json:"timestamp"`
	Business string    `json:"business"`
	Customer string    `json:"customer"`
	Market   string    `json:"market"`
	Wacost   Verdict   `json:"wacost"`
	Meta     Verdict   `json:"meta"`
	Label    string    `json:"meta_label"`
	Reason   string    `json:"wacost_reason"`
	Cause    string    `json:"cause"`
	// Why is wacost's account of the windows at the message.
	Why string `json:"why"`
	// WacostCost and MetaCost are each side's price of the message;
	// Delta is Meta's minus wacost's.
	WacostCost pricing.Money `json:"wacost_cost"`
	MetaCost   pricing.Money `json:"meta_cost"`
	Delta      pricing.Money `json:"delta"`
}

// Cell is one cell of the confusion table.
type Cell struct {
	Wacost string `json:"wacost"`
	Meta   string `json:"meta"`
	Count  int64  `json:"count"`
	// Agree: the two verdicts agree (they may be written apart: a quota
	// against a free_customer_service label).
	Agree bool `json:"agree"`
}

// CauseTotal is what one cause accounts for.
type CauseTotal struct {
	Cause string        `json:"cause"`
	Count int64         `json:"count"`
	Delta pricing.Money `json:"delta"`
}

// Report is a check's outcome.
type Report struct {
	Compared int64 `json:"compared"`
	Agree    int64 `json:"agree"`
	Disagree int64 `json:"disagree"`
	// NoLabel are delivered business messages without Meta's label;
	// NotDelivered business messages failed, blocked or withheld (Meta
	// labels none of them).
	NoLabel      int64 `json:"no_label"`
	NotDelivered int64 `json:"not_delivered"`
	// Agreement is Agree / Compared (1 when nothing was compared).
	Agreement float64        `json:"agreement"`
	Confusion []Cell         `json:"confusion"`
	Causes    []CauseTotal   `json:"causes"`
	Cost      Cost           `json:"cost"`
	Reclass   Reclass        `json:"reclassified"`
	Disagrees []Disagreement `json:"disagreements"`
	Currency  string         `json:"currency"`
	// Analytics is the check against Meta's analytics (nil without).
	Analytics *AnalyticsReport `json:"analytics,omitempty"`
}

// Cost compares the two sides' money over the compared messages.
type Cost struct {
	Wacost pricing.Money `json:"wacost"`
	Meta   pricing.Money `json:"meta"`
	Delta  pricing.Money `json:"delta"`
}

// Reclass is what reclassified templates (billed on both sides, in other
// categories) cost: Meta's charge minus wacost's.
type Reclass struct {
	Count int64         `json:"count"`
	Delta pricing.Money `json:"delta"`
}

// pairKey names a customer of a business.
type pairKey struct{ business, customer string }

// seenIn is a customer's latest message, and its latest from an entry point.
type seenIn struct {
	at, entryAt time.Time
	id, entryID string
}

// Checker compares as the replay goes: give Visit to the engine.
type Checker struct {
	o     Options
	last  map[pairKey]*seenIn
	convs map[string]Verdict // the conversation era: a conversation's verdict, by its id
	r     Report
	conf  map[[2]string]int64
	// agreed marks the confusion cells whose verdicts agree.
	agreed map[[2]string]bool
	cause  map[string]*CauseTotal
	// facts are what the analytics count, by analytics kind (nil when no
	// analytics are checked).
	facts map[string][]fact
}

// New returns a checker.
func New(o Options) *Checker {
	if o.Window == 0 {
		o.Window = 24 * time.Hour
	}
	if o.FEP == 0 {
		o.FEP = 72 * time.Hour
	}
	if !o.Tiers {
		o.Analytics = append([]Point(nil), o.Analytics...)
		for i := range o.Analytics {
			o.Analytics[i].Tier = "" // wacost has no band to set beside Meta's
		}
	}
	c := &Checker{o: o, last: map[pairKey]*seenIn{}, convs: map[string]Verdict{}, conf: map[[2]string]int64{}, agreed: map[[2]string]bool{}, cause: map[string]*CauseTotal{}}
	if len(o.Analytics) > 0 {
		c.facts = map[string][]fact{}
	}
	return c
}

// analyticsType is Meta's pricing_type (or conversation_type) of a
// verdict.
func analyticsType(v Verdict) string {
	if v.Decision == "billed" {
		return "REGULAR"
	}
	switch v.Kind {
	case "service_window":
		return "FREE_CUSTOMER_SERVICE"
	case "entry_point":
		return "FREE_ENTRY_POINT"
	case "free_tier":
		return "FREE_TIER"
	}
	return strings.ToUpper("FREE_" + v.Kind)
}

// count keeps what each kind of analytics counts of a business message:
// every one sent (messaging), each delivered one (pricing), each
// conversation it opened (conversations).
func (c *Checker) count(m *msglog.Message, e *simulate.Entry, w Verdict, opened bool) {
	country := m.Country
	if country == "" && c.o.CountryOf != nil {
		country = c.o.CountryOf(m.Customer)
	}
	country = strings.ToUpper(country)
	phone := e.BusinessNumber // a webhook log names its businesses by phone-number id
	if phone == "" {
		phone = m.Business
	}
	f := fact{t: m.Time.Unix(), country: country, phone: digits(phone)}
	delivered := e.Decision == pricing.Free || e.Decision == pricing.Billed
	if e.Decision != pricing.Blocked {
		mf := f
		mf.delivered = delivered
		c.facts[KindMessaging] = append(c.facts[KindMessaging], mf)
	}
	if !delivered {
		return
	}
	pf := f
	pf.typ, pf.category, pf.cost = analyticsType(w), strings.ToUpper(w.Category), e.Cost
	if c.o.Tiers {
		pf.tier = e.Tier
	}
	c.facts[KindPricing] = append(c.facts[KindPricing], pf)
	if opened {
		cf := pf
		cf.direction = "UNKNOWN"
		switch w.Category {
		case "business_initiated", "user_initiated":
			cf.direction, cf.category = strings.ToUpper(w.Category), ""
		}
		c.facts[KindConversation] = append(c.facts[KindConversation], cf)
	}
}

// Visit takes one message of the replay with its record.
func (c *Checker) Visit(m *msglog.Message, e *simulate.Entry) error {
	k := pairKey{m.Business, m.Customer}
	if m.Direction == msglog.Inbound {
		s := c.last[k]
		if s == nil {
			s = &seenIn{}
			c.last[k] = s
		}
		s.at, s.id = m.Time, m.ID
		if m.EntryPoint != 0 {
			s.entryAt, s.entryID = m.Time, m.ID
		}
		return nil
	}
	if m.Echo {
		return nil // not through the API: Meta labels nothing
	}
	w := Verdict{Decision: e.Decision.String(), Category: normCategory(e.Category), Kind: wacostKind(e.Reason)}
	opened := false
	if e.Conversation != "" { // the conversation era: a message shares its conversation's verdict
		if v, ok := c.convs[e.Conversation]; ok {
			w = v
		} else {
			c.convs[e.Conversation], opened = w, true
		}
	}
	if c.facts != nil {
		c.count(m, e, w, opened)
	}
	if e.Decision != pricing.Free && e.Decision != pricing.Billed {
		c.r.NotDelivered++
		return nil
	}
	meta, model, ok := MetaVerdict(m.Label)
	if !ok {
		c.r.NoLabel++
		return nil
	}
	c.r.Compared++
	ck := [2]string{w.String(), meta.String()}
	c.conf[ck]++
	mc := pricing.Money(0)
	if meta.Decision == "billed" && c.o.Price != nil && (e.Conversation == "" || opened) { // a conversation is charged once
		mc, _ = c.o.Price(e.Card, e.Market, meta.Category)
	}
	c.r.Cost.Wacost += e.Cost
	c.r.Cost.Meta += mc
	if agree(w, meta) {
		c.r.Agree++
		c.agreed[ck] = true
		return nil
	}
	c.r.Disagree++
	d := Disagreement{ID: m.ID, Time: m.Time, Business: m.Business, Customer: m.Customer, Market: e.Market, Wacost: w, Meta: meta,
		Label: m.Label, Reason: e.Reason.String(), WacostCost: e.Cost, MetaCost: mc, Delta: mc - e.Cost}
	if c.o.Mask != nil {
		d.Customer = c.o.Mask(d.Customer)
	}
	d.Cause, d.Why = c.causeOf(m, e, w, meta, model, c.last[k])
	ct := c.cause[d.Cause]
	if ct == nil {
		ct = &CauseTotal{Cause: d.Cause}
		c.cause[d.Cause] = ct
	}
	ct.Count++
	ct.Delta += d.Delta
	if d.Cause == CauseCategory && w.Decision == "billed" && meta.Decision == "billed" {
		c.r.Reclass.Count++
		c.r.Reclass.Delta += d.Delta
	}
	c.r.Disagrees = append(c.r.Disagrees, d)
	return nil
}

// agree: the same decision, and the same category and kind of free where
// both sides say one.
func agree(w, m Verdict) bool {
	if w.Decision != m.Decision {
		return false
	}
	if w.Category != "" && m.Category != "" && w.Category != m.Category {
		return false
	}
	// How Meta labels a message free by the 2026-10 service quota was not
	// found (PE-12): free_customer_service is taken to agree with it.
	return w.Kind == "" || m.Kind == "" || w.Kind == m.Kind || (w.Kind == "quota" && m.Kind == "service_window")
}

// regimeSwitches are the days the rules changed (UTC).
var regimeSwitches = []time.Time{
	time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
}

var pmpStart = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

// causeOf is the likely cause of a disagreement, and wacost's account of
// the windows then.
func (c *Checker) causeOf(m *msglog.Message, e *simulate.Entry, w, meta Verdict, model string, s *seenIn) (cause, why string) {
	why = c.windows(m.Time, s)
	switch {
	case w.Category != "" && meta.Category != "" && w.Category != meta.Category:
		return CauseCategory, why
	case w.Kind == "entry_point" || meta.Kind == "entry_point":
		return CauseEntryPoint, why
	case w.Kind == "quota" || meta.Kind == "quota" || (e.Reason == pricing.ReasonService && meta.Decision == "free"):
		return CauseQuota, why
	}
	if s != nil {
		for _, edge := range []time.Time{s.at.Add(c.o.Window), s.at, s.entryAt.Add(c.o.FEP)} {
			if !edge.IsZero() && absDur(m.Time.Sub(edge)) <= c.o.Edge {
				return CauseWindowEdge, why
			}
		}
	}
	for _, sw := range regimeSwitches {
		if absDur(m.Time.Sub(sw)) <= 24*time.Hour {
			return CauseRegime, why
		}
	}
	if (model == "CBP" && !m.Time.Before(pmpStart)) || (model == "PMP" && m.Time.Before(pmpStart)) {
		return CauseRegime, why
	}
	return CauseUnknown, why
}

// windows writes what wacost knew of the customer's windows at t.
func (c *Checker) windows(t time.Time, s *seenIn) string {
	if s == nil || s.at.IsZero() {
		return "no customer message before it: no window open"
	}
	end := s.at.Add(c.o.Window)
	why := fmt.Sprintf("window opened by %s at %s, ", orNone(s.id), s.at.UTC().Format(time.RFC3339))
	if t.Before(end) {
		why += "open until " + end.UTC().Format(time.RFC3339)
	} else {
		why += "closed at " + end.UTC().Format(time.RFC3339)
	}
	if !s.entryAt.IsZero() {
		why += fmt.Sprintf("; entry point %s at %s", orNone(s.entryID), s.entryAt.UTC().Format(time.RFC3339))
	}
	return why
}

func orNone(id string) string {
	if id == "" {
		return "a message without id"
	}
	return id
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// Report returns the outcome, in currency. Call it once, after the replay.
func (c *Checker) Report(currency string) Report {
	r := c.r
	r.Currency = currency
	r.Cost.Delta = r.Cost.Meta - r.Cost.Wacost
	r.Agreement = 1
	if r.Compared > 0 {
		r.Agreement = float64(r.Agree) / float64(r.Compared)
	}
	r.Confusion = []Cell{}
	for k, n := range c.conf {
		r.Confusion = append(r.Confusion, Cell{Wacost: k[0], Meta: k[1], Count: n, Agree: c.agreed[k]})
	}
	sort.Slice(r.Confusion, func(i, j int) bool {
		a, b := r.Confusion[i], r.Confusion[j]
		if a.Wacost != b.Wacost {
			return a.Wacost < b.Wacost
		}
		return a.Meta < b.Meta
	})
	r.Causes = []CauseTotal{}
	for _, name := range Causes {
		if ct := c.cause[name]; ct != nil {
			r.Causes = append(r.Causes, *ct)
		}
	}
	if r.Disagrees == nil {
		r.Disagrees = []Disagreement{}
	}
	rank := map[string]int{}
	for i, name := range Causes {
		rank[name] = i
	}
	sort.SliceStable(r.Disagrees, func(i, j int) bool { return rank[r.Disagrees[i].Cause] < rank[r.Disagrees[j].Cause] }) // by cause, in replay order
	if c.facts != nil {
		r.Analytics = compareAnalytics(c.o.Analytics, c.facts, c.o.Tolerance)
	}
	return r
}
