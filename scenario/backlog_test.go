package scenario

import (
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/sla"
	"github.com/wacost/wacost/stream"
)

// A backlog where the order changes the cost (regime 2025-07: a free-form
// reply inside the window is free; after it, it is priced as a utility
// template, Brazil 0.0068 on the 2025-07 card).
//   now = 2025-09-10 12:00
//   B waits since now-23h and wrote again at now-30m: window closes now+23h30m.
//   A waits since now-22h (one message): window closes now+2h.
// Capacity 1/h: replies at now+1h and now+2h.
//   FIFO (B waited longest): B at +1h (inside), A at +2h: its window closes
//   at exactly +2h, the boundary is outside: late, 0.0068.
//   Window expiry first: A at +1h, B at +2h: both inside: 0.
// Capacity needed (expiry first): 1/h.

var now = time.Date(2025, 9, 10, 12, 0, 0, 0, time.UTC)

func backlogLog() []msglog.Message {
	in := func(at time.Time, cust string, seq int64) msglog.Message {
		return msglog.Message{Time: at, Direction: msglog.Inbound, Customer: cust, Business: "b", Type: "text", Pos: msglog.Pos{Seq: seq}}
	}
	ms := []msglog.Message{
		in(now.Add(-23*time.Hour), "5511900000002", 1), // B
		in(now.Add(-22*time.Hour), "5511900000001", 2), // A
		in(now.Add(-30*time.Minute), "5511900000002", 3),
	}
	return ms
}

