package render

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendCSVRecordMatchesEncodingCSV: the ledger's own record writer
// writes what encoding/csv writes of formula-safe cells, byte for byte,
// for fields full of commas, quotes, line breaks, leading spaces (ASCII
// and Unicode), `\.` and formula starts.
func TestAppendCSVRecordMatchesEncodingCSV(t *testing.T) {
	pieces := []string{"", "a", "wamid.1", ",", `"`, "\n", "\r", " ", "\t", "\u00a0", "\u2003x", `\.`, "é", "x y", "\xff", "0.0761", "=", "+", "-", "@", "-5.00", "1"}
	rng := rand.New(rand.NewPCG(5, 6))
	check := func(rec []string) {
		t.Helper()
		var want bytes.Buffer
		w := newCSVWriter(&want)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if got := appendCSVRecord(nil, rec...); string(got) != want.String() {
			t.Fatalf("record %q:\n got %q\nwant %q", rec, got, want.String())
		}
	}
	for _, p := range pieces {
		check([]string{p})
		check([]string{p, p + "z", "z" + p})
	}
	var q quoted // the ledger's per-column memory, fed the same strings
	for i := 0; i < 20000; i++ {
		rec := make([]string, 1+rng.IntN(5))
		for j := range rec {
			for k := rng.IntN(4); k > 0; k-- {
				rec[j] += pieces[rng.IntN(len(pieces))]
			}
		}
		check(rec)
		for _, f := range []string{rec[0], rec[0], pieces[rng.IntN(len(pieces))]} {
			if got, want := q.append(nil, f), appendCSVField(nil, f); string(got) != string(want) {
				t.Fatalf("quoted.append(%q) = %q, want %q", f, got, want)
			}
		}
	}
}

// TestAppendTime: the hand-written format is time.RFC3339Nano's, for UTC
// times across the calendar (leap days, centuries, before 1970) with and
// without fractions, and other zones go through AppendFormat.
func TestAppendTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	check := func(tm time.Time) {
		if got, want := string(appendTime(nil, tm)), tm.Format(time.RFC3339Nano); got != want {
			t.Fatalf("%v: %s, want %s", tm, got, want)
		}
	}
	for _, tm := range []time.Time{
		time.Date(2000, 2, 29, 23, 59, 59, 0, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 100, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 1, 12, 0, 0, 120000000, time.UTC), time.Date(2026, 10, 1, 12, 0, 0, 0, time.FixedZone("", 5*3600+1800)),
		{}, time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-5, 6, 1, 0, 0, 0, 0, time.UTC),
	} {
		check(tm)
	}
	for range 100000 {
		sec := rng.Int64N(400*366*86400) - 200*366*86400 + 946684800
		ns := int64(0)
		if rng.IntN(2) == 0 {
			ns = rng.Int64N(1e9)
		}
		check(time.Unix(sec, ns).UTC())
	}
}

// Cells a spreadsheet would run as formulas are written as text (OWASP,
// CSV injection); numbers, signed or not, stay numbers.
func TestFormulaSafe(t *testing.T) {
	for in, want := range map[string]string{
		"=1+2": "'=1+2", "@SUM(1+1)*cmd|' /C calc'!A0": "'@SUM(1+1)*cmd|' /C calc'!A0", "+1555": "+1555", "-5.00": "-5.00",
		"-": "'-", "+": "'+", "\tx": "'\tx", "\rx": "'\rx", `=HYPERLINK("http://evil.example","agent")`: `'=HYPERLINK("http://evil.example","agent")`,
		"-1-1": "'-1-1", "+.5": "+.5", "1=1": "1=1", "": "", "wamid.=1": "wamid.=1", "-.": "'-.",
	} {
		if got := formulaSafe(in); got != want {
			t.Errorf("formulaSafe(%q) = %q, want %q", in, got, want)
		}
	}
	var b bytes.Buffer
	w := newCSVWriter(&b)
	w.Write([]string{"=1+2", "ok", "-3"})
	w.Flush()
	if b.String() != "'=1+2,ok,-3\n" {
		t.Errorf("csvWriter: %q", b.String())
	}
}
