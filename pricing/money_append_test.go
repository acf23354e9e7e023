package pricing

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestMoneyAppend: Append (behind String) writes what the plain
// definition does: the integer part, a point, then the six decimals
// without trailing zeros, keeping at least two.
func TestMoneyAppend(t *testing.T) {
	plain := func(v int64) string {
		sign := ""
		u := uint64(v)
		if v < 0 {
			sign, u = "-", uint64(-v)
		}
		frac := strconv.FormatUint(u%MicrosPerUnit+MicrosPerUnit, 10)[1:]
		frac = strings.TrimRight(frac, "0")
		for len(frac) < 2 {
			frac += "0"
		}
		return sign + strconv.FormatUint(u/MicrosPerUnit, 10) + "." + frac
	}
	for _, c := range []struct {
		v    int64
		want string
	}{{0, "0.00"}, {1, "0.000001"}, {10_000, "0.01"}, {761_000, "0.761"}, {-1_500_000, "-1.50"}, {123_456_789, "123.456789"}} {
		if got := Money(c.v).String(); got != c.want {
			t.Errorf("Money(%d) = %s, want %s", c.v, got, c.want)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	vals := []int64{math.MaxInt64, math.MinInt64, math.MinInt64 + 1}
	for i := 0; i < 10000; i++ {
		vals = append(vals, rng.Int64N(1<<40)-1<<39, int64(rng.Uint64()))
	}
	for _, v := range vals {
		if got, want := Money(v).String(), plain(v); got != want {
			t.Fatalf("Money(%d) = %s, want %s", v, got, want)
		}
	}
}

// JSON writes every amount alike: six decimals, exact to the millionth,
// and reads them back.
func TestMoneyJSONFixed(t *testing.T) {
	for in, want := range map[Money]string{0: `"0.000000"`, 5_430_000: `"5.430000"`, 1400: `"0.001400"`, -62500: `"-0.062500"`, 1: `"0.000001"`} {
		b, err := in.MarshalJSON()
		if err != nil || string(b) != want {
			t.Errorf("%d: %s, want %s", in, b, want)
		}
		var back Money
		if err := back.UnmarshalJSON(b); err != nil || back != in {
			t.Errorf("%s read back as %d (%v)", b, back, err)
		}
	}
}
