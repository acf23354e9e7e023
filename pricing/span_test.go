package pricing

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMarketSpan: the spans end where the market tables change, and every
// prefix and country keeps its market on the first, a middle and the last
// day of each span (the engine caches a customer's market for a span).
func TestMarketSpan(t *testing.T) {
	day := func(y int, m time.Month, d int) Day { return MustDay(y, m, d) }
	for _, c := range []struct {
		d, from, until Day
	}{
		{day(2020, 1, 1), math.MinInt32, day(2025, 10, 1)},
		{day(2025, 9, 30), math.MinInt32, day(2025, 10, 1)},
		{day(2025, 10, 1), day(2025, 10, 1), day(2026, 7, 1)},
		{day(2026, 6, 30), day(2025, 10, 1), day(2026, 7, 1)},
		{day(2026, 7, 1), day(2026, 7, 1), day(2026, 10, 1)},
		{day(2026, 10, 1), day(2026, 10, 1), 0},
		{day(2030, 1, 1), day(2026, 10, 1), 0},
	} {
		if from, until := MarketSpan(c.d); from != c.from || until != c.until {
			t.Errorf("MarketSpan(%s) = [%d, %d), want [%d, %d)", c.d, from, until, c.from, c.until)
		}
	}
	mk, err := LoadMarkets(DefaultMarketOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []Day{day(2018, 8, 1), day(2025, 10, 1), day(2026, 7, 1), day(2026, 10, 1)} {
		from, until := MarketSpan(d)
		if from == math.MinInt32 {
			from = day(2018, 8, 1)
		}
		if until == 0 {
			until = day(2031, 1, 1)
		}
		for prefix, e := range mk.byPrefix {
			number := prefix + "5550100"
			want := mk.Lookup(number, from)
			for _, x := range []Day{from + (until-from)/2, until - 1} {
				if got := mk.Lookup(number, x); got != want {
					t.Errorf("+%s: %s on %s but %s on %s, in one span", prefix, want.Name, from, got.Name, x)
				}
			}
			if e.iso2 != "" {
				if a, b := mk.ByCountry(e.iso2, from), mk.ByCountry(e.iso2, until-1); a != b {
					t.Errorf("%s: %s on %s but %s on %s, in one span", e.iso2, a.Name, from, b.Name, until-1)
				}
			}
		}
	}
}

// TestTierRowsRoundTrip: a table rebuilt from its Rows prices every
// volume as the original does.
func TestTierRowsRoundTrip(t *testing.T) {
	mk, err := LoadMarkets(DefaultMarketOptions())
	if err != nil {
		t.Fatal(err)
	}
	in := "# currency: USD\nmarket,category,from,to,rate,discount\nIndia,utility,1,3,,0\nIndia,utility,4,9,,-25%\nIndia,utility,10,,0.0011,\nBrazil,authentication,1,,,-5\n"
	a, err := ParseTiersCSV(strings.NewReader(in), "t.csv", CardOptions{Market: mk.Known})
	if err != nil {
		t.Fatal(err)
	}
	b, err := TiersFromRows(a.Name, a.Currency, a.Rows())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		market string
		k      Key
	}{{"India", KeyUtility}, {"Brazil", KeyAuthentication}, {"India", KeyAuthentication}} {
		for n := int64(1); n < 15; n++ {
			pa, ba, oka := a.Price(c.market, c.k, n, 10_000)
			pb, bb, okb := b.Price(c.market, c.k, n, 10_000)
			if pa != pb || oka != okb || ba.From != bb.From || ba.To != bb.To {
				t.Errorf("%s %s #%d: %s %v vs %s %v", c.market, c.k, n, pa, oka, pb, okb)
			}
		}
	}
	if _, err := TiersFromRows("x", "USD", []TierRow{{Market: "India", Key: "marketing", From: 1}}); err == nil {
		t.Error("marketing has no tiers")
	}
}

// TestLookupLongestPrefix: the digit trie finds what the plain definition
// finds, the longest listed prefix of the number (else Other), for every
// prefix with digits after it and for random numbers.
func TestLookupLongestPrefix(t *testing.T) {
	mk, err := LoadMarkets(DefaultMarketOptions())
	if err != nil {
		t.Fatal(err)
	}
	plain := func(digits string, d Day) Market {
		for n := len(digits); n > 0; n-- {
			if e, ok := mk.byPrefix[digits[:n]]; ok {
				return Market{Name: e.markets[epoch(d)], ISO2: e.iso2, Country: e.country, Unmessageable: e.unmessageable}
			}
		}
		return Market{Name: Other}
	}
	var numbers []string
	for p := range mk.byPrefix {
		numbers = append(numbers, p, p+"0", p+"5550123", p+"99999999")
	}
	x := uint64(88172645463325252)
	for i := 0; i < 20000; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		numbers = append(numbers, strconv.FormatUint(x%1e13, 10))
	}
	numbers = append(numbers, "", "0", "x12")
	for _, d := range []Day{MustDay(2024, 1, 1), MustDay(2026, 7, 1), MustDay(2026, 11, 1)} {
		for _, n := range numbers {
			if got, want := mk.Lookup(n, d), plain(n, d); got != want {
				t.Fatalf("%q on %s: %+v, want %+v", n, d, got, want)
			}
		}
	}
}
