package msglog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
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
	in := "\ufeff" + strings.Join(lines, "\n")                                                    // no final newline
	seq, err := NewReader(strings.NewReader(in), Options{Name: "p.ndjson", Format: FormatNDJSON}) // one goroutine; it drops the BOM
	if err != nil {
		t.Fatal(err)
	}
	want := readAllFrom(t, seq)
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
		got, ok := splitPlain(line, nil, ',')
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
