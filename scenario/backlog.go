package scenario

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
	"github.com/wacost/wacost/sla"
)

// Orders in which a backlog can be answered.
const (
	FIFO        = "fifo"         // the longest waiting first
	ExpiryFirst = "expiry-first" // the soonest-closing window first; closed ones last
)

// BacklogConfig sets up a backlog plan.
type BacklogConfig struct {
	Now      time.Time     // zero: the last message of the log
	Capacity float64       // replies per hour
	Schedule *sla.Schedule // replies only in opening hours, if set
	Order    string
	Window   time.Duration // the customer-service window (24 h)
	// Delays are the points of the cost-versus-delay curve.
	Delays []time.Duration
	// Step, if set, hears each phase's progress: the phase, how many of
	// its n replays are done.
	Step func(phase string, done, n int)
}

// DefaultDelays are the points of the cost-versus-reply-delay curve.
var DefaultDelays = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour,
	4 * time.Hour, 8 * time.Hour, 12 * time.Hour, 16 * time.Hour, 20 * time.Hour, 23 * time.Hour, 24 * time.Hour, 30 * time.Hour,
	36 * time.Hour, 48 * time.Hour, 72 * time.Hour}

// PlannedReply is one customer of the backlog and when the plan answers.
type PlannedReply struct {
	sla.Waiting
	At       time.Time       `json:"reply_at"`
	Inside   bool            `json:"inside_window"`
	Decision pricing.Outcome `json:"decision"`
	Reason   pricing.Reason  `json:"reason"`
	Cost     pricing.Money   `json:"cost"`
}

// Plan is the backlog answered in one order.
type Plan struct {
	Order   string         `json:"order"`
	Inside  int            `json:"inside_window"`
	After   int            `json:"after_window"`
	Cost    pricing.Money  `json:"cost"`
	Last    time.Time      `json:"last_reply_at"`
	Replies []PlannedReply `json:"replies"`
}

// CurvePoint is the cost of the whole log if every reply took Delay.
type CurvePoint struct {
	Delay time.Duration `json:"-"`
	Cost  pricing.Money `json:"cost"`
	Late  int64         `json:"late_replies"`
}

// Backlog is the result of a backlog run.
type Backlog struct {
	Now      time.Time    `json:"now"`
	Capacity float64      `json:"capacity_per_hour"`
	Currency string       `json:"currency"`
	Waiting  int          `json:"waiting"`
	Plan     Plan         `json:"plan"`
	Other    Plan         `json:"other_order"`
	Curve    []CurvePoint `json:"curve"`
	// NeededCapacity is the fewest replies per hour that answer, window
	// expiry first, every waiting customer whose window is still open before
	// it closes; AlreadyClosed can no longer be answered inside the window.
	NeededCapacity int `json:"capacity_needed_per_hour"`
	AlreadyClosed  int `json:"already_closed"`
	// Daily is the log's cost per day (for the charts).
	Daily []DayCost `json:"daily"`
	// Notes are what the log's figures rest on (its replay's notes).
	Notes []string `json:"notes"`
}

// DayCost is the cost of one day of the log.
type DayCost struct {
	Day  string        `json:"day"`
	Cost pricing.Money `json:"cost"`
}

// slotAt is when the k-th reply (1-based) of a plan goes out.
func (c BacklogConfig) slotAt(k int, capacity float64) time.Time {
	d := time.Duration(float64(k) / capacity * float64(time.Hour))
	if c.Schedule != nil {
		return c.Schedule.Advance(c.Now, d)
	}
	return c.Now.Add(d)
}

func order(ws []sla.Waiting, how string, now time.Time) []sla.Waiting {
	out := append([]sla.Waiting(nil), ws...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if how == ExpiryFirst {
			ao, bo := a.WindowCloses.After(now), b.WindowCloses.After(now)
			if ao != bo {
				return ao // open windows first
			}
			if ao && !a.WindowCloses.Equal(b.WindowCloses) {
				return a.WindowCloses.Before(b.WindowCloses)
			}
		}
		if !a.Since.Equal(b.Since) {
			return a.Since.Before(b.Since)
		}
		return a.Customer < b.Customer
	})
	return out
}

