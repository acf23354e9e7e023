package simulate

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, on machines without a zone database
	"unsafe"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/stream"
	"github.com/wacost/wacost/synth"
)

// The engine's shortcuts (the previous message's key, the current day's
// span, the keys worked out ahead) must agree with the plain definitions.

func TestLastKeyAgreesWithLess(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	s := newStates()
	base := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	customers := []string{"34600000001", "34600000002", "4915100000", "07700900", "7700900", "5511999990000", "123456789012345", "1234567890123456", "alice", "", "0", "9"}
	msg := func() msglog.Message {
		return msglog.Message{
			Time:      base.Add(time.Duration(rng.IntN(3)) * time.Second),
			Direction: msglog.Direction(rng.IntN(2)),
			Business:  []string{"15550100001", "15550100002"}[rng.IntN(2)],
			Customer:  customers[rng.IntN(len(customers))],
			ID:        []string{"", "wamid.1", "wamid.2"}[rng.IntN(3)],
			Pos:       msglog.Pos{Seq: int64(rng.IntN(3))},
		}
	}
	ckeyOf := func(m *msglog.Message) uint64 {
		if key, ok := s.pack(m.Business, m.Customer); ok {
			return key &^ (maxBizID << bizShift)
		}
		return 0
	}
	for range 20000 {
		prev, m := msg(), msg()
		k := lastKey{t: prev.Time.UnixNano(), dir: prev.Direction, business: prev.Business, customer: prev.Customer, id: prev.ID, ckey: ckeyOf(&prev), seq: prev.Pos.Seq}
		if got, want := k.after(&m, m.Time.UnixNano(), ckeyOf(&m)), msglog.Less(&m, &prev); got != want {
			t.Fatalf("after(%+v) over %+v = %v, Less says %v", m, prev, got, want)
		}
	}
}

func TestDayAtAgreesWithDayOf(t *testing.T) {
	// Zones with clock changes at midnight (Sao Paulo 2018-11-04, Havana,
	// Beirut), a skipped day (Apia 2011-12-30), half-hour offsets, and
	// switching between zones as per-business time zones do.
	// (time.Date gives 23:00 the day before for Sao Paulo's skipped
	// midnight of 2018-11-04.)
	var locs []*time.Location
	for _, name := range []string{"UTC", "America/Sao_Paulo", "America/Havana", "Asia/Beirut", "Pacific/Apia", "Asia/Kolkata", "Australia/Lord_Howe", "Europe/Madrid"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		locs = append(locs, loc)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	env := newEnv(t)
	for _, start := range []time.Time{
		time.Date(2018, 11, 2, 0, 0, 0, 0, time.UTC),
		time.Date(2011, 12, 28, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 22, 0, 0, 0, 0, time.UTC),
	} {
		// Each zone, hour by hour, with a step back after each hour.
		for _, loc := range locs {
			e, err := New(env.opts())
			if err != nil {
				t.Fatal(err)
			}
			for h := start; h.Before(start.AddDate(0, 0, 6)); h = h.Add(time.Hour) {
				for _, tm := range []time.Time{h.Add(time.Second), h.Add(-40 * time.Minute)} {
					if got, want := e.dayAt(tm, tm.UnixNano(), loc), pricing.DayOf(tm, loc); got != want {
						t.Fatalf("%s in %s: day %s, want %s", tm.Format(time.RFC3339), loc, got, want)
					}
				}
			}
		}
		for _, mix := range []bool{false, true} {
			e, err := New(env.opts())
			if err != nil {
				t.Fatal(err)
			}
			tm := start
			loc := locs[rng.IntN(len(locs))]
			for range 20000 {
				// Mostly forward, sometimes back a little: dayAt holds for
				// any order, not only the replay's.
				tm = tm.Add(time.Duration(rng.IntN(1800)-150) * time.Second)
				if mix && rng.IntN(4) == 0 {
					loc = locs[rng.IntN(len(locs))]
				}
				got := e.dayAt(tm, tm.UnixNano(), loc)
				if want := pricing.DayOf(tm, loc); got != want {
					t.Fatalf("%s in %s: day %s, want %s", tm.Format(time.RFC3339), loc, got, want)
				}
				if e.dayStr != got.String() || e.month != got.String()[:7] {
					t.Fatalf("%s: day string %q, month %q for %s", tm.Format(time.RFC3339), e.dayStr, e.month, got)
				}
			}
		}
	}
}

func TestKeysAheadAreCheckedAgainstTheMessage(t *testing.T) {
	// A key worked out ahead is used only for the message it was worked
	// out for: another business or customer next in line gets its own.
	env := newEnv(t)
	e, _ := New(env.opts())
	want, wok := e.states.pack("15550100001", "34600000002")
	other, _ := e.states.pack("15550100002", "34600000001")
	e.ahead[0] = aheadKey{business: "15550100002", customer: "34600000001", key: other, ok: true}
	e.aheadN = 1
	m := &msglog.Message{Business: "15550100001", Customer: "34600000002"}
	if key, ok := e.keyOf(m); key != want || ok != wok {
		t.Fatalf("keyOf = %x %v, want %x %v", key, ok, want, wok)
	}
	if e.aheadNext != 0 {
		t.Fatal("a key ahead that did not match was taken")
	}
	m2 := &msglog.Message{Business: "15550100002", Customer: fmt.Sprint(34600000001)}
	if key, _ := e.keyOf(m2); key != other || e.aheadNext != 1 {
		t.Fatalf("the matching key ahead was not taken: %x, next %d", key, e.aheadNext)
	}
}

func TestCountedInboundEqualsRecorded(t *testing.T) {
	// Customer messages counted without a record (no hook, fee or
	// grouping) add up as recorded ones do.
	env := newEnv(t)
	ms := synthMessages(t, 20000, 17)
	run := func(hook bool) string {
		o := env.opts()
		if hook {
			o.Visit = func(*msglog.Message, *Entry) error { return nil }
		}
		e, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		if e.plainInbound == hook {
			t.Fatalf("plainInbound = %v with hook %v", e.plainInbound, hook)
		}
		for i := range ms {
			m := ms[i]
			if err := e.Add(&m); err != nil {
				t.Fatal(err)
			}
		}
		return resultJSONOf(t, e.Result())
	}
	if a, b := run(false), run(true); a != b {
		t.Fatalf("counted:\n%s\nrecorded:\n%s", a, b)
	}
}

func TestStateSlotIsOneLine(t *testing.T) {
	if n := unsafe.Sizeof(stateSlot{}); n != 64 {
		t.Fatalf("a state slot is %d bytes, want one 64-byte cache line", n)
	}
}

func TestCountryCodes(t *testing.T) {
	// Codes tell overrides apart: two-letter codes by their bytes, the
	// rest numbered; equal strings, equal codes; none is 0.
	env := newEnv(t)
	e, _ := New(env.opts())
	seen := map[uint16]string{}
	for _, c := range []string{"ES", "SE", "BR", "es", "Spain", "E", "ESP", "\x00S", "ZZ", "Spain"} {
		code := e.countryCode(c)
		if code == 0 || code == otherCountries {
			t.Fatalf("%q: code %x", c, code)
		}
		if prev, ok := seen[code]; ok && prev != c {
			t.Fatalf("%q and %q share code %x", c, prev, code)
		}
		seen[code] = c
	}
}

func TestCountryOverrideFollowsEachMessage(t *testing.T) {
	// One customer's messages with the country override on, changed, off
	// and on again: each is priced in its own message's market, though the
	// state caches the market between messages.
	env := newEnv(t)
	start := time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC)
	ms := messages(start, "5511987654321", []step{{0, "BT:utility", false}, {1, "BT:utility", false}, {2, "BT:utility", false}, {3, "BT:utility", false}, {4, "BT:utility", false}, {5, "BT:utility", false}})
	countries := []string{"", "ES", "ES", "", "IN", "Spain"}
	for i := range ms {
		ms[i].Country = countries[i]
	}
	ledger, _ := replay(t, env.opts(), ms)
	var got []string
	for _, e := range ledger {
		got = append(got, e.Market)
	}
	want := []string{"Brazil", "Spain", "Spain", "Brazil", "India", env.mk.ByCountry("Spain", pricing.MustDay(2026, 8, 3)).Name}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("markets %v, want %v", got, want)
	}
}

