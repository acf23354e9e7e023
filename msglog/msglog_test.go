package msglog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wacost/wacost/window"
)

// readAll returns the messages and the row errors of an input.
// next reads r's next message (Read into a message of its own).
func next(r Reader) (Message, error) {
	var m Message
	err := r.Read(&m)
	return m, err
}

func readAll(t testing.TB, in string, o Options) ([]Message, []string) {
	t.Helper()
	r, err := NewReader(strings.NewReader(in), o)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	var ms []Message
	var errs []string
	for {
		m, err := next(r)
		if err == io.EOF {
			return ms, errs
		}
		var re *RowError
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

const csvIn = `Timestamp,Customer,Direction,Type,Category,Country,Business,Entry_Point,Status,ID,extra
2026-10-01T10:00:00-03:00,+55 11 98765-4321,inbound,,,,,ad,,w1,x
1759323600,5511987654321,out,TEMPLATE,Marketing,,+1 555 010 0001,,delivered,w2,x
1759323600123,5511987654321,OUT,text,,br,,,failed,w3,x
`

func TestCSV(t *testing.T) {
	ms, errs := readAll(t, csvIn, Options{Name: "log.csv"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(ms) != 3 {
		t.Fatalf("%d messages", len(ms))
	}
	m := ms[0]
	if !m.Time.Equal(time.Date(2026, 10, 1, 13, 0, 0, 0, time.UTC)) || m.Customer != "5511987654321" || m.Direction != Inbound ||
		m.EntryPoint != window.EntryAd || m.Business != DefaultBusiness || m.Type != "text" || m.ID != "w1" || m.Pos.Line != 2 {
		t.Errorf("row 1: %+v", m)
	}
	m = ms[1]
	if m.Time.Unix() != 1759323600 || !m.Template || m.Category != "marketing" || m.Business != "15550100001" || m.Failed || m.Pos.Line != 3 {
		t.Errorf("row 2: %+v", m)
	}
	m = ms[2]
	if m.Time.UnixMilli() != 1759323600123 || m.Template || !m.Failed || m.Country != "BR" {
		t.Errorf("row 3: %+v", m)
	}
}

func TestMapAndCaseInsensitiveHeaders(t *testing.T) {
	in := "Created_At,WA_ID,dir\n2026-10-01T10:00:00Z,5511987654321,in\n"
	ms, errs := readAll(t, in, Options{Name: "m.csv", Map: map[string]string{"timestamp": "created_at", "customer": "wa_id", "direction": "DIR"}})
	if len(errs) > 0 || len(ms) != 1 || ms[0].Customer != "5511987654321" {
		t.Fatalf("%v %v", ms, errs)
	}
}

func TestHeaderErrors(t *testing.T) {
	cases := []struct {
		in   string
		o    Options
		want string
	}{
		{"time,customer,direction\n", Options{Name: "a.csv"}, `a.csv:1: header: missing required column timestamp`},
		{"timestamp,customer,direction\n", Options{Name: "a.csv", Map: map[string]string{"customer": "wa_id"}}, `missing required column customer (mapped from "wa_id")`},
		{"timestamp,customer,direction,wa_id\n", Options{Name: "a.csv", Map: map[string]string{"colour": "x"}}, `map: "colour" is not a column`},
		{"timestamp,Timestamp,customer,direction\n", Options{Name: "a.csv"}, `both give "timestamp"`},
		{"", Options{Name: "a.csv"}, "a.csv: empty input"},
		{"[1,2", Options{Name: "a.json"}, ""},
	}
	for _, c := range cases {
		_, err := NewReader(strings.NewReader(c.in), c.o)
		if c.want == "" {
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.in, err, c.want)
		}
	}
}

func TestRowErrors(t *testing.T) {
	in := "timestamp,customer,direction,type,category,country,entry_point,status\n" +
		"yesterday,5511987654321,in,,,,,\n" + // 2
		"2026-10-01T10:00:00Z,55-11-abc,in,,,,,\n" + // 3
		"2026-10-01T10:00:00Z,5511987654321,sideways,,,,,\n" + // 4
		"2026-10-01T10:00:00Z,5511987654321,out,template,promo,,,\n" + // 5
		"2026-10-01T10:00:00Z,5511987654321,in,,,Brazil,,\n" + // 6
		"2026-10-01T10:00:00Z,5511987654321,in,,,,tv,\n" + // 7
		"2026-10-01T10:00:00Z,5511987654321,out,,,,,lost\n" + // 8
		"2026-10-01T10:00:00Z,5511987654321\n" + // 9
		"2026-10-01T10:00:00Z,,in,,,,,\n" + // 10
		"2026-10-01T10:00:00Z,123,in,,,,,\n" + // 11
		"2026-10-01T10:00:00Z,5511987654321,in,,,,,\n" // 12: good
	ms, errs := readAll(t, in, Options{Name: "bad.csv"})
	want := []string{
		`bad.csv:2: timestamp: "yesterday" is not RFC 3339`,
		`bad.csv:3: customer: "55-11-abc" is not a phone number`,
		`bad.csv:4: direction: "sideways" is not in, out, inbound or outbound`,
		`bad.csv:5: category: "promo" is not marketing, utility or authentication`,
		`bad.csv:6: country: "Brazil" is not an ISO 3166 alpha-2 code`,
		`bad.csv:7: entry_point: "tv" is not ad or page`,
		`bad.csv:8: status: "lost" is not`,
		`bad.csv:9: 2 fields, but the header has 8`,
		`bad.csv:10: customer: missing`,
		`bad.csv:11: customer: "123" has 3 digits`,
	}
	if len(errs) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%s", len(errs), len(want), strings.Join(errs, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i], w) {
			t.Errorf("error %d:\n got  %s\n want %s...", i, errs[i], w)
		}
	}
	if len(ms) != 1 || ms[0].Pos.Line != 12 {
		t.Fatalf("the good row must still be read: %v", ms)
	}
}

func TestJSONArrayAndNDJSON(t *testing.T) {
	arr := `[
  {"timestamp": "2026-10-01T10:00:00Z", "customer": "5511987654321", "direction": "in"},
  {"Timestamp": 1759313000, "CUSTOMER": 5511987654321, "direction": "out",
   "type": "template", "category": "utility"},
  {"timestamp": "2026-10-01T10:00:00Z", "customer": {"n": 1}, "direction": "in"}
]`
	ms, errs := readAll(t, arr, Options{Name: "a.json"})
	if len(ms) != 2 || ms[1].Category != "utility" || ms[1].Pos.Line != 3 || ms[0].Pos.Line != 2 {
		t.Fatalf("messages %+v", ms)
	}
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "a.json:5: customer: want a string or a number") {
		t.Fatalf("errors %v", errs)
	}
	nd := "{\"timestamp\": \"2026-10-01T10:00:00Z\", \"customer\": \"5511987654321\", \"direction\": \"in\"}\n\n" +
		"not json\n" +
		"{\"timestamp\": \"2026-10-01T11:00:00Z\", \"customer\": \"5511987654321\", \"direction\": \"out\"}\n"
	ms, errs = readAll(t, nd, Options{Name: "a.ndjson"})
	if len(ms) != 2 || ms[1].Pos.Line != 4 || len(errs) != 1 || !strings.HasPrefix(errs[0], "a.ndjson:3: not a JSON object") {
		t.Fatalf("ndjson: %v %v", ms, errs)
	}
}

