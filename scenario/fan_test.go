package scenario

import (
	"bytes"
	"io"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/stream"
	"github.com/wacost/wacost/synth"
)

// countedRun is a RunFile in memory.
type countedRun struct {
	bytes.Buffer
	closed *atomic.Int64
}

func (m *countedRun) Rewind() (io.Reader, error) { return bytes.NewReader(m.Bytes()), nil }
func (m *countedRun) Close() error               { m.closed.Add(1); return nil }

// genLog is a synthetic log in replay order.
func genLog(t *testing.T, rows int64) []msglog.Message {
	t.Helper()
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Rows: rows, Seed: 5, Start: time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC), Days: 20, Customers: 150}); err != nil {
		t.Fatal(err)
	}
	r, err := msglog.NewReader(&buf, msglog.Options{Name: "g.csv", Format: msglog.FormatCSV})
	if err != nil {
		t.Fatal(err)
	}
	sl, err := stream.SortAll(r, func(err error) error { t.Fatal(err); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return sl.Msgs
}

// The fan, fed the log once and spilling its moved replies in runs of 50,
// gives every scenario the outcome of Run, which reorders the whole log
// in memory: reply delays of every kind (faster, slower, later, earlier,
// fixed), a cap, recategorised templates, another regime, fees, and an
// unchanged baseline that takes the replay's own result. Deferred, the
// scenarios replay one spool of the log after the read, to the same
// outcomes.
func TestFanEqualsRunOnTheWholeLog(t *testing.T) {
	for _, deferred := range []bool{false, true} {
		t.Run(map[bool]string{false: "live", true: "deferred"}[deferred], func(t *testing.T) { testFanEqualsRun(t, deferred) })
	}
}

func testFanEqualsRun(t *testing.T, deferred bool) {
	log := genLog(t, 6000)
	o, tariff := base(t)
	var scs []Scenario
	for _, spec := range []string{"as logged:", "faster:reply_delay=x0.5", "slower:reply_delay=x3", "later:reply_delay=+2h", "sooner:reply_delay=-30m",
		"fixed:reply_delay==15m", "fixed late:reply_delay==30h", "capped:reply_cap=23h", "both:reply_delay=x2,reply_cap=20h",
		"recat:recategorize=category utility -> marketing", "old rules:regime=2025-07", "bsp:per_message=0.005,monthly=50", "drop:late_replies=drop"} {
		s, err := ParseSpec(spec)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		scs = append(scs, s)
	}
	var closed, made atomic.Int64 // (the scenarios spill side by side)
	spill := Spill{InMemory: 50, Defer: deferred, New: func() (stream.RunFile, error) { made.Add(1); return &countedRun{closed: &closed}, nil }}
	f, err := NewFan(o, scs, tariff, spill)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Run(o, log, scs[0], tariff) // the replay's own result
	if err != nil {
		t.Fatal(err)
	}
	for i := range log {
		m := log[i]
		if err := f.Add(&m); err != nil {
			t.Fatal(err)
		}
	}
	steps := 0
	outs, err := f.Finish(plain.Result, func(err error) error { return err }, func(done, n int) { steps++ })
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if made.Load() < 20 || closed.Load() != made.Load() {
		t.Fatalf("%d runs made, %d removed: the moved replies did not spill, or were left behind", made.Load(), closed.Load())
	}
	later := 8 // the reordering scenarios
	if deferred {
		later = len(scs) - 1 // all but the replay's own
	}
	if steps != later+1 {
		t.Errorf("%d progress steps, want one per scenario replayed after the read and the end", steps)
	}
	for i, s := range scs {
		want, err := Run(o, log, s, tariff)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(outs[i], want) {
			t.Errorf("%s: the fan gives cost %s, %d billed, %d late; Run %s, %d billed, %d late", s.Name, outs[i].Total, outs[i].Result.Summary.Billed,
				outs[i].Result.Summary.LateReplies, want.Total, want.Result.Summary.Billed, want.Result.Summary.LateReplies)
		}
	}
	// The scenarios differ from the baseline: the comparison is not empty.
	if outs[1].Result.Summary.Cost == outs[0].Result.Summary.Cost || outs[6].Result.Summary.LateReplies <= outs[5].Result.Summary.LateReplies {
		t.Fatalf("the delays changed nothing: %s %s; late %d %d", outs[0].Result.Summary.Cost, outs[1].Result.Summary.Cost,
			outs[5].Result.Summary.LateReplies, outs[6].Result.Summary.LateReplies)
	}
}
