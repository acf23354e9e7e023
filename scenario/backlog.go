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
	"github.com/wacost/wacost/stream"
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
// cost-versus-delay curve of the whole log: a Backlogger fed a log held in
// memory (in replay order).
func RunBacklog(base simulate.Options, log []msglog.Message, cfg BacklogConfig) (*Backlog, error) {
	return runBacklog(base, log, cfg, MemorySpill())
}

func runBacklog(base simulate.Options, log []msglog.Message, cfg BacklogConfig, sp Spill) (*Backlog, error) {
	bl, err := NewBacklogger(base, cfg, sp)
	if err != nil {
		return nil, err
	}
	defer bl.Close()
	o := base
	bl.Configure(&o)
	eng, err := simulate.New(o)
	if err != nil {
		return nil, err
	}
	for i := range log {
		m := log[i]
		if err := bl.Add(&m); err != nil {
			return nil, err
		}
		if err := eng.Add(&m); err != nil {
			return nil, err
		}
	}
	return bl.Finish(eng.Result(), func(err error) error { return err })
}

// Backlogger makes a backlog report in one pass over a log, in replay
// order, beside the replay's own engine (Configure): that engine tracks
// who is waiting at Now and gives the daily cost; two engines of its own
// replay the log up to Now for the plans, whose replies are added at the
// end; and the curve's messages are spooled once, the replies that move
// with the delay sorted apart (their order is the same at every delay),
// to be merged back at each delay. Memory is live state and sort buffers,
// not the log.
type Backlogger struct {
	cfg   BacklogConfig
	tr    *sla.Tracker
	plans [2]*planRun
	curve *lane
	last  time.Time
	n     int64
	w     *workers
	// log is the spooled log (Spill.Defer): the plans and the curve take
	// it after the read, in turn, not beside the replay's engine.
	log *stream.Spool
	// rejected counts the rows that could not be read.
	rejected int64
}

// planRun is one order's plan, priced by an engine of its own.
type planRun struct {
	eng *simulate.Engine
	p   Plan
	now time.Time // (zero: the end of the log)
}

// add takes the log up to Now.
func (pr *planRun) add(m *msglog.Message) error {
	if !pr.now.IsZero() && m.Time.After(pr.now) {
		return nil
	}
	c := *m
	return pr.eng.Add(&c)
}

// NewBacklogger sets up a backlog over base (the run's options).
func NewBacklogger(base simulate.Options, cfg BacklogConfig, sp Spill) (*Backlogger, error) {
	if cfg.Window == 0 {
		cfg.Window = 24 * time.Hour
	}
	if cfg.Capacity <= 0 {
		return nil, fmt.Errorf("capacity must be positive")
	}
	if cfg.Order != FIFO {
		cfg.Order = ExpiryFirst
	}
	b := &Backlogger{cfg: cfg, tr: sla.New(sla.Config{Window: cfg.Window, WaitingOnly: true}, nil)}
	other := FIFO
	if cfg.Order == FIFO {
		other = ExpiryFirst
	}
	for i, how := range []string{cfg.Order, other} {
		pr := &planRun{p: Plan{Order: how, Replies: []PlannedReply{}}, now: cfg.Now}
		o := base
		o.Rate, o.Fee, o.Visit, o.GroupBy, o.Ledger = nil, nil, nil, nil, nil
		var err error
		if pr.eng, err = simulate.New(o); err != nil {
			return nil, err
		}
		b.plans[i] = pr
	}
	o := base
	o.Ledger, o.Visit, o.Rate, o.Fee, o.GroupBy = nil, nil, nil, nil, nil
	var err error
	if b.curve, err = newShiftLane(Scenario{Name: "curve", Delay: &Delay{Op: '=', By: 0}}, o, sp); err != nil {
		return nil, err
	}
	if sp.Defer {
		run, err := sp.New()
		if err != nil {
			b.curve.close()
			return nil, err
		}
		b.log = stream.NewSpool(run)
		b.w = startWorkers(nil)
		return b, nil
	}
	b.w = startWorkers([]adder{b.plans[0], b.plans[1], b.curve})
	return b, nil
}

// Configure sets the replay's own engine's options: a day's cost, and
// who is waiting at Now.
func (b *Backlogger) Configure(so *simulate.Options) {
	so.GroupBy = []string{"day"}
	so.Ledger, so.Rate, so.Fee = nil, nil, nil
	so.Visit = func(m *msglog.Message, e *simulate.Entry) error {
		if !b.cfg.Now.IsZero() && m.Time.After(b.cfg.Now) {
			return nil
		}
		if m.Direction == msglog.Inbound {
			b.tr.Customer(m, e.Market)
			return nil
		}
		return b.tr.Business(m, e)
	}
}

// Add takes the next message of the log (lent: it is copied), into the
// plans and the curve side by side.
func (b *Backlogger) Add(m *msglog.Message) error {
	b.n++
	if m.Time.After(b.last) {
		b.last = m.Time
	}
	if b.log != nil {
		return b.log.Write(m)
	}
	return b.w.add(m)
}