func TestBacklogOrderChangesTheCost(t *testing.T) {
	o, _ := base(t)
	b, err := RunBacklog(o, backlogLog(), BacklogConfig{Now: now, Capacity: 1, Order: FIFO, Delays: []time.Duration{time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	if b.Waiting != 2 {
		t.Fatalf("waiting %d", b.Waiting)
	}
	p := b.Plan
	if p.Order != FIFO || p.Replies[0].Customer != "5511900000002" || !p.Replies[0].At.Equal(now.Add(time.Hour)) ||
		p.Inside != 1 || p.After != 1 || p.Cost.String() != "0.0068" || p.Replies[1].Reason != pricing.ReasonLateReply {
		t.Fatalf("FIFO plan %+v", p)
	}
	q := b.Other
	if q.Order != ExpiryFirst || q.Replies[0].Customer != "5511900000001" || q.Inside != 2 || q.After != 0 || q.Cost != 0 {
		t.Fatalf("expiry-first plan %+v", q)
	}
	if b.NeededCapacity != 1 || b.AlreadyClosed != 0 {
		t.Fatalf("capacity needed %d, closed %d", b.NeededCapacity, b.AlreadyClosed)
	}
}

func TestBacklogCapacityNeeded(t *testing.T) {
	// Windows closing in 30m, 35m and 40m, answered expiry first: the k-th
	// reply goes out at k/N hours. N=4: 15m, 30m, 45m; 45m is after the 40m
	// close. N=5: 12m, 24m, 36m, all inside. So 5 per hour. A fourth
	// customer's window closed an hour ago: it cannot be saved.
	var ms []msglog.Message
	for i, m := range []int{30, 35, 40} {
		ms = append(ms, msglog.Message{Time: now.Add(-24*time.Hour + time.Duration(m)*time.Minute), Direction: msglog.Inbound,
			Customer: "55119000000" + string(rune('1'+i)), Business: "b", Type: "text", Pos: msglog.Pos{Seq: int64(i)}})
	}
	ms = append(ms, msglog.Message{Time: now.Add(-25 * time.Hour), Direction: msglog.Inbound, Customer: "5511900000009", Business: "b", Type: "text"})
	sortLog(ms)
	o, _ := base(t)
	b, err := RunBacklog(o, ms, BacklogConfig{Now: now, Capacity: 1, Order: ExpiryFirst, Delays: []time.Duration{time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	if b.NeededCapacity != 5 || b.AlreadyClosed != 1 || b.Waiting != 4 {
		t.Fatalf("needed %d closed %d waiting %d", b.NeededCapacity, b.AlreadyClosed, b.Waiting)
	}
}

func TestBacklogBusinessHours(t *testing.T) {
	// Open 13:00-14:00 only: at capacity 1/h the replies go out at 14:00
	// today (the hour 13-14 has passed) and 14:00 tomorrow.
	s, err := sla.ParseSchedule("UTC", map[string]string{"mon-sun": "13:00-14:00"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := base(t)
	b, err := RunBacklog(o, backlogLog(), BacklogConfig{Now: now, Capacity: 1, Order: ExpiryFirst, Schedule: s, Delays: []time.Duration{time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	r := b.Plan.Replies
	if !r[0].At.Equal(now.Add(2*time.Hour)) || !r[1].At.Equal(now.Add(26*time.Hour)) {
		t.Fatalf("slots %s, %s", r[0].At, r[1].At)
	}
	// A's window closes at +2h: the 14:00 reply is at the boundary: late.
	// B's closes at +23h30m: tomorrow's reply is late too: 2 x 0.0068.
	if b.Plan.After != 2 || b.Plan.Cost.String() != "0.0136" {
		t.Fatalf("plan %+v", b.Plan)
	}
}

func TestCostVersusDelayCurve(t *testing.T) {
	// Two customers who wrote once, each answered once (2025-07): a reply
	// inside the window is free; at 24h or later it is a late reply at the
	// Brazil utility rate: 2 x 0.0068 = 0.0136.
	ms := []msglog.Message{
		{Time: now, Direction: msglog.Inbound, Customer: "5511900000001", Business: "b", Type: "text"},
		{Time: now.Add(time.Minute), Direction: msglog.Inbound, Customer: "5511900000002", Business: "b", Type: "text"},
		{Time: now.Add(time.Hour), Direction: msglog.Outbound, Customer: "5511900000001", Business: "b", Type: "text"},
		{Time: now.Add(2 * time.Hour), Direction: msglog.Outbound, Customer: "5511900000002", Business: "b", Type: "text"},
	}
	for i := range ms {
		ms[i].Pos.Seq = int64(i)
	}
	o, _ := base(t)
	b, err := RunBacklog(o, ms, BacklogConfig{Capacity: 1, Order: FIFO, Delays: []time.Duration{time.Minute, 23 * time.Hour, 24 * time.Hour, 72 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0.00", "0.00", "0.0136", "0.0136"}
	for i, p := range b.Curve {
		if p.Cost.String() != want[i] {
			t.Errorf("delay %s: %s, want %s", p.Delay, p.Cost, want[i])
		}
	}
	if b.Waiting != 0 || b.NeededCapacity != 0 {
		t.Fatalf("nobody waits at the end: %d %d", b.Waiting, b.NeededCapacity)
	}
}

func sortLog(ms []msglog.Message) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && msglog.Less(&ms[j], &ms[j-1]); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// Deferred, the plans and the curve take the spooled log after the read,
// in turn, and give the backlog they give beside the replay, with the
// curve's moved replies spilled in runs of 50.
func TestBacklogDeferredEqualsLive(t *testing.T) {
	log := genLog(t, 6000)
	o, _ := base(t)
	var steps []string
	for _, now := range []time.Time{{}, log[len(log)/2].Time} {
		cfg := BacklogConfig{Now: now, Capacity: 2, Order: ExpiryFirst, Delays: []time.Duration{0, time.Hour, 23 * time.Hour, 30 * time.Hour}}
		live, err := RunBacklog(o, log, cfg)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Step = func(phase string, done, n int) { steps = append(steps, phase) }
		var closed, made atomic.Int64
		sp := Spill{InMemory: 50, Defer: true, New: func() (stream.RunFile, error) { made.Add(1); return &countedRun{closed: &closed}, nil }}
		deferred, err := runBacklog(o, log, cfg, sp)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(deferred, live) {
			t.Errorf("now %v: deferred %+v\nlive %+v", now, deferred, live)
		}
		if live.Waiting == 0 || made.Load() < 10 || closed.Load() != made.Load() {
			t.Errorf("now %v: %d waiting, %d runs made, %d removed", now, live.Waiting, made.Load(), closed.Load())
		}
	}
	if !slices.Contains(steps, "the replies the curve moves") {
		t.Errorf("progress %v: the curve's pass is not shown", steps)
	}
}
