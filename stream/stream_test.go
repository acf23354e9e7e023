package stream

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/synth"
)

// next reads r's next message (Read into a message of its own).
func next(r msglog.Reader) (msglog.Message, error) {
	var m msglog.Message
	err := r.Read(&m)
	return m, err
}

// readAll returns the messages and the row errors of an input.
func readAll(t testing.TB, in string, o msglog.Options) ([]msglog.Message, []string) {
	t.Helper()
	r, err := msglog.NewReader(strings.NewReader(in), o)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	var ms []msglog.Message
	var errs []string
	for {
		m, err := next(r)
		if err == io.EOF {
			return ms, errs
		}
		var re *msglog.RowError
		if errors.As(err, &re) {
			errs = append(errs, err.Error())
			continue
		}
		if err != nil {
			t.Fatalf("fatal: %v", err)
		}
		ms = append(ms, m)
	}
}

// messageText is a message as text, for comparing readers; what its
// reader vouches for (Facts) must be its category and country.
func messageText(t *testing.T, m *msglog.Message) string {
	t.Helper()
	if cat, country, ok := m.Facts(); !ok || msglog.Categories[cat] != m.Category || country != (m.Country != "") {
		t.Fatalf("line %d: the reader vouches for category %d and country %v (%v), but has %q and %q", m.Pos.Line, cat, country, ok, m.Category, m.Country)
	}
	return fmt.Sprintf("%s %+v", m.Time.Format(time.RFC3339Nano), *m)
}

// readAllFrom reads every message and row error of r, as text.
func readAllFrom(t *testing.T, r msglog.Reader) []string {
	t.Helper()
	var out []string
	for {
		m, err := next(r)
		if err == io.EOF {
			return out
		}
		if err != nil {
			out = append(out, "error "+err.Error())
			if !isRowError(err) {
				return out
			}
			continue
		}
		out = append(out, messageText(t, &m))
	}
}

var (
	benchOnce sync.Once
	benchCSV  []byte
)

