package render

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"testing"
)

// TestAppendCSVRecordMatchesEncodingCSV: the ledger's own record writer
// writes what encoding/csv writes, byte for byte, for fields full of
// commas, quotes, line breaks, leading spaces (ASCII and Unicode) and `\.`.
func TestAppendCSVRecordMatchesEncodingCSV(t *testing.T) {
	pieces := []string{"", "a", "wamid.1", ",", `"`, "\n", "\r", " ", "\t", "\u00a0", "\u2003x", `\.`, "é", "x y", "\xff", "0.0761"}
	rng := rand.New(rand.NewPCG(5, 6))
	check := func(rec []string) {
		t.Helper()
		var want bytes.Buffer
		w := csv.NewWriter(&want)
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