func TestSniff(t *testing.T) {
	for _, c := range []struct{ name, in string }{
		{"stdin", "\ufeff  [{\"timestamp\":\"2026-10-01T10:00:00Z\",\"customer\":\"5511987654321\",\"direction\":\"in\"}]"},
		{"stdin", "{\"timestamp\":\"2026-10-01T10:00:00Z\",\"customer\":\"5511987654321\",\"direction\":\"in\"}\n"},
		{"stdin", "\ufefftimestamp,customer,direction\n2026-10-01T10:00:00Z,5511987654321,in\n"},
		{"x.json", "{\"timestamp\":\"2026-10-01T10:00:00Z\",\"customer\":\"5511987654321\",\"direction\":\"in\"}\n"},
	} {
		ms, errs := readAll(t, c.in, Options{Name: c.name})
		if len(ms) != 1 || len(errs) != 0 {
			t.Errorf("%s %q: %v %v", c.name, c.in, ms, errs)
		}
	}
}

func TestTimestamps(t *testing.T) {
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	cases := []struct {
		in   string
		want time.Time
	}{
		{"2026-10-01T10:00:00Z", time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)},
		{"2026-10-01T10:00:00.5+05:30", time.Date(2026, 10, 1, 4, 30, 0, 5e8, time.UTC)},
		{"2026-10-01 10:00:00+02:00", time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)},
		{"2026-10-01 10:00:00", time.Date(2026, 10, 1, 13, 0, 0, 0, time.UTC)}, // no offset: the account's zone
		{"1759312800", time.Unix(1759312800, 0)},
		{"1759312800000", time.Unix(1759312800, 0)},
		{"1759312800000000", time.Unix(1759312800, 0)},
		{"1759312800000000000", time.Unix(1759312800, 0)},
	}
	for _, c := range cases {
		got, msg := ParseTimestamp(c.in, sp)
		if msg != "" || !got.Equal(c.want) {
			t.Errorf("ParseTimestamp(%q) = %v %q, want %v", c.in, got, msg, c.want)
		}
	}
	for _, bad := range []string{"", "2026-13-01T00:00:00Z", "-5", "99999999999999999999", "2026-10-01"} {
		if _, msg := ParseTimestamp(bad, sp); msg == "" {
			t.Errorf("ParseTimestamp(%q): want an error", bad)
		}
	}
}