// BenchmarkReorderCSV1M reads a 1M-row synthetic CSV log through a reorder
// buffer, in place, as wacost's replay does before its engine.
func BenchmarkReorderCSV1M(b *testing.B) {
	benchOnce.Do(func() {
		var c bytes.Buffer
		if err := synth.Write(&c, synth.Options{Rows: 1_000_000, Seed: 1, Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Days: 30}); err != nil {
			b.Fatal(err)
		}
		benchCSV = c.Bytes()
	})
	b.SetBytes(int64(len(benchCSV)))
	b.ReportAllocs()
	b.ResetTimer()
	var rows int
	var m msglog.Message
	for i := 0; i < b.N; i++ {
		r, err := msglog.NewReader(bytes.NewReader(benchCSV), msglog.Options{Name: "bench", Format: msglog.FormatCSV})
		if err != nil {
			b.Fatal(err)
		}
		r = Reorder(r, 4096)
		for {
			err := r.Read(&m)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// memRun is a RunFile in memory, for tests.
type memRun struct{ bytes.Buffer }

func (m *memRun) Rewind() (io.Reader, error) { return bytes.NewReader(m.Bytes()), nil }
func (m *memRun) Close() error               { return nil }

func TestOrder(t *testing.T) {
	at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	mk := func(sec int, dir msglog.Direction, cust string, seq int64) msglog.Message {
		return msglog.Message{Time: at.Add(time.Duration(sec) * time.Second), Direction: dir, Customer: cust, Business: "b", Pos: msglog.Pos{Seq: seq}}
	}
	// Two files, each in order: merged in order; ties put inbound first.
	a := &Slice{Msgs: []msglog.Message{mk(1, msglog.Outbound, "1", 1), mk(5, msglog.Outbound, "1", 2)}}
	b := &Slice{Msgs: []msglog.Message{mk(1, msglog.Inbound, "1", 3), mk(3, msglog.Inbound, "1", 4)}}
	r := Merge(a, b)
	var got []string
	for {
		m, err := next(r)
		if err == io.EOF {
			break
		}
		got = append(got, m.Time.Format("05")+m.Direction.String())
	}
	if strings.Join(got, " ") != "01in 01out 03in 05out" {
		t.Fatalf("merge order: %v", got)
	}
	// A reorder buffer of 3 fixes rows at most 3 places out of order.
	s := &Slice{Msgs: []msglog.Message{mk(3, msglog.Inbound, "1", 1), mk(1, msglog.Inbound, "1", 2), mk(2, msglog.Inbound, "1", 3), mk(4, msglog.Inbound, "1", 4)}}
	ro := Reorder(s, 3)
	var prev msglog.Message
	for i := 0; ; i++ {
		m, err := next(ro)
		if err == io.EOF {
			break
		}
		if i > 0 && msglog.Less(&m, &prev) {
			t.Fatalf("reorder buffer released %v after %v", m.Time, prev.Time)
		}
		prev = m
	}
}

func TestPrefetchKeepsOrderAndErrors(t *testing.T) {
	in := "timestamp,customer,direction\n"
	for i := 0; i < 3000; i++ {
		if i%700 == 0 {
			in += "bad,5511987654321,in\n"
			continue
		}
		in += fmt.Sprintf("2026-10-01T10:%02d:%02dZ,5511987654321,in\n", i/60%60, i%60)
	}
	direct, derrs := readAll(t, in, msglog.Options{Name: "p.csv"})
	r, err := msglog.NewReader(strings.NewReader(in), msglog.Options{Name: "p.csv"})
	if err != nil {
		t.Fatal(err)
	}
	p := Prefetch(r, 64)
	defer p.Stop()
	var got []msglog.Message
	var errs []string
	for {
		m, err := next(p)
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		got = append(got, m)
	}
	if len(got) != len(direct) || strings.Join(errs, "|") != strings.Join(derrs, "|") {
		t.Fatalf("prefetch: %d messages %d errors; direct %d %d", len(got), len(errs), len(direct), len(derrs))
	}
	for i := range got {
		if fmt.Sprintf("%+v", got[i]) != fmt.Sprintf("%+v", direct[i]) {
			t.Fatalf("message %d differs", i)
		}
	}
	// Stopping early does not leak a blocked goroutine (the test would hang under -race otherwise).
	r2, _ := msglog.NewReader(strings.NewReader(in), msglog.Options{Name: "p.csv"})
	p2 := Prefetch(r2, 8)
	next(p2)
	p2.Stop()
}

func TestSortExternalEqualsSortAll(t *testing.T) {
	in := "timestamp,customer,direction,type,category,status,id,business,country,entry_point,agent,sender,template\n"
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 2500; i++ {
		ts := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(100000)) * time.Second)
		dir := []string{"in", "out"}[rng.IntN(2)]
		row := fmt.Sprintf("%s,55119%08d,%s,template,utility,delivered,id%d,1555,br,,ana,human,order_update\n", ts.Format(time.RFC3339), rng.IntN(50), dir, i)
		if dir == "in" {
			row = fmt.Sprintf("%s,55119%08d,in,,,,id%d,1555,,ad,,,\n", ts.Format(time.RFC3339), rng.IntN(50), i)
		}
		in += row
	}
	r1, _ := msglog.NewReader(strings.NewReader(in), msglog.Options{Name: "x.csv"})
	want, err := SortAll(r1, func(error) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	var runs int
	r2, _ := msglog.NewReader(strings.NewReader(in), msglog.Options{Name: "x.csv"})
	got, cleanup, err := SortExternal(r2, func(error) error { return nil }, 300, func() (RunFile, error) { runs++; return &memRun{}, nil })
	defer cleanup()
	if err != nil {
		t.Fatal(err)
	}
	if runs != 9 {
		t.Fatalf("%d runs, want 9 (2,500 rows in runs of 300)", runs)
	}
	for i := range want.Msgs {
		m, err := next(got)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		w := want.Msgs[i]
		if !m.Time.Equal(w.Time) || m.Customer != w.Customer || m.Pos != w.Pos || m.ID != w.ID || m.Category != w.Category ||
			m.EntryPoint != w.EntryPoint || m.Template != w.Template || m.Agent != w.Agent || m.TemplateName != w.TemplateName || m.Country != w.Country {
			t.Fatalf("message %d: %+v, want %+v", i, m, w)
		}
	}
	if _, err := next(got); err != io.EOF {
		t.Fatalf("want the end, got %v", err)
	}
}

// TestReorderRing: rows at most n places out of order come out sorted
// through a reorder ring of n (around its wrap point many times, as
// values and in place); a row further out does not.
func TestReorderRing(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{2, 3, 7, 64} {
		var ms []msglog.Message
		for i := 0; i < 5000; i++ {
			ms = append(ms, msglog.Message{Time: t0.Add(time.Duration(i) * time.Second), Direction: msglog.Inbound, Customer: "5511987654321", Pos: msglog.Pos{Seq: int64(i)}})
		}
		// Shuffle within windows of n: no row moves n or more places.
		for i := 0; i+n <= len(ms); i += n {
			for j := i + n - 1; j > i; j-- {
				k := i + (j*7919+n)%(j-i+1)
				ms[j], ms[k] = ms[k], ms[j]
			}
		}
		for _, inPlace := range []bool{false, true} {
			r := Reorder(&Slice{Msgs: append([]msglog.Message(nil), ms...)}, n)
			var got []int64
			for {
				var m msglog.Message
				var err error
				if inPlace { // as Prefetch takes them: lent, then given back
					var p *msglog.Message
					if p, err = r.(*reorder).lend(); p != nil {
						m = *p
						r.(*reorder).giveBack(p)
					}
				} else {
					m, err = next(r)
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, m.Pos.Seq)
			}
			if len(got) != len(ms) {
				t.Fatalf("n=%d: %d rows out, want %d", n, len(got), len(ms))
			}
			for i, s := range got {
				if s != int64(i) {
					t.Fatalf("n=%d in place=%v: row %d is %d", n, inPlace, i, s)
				}
			}
		}
	}
	// The first row last: 9 places late is too late for a ring of 3.
	ms := []msglog.Message{}
	for i := 0; i < 10; i++ {
		ms = append(ms, msglog.Message{Time: t0.Add(time.Duration(i) * time.Second), Direction: msglog.Inbound, Customer: "5511987654321", Pos: msglog.Pos{Seq: int64(i)}})
	}
	ms = append(ms[1:], ms[0])
	r := Reorder(&Slice{Msgs: ms}, 3)
	if first, _ := next(r); first.Pos.Seq != 1 {
		t.Fatalf("first out %d, want 1 (row 0 comes too late to be put back)", first.Pos.Seq)
	}
}

// TestReorderBuildsInPlace: over a reader that builds into the slot it is
// given (CSV), with rows out of order and bad rows among them, the
// reorder buffer gives the sorted messages, whole, and every row error.
func TestReorderBuildsInPlace(t *testing.T) {
	var in strings.Builder
	in.WriteString("timestamp,id,customer,direction,type,category\n")
	customers := []string{"5511987654321", "34600000001", "919800000001"}
	for i := 0; i < 4000; i++ {
		if i%97 == 5 {
			fmt.Fprintf(&in, "2026-10-01T10:00:00Z,w%d,%s,sideways,text,\n", i, customers[i%3])
			continue
		}
		// Each row up to 5 places early: minute i, with blocks of 6 reversed.
		j := i - i%6 + (5 - i%6)
		fmt.Fprintf(&in, "2026-10-0%dT%02d:%02d:00Z,w%d,%s,%s,%s,%s\n", 1+j/1440, j/60%24, j%60, i, customers[i%3],
			[]string{"in", "out"}[i%2], []string{"text", "template"}[i%4/2], []string{"", "utility"}[i%4/3])
	}
	direct, derrs := readAll(t, in.String(), msglog.Options{Name: "r.csv"})
	sorted, err := SortAll(&Slice{Msgs: direct}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range sorted.Msgs {
		want = append(want, fmt.Sprintf("%+v", m))
	}
	r, err := msglog.NewReader(strings.NewReader(in.String()), msglog.Options{Name: "r.csv"})
	if err != nil {
		t.Fatal(err)
	}
	var got, errs []string
	for out := readAllFrom(t, Reorder(r, 8)); len(out) > 0; out = out[1:] {
		if s, ok := strings.CutPrefix(out[0], "error "); ok {
			errs = append(errs, s)
			continue
		}
		got = append(got, out[0][strings.IndexByte(out[0], ' ')+1:])
	}
	if len(derrs) == 0 || strings.Join(errs, "|") != strings.Join(derrs, "|") {
		t.Fatalf("errors %q, want %q", errs, derrs)
	}
	if len(got) != len(want) {
		t.Fatalf("%d messages, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("message %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

// TestPrefetchBorrowsReorderSlots: the prefetcher carries the reorder
// buffer's slots to the other goroutine without copying them, and gives
// them back: the messages and errors are those read in one goroutine,
// and the slots made stay within the buffer and the batches in flight.
func TestPrefetchBorrowsReorderSlots(t *testing.T) {
	var in strings.Builder
	in.WriteString("timestamp,id,customer,direction\n")
	for i := 0; i < 20000; i++ {
		if i%61 == 7 {
			in.WriteString("2026-10-01T10:00:00Z,bad,5511987654321,sideways\n")
			continue
		}
		j := i - i%4 + (3 - i%4) // blocks of 4 reversed
		fmt.Fprintf(&in, "2026-10-01T%02d:%02d:%02dZ,w%d,55119876%05d,%s\n", j/3600, j/60%60, j%60, i, i%97, []string{"in", "out"}[i%2])
	}
	open := func() msglog.Reader {
		r, err := msglog.NewReader(strings.NewReader(in.String()), msglog.Options{Name: "b.csv"})
		if err != nil {
			t.Fatal(err)
		}
		return Reorder(r, 5)
	}
	want := readAllFrom(t, open())
	ro := open()
	if _, ok := ro.(*reorder); !ok {
		t.Fatal("the reorder buffer should lend its slots")
	}
	p := Prefetch(ro, 7)
	defer p.Stop()
	var got []string
	for {
		m, err := p.NextRef()
		if err == io.EOF {
			break
		}
		if err != nil {
			got = append(got, "error "+err.Error())
			continue
		}
		got = append(got, messageText(t, m))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("prefetched (%d) and direct (%d) reads differ", len(got), len(want))
	}
	// 5 held, 7 per batch, at most 6 batches out and 8 coming back.
	if made := ro.(*reorder).made; made > 5+7*14+reorderChunk {
		t.Fatalf("%d slots made: lent slots are not given back", made)
	}
}

// TestReorderPlacesAsInsertion: the reorder ring places each row where an
// insertion one place at a time would (rows displaced by a few places,
// and by many: across the bisection, and beyond the ring), over random
// inputs with ties at the same second.
func TestReorderPlacesAsInsertion(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 200; trial++ {
		n := []int{2, 5, 9, 10, 17, 64, 300}[trial%7]
		var ms []msglog.Message
		for i := range 1000 {
			sec := i/3 + rng.IntN(1+[]int{0, 4, 40, 400}[trial%4]) // some rows early by up to 400 places
			if trial%11 == 0 {
				sec = 1000 - i // reversed
			}
			ms = append(ms, msglog.Message{Time: t0.Add(time.Duration(sec) * time.Second), Direction: msglog.Direction(1 + rng.IntN(2)),
				Customer: "55119876543" + strconv.Itoa(10+rng.IntN(3)), Pos: msglog.Pos{Seq: int64(i)}})
		}
		// The reference: the held rows as a slice, each new row moved back
		// one place at a time while it goes before the one ahead.
		var held, want []int64
		for i := range ms {
			held = append(held, int64(i))
			for j := len(held) - 1; j > 0 && msglog.Less(&ms[held[j]], &ms[held[j-1]]); j-- {
				held[j], held[j-1] = held[j-1], held[j]
			}
			if len(held) == n {
				want, held = append(want, held[0]), held[1:]
			}
		}
		want = append(want, held...)
		r := Reorder(&Slice{Msgs: append([]msglog.Message(nil), ms...)}, n)
		var got []int64
		for {
			m, err := next(r)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, m.Pos.Seq)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d, ring of %d: the rows come out in another order than insertion gives", trial, n)
		}
	}
}

// TestRunRecordKeepsEveryField: a message spooled to a sort run comes
// back with every field a reader sets, its number key worked out again
// (the facts aside).
func TestRunRecordKeepsEveryField(t *testing.T) {
	m := msglog.Message{Time: time.Date(2026, 10, 1, 9, 30, 0, 123, time.UTC), Direction: msglog.Outbound, Template: true, Failed: true,
		Inferred: true, Echo: true, ProviderCurrency: 1, Customer: "5511987654321", ProviderPrice: -5000, Tokens: 4294967295,
		Business: "1555", ID: "wamid.1", Pos: msglog.Pos{File: "f.ndjson", Line: 7, Seq: 1<<40 | 9},
		Type: "template", Category: "utility", Country: "BR", Status: "failed", TemplateName: "order", Agent: "ana", Sender: "bot",
		Label: "PMP regular utility"}
	m.CustomerKey, _ = msglog.NumberKey(m.Customer)
	rr := &runReader{r: bufio.NewReader(bytes.NewReader(encode(nil, &m)))}
	got, err := rr.next()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("spooled\n%+v\ncame back\n%+v", m, got)
	}
}

// A Sorter spilled in many runs reads back in replay order, shifted or
// not, as often as asked, and after Compact from one run with the same
// messages.
func TestSorterRunsAndCompact(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	made := 0
	s := NewSorter(7, func() (RunFile, error) { made++; return &memRun{}, nil })
	const n = 200
	for i := 0; i < n; i++ {
		m := msglog.Message{Time: t0.Add(time.Duration((i*7919)%n) * time.Minute), Customer: "5511987654321", Business: "b", ID: "x", Pos: msglog.Pos{Seq: int64(i)}}
		if err := s.Add(&m); err != nil {
			t.Fatal(err)
		}
	}
	read := func(shift time.Duration) []time.Time {
		r, err := s.Sorted(shift)
		if err != nil {
			t.Fatal(err)
		}
		var got []time.Time
		for {
			var m msglog.Message
			if err := r.Read(&m); err == io.EOF {
				return got
			} else if err != nil {
				t.Fatal(err)
			}
			got = append(got, m.Time)
		}
	}
	check := func(what string, got []time.Time, shift time.Duration) {
		t.Helper()
		if len(got) != n {
			t.Fatalf("%s: %d messages, want %d", what, len(got), n)
		}
		for i, tm := range got {
			if want := t0.Add(time.Duration(i)*time.Minute + shift); !tm.Equal(want) {
				t.Fatalf("%s: message %d at %v, want %v", what, i, tm, want)
			}
		}
	}
	check("runs", read(0), 0)
	check("runs, again, shifted", read(time.Hour), time.Hour)
	if made < 20 {
		t.Fatalf("%d runs: the sorter did not spill", made)
	}
	if err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	if len(s.runs) != 1 {
		t.Fatalf("%d runs after Compact, want 1", len(s.runs))
	}
	check("compacted", read(0), 0)
	check("compacted, shifted", read(-time.Minute), -time.Minute)
}
