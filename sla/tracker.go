package sla

import (
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
)

// Kinds of reply.
const (
	First = "first" // answers the first customer message of an exchange (the window was closed)
	Next  = "next"  // answers a later customer message inside an open window
)

// Dimensions that --group-by accepts for sla.
var Dimensions = []string{"business", "market", "day", "week", "agent", "sender"}

// Config shapes the measurement.
type Config struct {
	// Window is the customer-service window (24 h).
	Window time.Duration
	// Targets per kind ("first", "next"): a reply slower than its target is a breach.
	Targets map[string]time.Duration
	// Schedule, if set, gives the business-hours clock.
	Schedule *Schedule
	// Business selects the business-hours clock for targets and headline figures.
	Business bool
	// ExcludeBots ignores business messages with sender=bot: they do not end a wait.
	ExcludeBots bool
	GroupBy     []string
	// Location is the zone of day and week groups.
	Location *time.Location
	// WaitingOnly keeps no reply times (no statistics, only who is waiting
	// at the end): memory is then the live customers', not the replies'.
	WaitingOnly bool
}

// Reply is one measured answer.
type Reply struct {
	Business string        `json:"business"`
	Customer string        `json:"customer"`
	Market   string        `json:"market"`
	Agent    string        `json:"agent"`
	Sender   string        `json:"sender"`
	Kind     string        `json:"kind"`
	Asked    time.Time     `json:"asked"`
	At       time.Time     `json:"replied"`
	Calendar time.Duration `json:"-"`
	Hours    time.Duration `json:"-"` // business-hours time, when a schedule is set
	// WindowLeft is the time left in the customer-service window at the
	// reply; zero or negative: the reply came after it closed.
	WindowLeft time.Duration `json:"-"`
	Late       bool          `json:"late_reply"`
	Cost       pricing.Money `json:"cost"`
	Breach     bool          `json:"breach"`
	ID         string        `json:"id"`
	group      groupKey
}

// Waiting is a customer whose last message has no answer yet.
type Waiting struct {
	Business     string        `json:"business"`
	Customer     string        `json:"customer"`
	Market       string        `json:"market"`
	Kind         string        `json:"kind"`
	Since        time.Time     `json:"since"`
	Waited       time.Duration `json:"-"`
	Hours        time.Duration `json:"-"`
	WindowCloses time.Time     `json:"window_closes"`
	WindowLeft   time.Duration `json:"-"`
}

// bizPairs are one business's customers: by the customer's number key
// when it has one (a smaller key and a cheaper hash than its digits),
// else by name.
type bizPairs struct {
	business string
	byKey    map[uint64]*pair
	byName   map[string]*pair
}

// each calls fn on every customer.
func (b *bizPairs) each(fn func(*pair)) {
	for _, p := range b.byKey {
		fn(p)
	}
	for _, p := range b.byName {
		fn(p)
	}
}

type pair struct {
	customer string
	market   string
	lastIn   time.Time // the customer's latest message
	since    time.Time
	waiting  bool
	first    bool // the wait answers a First message, else a Next one
}

func (p *pair) kind() string {
	if p.first {
		return First
	}
	return Next
}

type groupKey struct{ business, market, day, week, agent, sender string }

type samples struct {
	cal, hours   map[string][]time.Duration // by kind
	breaches     map[string]int64
	late         int64
	lateCost     pricing.Money
	waiting      int64
	waitMax      time.Duration
	waitHoursMax time.Duration
}

func newSamples() *samples {
	return &samples{cal: map[string][]time.Duration{}, hours: map[string][]time.Duration{}, breaches: map[string]int64{}}
}

// Tracker measures replies. Feed it every message in replay order, with
// the simulate engine's ledger entry for business messages.
type Tracker struct {
	cfg   Config
	pairs map[string]*bizPairs // by business
	// lastBiz is the last message's business's (most logs have one).
	lastBiz *bizPairs
	groups  map[groupKey]*samples
	all     *samples
	// allOnly is {all}, the sample sets of a run without groups.
	allOnly [1]*samples
	onRep   func(*Reply) error
	last    time.Time
}

