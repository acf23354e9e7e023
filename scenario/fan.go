package scenario

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
	"github.com/wacost/wacost/stream"
)

// Spill makes the temporary files a fan spills to (it does no file I/O of
// its own); InMemory is how many reordered messages one scenario holds
// before its sorted runs spill.
type Spill struct {
	New      func() (stream.RunFile, error)
	InMemory int
}

// Fan prices one stream of messages, read once in replay order, under
// several scenarios at once. A scenario that changes no behaviour gets
// an engine of its own, fed as the messages come; one unchanged in every
// way takes the replay's own result. A scenario that moves replies in time
// (reply_delay, reply_cap) reorders the log: its messages that keep their
// time are spooled in order, the moved ones sorted by their new time (in
// runs on disk past Spill.InMemory), and Finish merges the two into its
// engine. Memory is the live state of each engine and shifter, and the
// sort buffers: not the log.
type Fan struct {
	base  simulate.Options
	lanes []*lane
	spill Spill
}

// lane is one scenario's way through the fan.
type lane struct {
	s        Scenario
	opts     simulate.Options
	plain    bool // the replay's own result is this scenario's
	eng      *simulate.Engine
	shift    *shifter
	kept     *stream.Spool
	moved    *stream.Sorter
	rejected int64 // unreadable rows, for an engine made at the end
	scratch  msglog.Message
}

// NewFan sets up the scenarios' engines over base (the run's options);
// tariff resolves a scenario's tariff by name or file.
func NewFan(base simulate.Options, scs []Scenario, tariff func(string) (*pricing.Card, error), sp Spill) (*Fan, error) {
	f := &Fan{base: base, spill: sp}
	for _, s := range scs {
		o, err := s.options(base, tariff)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("scenario %q: %w", s.Name, err)
		}
		l := &lane{s: s, opts: o}
		switch {
		case s.Changes() == "as logged" && o.Rate == nil && o.Fee == nil:
			l.plain = true
		case s.Delay != nil || s.Cap > 0:
			if l, err = newShiftLane(s, o, sp); err != nil {
				f.Close()
				return nil, err
			}
		default:
			if l.eng, err = simulate.New(o); err != nil {
				f.Close()
				return nil, fmt.Errorf("scenario %q: %w", s.Name, err)
			}
		}
		f.lanes = append(f.lanes, l)
	}
	return f, nil
}

// options are a scenario's engine options over base.
func (s Scenario) options(base simulate.Options, tariff func(string) (*pricing.Card, error)) (simulate.Options, error) {
	o := base
	o.Ledger, o.Visit = nil, nil
	if s.Regime != "" {
		o.Regime = s.Regime
	}
	if s.Tariff != "" {
		card, err := tariff(s.Tariff)
		if err != nil {
			return o, err
		}
		o.Tariff = card
	}
	switch s.LateReplies {
	case "template":
		o.Policy.Late = pricing.LateTemplate
	case "block", "drop":
		o.Policy.Late = pricing.LateBlock
	}
	o.Rate, o.Fee = s.RateHook(), s.FeeHook()
	return o, nil
}

// Add takes the next message in replay order (lent: it is copied).
func (f *Fan) Add(m *msglog.Message) error {
	for _, l := range f.lanes {
		if err := l.add(m); err != nil {
			return err
		}
	}
	return nil
}

// add takes the next message into the lane.
func (l *lane) add(m *msglog.Message) error {
	if l.plain {
		return nil
	}
	c := &l.scratch
	*c = *m
	l.s.recategorize(c)
	if l.eng != nil {
		if err := l.eng.Add(c); err != nil {
			return fmt.Errorf("scenario %q: %w", l.s.Name, err)
		}
		return nil
	}
	if moved, key := l.shift.next(c); moved {
		c.Time = key
		return l.moved.Add(c)
	}
	return l.kept.Write(c)
}

// newShiftLane is a lane that reorders the log by the scenario's delay.
func newShiftLane(s Scenario, o simulate.Options, sp Spill) (*lane, error) {
	run, err := sp.New()
	if err != nil {
		return nil, err
	}
	return &lane{s: s, opts: o, shift: &shifter{s: s, st: map[partyKey]*shiftState{}},
		kept: stream.NewSpool(run), moved: stream.NewSorter(sp.InMemory, sp.New)}, nil
}

// MemorySpill spills to memory (for a log held in memory anyway).
func MemorySpill() Spill {
	return Spill{InMemory: 1 << 16, New: func() (stream.RunFile, error) { return &memRun{}, nil }}
}

// memRun is a RunFile in memory.
type memRun struct{ bytes.Buffer }

func (m *memRun) Rewind() (io.Reader, error) { return bytes.NewReader(m.Bytes()), nil }
func (m *memRun) Close() error               { m.Reset(); return nil }

// Reject counts a row that could not be read, in every scenario.
func (f *Fan) Reject() {
	for _, l := range f.lanes {
		switch {
		case l.eng != nil:
			l.eng.Reject()
		case !l.plain:
			l.rejected++
		}
	}
}

