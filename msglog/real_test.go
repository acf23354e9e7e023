package msglog

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
	"time"
)

// Numbers written without + or 00: read as international only where
// they look it; with a default country, as that country writes them.
func TestNationalNumbers(t *testing.T) {
	cases := []struct {
		in, country, want, err string
	}{
		{"5511987654321", "", "5511987654321", ""},
		{"+55 (11) 98765-4321", "", "5511987654321", ""},
		{"whatsapp:+5511987654321", "", "5511987654321", ""},
		{"tel:+44 7700 900123", "", "447700900123", ""},
		{"(11) 98765-4321", "", "", "no +1 number is written so"}, // +1 198...: no NANP area code starts with 1
		{"98765 43210", "", "", "no +98 number is written so"},    // +98 76543210: too short for Iran
		{"07700 900123", "", "", "it starts with 0, a trunk prefix"},
		{"(11) 98765-4321", "BR", "5511987654321", ""},
		{"011 98765-4321", "BR", "5511987654321", ""},
		{"98765 43210", "IN", "919876543210", ""},
		{"09876543210", "IN", "919876543210", ""},
		{"07700 900123", "GB", "447700900123", ""},
		{"8 916 123-45-67", "RU", "79161234567", ""},
		{"415 555 0100", "US", "14155550100", ""},
		{"1 415 555 0100", "US", "14155550100", ""},
		{"919876543210", "BR", "919876543210", ""},    // a foreign number with its calling code
		{"+91 98765 43210", "BR", "919876543210", ""}, // written with +: as it is
		{"12345", "BR", "", "6 to 15"},
		{"0123", "GB", "", "6 to 15"},
	}
	for _, c := range cases {
		in := "timestamp,customer,direction\n2026-10-01T10:00:00Z," + c.in + ",in\n"
		for _, format := range []string{"csv", "ndjson"} {
			src := in
			if format == "ndjson" {
				src = `{"timestamp":"2026-10-01T10:00:00Z","customer":"` + c.in + `","direction":"in"}` + "\n"
			}
			ms, errs := readAll(t, src, Options{Name: "n." + format, DefaultCountry: c.country})
			switch {
			case c.err == "" && (len(ms) != 1 || ms[0].Customer != c.want):
				t.Errorf("%s %q with %q: %v %v, want %s", format, c.in, c.country, ms, errs, c.want)
			case c.err != "" && (len(errs) != 1 || !strings.Contains(errs[0], c.err)):
				t.Errorf("%s %q with %q: %v, want an error with %q", format, c.in, c.country, errs, c.err)
			}
		}
	}
	if _, err := NewReader(strings.NewReader("timestamp,customer,direction\n"), Options{DefaultCountry: "XX"}); err == nil || !strings.Contains(err.Error(), "default country") {
		t.Errorf("an unknown default country: %v", err)
	}
}