func FuzzCSV(f *testing.F) {
	f.Add(csvIn)
	f.Add("timestamp,customer,direction\n\"2026-10-01T10:00:00Z\",\"+55 11\",in\n")
	f.Add("timestamp,customer,direction\n1,2\n\"unterminated\n")
	f.Add("customer,direction,timestamp\n5511987654321,out,1759312800\n")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewReader(strings.NewReader(in), Options{Name: "f.csv", Format: FormatCSV})
		if err != nil {
			return
		}
		for i := 0; i < 10000; i++ {
			m, err := next(r)
			if err == io.EOF {
				return
			}
			var re *RowError
			if errors.As(err, &re) {
				if re.Line < 1 || !strings.HasPrefix(err.Error(), "f.csv:") {
					t.Fatalf("row error without a position: %v", err)
				}
				continue
			}
			if err != nil {
				return
			}
			// Every accepted row is fully valid.
			if m.Pos.Line < 2 {
				t.Fatalf("accepted a row before the header's line: %+v", m)
			}
			accepted(t, &m)
		}
		t.Fatal("reader did not end")
	})
}

func FuzzNDJSON(f *testing.F) {
	f.Add("{\"timestamp\":\"2026-10-01T10:00:00Z\",\"customer\":\"5511987654321\",\"direction\":\"in\"}\n")
	f.Add("{\"timestamp\":1,\"customer\":[1],\"direction\":null}\n{}\n")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewReader(strings.NewReader(in), Options{Name: "f.ndjson", Format: FormatNDJSON})
		if err != nil {
			return
		}
		for i := 0; i < 10000; i++ {
			m, err := next(r)
			if err == io.EOF {
				return
			}
			if err != nil {
				var re *RowError
				if errors.As(err, &re) {
					continue
				}
				return
			}
			accepted(t, &m)
		}
		t.Fatal("reader did not end")
	})
}

func TestFastUTCAgreesWithTimeParse(t *testing.T) {
	rng := time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 5000; i++ {
		want := rng.Add(time.Duration(i) * 7919 * time.Minute)
		s := want.Format("2006-01-02T15:04:05Z")
		got, ok := fastUTC(s)
		if !ok || !got.Equal(want) {
			t.Fatalf("%s: %v %v", s, got, ok)
		}
	}
	for _, bad := range []string{"2026-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-04-31T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00+"} {
		if _, ok := fastUTC(bad); ok {
			t.Errorf("fastUTC(%q) accepted an impossible or other-shaped time", bad)
		}
		_, errGeneral := time.Parse(time.RFC3339, bad)
		if _, msg := ParseTimestamp(bad, time.UTC); (msg == "") != (errGeneral == nil) && !strings.Contains(bad, " ") {
			t.Errorf("ParseTimestamp(%q) and time.Parse disagree", bad)
		}
	}
	if got, ok := fastUTC("2024-02-29T23:59:59Z"); !ok || got.Day() != 29 {
		t.Error("a leap day is a day")
	}
}

