package scenario

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
	"github.com/wacost/wacost/stream"
)

// Spill makes the temporary files a fan spills to (it does no file I/O of
// its own; New is called from several goroutines at once); InMemory is how
// many reordered messages one scenario holds before its sorted runs spill.
type Spill struct {
	New      func() (stream.RunFile, error)
	InMemory int
	// Defer: the scenarios take no message during the read. The log is
	// spooled once, in replay order, and Finish replays the spool into the
	// scenarios, as many at a time as there are cores. Memory is then
	// that many engines' live state, not one per scenario; the cost is
	// one spool written and one read per scenario.
	Defer bool
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
	lanes []*lane
	w     *workers
	// log is the spooled log (Spill.Defer), nil when the scenarios take
	// the messages as they are read.
	log *stream.Spool
	// rejected counts the rows that could not be read.
	rejected int64
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
	f := &Fan{}
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
	var as []adder
	for _, l := range f.lanes {
		if !l.plain {
			as = append(as, l)
		}
	}
	if sp.Defer && len(as) > 0 {
		run, err := sp.New()
		if err != nil {
			f.Close()
			return nil, err
		}
		f.log, as = stream.NewSpool(run), nil
	}
	f.w = startWorkers(as)
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

// Add takes the next message in replay order (lent: it is copied). The
// scenarios take it side by side, on every core; an error of one comes
// back from a later Add, or from Finish.
func (f *Fan) Add(m *msglog.Message) error {
	if f.log != nil {
		return f.log.Write(m)
	}
	return f.w.add(m)
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
	return &lane{s: s, opts: o, shift: newShifter(s),
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
func (f *Fan) Reject() { f.rejected++ }

// Finish ends the stream: the deferred scenarios replay the spooled log,
// the reordering ones their own spools (step hears how many are done),
// and each scenario's outcome is made; plain scenarios take res, the
// replay's own result.
func (f *Fan) Finish(res simulate.Result, onRowErr func(error) error, step func(done, n int)) ([]Outcome, error) {
	if err := f.w.finish(); err != nil {
		return nil, err
	}
	for _, l := range f.lanes {
		l.reject(f.rejected)
	}
	outs := make([]Outcome, len(f.lanes))
	var later []int // replayed after the read
	for i, l := range f.lanes {
		switch {
		case l.plain:
			outs[i] = outcome(l.s, res, l.opts.Location)
		case f.log == nil && l.eng != nil:
			outs[i] = outcome(l.s, l.eng.Result(), l.opts.Location)
			l.eng = nil // its states go before the reordering scenarios' replays
		default:
			if f.log == nil {
				l.shift.release()
			}
			later = append(later, i)
		}
	}
	safe := lockedErrs(onRowErr)
	// reorder replays a reordering lane's spools into its engine.
	reorder := func(i int) error {
		l := f.lanes[i]
		var by time.Duration
		if l.shift.fixed() {
			by = l.s.Delay.By
		}
		r, err := l.replay(safe, by)
		if err != nil {
			return fmt.Errorf("scenario %q: %w", l.s.Name, err)
		}
		outs[i] = outcome(l.s, r, l.opts.Location)
		return nil
	}
	var err error
	if f.log == nil {
		err = sideBySide(len(later), func(k int) error { return reorder(later[k]) }, step)
	} else {
		err = f.replayLog(later, outs, reorder, step)
	}
	if err != nil {
		return nil, err
	}
	return outs, nil
}

// replayLog replays the spooled log into the lanes later, as many at a
// time as there are cores: one read of the spool feeds each group side by
// side; then the group's reordering lanes replay their own spools.
func (f *Fan) replayLog(later []int, outs []Outcome, reorder func(i int) error, step func(done, n int)) error {
	if step == nil {
		step = func(int, int) {}
	}
	n, done := len(later), 0
	step(0, n)
	// The reordering lanes first: their replays then pair up too.
	later = slices.Clone(later)
	slices.SortStableFunc(later, func(i, j int) int { return cmpBool(f.lanes[i].shift == nil, f.lanes[j].shift == nil) })
	per := runtime.GOMAXPROCS(0)
	for g := 0; g < n; g += per {
		group := later[g:min(g+per, n)]
		var as []adder
		for _, i := range group {
			as = append(as, f.lanes[i])
		}
		r, err := f.log.Reader()
		if err != nil {
			return err
		}
		w := startWorkers(as)
		if err := pump(r, w); err != nil {
			w.stop()
			return err
		}
		if err := w.finish(); err != nil {
			return err
		}
		var shifting []int
		for _, i := range group {
			l := f.lanes[i]
			if l.eng != nil {
				outs[i] = outcome(l.s, l.eng.Result(), l.opts.Location)
				l.eng = nil
				done++
				step(done, n)
				continue
			}
			l.shift.release()
			shifting = append(shifting, i)
		}
		err = sideBySide(len(shifting), func(k int) error { return reorder(shifting[k]) }, func(d, _ int) {
			if d > 0 {
				done++
				step(done, n)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// pump adds every message of the spooled log r to the workers.
func pump(r msglog.Reader, w *workers) error {
	var m msglog.Message
	for {
		err := r.Read(&m)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the spooled log: %w", err)
		}
		if err := w.add(&m); err != nil {
			return err
		}
	}
}

// lockedErrs is onRowErr for replays side by side.
func lockedErrs(onRowErr func(error) error) func(error) error {
	var mu sync.Mutex
	return func(err error) error {
		mu.Lock()
		defer mu.Unlock()
		return onRowErr(err)
	}
}

// sideBySide runs do(0..n-1), as many at a time as there are cores,
// telling step how many are done (from 0 of n to n of n), and returns the
// first error by index.
func sideBySide(n int, do func(i int) error, step func(done, n int)) error {
	if n == 0 {
		return nil
	}
	if step == nil {
		step = func(int, int) {}
	}
	var mu sync.Mutex
	errs := make([]error, n)
	next, done := 0, 0
	step(0, n)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				errs[i] = do(i)
				mu.Lock()
				done++
				step(done, n)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
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
	moved, err := l.moved.Runs(shift)
	if err != nil {
		return simulate.Result{}, err
	}
	if err := simulate.Run(eng, stream.Merge(append([]msglog.Reader{kept}, moved...)...), onRowErr); err != nil {
		return simulate.Result{}, err
	}
	return eng.Result(), nil
}

// reject counts n rows that could not be read.
func (l *lane) reject(n int64) {
	switch {
	case l.eng != nil:
		for range n {
			l.eng.Reject()
		}
	case !l.plain:
		l.rejected += n
	}
}

// Close stops the fan and removes what it spilled.
func (f *Fan) Close() {
	if f.w != nil {
		f.w.stop()
	}
	if f.log != nil {
		f.log.Close()
	}
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

// shiftState is Transform's state of one business and customer (times in
// Unix nanoseconds).
type shiftState struct {
	waiting bool
	replied bool // since the last customer message: the burst is moved
	since   int64
	shift   int64
}

// shifter is Transform's reply-delay rule, one message at a time, in
// replay order: it tells whether a message moves (a business message in
// the burst that answers a wait, even by 0), and the time it is sorted
// by. For a fixed delay (=D) that is its time at D = 0, the same order
// for every D (moved on by D when read); else its new time.
type shifter struct {
	s   Scenario
	biz map[string]*bizShifts
	// last is the last message's business's (most logs have one).
	lastBiz string
	last    *bizShifts
}

// bizShifts are one business's customers' states: by number key when
// the customer has one, else by name (values, not pointers: 200,000
// customers take about 8 MB).
type bizShifts struct {
	byKey  map[uint64]shiftState
	byName map[string]shiftState
}

// release drops the customers' states once the stream has ended.
func (sh *shifter) release() { sh.biz, sh.last = nil, nil }

func newShifter(s Scenario) *shifter { return &shifter{s: s, biz: map[string]*bizShifts{}} }

// biz is m's business's states.
func (sh *shifter) bizOf(m *msglog.Message) *bizShifts {
	bs := sh.last
	if bs == nil || m.Business != sh.lastBiz {
		if bs = sh.biz[m.Business]; bs == nil {
			bs = &bizShifts{byKey: map[uint64]shiftState{}, byName: map[string]shiftState{}}
			sh.biz[strings.Clone(m.Business)] = bs
		}
		sh.lastBiz, sh.last = m.Business, bs
	}
	return bs
}

func (sh *shifter) next(m *msglog.Message) (moved bool, key time.Time) {
	bs := sh.bizOf(m)
	if k := m.CustomerKey; k != 0 {
		p := bs.byKey[k]
		moved, key = sh.step(&p, m)
		bs.byKey[k] = p
		return moved, key
	}
	p, ok := bs.byName[m.Customer]
	moved, key = sh.step(&p, m)
	if ok {
		bs.byName[m.Customer] = p
	} else { // its own copy: the message's strings may share a reader's block with the rest of the log
		bs.byName[strings.Clone(m.Customer)] = p
	}
	return moved, key
}

// step is next on the customer's state p.
func (sh *shifter) step(p *shiftState, m *msglog.Message) (moved bool, key time.Time) {
	t := m.Time.UnixNano()
	if m.Direction == msglog.Inbound {
		if !p.waiting {
			p.waiting, p.since = true, t
		}
		p.shift, p.replied = 0, false
		return false, m.Time
	}
	if p.waiting && !m.Failed {
		d := time.Duration(t - p.since)
		nd := d
		if sh.s.Delay != nil {
			nd = sh.s.Delay.apply(nd)
		}
		if sh.s.Cap > 0 && nd > sh.s.Cap {
			nd = sh.s.Cap
		}
		p.shift = int64(nd - d)
		if sh.fixed() {
			p.shift -= int64(sh.s.Delay.By) // sorted as at D = 0
		}
		p.waiting, p.replied = false, true
	}
	if !p.replied {
		return false, m.Time
	}
	return true, m.Time.Add(time.Duration(p.shift))
}

// fixed: every reply takes the same delay (=D, no cap), so one sort of the
// moved messages serves every D.
func (sh *shifter) fixed() bool { return sh.s.Delay != nil && sh.s.Delay.Op == '=' && sh.s.Cap == 0 }