// The timestamp forms real exports write, and --time-format for others.
func TestTimestampForms(t *testing.T) {
	want := time.Date(2026, 10, 3, 10, 0, 0, 0, time.UTC)
	for _, v := range []string{
		"2026-10-03 10:00:00 UTC", "2026-10-03 10:00:00 GMT", "2026-10-03T10:00:00 Z", "2026-10-03 10:00:00UTC",
		"Sat, 03 Oct 2026 10:00:00 +0000", "Sat, 03 Oct 2026 10:00:00 GMT", "Sat, 3 Oct 2026 07:00:00 -0300",
		"2026-10-03T10:00:00+0000", "2026-10-03T07:00:00-0300", "2026-10-03 10:00:00.000+0000",
		"2026-10-03T10:00", "2026-10-03 10:00", "2026-10-03T10:00Z", "2026-10-03T12:00+02:00",
	} {
		got, msg := ParseTimestamp(v, time.UTC)
		if msg != "" || !got.Equal(want) {
			t.Errorf("%q: %v %s", v, got, msg)
		}
	}
	for _, bad := range []string{"03/10/2026 10:00", "2026-10-03", "10:00", "Sat, 03 Oct 2026", "Sat, 03 Oct 2026 07:00:00 BRT"} {
		if _, msg := ParseTimestamp(bad, time.UTC); msg == "" {
			t.Errorf("%q read without a layout", bad)
		}
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, c := range []struct {
		format, value string
		want          time.Time
		err           string
	}{
		{"%d/%m/%Y %H:%M", "03/10/2026 12:00", want, ""},
		{"%m/%d/%y %I:%M %p", "10/03/26 12:00 PM", want, ""},
		{"%d.%m.%Y %H:%M:%S", "03.10.2026 12:00:00", want, ""},
		{"%d/%m/%Y %H:%M", "2026-10-03T10:00:00Z", want, ""}, // the usual forms still read
		{"%d/%m/%Y %H:%M", "29/03/2026 02:30", time.Time{}, "does not exist in Europe/Berlin"},
		{"%Y-%m-%d %H:%M:%S %z", "2026-10-03 07:00:00 -0300", want, ""},
		{"%Y-%m-%d %H:%M %Z", "2026-10-03 10:00 GMT", want, ""},
		{"%Y-%m-%d %H:%M %Z", "2026-10-03 07:00 BRT", time.Time{}, `the zone "BRT" has no offset`},
	} {
		o := Options{TimeFormat: c.format, Location: berlin}
		if err := o.prepare(); err != nil {
			t.Fatal(err)
		}
		got, msg := o.parseTime(c.value)
		if c.err != "" {
			if !strings.Contains(msg, c.err) {
				t.Errorf("%s %q: %v %q, want %s", c.format, c.value, got, msg, c.err)
			}
		} else if msg != "" || !got.Equal(c.want) {
			t.Errorf("%s %q: %v %s", c.format, c.value, got, msg)
		}
	}
	for _, bad := range []string{"%d/%m %H:%M", "%Q", "%Y-%m-%d 10h", "%Y %", "%Y Jan %d"} {
		if _, err := ParseTimeFormat(bad); err == nil {
			t.Errorf("time format %q accepted", bad)
		}
	}
}

// --value maps a column's values before they are read, on every path,
// and a mapped column reads no usual spelling by itself.
func TestValueMapping(t *testing.T) {
	o := Options{Name: "v.csv", Map: map[string]string{"direction": "from_me", "timestamp": "created_at", "customer": "wa_id"},
		Values: map[string]map[string]string{"direction": {"true": "out", "FALSE": "in", "in": "out"}, "status": {"received": "delivered"}}}
	in := "created_at,wa_id,from_me,status\n2026-10-01T10:00:00Z,5511987654321,false,\n2026-10-01T10:01:00Z,5511987654321, True ,received\n2026-10-01T10:02:00Z,5511987654321,in,\n2026-10-01T10:03:00Z,5511987654321,maybe,\n"
	for _, plain := range []bool{false, true} {
		r, err := NewReader(strings.NewReader(in), o)
		if err != nil {
			t.Fatal(err)
		}
		if plain {
			r.(*csvReader).plain = true
		}
		var dirs []Direction
		var errs []string
		for {
			var m Message
			err := r.Read(&m)
			if err != nil {
				if re, ok := err.(*RowError); ok {
					errs = append(errs, re.Error())
					continue
				}
				break
			}
			dirs = append(dirs, m.Direction)
			if m.Pos.Line == 3 && m.Status != "delivered" {
				t.Errorf("status received read as %q", m.Status)
			}
		}
		if len(dirs) != 3 || dirs[0] != Inbound || dirs[1] != Outbound || dirs[2] != Outbound || len(errs) != 1 || !strings.Contains(errs[0], `"maybe"`) {
			t.Errorf("plain=%v: directions %v, errors %v", plain, dirs, errs)
		}
	}
	if _, err := NewReader(strings.NewReader(in), Options{Values: map[string]map[string]string{"mood": {"a": "b"}}}); err == nil {
		t.Error("a value map of no column")
	}
}

// The field separator: sniffed from the header (, ; tab |), named by an
// Excel sep= line, or given; quotes work with any.
func TestDelimiters(t *testing.T) {
	rows := func(sep string) string {
		return strings.Join([]string{"timestamp", "customer", "direction", "id"}, sep) + "\n" +
			strings.Join([]string{"2026-10-01T10:00:00Z", "+55 11 98765-4321", "in", `"a` + sep + `b"`}, sep) + "\n" +
			strings.Join([]string{"2026-10-01T10:05:00Z", "5511987654321", "out", "c"}, sep) + "\n"
	}
	for name, c := range map[string]struct {
		in         string
		delim, sep byte
	}{
		"comma": {rows(","), 0, ','}, "semicolon": {rows(";"), 0, ';'}, "tab": {rows("\t"), 0, '\t'}, "pipe": {rows("|"), 0, '|'},
		"sep line": {"sep=;\n" + rows(";"), 0, ';'}, "given": {rows(";"), ';', ';'}, "sep line, given": {"sep=|\n" + rows(";"), ';', ';'},
	} {
		ms, errs := readAll(t, c.in, Options{Name: "d.csv", Delimiter: c.delim})
		if len(ms) != 2 || len(errs) != 0 || ms[0].ID != "a"+string(c.sep)+"b" {
			t.Errorf("%s: %v %v", name, ms, errs)
		}
	}
	// A semicolon header with commas in its names is still found by the
	// semicolon; a given separator that does not split the header fails.
	if _, err := NewReader(strings.NewReader(rows(";")), Options{Name: "d.csv", Delimiter: ','}); err == nil || !strings.Contains(err.Error(), "missing required column") {
		t.Errorf("a wrong separator given: %v", err)
	}
}

// A gzip-compressed log is read as the log inside (its format from the
// name without .gz, or its content); not in parts.
func TestGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("timestamp,customer,direction\n2026-10-01T10:00:00Z,5511987654321,in\n"))
	zw.Close()
	ms, errs := readAll(t, buf.String(), Options{Name: "log.csv.gz"})
	if len(ms) != 1 || len(errs) != 0 {
		t.Errorf("gzip: %v %v", ms, errs)
	}
	if _, err := NewReader(bytes.NewReader(buf.Bytes()), Options{Name: "log.csv.gz", Part: Part{I: 0, N: 2}}); !errors.Is(err, ErrPartFormat) {
		t.Errorf("gzip in parts: %v", err)
	}
	r, err := NewReader(bytes.NewReader(buf.Bytes()[:buf.Len()-10]), Options{Name: "cut.csv.gz"})
	if err == nil {
		var m Message
		for err == nil {
			err = r.Read(&m)
		}
	}
	if err == nil || !strings.Contains(err.Error(), "cut.csv.gz: gzip") {
		t.Errorf("a gzip file cut short: %v", err)
	}
}