// FuzzNDJSONFastEqualsSlow: the hand-written object scanner and
// encoding/json read every line to the same message or the same error.
func FuzzNDJSONFastEqualsSlow(f *testing.F) {
	f.Add(`{"timestamp":"2026-10-01T10:00:00Z","customer":"5511987654321","direction":"in"}`)
	f.Add(`{"Timestamp": 1759313000, "CUSTOMER": 5511987654321, "direction": "out", "type": "template", "category": "utility", "x": [1, {"a": "}"}]}`)
	f.Add(`{"timestamp":"2026-10-01T10:00:00Z","customer":{"n":1},"direction":"in"}`)
	f.Add(`{"timestamp":null,"customer":"55\u0031","direction":"in","id":true}`)
	f.Add(`{"timestamp":"2026-10-01T10:00:00Z","customer":"5511987654321","direction":"in"} x`)
	f.Add(`{"timestamp":"2026-10-01T10:00:00Z","customer":1e3,"direction":"in","customer":"5511987654321"}`)
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\n\r") {
			return
		}
		read := func(slow bool) (Message, string) {
			r := newNDJSONReader(bufio.NewReader(strings.NewReader(line+"\n")), Options{Name: "f.ndjson", Location: time.UTC, Map: map[string]string{"id": "Msg_Id"}})
			r.slow = slow
			m, err := next(r)
			if err != nil {
				return Message{}, err.Error()
			}
			return m, ""
		}
		fm, fe := read(false)
		sm, se := read(true)
		if fe != se {
			t.Fatalf("errors differ:\n fast %q\n slow %q", fe, se)
		}
		if !fm.Time.Equal(sm.Time) {
			t.Fatalf("times differ: %v vs %v", fm.Time, sm.Time)
		}
		fm.Time, sm.Time = time.Time{}, time.Time{}
		if fm != sm {
			t.Fatalf("messages differ:\n fast %+v\n slow %+v", fm, sm)
		}
	})
}

func TestUnterminatedQuoteIsLinear(t *testing.T) {
	// An open quote near the top is one bad row: the lines after it are
	// read again as rows (at most MaxRecordBytes of them gathered), in
	// linear time: four times the rows take about four times as long
	// (sixteen if quadratic), measured in one run, best of three.
	log := func(rows int) string {
		var b strings.Builder
		b.WriteString("timestamp,customer,direction\n\"2026-10-01T10:00:00Z,5511987654321,in\n")
		for i := 0; i < rows; i++ {
			b.WriteString("2026-10-01T10:00:00Z,5511987654321,in\n")
		}
		return b.String()
	}
	took := func(rows int) time.Duration {
		in := log(rows)
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			ms, errs := readAll(t, in, Options{Name: "q.csv"})
			best = min(best, time.Since(start))
			if len(errs) != 1 || !strings.HasPrefix(errs[0], "q.csv:2: quote: a quoted field opened on this line is not closed") || len(ms) != rows {
				t.Fatalf("%d messages, errors %v", len(ms), errs)
			}
			if ms[0].Pos.Line != 3 || ms[len(ms)-1].Pos.Line != rows+2 {
				t.Fatalf("lines %d .. %d", ms[0].Pos.Line, ms[len(ms)-1].Pos.Line)
			}
		}
		return best
	}
	small, large := took(20000), took(80000)
	if ratio := float64(large) / float64(small); ratio > 10 {
		t.Fatalf("4x the rows took %.1fx the time (%s, %s): quadratic", ratio, small, large)
	}
}