// TestVouchedEqualsRead: a replay of messages whose reader vouched for
// their category and country (msglog.Message.Facts; the engine then
// skips reading those fields) gives the ledger and Result that the same
// messages give when their fields are read, with and without a ledger,
// over templates of every category, undelivered ones and country
// overrides.
func TestVouchedEqualsRead(t *testing.T) {
	env := newEnv(t)
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Rows: 20000, Seed: 23, Start: time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC), Days: 20}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	for i := range lines {
		c := []string{"", "", "", "BR", "in", "ES"}[i%6]
		if i == 0 {
			c = "country"
		}
		lines[i] += "," + c
	}
	r, err := msglog.NewReader(strings.NewReader(strings.Join(lines, "\n")), msglog.Options{Name: "c.csv"})
	if err != nil {
		t.Fatal(err)
	}
	sl, err := stream.SortAll(r, func(err error) error { return err })
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range msglog.Categories { // categoryOf takes one index for the other
		if pricing.Category(i).String() != c {
			t.Fatalf("msglog category %d is %q, pricing's %q", i, c, pricing.Category(i))
		}
	}
	vouched := sl.Msgs
	read := append([]msglog.Message(nil), vouched...)
	cats := map[int]int{}
	for i := range read {
		cat, _, ok := read[i].Facts()
		if !ok {
			t.Fatalf("message %d: not vouched for", i)
		}
		cats[cat]++
		read[i].Unvouch()
	}
	if len(cats) != len(msglog.Categories) {
		t.Fatalf("categories met: %v", cats)
	}
	a, ra := replay(t, env.opts(), vouched)
	b, rb := replay(t, env.opts(), read)
	if x, y := resultJSON(t, a, ra), resultJSON(t, b, rb); x != y {
		t.Fatalf("vouched:\n%.2000s\nread:\n%.2000s", x, y)
	}
	if ra.Summary.Undelivered == 0 {
		t.Fatal("no undelivered message")
	}
	summary := func(ms []msglog.Message) string {
		e, err := New(env.opts())
		if err != nil {
			t.Fatal(err)
		}
		for i := range ms {
			m := ms[i]
			if err := e.Add(&m); err != nil {
				t.Fatal(err)
			}
		}
		return resultJSONOf(t, e.Result())
	}
	if x, y := summary(vouched), summary(read); x != y || x != resultJSONOf(t, ra) {
		t.Fatalf("without a ledger, vouched:\n%.2000s\nread:\n%.2000s", x, y)
	}
}