// Reject counts a row that could not be read.
func (b *Backlogger) Reject() { b.rejected++ }

// Close stops the backlog and removes what the curve spilled.
func (b *Backlogger) Close() {
	if b.w != nil {
		b.w.stop()
	}
	if b.curve != nil {
		b.curve.close()
	}
	if b.log != nil {
		b.log.Close()
	}
}

// Finish plans the replies at Now, prices them, and draws the curve from
// the spools (on every core); res is the replay's own result (Configure).
func (b *Backlogger) Finish(res simulate.Result, onRowErr func(error) error) (*Backlog, error) {
	cfg := b.cfg
	if err := b.w.finish(); err != nil {
		return nil, err
	}
	if b.n == 0 {
		return nil, fmt.Errorf("the log is empty")
	}
	b.curve.rejected += b.rejected // (the plans report only their replies)
	if cfg.Now.IsZero() {
		cfg.Now = b.last
	}
	waiting := b.tr.Finish(cfg.Now).Waiting
	b.tr = nil // (its customers' states go before the curve's replays)
	step := cfg.Step
	if step == nil {
		step = func(string, int, int) {}
	}
	if b.log != nil { // the plans' engines, then the curve's shifter
		step("the plans", 0, 2)
		if err := b.replayLog(b.plans[0], b.plans[1]); err != nil {
			return nil, err
		}
	}
	bl := &Backlog{Now: cfg.Now, Capacity: cfg.Capacity, Waiting: len(waiting), Currency: res.Summary.Currency}
	for i, pr := range b.plans {
		if err := pr.finish(waiting, cfg); err != nil {
			return nil, err
		}
		if i == 0 {
			bl.Plan = pr.p
		} else {
			bl.Other = pr.p
		}
	}
	for _, pr := range b.plans {
		pr.eng = nil // its states go before the curve's replays
	}
	bl.NeededCapacity, bl.AlreadyClosed = neededCapacity(waiting, cfg)
	step("the plans", 2, 2)
	if b.log != nil {
		step("the replies the curve moves", 0, 1)
		if err := b.replayLog(b.curve); err != nil {
			return nil, err
		}
		step("the replies the curve moves", 1, 1)
	}
	b.curve.shift.release()
	delays := cfg.Delays
	if len(delays) == 0 {
		delays = DefaultDelays
	}
	var err error
	if bl.Curve, err = b.curveAt(delays, onRowErr, step); err != nil {
		return nil, err
	}
	for _, g := range res.Groups {
		bl.Daily = append(bl.Daily, DayCost{Day: g.Day, Cost: g.Cost})
	}
	bl.Notes = res.Notes
	return bl, nil
}

// replayLog feeds the spooled log to the adders side by side.
func (b *Backlogger) replayLog(as ...adder) error {
	r, err := b.log.Reader()
	if err != nil {
		return err
	}
	w := startWorkers(as)
	if err := pump(r, w); err != nil {
		w.stop()
		return err
	}
	return w.finish()
}

// curveAt replays the spooled log at each delay, side by side on every
// core (each replay reads the spools on its own).
func (b *Backlogger) curveAt(delays []time.Duration, onRowErr func(error) error, step func(string, int, int)) ([]CurvePoint, error) {
	const phase = "the cost of the log at each reply delay"
	// The first reads finish the spools (a flush, the last sorted run).
	if _, err := b.curve.kept.Reader(); err != nil {
		return nil, err
	}
	if err := b.curve.moved.Compact(); err != nil { // read 17 times: one run, not hundreds
		return nil, err
	}
	safe := lockedErrs(onRowErr)
	curve := make([]CurvePoint, len(delays))
	err := sideBySide(len(delays), func(i int) error {
		res, err := b.curve.replay(safe, delays[i])
		curve[i] = CurvePoint{Delay: delays[i], Cost: res.Summary.Cost, Late: res.Summary.LateReplies}
		return err
	}, func(done, n int) { step(phase, done, n) })
	if err != nil {
		return nil, err
	}
	return curve, nil
}

// finish answers the waiting customers in the plan's order and prices
// each reply: a free-form message at its slot, after the log up to Now.
func (pr *planRun) finish(waiting []sla.Waiting, cfg BacklogConfig) error {
	p := &pr.p
	ordered := order(waiting, p.Order, cfg.Now)
	var msgs []msglog.Message
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
	for i := range msgs {
		k := msgs[i].Pos.Line // the reply's place in the plan
		if err := pr.eng.Add(&msgs[i]); err != nil {
			return err
		}
		e := pr.eng.LastEntry()
		if e.ID != msgs[i].ID { // rejected (--skip-invalid): no record
			continue
		}
		r := &p.Replies[k-1]
		r.Decision, r.Reason, r.Cost = e.Decision, e.Reason, e.Cost
		p.Cost += e.Cost
	}
	for _, r := range p.Replies {
		if r.Inside {
			p.Inside++
		} else {
			p.After++
		}
	}
	return nil
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
