package pricing

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/gocarina/gocsv"
)

// Other is the market of every number whose calling code Meta does not list (MK-01).
const Other = "Other"

// Market epochs: the dated market tables in data/markets.csv.
var marketEpochs = []Day{
	MustDay(2018, 8, 1),  // market_2022_2025: also used back to 2018 (same region names)
	MustDay(2025, 10, 1), // Zimbabwe moves Other -> Rest of Africa
	MustDay(2026, 7, 1),  // HK, HU, PL, QA, RO, SG standalone
	MustDay(2026, 10, 1), // BD, IQ, KZ, KW, MA, NP, OM, LK, UA standalone
}

type marketRow struct {
	Prefix  string `csv:"calling_code_prefix"`
	ISO2    string `csv:"iso2"`
	Country string `csv:"country"`
	M0      string `csv:"market_2022_2025"`
	M1      string `csv:"market_from_2025_10_01"`
	M2      string `csv:"market_from_2026_07_01"`
	M3      string `csv:"market_from_2026_10_01"`
}

// Unmessageable is the market name given to numbers WhatsApp Business
// messages cannot reach (MK-03); they are reported, never priced.
const Unmessageable = "Not messageable"

// Market is the rate-card row a recipient maps to.
type Market struct {
	Name    string // "Brazil", "Rest of Africa", "Other"
	ISO2    string // "" when unknown
	Country string
	// Unmessageable: business messages to this number cannot be sent.
	Unmessageable bool
}

type marketEntry struct {
	iso2, country string
	markets       [4]string // per epoch
	unmessageable bool
}

// Markets is the dated calling-code to market table.
type Markets struct {
	byPrefix map[string]*marketEntry
	byISO2   map[string]*marketEntry
	names    []string
	// trie holds byPrefix by digit for Lookup: node 0 is the root; a
	// node's next[d] is its child for digit d (0: none), entry its row.
	trie []trieNode
}

type trieNode struct {
	next  [10]int32
	entry *marketEntry
}

// buildTrie indexes byPrefix by digit (prefixes are digits only).
func (t *Markets) buildTrie() error {
	t.trie = []trieNode{{}}
	for p, e := range t.byPrefix {
		n := 0
		for i := 0; i < len(p); i++ {
			d := int(p[i]) - '0'
			if d < 0 || d > 9 {
				return fmt.Errorf("markets: prefix %q is not digits", p)
			}
			if t.trie[n].next[d] == 0 {
				t.trie = append(t.trie, trieNode{})
				t.trie[n].next[d] = int32(len(t.trie) - 1)
			}
			n = int(t.trie[n].next[d])
		}
		t.trie[n].entry = e
	}
	return nil
}

// MarketOptions settles the table's uncertain rows (MK-06).
type MarketOptions struct {
	// KazakhstanLegacy is the market of Kazakh +7 6xx/7xx numbers before
	// 2026-10-01, when Kazakhstan became a market of its own. Meta lists
	// Russia = +7 with no network prefix, so the default is "Russia"; the
	// other reading is "Other".
	KazakhstanLegacy string
	// NANPCaribbean is the market of +1 numbers of the Caribbean countries
	// Meta does not list (Bahamas, Trinidad, ...): "Other" by MK-01 (the
	// default), or "North America".
	NANPCaribbean string
}

// DefaultMarketOptions returns the documented defaults.
func DefaultMarketOptions() MarketOptions {
	return MarketOptions{KazakhstanLegacy: "Russia", NANPCaribbean: Other}
}