// Finish ends the stream: the reordering scenarios are replayed from
// their spools (step hears each one's progress), and each scenario's
// outcome is made; plain scenarios take res, the replay's own result.
func (f *Fan) Finish(res simulate.Result, onRowErr func(error) error, step func(done, n int)) ([]Outcome, error) {
	n, done := 0, 0
	for _, l := range f.lanes {
		if l.shift != nil {
			n++
		}
	}
	var outs []Outcome
	for _, l := range f.lanes {
		r := res
		switch {
		case l.eng != nil:
			r = l.eng.Result()
		case l.shift != nil:
			if step != nil {
				step(done, n)
			}
			var by time.Duration
			if l.shift.fixed() {
				by = l.s.Delay.By
			}
			var err error
			if r, err = l.replay(onRowErr, by); err != nil {
				return nil, fmt.Errorf("scenario %q: %w", l.s.Name, err)
			}
			done++
		}
		outs = append(outs, outcome(l.s, r, l.opts.Location))
	}
	if step != nil && n > 0 {
		step(n, n)
	}
	return outs, nil
}

// replay merges a reordering lane's kept and moved messages (moved on by
// shift) into a new engine.
func (l *lane) replay(onRowErr func(error) error, shift time.Duration) (simulate.Result, error) {
	o := l.opts
	o.Rejected += l.rejected
	eng, err := simulate.New(o)
	if err != nil {
		return simulate.Result{}, err
	}
	kept, err := l.kept.Reader()
	if err != nil {
		return simulate.Result{}, err
	}
	moved, err := l.moved.Sorted(shift)
	if err != nil {
		return simulate.Result{}, err
	}
	if err := simulate.Run(eng, stream.Merge(kept, moved), onRowErr); err != nil {
		return simulate.Result{}, err
	}
	return eng.Result(), nil
}

// Close removes what the fan spilled.
func (f *Fan) Close() {
	for _, l := range f.lanes {
		l.close()
	}
}

func (l *lane) close() {
	if l.kept != nil {
		l.kept.Close()
	}
	if l.moved != nil {
		l.moved.Close()
	}
}

// outcome is a scenario's outcome of its priced run.
func outcome(s Scenario, res simulate.Result, loc *time.Location) Outcome {
	out := Outcome{Scenario: s, Result: res}
	if res.Summary.First != nil {
		out.MonthlyFees = s.MonthlyFees(*res.Summary.First, *res.Summary.Last, loc)
	}
	out.Fees = res.Summary.Fees + out.MonthlyFees
	out.Total = res.Summary.Cost + out.Fees
	return out
}

// recategorize applies the scenario's recategorisations to m.
func (s Scenario) recategorize(m *msglog.Message) {
	if len(s.Recat) == 0 || m.Direction != msglog.Outbound || !m.Template {
		return
	}
	for _, r := range s.Recat {
		if (r.Template != "" && m.TemplateName == r.Template) || (r.Category != "" && m.Category == r.Category) {
			m.SetCategory(r.To)
			return
		}
	}
}

// partyKey is a business and a customer.
type partyKey struct{ b, c string }

// shiftState is Transform's state of one business and customer.
type shiftState struct {
	waiting bool
	replied bool // since the last customer message: the burst is moved
	since   time.Time
	shift   time.Duration
}

// shifter is Transform's reply-delay rule, one message at a time, in
// replay order: it tells whether a message moves (a business message in
// the burst that answers a wait, even by 0), and the time it is sorted
// by. For a fixed delay (=D) that is its time at D = 0, the same order
// for every D (moved on by D when read); else its new time.
type shifter struct {
	s  Scenario
	st map[partyKey]*shiftState
}

func (sh *shifter) next(m *msglog.Message) (moved bool, key time.Time) {
	k := partyKey{m.Business, m.Customer}
	p := sh.st[k]
	if p == nil {
		p = &shiftState{}
		sh.st[k] = p
	}
	if m.Direction == msglog.Inbound {
		if !p.waiting {
			p.waiting, p.since = true, m.Time
		}
		p.shift, p.replied = 0, false
		return false, m.Time
	}
	if p.waiting && !m.Failed {
		d := m.Time.Sub(p.since)
		nd := d
		if sh.s.Delay != nil {
			nd = sh.s.Delay.apply(nd)
		}
		if sh.s.Cap > 0 && nd > sh.s.Cap {
			nd = sh.s.Cap
		}
		p.shift = nd - d
		if sh.fixed() {
			p.shift -= sh.s.Delay.By // sorted as at D = 0
		}
		p.waiting, p.replied = false, true
	}
	if !p.replied {
		return false, m.Time
	}
	return true, m.Time.Add(p.shift)
}

// fixed: every reply takes the same delay (=D, no cap), so one sort of the
// moved messages serves every D.
func (sh *shifter) fixed() bool { return sh.s.Delay != nil && sh.s.Delay.Op == '=' && sh.s.Cap == 0 }