// New returns a tracker; onReply (optional) receives each reply.
func New(cfg Config, onReply func(*Reply) error) *Tracker {
	if cfg.Window == 0 {
		cfg.Window = 24 * time.Hour
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	t := &Tracker{cfg: cfg, pairs: map[string]*bizPairs{}, groups: map[groupKey]*samples{}, all: newSamples(), onRep: onReply}
	t.allOnly[0] = t.all
	return t
}

func (t *Tracker) group(business, market string, asked time.Time, agent, sender string) groupKey {
	var g groupKey
	for _, d := range t.cfg.GroupBy {
		switch d {
		case "business":
			g.business = business
		case "market":
			g.market = market
		case "day":
			g.day = asked.In(t.cfg.Location).Format("2006-01-02")
		case "week":
			y, w := asked.In(t.cfg.Location).ISOWeek()
			g.week = fmt.Sprintf("%04d-W%02d", y, w)
		case "agent":
			g.agent = agent
		case "sender":
			g.sender = sender
		}
	}
	return g
}

// Customer records a customer message.
func (t *Tracker) Customer(m *msglog.Message, market string) {
	t.last = m.Time
	p := t.pairOf(m, true)
	p.market = market
	if !p.waiting {
		p.waiting, p.since = true, m.Time
		// First if the window was closed: a new exchange.
		p.first = p.lastIn.IsZero() || !m.Time.Before(p.lastIn.Add(t.cfg.Window))
	}
	p.lastIn = m.Time
}

// Business records a business message and its simulate ledger entry. A
// delivered message answers a waiting customer; failed or blocked ones,
// and bot messages with ExcludeBots, do not.
func (t *Tracker) Business(m *msglog.Message, e *simulate.Entry) error {
	t.last = m.Time
	p := t.pairOf(m, false)
	if p == nil || !p.waiting {
		return nil
	}
	if !e.Decision.Delivered() {
		return nil
	}
	sender := m.Sender
	if sender == "" {
		sender = "human"
	}
	if t.cfg.ExcludeBots && sender == "bot" {
		return nil
	}
	r := &Reply{Business: m.Business, Customer: m.Customer, Market: p.market, Agent: m.Agent, Sender: sender, Kind: p.kind(),
		Asked: p.since, At: m.Time, Calendar: m.Time.Sub(p.since), ID: m.ID}
	r.WindowLeft = p.lastIn.Add(t.cfg.Window).Sub(m.Time)
	r.Late = r.WindowLeft <= 0
	if r.Late {
		r.Cost = e.Cost
	}
	if t.cfg.Schedule != nil {
		r.Hours = t.cfg.Schedule.Open(p.since, m.Time)
	}
	if target, ok := t.cfg.Targets[r.Kind]; ok {
		r.Breach = t.measure(r.Calendar, r.Hours) > target
	}
	if t.cfg.WaitingOnly {
		p.waiting = false
		return nil
	}
	r.group = t.group(m.Business, p.market, p.since, m.Agent, sender)
	for _, s := range t.sampleSets(r.group) {
		s.cal[r.Kind] = append(s.cal[r.Kind], r.Calendar)
		s.hours[r.Kind] = append(s.hours[r.Kind], r.Hours)
		if r.Breach {
			s.breaches[r.Kind]++
		}
		if r.Late {
			s.late++
			s.lateCost += r.Cost
		}
	}
	p.waiting = false
	if t.onRep != nil {
		return t.onRep(r)
	}
	return nil
}

func (t *Tracker) measure(cal, hours time.Duration) time.Duration {
	if t.cfg.Business && t.cfg.Schedule != nil {
		return hours
	}
	return cal
}

// sampleSets are the samples a reply of group g goes to: the whole run's,
// and its group's when there are groups.
func (t *Tracker) sampleSets(g groupKey) []*samples {
	if len(t.cfg.GroupBy) == 0 {
		return t.allOnly[:]
	}
	return []*samples{t.all, t.samplesFor(g)}
}

func (t *Tracker) samplesFor(g groupKey) *samples {
	s := t.groups[g]
	if s == nil {
		s = newSamples()
		t.groups[g] = s
	}
	return s
}

// Stats summarise one kind of reply.
type Stats struct {
	Count      int64         `json:"count"`
	Mean       time.Duration `json:"-"`
	P50        time.Duration `json:"-"`
	P90        time.Duration `json:"-"`
	P95        time.Duration `json:"-"`
	P99        time.Duration `json:"-"`
	Max        time.Duration `json:"-"`
	Target     time.Duration `json:"-"`
	HasTarget  bool          `json:"-"`
	Breaches   int64         `json:"breaches"`
	BreachRate *big.Rat      `json:"-"`
}

func stats(ds []time.Duration, breaches int64, target time.Duration, hasTarget bool) Stats {
	s := Stats{Count: int64(len(ds)), Breaches: breaches, Target: target, HasTarget: hasTarget, BreachRate: new(big.Rat)}
	if len(ds) == 0 {
		return s
	}
	sorted := append([]time.Duration(nil), ds...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	var sum time.Duration
	for _, d := range sorted {
		sum += d
	}
	s.Mean = sum / time.Duration(len(sorted))
	s.P50, s.P90, s.P95, s.P99 = Percentile(sorted, 50), Percentile(sorted, 90), Percentile(sorted, 95), Percentile(sorted, 99)
	s.Max = sorted[len(sorted)-1]
	s.BreachRate = big.NewRat(breaches, int64(len(ds)))
	return s
}

// Block is the measurement of one scope: the whole run or a group.
type Block struct {
	Group    map[string]string `json:"group,omitempty"`
	First    Stats             `json:"-"`
	Next     Stats             `json:"-"`
	All      Stats             `json:"-"`
	Late     int64             `json:"replies_after_window"`
	LateCost pricing.Money     `json:"replies_after_window_cost"`
	// Calendar holds the calendar-time stats when the clock is business hours.
	CalFirst, CalNext, CalAll *Stats `json:"-"`
	Waiting                   int64  `json:"waiting"`
	WaitMax                   time.Duration
}

func (t *Tracker) block(s *samples) Block {
	pick := s.cal
	if t.cfg.Business && t.cfg.Schedule != nil {
		pick = s.hours
	}
	tf, okf := t.cfg.Targets[First]
	tn, okn := t.cfg.Targets[Next]
	all := append(append([]time.Duration(nil), pick[First]...), pick[Next]...)
	b := Block{
		First: stats(pick[First], s.breaches[First], tf, okf),
		Next:  stats(pick[Next], s.breaches[Next], tn, okn),
		All:   stats(all, s.breaches[First]+s.breaches[Next], 0, false),
		Late:  s.late, LateCost: s.lateCost, Waiting: s.waiting, WaitMax: s.waitMax,
	}
	if t.cfg.Business && t.cfg.Schedule != nil {
		b.WaitMax = s.waitHoursMax
		cf, cn := stats(s.cal[First], 0, 0, false), stats(s.cal[Next], 0, 0, false)
		ca := stats(append(append([]time.Duration(nil), s.cal[First]...), s.cal[Next]...), 0, 0, false)
		b.CalFirst, b.CalNext, b.CalAll = &cf, &cn, &ca
	}
	return b
}

// Result is what an sla run found.
type Result struct {
	Clock   string          `json:"clock"`
	Now     time.Time       `json:"now"`
	Summary Block           `json:"-"`
	Groups  []Block         `json:"-"`
	GroupBy []string        `json:"group_by"`
	Waiting []Waiting       `json:"-"`
	Sim     simulate.Result `json:"-"`
}

// Finish closes the run at now (zero: the last message's time): customers
// still waiting are listed, and the statistics computed.
func (t *Tracker) Finish(now time.Time) Result {
	if now.IsZero() {
		now = t.last
	}
	r := Result{Clock: "calendar", Now: now, GroupBy: append([]string{}, t.cfg.GroupBy...), Waiting: []Waiting{}}
	if t.cfg.Business && t.cfg.Schedule != nil {
		r.Clock = "business"
	}
	for _, b := range t.pairs {
		b.each(func(p *pair) { t.waiting(&r, b.business, p, now) })
	}
	sort.Slice(r.Waiting, func(i, j int) bool {
		if !r.Waiting[i].Since.Equal(r.Waiting[j].Since) {
			return r.Waiting[i].Since.Before(r.Waiting[j].Since)
		}
		return r.Waiting[i].Customer < r.Waiting[j].Customer
	})
	r.Summary = t.block(t.all)
	var keys []groupKey
	for g := range t.groups {
		keys = append(keys, g)
	}
	sort.Slice(keys, func(i, j int) bool { return keyString(keys[i]) < keyString(keys[j]) })
	for _, g := range keys {
		if len(t.cfg.GroupBy) == 0 {
			break
		}
		b := t.block(t.groups[g])
		b.Group = map[string]string{}
		for _, d := range t.cfg.GroupBy {
			b.Group[d] = g.field(d)
		}
		r.Groups = append(r.Groups, b)
	}
	return r
}

// waiting adds the customer p of business to r's waiting list, if waiting
// at now.
func (t *Tracker) waiting(r *Result, business string, p *pair, now time.Time) {
	if !p.waiting || p.since.After(now) {
		return
	}
	w := Waiting{Business: business, Customer: p.customer, Market: p.market, Kind: p.kind(), Since: p.since,
		Waited: now.Sub(p.since), WindowCloses: p.lastIn.Add(t.cfg.Window)}
	w.WindowLeft = w.WindowCloses.Sub(now)
	if t.cfg.Schedule != nil {
		w.Hours = t.cfg.Schedule.Open(p.since, now)
	}
	r.Waiting = append(r.Waiting, w)
	g := t.group(business, p.market, p.since, "", "")
	for _, s := range t.sampleSets(g) {
		s.waiting++
		if w.Waited > s.waitMax {
			s.waitMax = w.Waited
		}
		if w.Hours > s.waitHoursMax {
			s.waitHoursMax = w.Hours
		}
	}
}

// pairOf is m's business and customer's state; nil if new and not add.
func (t *Tracker) pairOf(m *msglog.Message, add bool) *pair {
	b := t.lastBiz
	if b == nil || b.business != m.Business {
		if b = t.pairs[m.Business]; b == nil {
			if !add {
				return nil
			}
			b = &bizPairs{business: strings.Clone(m.Business), byKey: map[uint64]*pair{}, byName: map[string]*pair{}}
			t.pairs[b.business] = b
		}
		t.lastBiz = b
	}
	if k := m.CustomerKey; k != 0 {
		p := b.byKey[k]
		if p == nil && add {
			p = &pair{customer: m.Customer}
			b.byKey[k] = p
		}
		return p
	}
	p := b.byName[m.Customer]
	if p == nil && add {
		p = &pair{customer: strings.Clone(m.Customer)}
		b.byName[p.customer] = p
	}
	return p
}

func keyString(g groupKey) string {
	return strings.Join([]string{g.business, g.market, g.day, g.week, g.agent, g.sender}, "\x00")
}

func (g groupKey) field(d string) string {
	switch d {
	case "business":
		return g.business
	case "market":
		return g.market
	case "day":
		return g.day
	case "week":
		return g.week
	case "agent":
		return g.agent
	case "sender":
		return g.sender
	}
	return ""
}

func secs(d time.Duration) gate.Value {
	return gate.Value{V: big.NewRat(int64(d/time.Millisecond), 1000), Kind: gate.Duration}
}

// MetricNames documents the metrics sla offers to thresholds (KIND is
// first_reply, next_reply or reply).
var MetricNames = []string{"KIND.count", "KIND.mean", "KIND.p50", "KIND.p90", "KIND.p95", "KIND.p99", "KIND.max",
	"KIND.breaches", "KIND.breach_rate", "breaches", "breach_rate", "replies_after_window", "replies_after_window.cost", "waiting", "waiting.max",
	"and every simulate metric (cost, cost.<category>, billed, ...)"}

func setStats(m gate.Metrics, scope, name string, s Stats) {
	m.Set(scope, name+".count", gate.CountOf(s.Count))
	m.Set(scope, name+".breaches", gate.CountOf(s.Breaches))
	m.Set(scope, name+".breach_rate", gate.Value{V: s.BreachRate, Kind: gate.Ratio})
	if s.Count == 0 {
		return // no replies: the time metrics have no value in this scope
	}
	for _, x := range []struct {
		n string
		d time.Duration
	}{{"mean", s.Mean}, {"p50", s.P50}, {"p90", s.P90}, {"p95", s.P95}, {"p99", s.P99}, {"max", s.Max}} {
		m.Set(scope, name+"."+x.n, secs(x.d))
	}
}

func setBlock(m gate.Metrics, scope string, b Block) {
	setStats(m, scope, "first_reply", b.First)
	setStats(m, scope, "next_reply", b.Next)
	setStats(m, scope, "reply", b.All)
	m.Set(scope, "breaches", gate.CountOf(b.All.Breaches))
	m.Set(scope, "breach_rate", gate.Value{V: b.All.BreachRate, Kind: gate.Ratio})
	// Not simulate's late_replies (every free-form message sent with no
	// window open): replies that came after the window had closed.
	m.Set(scope, "replies_after_window", gate.CountOf(b.Late))
	m.Set(scope, "replies_after_window.cost", gate.MoneyOf(int64(b.LateCost)))
	m.Set(scope, "waiting", gate.CountOf(b.Waiting))
	m.Set(scope, "waiting.max", secs(b.WaitMax))
}

// Metrics returns the run's metrics for thresholds: every simulate metric
// of the same replay (cost, cost.marketing, billed, ...), then the reply
// metrics of the whole run and of each group.
func (r *Result) Metrics() gate.Metrics {
	m := r.Sim.Metrics()
	setBlock(m, "", r.Summary)
	for _, g := range r.Groups {
		var pairs []string
		for _, d := range r.GroupBy {
			pairs = append(pairs, d, g.Group[d])
		}
		setBlock(m, gate.Scope(pairs...), g)
	}
	return m
}