// LoadMarkets builds the built-in dated market table.
func LoadMarkets(o MarketOptions) (*Markets, error) {
	raw, err := dataFS.ReadFile("data/markets.csv")
	if err != nil {
		return nil, err
	}
	var rows []marketRow
	if err := gocsv.UnmarshalBytes(stripComments(raw), &rows); err != nil {
		return nil, fmt.Errorf("markets.csv: %w", err)
	}
	switch o.KazakhstanLegacy {
	case "Russia", "Other":
	default:
		return nil, fmt.Errorf("kazakhstan legacy market %q: want Russia or Other", o.KazakhstanLegacy)
	}
	if o.NANPCaribbean == "" {
		o.NANPCaribbean = Other
	}
	if o.NANPCaribbean != Other && o.NANPCaribbean != "North America" {
		return nil, fmt.Errorf("NANP Caribbean market %q: want Other or North America", o.NANPCaribbean)
	}
	raw, err = dataFS.ReadFile("data/nanp-caribbean.csv")
	if err != nil {
		return nil, err
	}
	var carib []marketRow
	if err := gocsv.UnmarshalBytes(stripComments(raw), &carib); err != nil {
		return nil, fmt.Errorf("nanp-caribbean.csv: %w", err)
	}
	for _, r := range carib {
		m := o.NANPCaribbean
		r.M0, r.M1, r.M2, r.M3 = m, m, m, m
		rows = append(rows, r)
	}
	canada, err := readRows("data/nanp-canada.csv")
	if err != nil {
		return nil, err
	}
	for _, r := range canada {
		r.M0, r.M1, r.M2, r.M3 = "North America", "North America", "North America", "North America"
		rows = append(rows, r)
	}
	blocked, err := readRows("data/unmessageable.csv")
	if err != nil {
		return nil, err
	}
	t := &Markets{byPrefix: map[string]*marketEntry{}, byISO2: map[string]*marketEntry{}}
	names := map[string]bool{Other: true}
	for _, r := range rows {
		e := &marketEntry{iso2: r.ISO2, country: r.Country, markets: [4]string{r.M0, r.M1, r.M2, r.M3}}
		for i, m := range e.markets {
			if strings.Contains(m, "ambiguous") {
				e.markets[i] = o.KazakhstanLegacy
			}
			names[e.markets[i]] = true
		}
		if prev, ok := t.byPrefix[r.Prefix]; ok {
			// +1 is both Canada and the United States: same market, no single country.
			if prev.markets != e.markets {
				return nil, fmt.Errorf("markets.csv: prefix %s maps to different markets", r.Prefix)
			}
			prev.iso2, prev.country = "", "North America (+1)"
		} else {
			t.byPrefix[r.Prefix] = e
		}
		if _, ok := t.byISO2[r.ISO2]; !ok {
			t.byISO2[r.ISO2] = e
		}
	}
	// +1 without a listed area code is the United States (Canada's area
	// codes are listed): the US marketing pause needs to tell them apart.
	if e := t.byPrefix["1"]; e != nil {
		e.iso2, e.country = "US", "United States"
		t.byISO2["US"] = e
	}
	for _, r := range blocked {
		e := &marketEntry{iso2: r.ISO2, country: r.Country, unmessageable: true,
			markets: [4]string{Unmessageable, Unmessageable, Unmessageable, Unmessageable}}
		t.byPrefix[r.Prefix] = e
		if len(r.ISO2) == 2 {
			t.byISO2[r.ISO2] = e
		}
	}
	for n := range names {
		t.names = append(t.names, n)
	}
	sort.Strings(t.names)
	if err := t.buildTrie(); err != nil {
		return nil, err
	}
	return t, nil
}

// MarketSpan is the span of days [from, until) around d in which every
// number keeps its market: Lookup and ByCountry give the same answer on
// every day of it. The first span has no start (from is math.MinInt32's
// day) and the last no end (until is 0).
func MarketSpan(d Day) (from, until Day) {
	i := epoch(d)
	from = math.MinInt32
	if i > 0 {
		from = marketEpochs[i]
	}
	if i+1 < len(marketEpochs) {
		until = marketEpochs[i+1]
	}
	return from, until
}

func epoch(d Day) int {
	i := 0
	for j, e := range marketEpochs {
		if d >= e {
			i = j
		}
	}
	return i
}

// Lookup maps a recipient's number (digits only, country code first) to its
// market on day d, by longest calling-code prefix (MK-08). Unknown codes go
// to Other.
func (t *Markets) Lookup(digits string, d Day) Market {
	var e *marketEntry // the longest prefix's row so far
	n := 0
	for i := 0; i < len(digits); i++ {
		c := int(digits[i]) - '0'
		if c < 0 || c > 9 {
			break
		}
		if n = int(t.trie[n].next[c]); n == 0 {
			break
		}
		if t.trie[n].entry != nil {
			e = t.trie[n].entry
		}
	}
	if e == nil {
		return Market{Name: Other}
	}
	return Market{Name: e.markets[epoch(d)], ISO2: e.iso2, Country: e.country, Unmessageable: e.unmessageable}
}

// ByCountry maps an ISO 3166 alpha-2 code to its market on day d. Countries
// the table does not list are Other.
func (t *Markets) ByCountry(iso2 string, d Day) Market {
	iso2 = strings.ToUpper(iso2)
	if e, ok := t.byISO2[iso2]; ok {
		return Market{Name: e.markets[epoch(d)], ISO2: iso2, Country: e.country, Unmessageable: e.unmessageable}
	}
	return Market{Name: Other, ISO2: iso2}
}

// NamesAt lists the markets that exist on day d, sorted.
func (t *Markets) NamesAt(d Day) []string {
	seen := map[string]bool{Other: true}
	for _, e := range t.byPrefix {
		if !e.unmessageable {
			seen[e.markets[epoch(d)]] = true
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Names lists every market name of any epoch, sorted.
func (t *Markets) Names() []string { return append([]string(nil), t.names...) }

// Known reports whether name is a market of any epoch (case-insensitive),
// and returns its canonical spelling.
func (t *Markets) Known(name string) (string, bool) {
	for _, n := range t.names {
		if strings.EqualFold(n, strings.TrimSpace(name)) {
			return n, true
		}
	}
	return "", false
}

func readRows(file string) ([]marketRow, error) {
	raw, err := dataFS.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var rows []marketRow
	if err := gocsv.UnmarshalBytes(stripComments(raw), &rows); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return rows, nil
}

func stripComments(b []byte) []byte {
	var out bytes.Buffer
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			continue
		}
		out.Write(line)
	}
	return out.Bytes()
}
