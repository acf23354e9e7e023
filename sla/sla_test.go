package sla

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
)

var t0 = time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC) // a Monday

type ev struct {
	min      float64 // minutes after t0
	customer string
	in       bool
	sender   string
	decision string // business messages: free, billed, undelivered, blocked
	cost     int64  // micro-units
}

func run(t *testing.T, cfg Config, evs []ev) (Result, []Reply) {
	t.Helper()
	var replies []Reply
	tr := New(cfg, func(r *Reply) error { replies = append(replies, *r); return nil })
	for _, e := range evs {
		m := &msglog.Message{Time: t0.Add(time.Duration(e.min * float64(time.Minute))), Customer: e.customer, Business: "b", Sender: e.sender}
		if e.in {
			tr.Customer(m, "Brazil")
			continue
		}
		d := pricing.Free
		if e.decision != "" {
			if err := d.UnmarshalText([]byte(e.decision)); err != nil {
				t.Fatal(err)
			}
		}
		if err := tr.Business(m, &simulate.Entry{Decision: d, Cost: pricingMoney(e.cost)}); err != nil {
			t.Fatal(err)
		}
	}
	return tr.Finish(time.Time{}), replies
}

func TestReplyTimes(t *testing.T) {
	h := 60.0
	cfg := Config{Targets: map[string]time.Duration{First: time.Hour, Next: 20 * time.Minute}}
	res, replies := run(t, cfg, []ev{
		{0, "c1", true, "", "", 0}, {10, "c1", false, "", "", 0}, // first: 10m
		{60, "c1", true, "", "", 0}, {90, "c1", false, "", "", 0}, // next: 30m (breach of 20m)
		{0, "c2", true, "", "", 0}, {5, "c2", true, "", "", 0}, {120, "c2", false, "", "", 0}, // first: 2h from the first unanswered message (breach)
		{0, "c3", true, "", "", 0}, {25 * h, "c3", false, "", "billed", 1400}, // first: 25h, after the window closed at 24h: late, 0.0014
		{0, "c4", true, "", "", 0}, {1, "c4", false, "", "undelivered", 0}, {3, "c4", false, "", "", 0}, // a failed reply does not answer: 3m
		{30, "c5", false, "", "", 0},    // a proactive business message answers nobody
		{26 * h, "c6", true, "", "", 0}, // still waiting at the end of the log
	})
	got := map[string]string{}
	for _, r := range replies {
		got[r.Customer+"/"+r.Kind] = r.Calendar.String()
	}
	want := map[string]string{"c1/first": "10m0s", "c1/next": "30m0s", "c2/first": "2h0m0s", "c3/first": "25h0m0s", "c4/first": "3m0s"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	if len(replies) != 5 {
		t.Fatalf("%d replies, want 5: %v", len(replies), got)
	}
	s := res.Summary
	if s.First.Count != 4 || s.Next.Count != 1 || s.First.Breaches != 2 || s.Next.Breaches != 1 || s.All.Breaches != 3 {
		t.Fatalf("counts %d/%d breaches %d/%d/%d", s.First.Count, s.Next.Count, s.First.Breaches, s.Next.Breaches, s.All.Breaches)
	}
	if s.Late != 1 || s.LateCost.String() != "0.0014" {
		t.Fatalf("late %d cost %s", s.Late, s.LateCost)
	}
	// first replies 3m, 10m, 2h, 25h: mean (3+10+120+1500)/4 = 408.25m; p50 by nearest rank = 10m; max 25h.
	if s.First.Mean != 408*time.Minute+15*time.Second || s.First.P50 != 10*time.Minute || s.First.Max != 25*time.Hour {
		t.Fatalf("mean %s p50 %s max %s", s.First.Mean, s.First.P50, s.First.Max)
	}
	if s.First.BreachRate.RatString() != "1/2" {
		t.Fatalf("breach rate %s", s.First.BreachRate.RatString())
	}
	if len(res.Waiting) != 1 || res.Waiting[0].Customer != "c6" || res.Waiting[0].Waited != 0 || res.Waiting[0].WindowLeft != 24*time.Hour {
		t.Fatalf("waiting %+v", res.Waiting)
	}
	for _, r := range replies {
		if r.Customer == "c1" && r.Kind == First && r.WindowLeft != 23*time.Hour+50*time.Minute {
			t.Fatalf("window left at c1's first reply: %s", r.WindowLeft)
		}
	}
}

func TestWindowEdgeAndNow(t *testing.T) {
	// A reply at exactly 24h is after the window closed (the boundary is
	// outside); at 24h - 1m it is not. --now extends the waiting.
	res, replies := run(t, Config{}, []ev{
		{0, "a", true, "", "", 0}, {24 * 60, "a", false, "", "billed", 5000},
		{0, "b", true, "", "", 0}, {24*60 - 1, "b", false, "", "", 0},
		{0, "c", true, "", "", 0},
	})
	if !replies[0].Late || replies[0].WindowLeft != 0 || replies[1].Late {
		t.Fatalf("late flags: %v/%s %v", replies[0].Late, replies[0].WindowLeft, replies[1].Late)
	}
	if res.Summary.LateCost.String() != "0.005" {
		t.Fatalf("late cost %s", res.Summary.LateCost)
	}
	tr := New(Config{}, nil)
	tr.Customer(&msglog.Message{Time: t0, Customer: "c", Business: "b"}, "Brazil")
	r := tr.Finish(t0.Add(30 * time.Hour))
	if r.Waiting[0].Waited != 30*time.Hour || r.Waiting[0].WindowLeft != -6*time.Hour || r.Summary.WaitMax != 30*time.Hour {
		t.Fatalf("waiting at --now: %+v", r.Waiting[0])
	}
}

func TestBotsExcluded(t *testing.T) {
	evs := []ev{{0, "c", true, "", "", 0}, {1, "c", false, "bot", "", 0}, {20, "c", false, "human", "", 0}}
	_, with := run(t, Config{}, evs)
	_, without := run(t, Config{ExcludeBots: true}, evs)
	if with[0].Calendar != time.Minute || with[0].Sender != "bot" || without[0].Calendar != 20*time.Minute || without[0].Sender != "human" {
		t.Fatalf("with bots %s/%s, without %s/%s", with[0].Calendar, with[0].Sender, without[0].Calendar, without[0].Sender)
	}
}

func TestBusinessHoursWeekendAndHoliday(t *testing.T) {
	// Mon-Fri 09:00-17:00 Madrid, holiday Tue 2026-12-08. A customer writes
	// Fri 2026-12-04 16:00; the reply comes Wed 12-09 10:00. Business time:
	// Fri 1h + Mon 8h + Tue 0 (holiday) + Wed 1h = 10h; calendar 4d18h.
	s, err := ParseSchedule("Europe/Madrid", map[string]string{"mon-fri": "09:00-17:00"}, []string{"2026-12-08 00:00:00 +0000 UTC"}) // as YAML hands an unquoted date over
	if err != nil {
		t.Fatal(err)
	}
	mad := s.Location
	asked := time.Date(2026, 12, 4, 16, 0, 0, 0, mad)
	replied := time.Date(2026, 12, 9, 10, 0, 0, 0, mad)
	if got := s.Open(asked, replied); got != 10*time.Hour {
		t.Fatalf("business time %s, want 10h", got)
	}
	tr := New(Config{Schedule: s, Business: true, Targets: map[string]time.Duration{First: 9 * time.Hour}}, nil)
	tr.Customer(&msglog.Message{Time: asked, Customer: "c", Business: "b"}, "Spain")
	tr.Business(&msglog.Message{Time: replied, Customer: "c", Business: "b"}, &simulate.Entry{Decision: pricing.Billed})
	r := tr.Finish(time.Time{})
	if r.Clock != "business" || r.Summary.First.Max != 10*time.Hour || r.Summary.First.Breaches != 1 || r.Summary.CalFirst.Max != 4*24*time.Hour+18*time.Hour {
		t.Fatalf("clock %s business %s breaches %d calendar %s", r.Clock, r.Summary.First.Max, r.Summary.First.Breaches, r.Summary.CalFirst.Max)
	}
	// Outside hours nothing counts: Sat 10:00 -> Sun 18:00 is 0.
	if got := s.Open(time.Date(2026, 12, 5, 10, 0, 0, 0, mad), time.Date(2026, 12, 6, 18, 0, 0, 0, mad)); got != 0 {
		t.Fatalf("weekend: %s", got)
	}
}

func TestBusinessHoursAcrossDaylightSaving(t *testing.T) {
	// New York, open every day all day. DST ends 2026-11-01: Sat 12:00 ->
	// Sun 12:00 local is 25 hours; it starts 2026-03-08: 23 hours.
	s, err := ParseSchedule("America/New_York", map[string]string{"mon-sun": "00:00-24:00"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ny := s.Location
	if got := s.Open(time.Date(2026, 10, 31, 12, 0, 0, 0, ny), time.Date(2026, 11, 1, 12, 0, 0, 0, ny)); got != 25*time.Hour {
		t.Fatalf("fall back: %s", got)
	}
	if got := s.Open(time.Date(2026, 3, 7, 12, 0, 0, 0, ny), time.Date(2026, 3, 8, 12, 0, 0, 0, ny)); got != 23*time.Hour {
		t.Fatalf("spring forward: %s", got)
	}
	// 09:00-17:00 stays 8 wall-clock hours on the change day.
	s2, _ := ParseSchedule("America/New_York", map[string]string{"sun": "09:00-17:00"}, nil)
	if got := s2.Open(time.Date(2026, 11, 1, 0, 0, 0, 0, ny), time.Date(2026, 11, 2, 0, 0, 0, 0, ny)); got != 8*time.Hour {
		t.Fatalf("opening hours on the DST day: %s", got)
	}
}

func TestScheduleErrors(t *testing.T) {
	for _, c := range []struct {
		zone     string
		weekly   map[string]string
		holidays []string
	}{
		{"Mars/Base", map[string]string{"mon": "09:00-17:00"}, nil},
		{"UTC", map[string]string{"funday": "09:00-17:00"}, nil},
		{"UTC", map[string]string{"mon": "17:00-09:00"}, nil},
		{"UTC", map[string]string{"mon": "9am-5pm"}, nil},
		{"UTC", map[string]string{"mon": "09:00-17:00"}, []string{"25/12/2026"}},
		{"UTC", map[string]string{"mon": "closed"}, nil},
	} {
		if _, err := ParseSchedule(c.zone, c.weekly, c.holidays); err == nil {
			t.Errorf("%v: want an error", c)
		}
	}
}

// refPercentile is the nearest-rank definition written plainly: the
// smallest value v of the data with count(x <= v) / n >= p / 100.
func refPercentile(data []time.Duration, p int) time.Duration {
	sorted := append([]time.Duration(nil), data...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	for _, v := range sorted {
		n := 0
		for _, x := range sorted {
			if x <= v {
				n++
			}
		}
		if n*100 >= p*len(sorted) {
			return v
		}
	}
	return 0
}

func TestPercentileNearestRank(t *testing.T) {
	var ten []time.Duration
	for i := 1; i <= 10; i++ {
		ten = append(ten, time.Duration(i)*time.Minute)
	}
	for p, want := range map[int]time.Duration{50: 5 * time.Minute, 90: 9 * time.Minute, 95: 10 * time.Minute, 99: 10 * time.Minute, 10: time.Minute} {
		if got := Percentile(ten, p); got != want {
			t.Errorf("p%d of 1..10m = %s, want %s", p, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := 1 + rng.IntN(50)
		data := make([]time.Duration, n)
		for i := range data {
			data[i] = time.Duration(rng.IntN(1000)) * time.Second
		}
		sorted := append([]time.Duration(nil), data...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
		for _, p := range []int{50, 90, 95, 99} {
			if got, want := Percentile(sorted, p), refPercentile(data, p); got != want {
				t.Fatalf("n=%d p%d: %s, reference %s", n, p, got, want)
			}
		}
	}
}

func TestAdvanceIsTheInverseOfOpen(t *testing.T) {
	s, _ := ParseSchedule("Europe/Madrid", map[string]string{"mon-fri": "09:00-13:00,14:00-18:00"}, []string{"2026-12-08"})
	mad := s.Location
	from := time.Date(2026, 12, 4, 17, 30, 0, 0, mad) // Friday 17:30
	// 30m on Friday, then Monday 09:00-13:00 (4h), 14:00-15:30: 6h in all.
	got := s.Advance(from, 6*time.Hour)
	if want := time.Date(2026, 12, 7, 15, 30, 0, 0, mad); !got.Equal(want) {
		t.Fatalf("Advance = %s, want %s", got, want)
	}
	// Past the Tuesday holiday: Mon 18:00 + 1h -> Wed 10:00.
	if got := s.Advance(time.Date(2026, 12, 7, 18, 0, 0, 0, mad), time.Hour); !got.Equal(time.Date(2026, 12, 9, 10, 0, 0, 0, mad)) {
		t.Fatalf("over the holiday: %s", got)
	}
	for _, d := range []time.Duration{time.Minute, 3 * time.Hour, 17 * time.Hour, 40 * time.Hour} {
		if back := s.Open(from, s.Advance(from, d)); back != d {
			t.Fatalf("Open(Advance(%s)) = %s", d, back)
		}
	}
}
