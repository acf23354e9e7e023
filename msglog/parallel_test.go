package msglog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wacost/wacost/synth"
)

// messageText is a message as text, for comparing readers; its customer's
// number key must be the number's, and what its reader vouches for
// (Facts) its category and country.
func messageText(t *testing.T, m *Message) string {
	t.Helper()
	if key, _ := NumberKey(m.Customer); m.CustomerKey != key {
		t.Fatalf("line %d: customer %q has key %x, want %x", m.Pos.Line, m.Customer, m.CustomerKey, key)
	}
	if cat, country, ok := m.Facts(); !ok || Categories[cat] != m.Category || country != (m.Country != "") {
		t.Fatalf("line %d: the reader vouches for category %d and country %v (%v), but has %q and %q", m.Pos.Line, cat, country, ok, m.Category, m.Country)
	}
	return fmt.Sprintf("%s %+v", m.Time.Format(time.RFC3339Nano), *m)
}

// readAllFrom reads every message and row error of r, as text.
func readAllFrom(t *testing.T, r Reader) []string {
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

// TestParallelNDJSONEqualsSequential: parsed on several goroutines, in
// blocks cut small, NDJSON gives the same messages and row errors, with
// the same line numbers, as the one-goroutine reader: over a generated
// log with bad, blank, nested and very long lines, a BOM and no final
// newline.
func TestParallelNDJSONEqualsSequential(t *testing.T) {
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Rows: 20000, Seed: 4, Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Days: 5, Format: "ndjson"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for i := 7; i < len(lines); i += 997 {
		switch i % 4 {
		case 0:
			lines[i] = `{"timestamp":"nope","customer":"5511987654321","direction":"in"}`
		case 1:
			lines[i] = ""
		case 2:
			lines[i] = `{"timestamp":"2026-10-01T10:00:00Z","customer":{"n":1},"direction":"in"}`
		case 3:
			lines[i] = strings.TrimSuffix(lines[i], "}") + `,"note":"` + strings.Repeat("x", 5000) + `"}`
		}
	}
	in := "\ufeff" + strings.Join(lines, "\n") // no final newline
	want := readAllFrom(t, newNDJSONReader(bufioReader(in), Options{Name: "p.ndjson", Location: time.UTC}))
	defer func(old int) { ndBlockSize = old }(ndBlockSize)
	for _, c := range []struct{ block, workers int }{{1000, 2}, {4096, 3}, {1 << 20, 2}} {
		ndBlockSize = c.block
		r, err := NewReader(strings.NewReader(in), Options{Name: "p.ndjson", Format: FormatNDJSON, Workers: c.workers})
		if err != nil {
			t.Fatal(err)
		}
		got := readAllFrom(t, r)
		r.(io.Closer).Close()
		if len(got) != len(want) {
			t.Fatalf("block %d: %d results, want %d", c.block, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("block %d, result %d:\n got  %s\n want %s", c.block, i, got[i], want[i])
			}
		}
	}
	var errs []string
	for _, w := range want {
		if strings.HasPrefix(w, "error ") {
			errs = append(errs, w)
		}
	}
	if len(errs) < 8 || !strings.Contains(errs[len(errs)-1], "p.ndjson:1") || len(want) < 19000 {
		t.Fatalf("the test log should hold row errors all along: %d results, errors %q", len(want), errs)
	}
}

// TestParallelNDJSONClose: a reader closed early stops its goroutines
// (the test would hang or leak otherwise, which -race runs notice).
func TestParallelNDJSONClose(t *testing.T) {
	in := strings.Repeat(`{"timestamp":"2026-10-01T10:00:00Z","customer":"5511987654321","direction":"in"}`+"\n", 50000)
	defer func(old int) { ndBlockSize = old }(ndBlockSize)
	ndBlockSize = 2000
	r, err := NewReader(strings.NewReader(in), Options{Name: "c.ndjson", Format: FormatNDJSON, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := next(r); err != nil {
		t.Fatal(err)
	}
	r.(io.Closer).Close()
}

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }

// TestReorderRing: rows at most n places out of order come out sorted
// through a reorder ring of n (around its wrap point many times, as
// values and in place); a row further out does not.
func TestReorderRing(t *testing.T) {
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{2, 3, 7, 64} {
		var ms []Message
		for i := 0; i < 5000; i++ {
			ms = append(ms, Message{Time: t0.Add(time.Duration(i) * time.Second), Direction: Inbound, Customer: "5511987654321", Pos: Pos{Seq: int64(i)}})
		}
		// Shuffle within windows of n: no row moves n or more places.
		for i := 0; i+n <= len(ms); i += n {
			for j := i + n - 1; j > i; j-- {
				k := i + (j*7919+n)%(j-i+1)
				ms[j], ms[k] = ms[k], ms[j]
			}
		}
		for _, inPlace := range []bool{false, true} {
			r := Reorder(&Slice{Msgs: append([]Message(nil), ms...)}, n)
			var got []int64
			for {
				var m Message
				var err error
				if inPlace { // as Prefetch takes them: lent, then given back
					var p *Message
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
	ms := []Message{}
	for i := 0; i < 10; i++ {
		ms = append(ms, Message{Time: t0.Add(time.Duration(i) * time.Second), Direction: Inbound, Customer: "5511987654321", Pos: Pos{Seq: int64(i)}})
	}
	ms = append(ms[1:], ms[0])
	r := Reorder(&Slice{Msgs: ms}, 3)
	if first, _ := next(r); first.Pos.Seq != 1 {
		t.Fatalf("first out %d, want 1 (row 0 comes too late to be put back)", first.Pos.Seq)
	}
}

// TestSplitPlain: the word-at-a-time splitter cuts lines as a plain loop
// does, with commas, dashes (a comma's neighbour in the word test) and
// other bytes at every position, and gives up on any quote.
func TestSplitPlain(t *testing.T) {
	plain := func(line []byte) ([]string, bool) {
		if bytes.IndexByte(line, '"') >= 0 {
			return nil, false
		}
		var out []string
		for _, f := range bytes.Split(line, []byte{','}) {
			out = append(out, string(f))
		}
		return out, true
	}
	alphabet := []byte{',', '-', '+', '.', 'a', '0', 0, 0x80, 0xff, ' ', '"'}
	x := uint64(42)
	for n := 0; n < 40000; n++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		line := make([]byte, int(x%40))
		for i := range line {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			line[i] = alphabet[x%uint64(len(alphabet))]
		}
		want, wok := plain(line)
		got, ok := splitPlain(line, nil)
		if ok != wok {
			t.Fatalf("%q: ok %v, want %v", line, ok, wok)
		}
		if !ok {
			continue
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d fields, want %d", line, len(got), len(want))
		}
		for i := range want {
			if string(got[i]) != want[i] {
				t.Fatalf("%q: field %d %q, want %q", line, i, got[i], want[i])
			}
		}
	}
}

// TestRememberedValuesChangeNothing: what the readers remember between
// rows (the business number, the day of a timestamp) gives the messages
// that reading every field afresh gives: the CSV reader against the NDJSON
// reader forced onto encoding/json, over the same generated log that
// crosses days and months, with timestamps near midnight added.
func TestRememberedValuesChangeNothing(t *testing.T) {
	opts := synth.Options{Rows: 20000, Seed: 8, Start: time.Date(2026, 9, 29, 22, 0, 0, 0, time.UTC), Days: 4}
	var c, n bytes.Buffer
	if err := synth.Write(&c, opts); err != nil {
		t.Fatal(err)
	}
	opts.Format = "ndjson"
	if err := synth.Write(&n, opts); err != nil {
		t.Fatal(err)
	}
	cr, err := NewReader(&c, Options{Name: "x.csv"})
	if err != nil {
		t.Fatal(err)
	}
	nr := newNDJSONReader(bufioReader(n.String()), Options{Name: "x.ndjson", Location: time.UTC})
	nr.slow = true
	rows := 0
	for {
		a, errA := next(cr)
		b, errB := next(nr)
		if errA == io.EOF || errB == io.EOF {
			if errA != errB {
				t.Fatalf("row %d: one log ended first (%v, %v)", rows, errA, errB)
			}
			break
		}
		if errA != nil || errB != nil {
			t.Fatalf("row %d: %v / %v", rows, errA, errB)
		}
		a.Pos, b.Pos = Pos{}, Pos{}
		if !a.Time.Equal(b.Time) || a.Time.Location() != b.Time.Location() {
			t.Fatalf("row %d: time %v, want %v", rows, a.Time, b.Time)
		}
		a.Time, b.Time = time.Time{}, time.Time{}
		if a != b {
			t.Fatalf("row %d:\n got  %+v\n want %+v", rows, a, b)
		}
		rows++
	}
	if rows != 20000 {
		t.Fatalf("%d rows", rows)
	}
	// The same day, then the next, then back: each time read right.
	in := "timestamp,customer,direction,business\n" +
		"2026-10-01T23:59:59Z,5511987654321,in,15550100001\n2026-10-01T00:00:00Z,5511987654321,in,+1 555 0100 001\n" +
		"2026-10-02T00:00:01Z,5511987654321,in,15550100001\n2026-10-01T12:30:45Z,5511987654321,in,15550100001\n"
	r, err := NewReader(strings.NewReader(in), Options{Name: "d.csv"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2026-10-01T23:59:59Z", "2026-10-01T00:00:00Z", "2026-10-02T00:00:01Z", "2026-10-01T12:30:45Z"} {
		m, err := next(r)
		if err != nil || m.Time.Format(time.RFC3339) != want || m.Business != "15550100001" {
			t.Fatalf("%v %s %s, want %s", err, m.Time.Format(time.RFC3339), m.Business, want)
		}
	}
	// More business spellings in turn than are remembered.
	spell := [][2]string{{"15550100001", "15550100001"}, {"+1 555 0100 002", "15550100002"}, {"acme", "acme"}, {"15550100003", "15550100003"},
		{"", DefaultBusiness}, {" 15550100004", "15550100004"}, {"15550100002", "15550100002"}}
	var b strings.Builder
	b.WriteString("timestamp,customer,direction,business\n")
	var want []string
	for i := range 40 {
		sp := spell[(i*3+i/7)%len(spell)]
		b.WriteString("2026-10-01T10:00:00Z,5511987654321,in," + sp[0] + "\n")
		want = append(want, sp[1])
	}
	if r, err = NewReader(strings.NewReader(b.String()), Options{Name: "b.csv"}); err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if m, err := next(r); err != nil || m.Business != w {
			t.Fatalf("row %d: %v business %q, want %q", i, err, m.Business, w)
		}
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
	direct, derrs := readAll(t, in.String(), Options{Name: "r.csv"})
	sorted, err := SortAll(&Slice{Msgs: direct}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range sorted.Msgs {
		want = append(want, fmt.Sprintf("%+v", m))
	}
	r, err := NewReader(strings.NewReader(in.String()), Options{Name: "r.csv"})
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

func TestColumnIndexes(t *testing.T) {
	for k, want := range map[int]string{colTimestamp: ColTimestamp, colCustomer: ColCustomer, colDirection: ColDirection, colType: ColType,
		colCategory: ColCategory, colCountry: ColCountry, colBusiness: ColBusiness, colEntryPoint: ColEntryPoint, colStatus: ColStatus, colID: ColID} {
		if Columns[k] != want {
			t.Errorf("column %d is %q, want %q", k, Columns[k], want)
		}
	}
}

// readCSVBoth reads in with the CSV reader's column fast path and with
// every row through buildInto, and returns both as text.
func readCSVBoth(t *testing.T, in string) (fast, plain []string, ok bool) {
	t.Helper()
	for _, isPlain := range []bool{false, true} {
		r, err := NewReader(strings.NewReader(in), Options{Name: "f.csv", Format: FormatCSV})
		if err != nil {
			return nil, nil, false
		}
		c := r.(*csvReader)
		c.plain = isPlain
		var out []string
		for i := 0; i < 20000; i++ {
			m, err := next(r)
			if err == io.EOF {
				break
			}
			if err != nil {
				out = append(out, "error "+err.Error())
				if !isRowError(err) {
					break
				}
				continue
			}
			out = append(out, messageText(t, &m))
		}
		if isPlain {
			plain = out
		} else {
			fast = out
		}
	}
	return fast, plain, true
}

// usualVocab holds, per column, its usual spellings first, then unusual
// and bad values.
var usualVocab = map[string][]string{
	ColTimestamp:  {"2026-10-01T10:00:00Z", "2026-10-01T23:59:59Z", "2026-10-02T00:00:00Z", " 2026-10-01T10:00:00Z", "2026-10-01T10:00:00+02:00", "1759312800", "2026-13-01T00:00:00Z", "", "x"},
	ColCustomer:   {"5511987654321", "34600000001", "123456", "12345", "1234567890123456", "+55 11 98765-4321", " 34600000001", "3460000000a", ""},
	ColDirection:  {"in", "out", "IN", " out", "inbound", "Outbound", "", "sideways"},
	ColType:       {"text", "template", "TEMPLATE", " text", "hsm", "", "image", "interactive", "Image", "sticker ", "reaction"},
	ColCategory:   {"", "marketing", "utility", "authentication", "Utility", " marketing", "authentication_international", "promo"},
	ColBusiness:   {"15550100001", "15550100002", "+1 555 0100 001", "", " 15550100001", "acme"},
	ColEntryPoint: {"", "page", "ad", "PAGE", " ad", "ctwa", "none", "sms"},
	ColStatus:     {"", "delivered", "read", "sent", "failed", "FAILED", " read", "played", "bounced"},
	ColID:         {"", "wamid.1", "wamid.2", " wamid.3", "wamid.4 ", "w\u00a0", "\u00a0w", "a b"},
	ColCountry:    {"", "BR", "es", "ESP"},
	ColAgent:      {"", "ana", " bo "},
}

// randomColumns is a header: the required columns and, each with odds
// of 1 - 1/keep, the optional ones, in a random order.
func randomColumns(rng *rand.Rand, optional []string, keep int) []string {
	cols := []string{ColTimestamp, ColCustomer, ColDirection}
	for _, c := range optional {
		if rng.IntN(keep) > 0 {
			cols = append(cols, c)
		}
	}
	rng.Shuffle(len(cols), func(i, j int) { cols[i], cols[j] = cols[j], cols[i] })
	return cols
}

// TestCSVFastColumnsEqualPlain: reading the usual spellings straight from
// a field's bytes gives the messages and row errors (the same field
// blamed) that reading every field through its setter gives, over rows
// of usual, unusual and bad values, with the columns in any order.
func TestCSVFastColumnsEqualPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for round := range 60 {
		cols := randomColumns(rng, []string{ColType, ColCategory, ColBusiness, ColEntryPoint, ColStatus, ColID, ColCountry, ColAgent}, 3)
		var in strings.Builder
		in.WriteString(strings.Join(cols, ",") + "\n")
		for range 300 {
			for i, c := range cols {
				if i > 0 {
					in.WriteByte(',')
				}
				vs := usualVocab[c]
				v := vs[0]
				if rng.IntN(3) == 0 { // mostly the usual spellings
					v = vs[rng.IntN(len(vs))]
				}
				in.WriteString(v)
			}
			in.WriteByte('\n')
		}
		fast, plain, ok := readCSVBoth(t, in.String())
		if !ok {
			t.Fatalf("round %d: header refused", round)
		}
		if len(fast) != len(plain) {
			t.Fatalf("round %d: %d results, want %d", round, len(fast), len(plain))
		}
		for i := range fast {
			if fast[i] != plain[i] {
				t.Fatalf("round %d row %d:\n got %s\nwant %s", round, i, fast[i], plain[i])
			}
		}
	}
}

func FuzzCSVFastColumnsEqualPlain(f *testing.F) {
	f.Add("timestamp,id,business,customer,direction,type,category,status,entry_point\n2025-08-01T00:00:09Z,wamid.1,15550100001,527733590544,in,text,,,\n2025-08-01T00:00:28Z,wamid.2,15550100001,913446013941,out,template,utility,read,page\n")
	f.Add("customer,direction,timestamp,status\n5511987654321,out,1759312800,failed\n 5511987654321,in,2026-10-01T10:00:00Z,\n")
	f.Fuzz(func(t *testing.T, in string) {
		fast, plain, ok := readCSVBoth(t, in)
		if !ok {
			return
		}
		if strings.Join(fast, "\n") != strings.Join(plain, "\n") {
			t.Fatalf("fast:\n%s\nplain:\n%s", strings.Join(fast, "\n"), strings.Join(plain, "\n"))
		}
	})
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
	open := func() Reader {
		r, err := NewReader(strings.NewReader(in.String()), Options{Name: "b.csv"})
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

// TestNDJSONFastColumnsEqualSlow: NDJSON objects of usual, unusual and
// bad values, read from the line's bytes, give what encoding/json and
// the setters give.
func TestNDJSONFastColumnsEqualSlow(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	cols := []string{ColTimestamp, ColCustomer, ColDirection, ColType, ColCategory, ColBusiness, ColEntryPoint, ColStatus, ColID, ColCountry, ColAgent}
	for n := range 5000 {
		obj := map[string]string{}
		for _, c := range cols {
			if rng.IntN(5) == 0 && n%7 != 0 {
				continue
			}
			vs := usualVocab[c]
			v := vs[0]
			if rng.IntN(3) == 0 {
				v = vs[rng.IntN(len(vs))]
			}
			obj[c] = v
		}
		line, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		read := func(slow bool) string {
			r := newNDJSONReader(bufio.NewReader(bytes.NewReader(append(line, '\n'))), Options{Name: "f.ndjson", Location: time.UTC})
			r.slow = slow
			m, err := next(r)
			if err != nil {
				return "error " + err.Error()
			}
			return messageText(t, &m)
		}
		if fast, slow := read(false), read(true); fast != slow {
			t.Fatalf("%s:\n fast %s\n slow %s", line, fast, slow)
		}
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
		var ms []Message
		for i := range 1000 {
			sec := i/3 + rng.IntN(1+[]int{0, 4, 40, 400}[trial%4]) // some rows early by up to 400 places
			if trial%11 == 0 {
				sec = 1000 - i // reversed
			}
			ms = append(ms, Message{Time: t0.Add(time.Duration(sec) * time.Second), Direction: Direction(1 + rng.IntN(2)),
				Customer: "55119876543" + strconv.Itoa(10+rng.IntN(3)), Pos: Pos{Seq: int64(i)}})
		}
		// The reference: the held rows as a slice, each new row moved back
		// one place at a time while it goes before the one ahead.
		var held, want []int64
		for i := range ms {
			held = append(held, int64(i))
			for j := len(held) - 1; j > 0 && Less(&ms[held[j]], &ms[held[j-1]]); j-- {
				held[j], held[j-1] = held[j-1], held[j]
			}
			if len(held) == n {
				want, held = append(want, held[0]), held[1:]
			}
		}
		want = append(want, held...)
		r := Reorder(&Slice{Msgs: append([]Message(nil), ms...)}, n)
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