// RunBacklog plans the answers to the customers waiting at cfg.Now, in
// both orders, prices them under the rules in force (the log up to Now plus
// the planned replies, replayed through the engine), and draws the
// cost-versus-delay curve of the whole log.
func RunBacklog(base simulate.Options, log []msglog.Message, cfg BacklogConfig) (*Backlog, error) {
	if len(log) == 0 {
		return nil, fmt.Errorf("the log is empty")
	}
	if cfg.Now.IsZero() {
		cfg.Now = log[len(log)-1].Time
	}
	if cfg.Window == 0 {
		cfg.Window = 24 * time.Hour
	}
	if cfg.Capacity <= 0 {
		return nil, fmt.Errorf("capacity must be positive")
	}
	var prefix []msglog.Message
	for _, m := range log {
		if !m.Time.After(cfg.Now) {
			prefix = append(prefix, m)
		}
	}
	// Who is waiting at Now: the sla tracker over the same replay.
	tr := sla.New(sla.Config{Window: cfg.Window}, nil)
	o := base
	o.Ledger, o.Rate, o.Fee = nil, nil, nil
	o.Visit = func(m *msglog.Message, e *simulate.Entry) error {
		if m.Direction == msglog.Inbound {
			tr.Customer(m, e.Market)
			return nil
		}
		return tr.Business(m, e)
	}
	eng, err := simulate.New(o)
	if err != nil {
		return nil, err
	}
	for i := range prefix {
		if err := eng.Add(&prefix[i]); err != nil {
			return nil, err
		}
	}
	baseRes := eng.Result()
	waiting := tr.Finish(cfg.Now).Waiting
	b := &Backlog{Now: cfg.Now, Capacity: cfg.Capacity, Waiting: len(waiting), Currency: baseRes.Summary.Currency}
	other := FIFO
	if cfg.Order == FIFO {
		other = ExpiryFirst
	}
	if b.Plan, err = priceplan(base, prefix, waiting, cfg, cfg.Order); err != nil {
		return nil, err
	}
	if b.Other, err = priceplan(base, prefix, waiting, cfg, other); err != nil {
		return nil, err
	}
	b.NeededCapacity, b.AlreadyClosed = neededCapacity(waiting, cfg)

	delays := cfg.Delays
	if len(delays) == 0 {
		delays = DefaultDelays
	}
	step := cfg.Step
	if step == nil {
		step = func(string, int, int) {}
	}
	step("the plans", 2, 2)
	for i, d := range delays {
		step("the cost of the log at each reply delay", i, len(delays))
		s := Scenario{Delay: &Delay{Op: '=', By: d}}
		out, err := Run(base, log, s, nil)
		if err != nil {
			return nil, err
		}
		b.Curve = append(b.Curve, CurvePoint{Delay: d, Cost: out.Result.Summary.Cost, Late: out.Result.Summary.LateReplies})
	}
	step("the cost of the log at each reply delay", len(delays), len(delays))
	// Daily cost of the log as it is.
	o = base
	o.GroupBy = []string{"day"}
	o.Ledger, o.Visit, o.Rate, o.Fee = nil, nil, nil, nil
	eng, err = simulate.New(o)
	if err != nil {
		return nil, err
	}
	for i := range log {
		m := log[i]
		if err := eng.Add(&m); err != nil {
			return nil, err
		}
	}
	res := eng.Result()
	for _, g := range res.Groups {
		b.Daily = append(b.Daily, DayCost{Day: g.Day, Cost: g.Cost})
	}
	b.Notes = res.Notes
	return b, nil
}

// priceplan answers the waiting customers in one order and prices each
// reply: a free-form message at its slot, replayed after the log.
func priceplan(base simulate.Options, prefix []msglog.Message, waiting []sla.Waiting, cfg BacklogConfig, how string) (Plan, error) {
	p := Plan{Order: how, Replies: []PlannedReply{}}
	ordered := order(waiting, how, cfg.Now)
	msgs := append([]msglog.Message(nil), prefix...)
	for k, w := range ordered {
		at := cfg.slotAt(k+1, cfg.Capacity)
		msgs = append(msgs, msglog.Message{Time: at, Direction: msglog.Outbound, Customer: w.Customer, Business: w.Business,
			Type: "text", ID: "plan-" + strconv.Itoa(k+1), Status: "delivered",
			Pos: msglog.Pos{File: "plan", Line: k + 1, Seq: int64(1)<<50 + int64(k)}})
		p.Replies = append(p.Replies, PlannedReply{Waiting: w, At: at, Inside: at.Before(w.WindowCloses)})
		if at.After(p.Last) {
			p.Last = at
		}
	}
	sort.SliceStable(msgs, func(i, j int) bool { return msglog.Less(&msgs[i], &msgs[j]) })
	o := base
	o.Rate, o.Fee, o.Visit = nil, nil, nil
	// The planned replies are told apart by their source, "plan:K".
	o.Ledger = func(e *simulate.Entry) error {
		var k int
		if _, err := fmt.Sscanf(e.Source, "plan:%d", &k); err == nil && k >= 1 && k <= len(p.Replies) {
			r := &p.Replies[k-1]
			r.Decision, r.Reason, r.Cost = e.Decision, e.Reason, e.Cost
			p.Cost += e.Cost
		}
		return nil
	}
	eng, err := simulate.New(o)
	if err != nil {
		return p, err
	}
	for i := range msgs {
		if err := eng.Add(&msgs[i]); err != nil {
			return p, err
		}
	}
	for _, r := range p.Replies {
		if r.Inside {
			p.Inside++
		} else {
			p.After++
		}
	}
	return p, nil
}

// neededCapacity finds the fewest replies per hour that, window expiry
// first, answer every customer whose window is still open before it closes.
func neededCapacity(waiting []sla.Waiting, cfg BacklogConfig) (int, int) {
	var open []sla.Waiting
	closed := 0
	for _, w := range waiting {
		if w.WindowCloses.After(cfg.Now) {
			open = append(open, w)
		} else {
			closed++
		}
	}
	if len(open) == 0 {
		return 0, closed
	}
	ordered := order(open, ExpiryFirst, cfg.Now)
	ok := func(n int) bool {
		for k, w := range ordered {
			if !cfg.slotAt(k+1, float64(n)).Before(w.WindowCloses) {
				return false
			}
		}
		return true
	}
	lo, hi := 1, 1
	for !ok(hi) {
		if hi > 1<<24 {
			return -1, closed // not reachable: a window closes (almost) at once
		}
		hi *= 2
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if ok(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, closed
}