// TestTimestampYears: a time outside 2000..2199 (a zero time, Unix 0, a
// value in the wrong unit) is a row error naming the line and field.
func TestTimestampYears(t *testing.T) {
	in := "timestamp,customer,direction\n1970-01-01T00:00:00Z,5511999990000,in\n0,5511999990000,in\n2200-01-01T00:00:00Z,5511999990000,in\n1759312800,5511999990000,in\n2199-12-31T23:59:59Z,5511999990000,in\n2000-01-01T00:00:00Z,5511999990000,in\n"
	r, err := NewReader(strings.NewReader(in), Options{Name: "y.csv"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		m, err := next(r)
		if err == io.EOF {
			break
		}
		if err != nil {
			got = append(got, err.Error())
			continue
		}
		got = append(got, m.Time.Format(time.RFC3339))
	}
	want := []string{
		`y.csv:2: timestamp: "1970-01-01T00:00:00Z" is in 1970, outside the years 2000 to 2199`,
		`y.csv:3: timestamp: "0" is in 1970, outside the years 2000 to 2199`,
		`y.csv:4: timestamp: "2200-01-01T00:00:00Z" is in 2200, outside the years 2000 to 2199`,
		"2025-10-01T10:00:00Z",
		"2199-12-31T23:59:59Z",
		"2000-01-01T00:00:00Z",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPlainString: the word-at-a-time check agrees with the plain
// definition (no backslash, no control byte, valid UTF-8) on strings
// with each special byte at every position.
func TestPlainString(t *testing.T) {
	plain := func(v []byte) bool {
		for _, c := range v {
			if c == '\\' || c < 0x20 {
				return false
			}
		}
		return utf8.Valid(v)
	}
	for n := 0; n < 24; n++ {
		for pos := 0; pos < n; pos++ {
			for _, c := range []byte{'\\', 0, 0x1f, 0x20, '"', 0x7f, 0x80, 0xc3, 0xff, 'a'} {
				v := bytes.Repeat([]byte{'x'}, n)
				v[pos] = c
				if got, want := plainString(v), plain(v); got != want {
					t.Errorf("plainString(%q) = %v, want %v", v, got, want)
				}
			}
		}
	}
	if !plainString([]byte("héllo wörld, plain enough")) || plainString([]byte("héllo wörld\\n")) {
		t.Error("mixed UTF-8 strings")
	}
}

// What a reader vouches for follows the setters: a recategorised
// template is priced by its new category, whichever way it is read.
func TestSettersKeepFacts(t *testing.T) {
	ms, _ := readAll(t, "timestamp,customer,direction,type,category\n2026-10-01T10:00:00Z,5511987654321,out,template,utility\n", Options{Name: "f.csv"})
	m := ms[0]
	if i, ok := m.CategoryIndex(); !ok || Categories[i] != "utility" || m.HasCountry() {
		t.Fatalf("as read: %d %v %v", i, ok, m.HasCountry())
	}
	m.SetCategory("marketing")
	m.SetCountry("BR")
	if i, ok := m.CategoryIndex(); !ok || Categories[i] != "marketing" || !m.HasCountry() {
		t.Fatalf("after the setters: %d %v %v", i, ok, m.HasCountry())
	}
	m.SetCategory("Marketing ") // not a reader's spelling: read from the field again
	if _, ok := m.CategoryIndex(); ok {
		t.Fatal("an unusual spelling is not vouched for")
	}
	u := Message{Category: "authentication"}
	if i, ok := u.CategoryIndex(); !ok || Categories[i] != "authentication" || u.HasCountry() {
		t.Fatalf("a message not read: %d %v", i, ok)
	}
}

// A column given by two keys of one object (keys that differ only in
// case, or one key repeated) is a row error, the same every run and on
// every path: the scanner, encoding/json, a JSON array.
func TestKeysGivenTwice(t *testing.T) {
	lines := []string{
		`{"timestamp":"2026-10-01T10:00:00Z","customer":"5511987654321","direction":"out","type":"template","category":"utility","Category":"marketing"}`,
		`{"timestamp":"2026-10-01T10:00:00Z","customer":"5511987654321","direction":"out","type":"template","category":"utility","category":"marketing"}`,
		`{"timestamp":"2026-10-01T10:00:00Z","customer":"5511987654321","direction":"out","type":"tem\u0070late","category":"utility","CATEGORY":null}`,
	}
	want := "f.ndjson:1: category: " + errTwice
	for _, line := range lines {
		for _, slow := range []bool{false, true} {
			for range 20 { // a map's order would change from run to run
				r := newNDJSONReader(bufio.NewReader(strings.NewReader(line+"\n")), Options{Name: "f.ndjson", Location: time.UTC})
				r.slow = slow
				if _, err := next(r); err == nil || err.Error() != want {
					t.Fatalf("%s (slow %v): %v, want %s", line, slow, err, want)
				}
			}
		}
		_, errs := readAll(t, "["+line+"]", Options{Name: "f.json"})
		if len(errs) != 1 || !strings.HasSuffix(errs[0], "category: "+errTwice) {
			t.Fatalf("JSON array %s: %v", line, errs)
		}
	}
	// Keys of other columns may share a letter case: only one column each.
	ms, errs := readAll(t, `{"Timestamp":"2026-10-01T10:00:00Z","CUSTOMER":"5511987654321","direction":"in","other":1,"Other":2}`+"\n", Options{Name: "f.ndjson"})
	if len(ms) != 1 || len(errs) != 0 {
		t.Fatalf("%v %v", ms, errs)
	}
}

// A JSON file is one array: a second array or anything else after it is
// an error naming the line, not rows left unread.
func TestJSONOneArray(t *testing.T) {
	row := `{"timestamp":"2026-10-01T10:00:00Z","customer":"5511987654321","direction":"in"}`
	for _, in := range []string{"[" + row + "]\n[" + row + "]\n", "[" + row + "]\ngarbage\n", "[" + row + "] {}"} {
		r, err := NewReader(strings.NewReader(in), Options{Name: "f.json"})
		if err != nil {
			t.Fatal(err)
		}
		var last error
		for {
			if _, last = next(r); last != nil && !isRowError(last) {
				break
			}
		}
		if last == io.EOF || !strings.Contains(last.Error(), "more after the JSON array") {
			t.Errorf("%q: %v", in, last)
		}
	}
	if ms, errs := readAll(t, "["+row+"]\n \n", Options{Name: "f.json"}); len(ms) != 1 || len(errs) != 0 {
		t.Errorf("white space after the array: %d %v", len(ms), errs)
	}
}

// A local time the clocks skip is a row error naming the zone; one they
// show twice is the earlier instant; both every run.
func TestLocalTimesAroundClockChanges(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	for in, want := range map[string]string{
		"2026-03-29 02:30:00": `error: "2026-03-29 02:30:00" does not exist in Europe/Berlin`,
		"2026-03-29 01:59:59": "2026-03-29T00:59:59Z",
		"2026-03-29 03:00:00": "2026-03-29T01:00:00Z",
		"2026-10-25 02:30:00": "2026-10-25T00:30:00Z", // shown twice: the first, in summer time
		"2026-10-25 03:00:00": "2026-10-25T02:00:00Z",
		"2026-07-01 12:00:00": "2026-07-01T10:00:00Z",
	} {
		got, msg := ParseTimestamp(in, berlin)
		if msg != "" {
			if !strings.HasPrefix("error: "+msg, want) {
				t.Errorf("%s: %s, want %s", in, msg, want)
			}
			continue
		}
		if s := got.UTC().Format(time.RFC3339); s != want {
			t.Errorf("%s: %s, want %s", in, s, want)
		}
	}
	if got, msg := ParseTimestamp("2026-03-29 02:30:00", time.UTC); msg != "" || got.Format(time.RFC3339) != "2026-03-29T02:30:00Z" {
		t.Errorf("in UTC: %v %s", got, msg)
	}
}

// Quotes as encoding/csv's LazyQuotes reads them: a quote inside a field
// that does not start with one is a character; a quoted field may hold
// line breaks; one never closed loses its own line only.
func TestCSVQuotes(t *testing.T) {
	head := "timestamp,id,customer,direction\n"
	row := func(id string) string { return "2026-10-01T10:00:00Z," + id + ",5511987654321,in\n" }
	in := head + row(`a"2`) + row(`b`) + row(`"c""d"`) + row("\"e\nf\"") + row(`g`) + row(`i"j"`) + row(`"h`) + row(`k`) + row(`l`)
	ms, errs := readAll(t, in, Options{Name: "q.csv"})
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	if got := strings.Join(ids, "|"); got != "a\"2|b|c\"d|e\nf|g|i\"j\"|k|l" {
		t.Errorf("ids %q", got)
	}
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "q.csv:9: quote:") || ms[len(ms)-1].Pos.Line != 11 {
		t.Errorf("errors %v", errs)
	}
	for _, c := range []struct {
		line string
		in   bool
	}{{`a,b`, false}, {`"a`, true}, {`"a"`, false}, {`"a"",b`, true}, {`"a""",b`, false}, {`x"y,"z`, true}, {`"a"b,c`, true}, {`"a"b",c`, false}, {`,"`, true}} {
		if got := inQuotedField([]byte(c.line), false, ','); got != c.in {
			t.Errorf("inQuotedField(%q) = %v", c.line, got)
		}
	}
}

// A country override must name a country: ZZ, XX or EU has no market.
func TestCountryCodes(t *testing.T) {
	for code, ok := range map[string]bool{"br": true, "IN": true, "GB": true, "XK": true, "HK": true, "ZZ": false, "XX": false, "EU": false, "QO": false, "B1": false, "BRA": false} {
		in := "timestamp,customer,direction,country\n2026-10-01T10:00:00Z,5511987654321,in," + code + "\n"
		ms, errs := readAll(t, in, Options{Name: "c.csv"})
		if ok != (len(ms) == 1) || (!ok && (len(errs) != 1 || !strings.Contains(errs[0], "country:"))) {
			t.Errorf("%s: %d messages, errors %v", code, len(ms), errs)
		}
		if ok && ms[0].Country != strings.ToUpper(code) {
			t.Errorf("%s: country %q", code, ms[0].Country)
		}
	}
}

// An input that is not UTF-8 text is refused at once, saying what it is.
func TestNotText(t *testing.T) {
	utf16 := func(s string, bom bool) string {
		var b []byte
		if bom {
			b = append(b, 0xff, 0xfe)
		}
		for _, c := range []byte(s) {
			b = append(b, c, 0)
		}
		return string(b)
	}
	csvText := "timestamp,customer,direction\n2026-10-01T10:00:00Z,5511987654321,in\n"
	for in, want := range map[string]string{
		utf16(csvText, true):  "f.csv: is UTF-16 text",
		utf16(csvText, false): "f.csv: holds NUL bytes",
		"\x00\x00\x00\x00":    "f.csv: holds NUL bytes",
	} {
		if _, err := NewReader(strings.NewReader(in), Options{Name: "f.csv"}); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: %v, want %s", in[:8], err, want)
		}
	}
	if _, err := NewReader(strings.NewReader(csvText), Options{Name: "f.csv"}); err != nil {
		t.Errorf("UTF-8: %v", err)
	}
}

// A line longer than the most a record may hold is one bad row, read past
// without being kept; the rows after it are read, and in parts it is
// reported once. The same for an NDJSON line, on one goroutine or several.
func TestLineTooLong(t *testing.T) {
	in := "timestamp,customer,direction\n" + strings.Repeat(",", 3*DefaultMaxRecordBytes) + "\n2026-10-01T10:00:00Z,5511987654321,in\n"
	ms, errs := readAll(t, in, Options{Name: "l.csv"})
	if len(ms) != 1 || ms[0].Pos.Line != 3 || len(errs) != 1 || !strings.HasPrefix(errs[0], "l.csv:2: the line is longer than 1048576 bytes") {
		t.Fatalf("%d messages, errors %v", len(ms), errs)
	}
	checkParts(t, in)
	row := `{"timestamp":"2026-10-01T10:00:00Z","customer":"5511987654321","direction":"in","id":"`
	long := func(n int) string { return row + strings.Repeat("x", n) + `"}` + "\n" }
	defer func(old int) { ndBlockSize = old }(ndBlockSize)
	ndBlockSize = 4096
	for _, workers := range []int{1, 3} {
		// A 300-byte limit: a row of 299 bytes is read, one of 301 and one
		// of 100 KB (longer than a block) are bad rows.
		nd := long(299-len(row)-2) + long(301-len(row)-2) + long(100_000) + long(10)
		ms, errs := readAll(t, nd, Options{Name: "l.ndjson", MaxRecordBytes: 300, Workers: workers})
		if len(ms) != 2 || ms[0].Pos.Line != 1 || ms[1].Pos.Line != 4 || len(errs) != 2 ||
			!strings.HasPrefix(errs[0], "l.ndjson:2: the line is longer than 300 bytes") || !strings.HasPrefix(errs[1], "l.ndjson:3: the line is longer than 300 bytes") {
			t.Errorf("%d workers: %d messages, errors %v", workers, len(ms), errs)
		}
	}
	// The CSV limit is the option's too.
	csvIn := "timestamp,customer,direction,id\n2026-10-01T10:00:00Z,5511987654321,in," + strings.Repeat("y", 400) + "\n2026-10-01T10:00:00Z,5511987654321,in,z\n"
	ms, errs = readAll(t, csvIn, Options{Name: "l.csv", MaxRecordBytes: 300})
	if len(ms) != 1 || len(errs) != 1 || !strings.HasPrefix(errs[0], "l.csv:2: the line is longer than 300 bytes") {
		t.Errorf("CSV at 300 bytes: %d messages, errors %v", len(ms), errs)
	}
}

// A column mapped from another column's own name reads from it:
// --map timestamp=id takes the times from "id" (and no column gives ids).
func TestMapFromAColumnsOwnName(t *testing.T) {
	o := Options{Map: map[string]string{"timestamp": "ID"}}
	for name, in := range map[string]string{
		"m.csv":    "id,customer,direction\n2026-10-01T10:00:00Z,5511987654321,in\n",
		"m.ndjson": `{"id":"2026-10-01T10:00:00Z","customer":"5511987654321","direction":"in"}` + "\n",
	} {
		o.Name = name
		ms, errs := readAll(t, in, o)
		if len(ms) != 1 || len(errs) != 0 || ms[0].Time.Hour() != 10 || ms[0].ID != "" {
			t.Errorf("%s: %v %v", name, ms, errs)
		}
	}
}

// A free-text field (id, business, agent, template) must be UTF-8 text
// without control characters, and a message type must be one of the Cloud
// API's: a row that breaks either is a row error on every reader path,
// naming its field, and the rows around it are read.
func TestTextFieldsAndTypes(t *testing.T) {
	bad := []struct{ field, value, want string }{
		{"id", "wamid.\x00x", "holds a control character (U+0000)"},
		{"id", "wamid.\xffx", "is not UTF-8 text (byte 7)"},
		{"id", "wamid.\x1b[31mred", "holds a control character (U+001B)"},
		{"business", "Acme\xe9", "is not UTF-8 text (byte 5)"},
		{"agent", "ana\x00", "holds a control character (U+0000)"},
		{"template", "order_\xc3", "is not UTF-8 text (byte 7)"},
		{"type", "tempalte", "is not a message type"},
		{"type", "sms", "is not a message type"},
	}
	good := []struct{ field, value, want string }{
		{"id", "wamid.ünï-cödé", "wamid.ünï-cödé"},
		{"id", "tab\there", "tab\there"},
		{"id", "written \uFFFD out", "written \uFFFD out"},
		{"type", "HSM", "template"},
		{"type", " Image ", "image"},
		{"type", "request_welcome", "request_welcome"},
	}
	header := "timestamp,customer,direction,type,business,id,agent,template\n"
	row := func(field, value string) map[string]string {
		r := map[string]string{"timestamp": "2026-10-01T10:00:00Z", "customer": "5511987654321", "direction": "out", "type": "text", "business": "acme", "id": "w", "agent": "", "template": ""}
		r[field] = value
		return r
	}
	cols := strings.Split(strings.TrimSpace(header), ",")
	csvRow := func(r map[string]string) string {
		var f []string
		for _, c := range cols {
			f = append(f, `"`+strings.ReplaceAll(r[c], `"`, `""`)+`"`)
		}
		return strings.Join(f, ",") + "\n"
	}
	jsonRow := func(r map[string]string) string {
		var f []string
		for _, c := range cols {
			var v strings.Builder
			for _, b := range []byte(r[c]) { // control characters escaped, other bytes as they are
				if b < ' ' {
					fmt.Fprintf(&v, `\u%04x`, b)
				} else {
					v.WriteByte(b)
				}
			}
			f = append(f, `"`+c+`":"`+v.String()+`"`)
		}
		return "{" + strings.Join(f, ",") + "}\n"
	}
	for _, format := range []string{"csv", "ndjson"} {
		enc := csvRow
		in := header
		if format == "ndjson" {
			enc, in = jsonRow, ""
		}
		in += enc(row("id", "first"))
		for _, b := range bad {
			in += enc(row(b.field, b.value))
		}
		for _, g := range good {
			in += enc(row(g.field, g.value))
		}
		ms, errs := readAll(t, in, Options{Name: "t." + format})
		if len(errs) != len(bad) || len(ms) != 1+len(good) {
			t.Fatalf("%s: %d messages and errors\n%s", format, len(ms), strings.Join(errs, "\n"))
		}
		for i, b := range bad {
			if !strings.Contains(errs[i], ": "+b.field+": ") || !strings.Contains(errs[i], b.want) {
				t.Errorf("%s %s %q: %s, want %s", format, b.field, b.value, errs[i], b.want)
			}
		}
		for i, g := range good {
			m := ms[i+1]
			got := map[string]string{"id": m.ID, "type": m.Type}[g.field]
			if got != g.want {
				t.Errorf("%s %s %q read as %q, want %q", format, g.field, g.value, got, g.want)
			}
		}
		if m := ms[4]; !m.Template {
			t.Errorf("%s: HSM is a template", format)
		}
	}
}
