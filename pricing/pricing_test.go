package pricing

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseMoney(t *testing.T) {
	good := map[string]Money{"0.0014": 1400, "12": 12_000_000, "1.5": 1_500_000, "-0.25": -250_000, ".5": 500_000, "0.000001": 1, "+3.1": 3_100_000}
	for in, want := range good {
		got, err := ParseMoney(in)
		if err != nil || got != want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1e-3", "0.0000001", "1,000", "abc", "1.2.3", ".", "-", "99999999999999999999"} {
		if _, err := ParseMoney(in); err == nil {
			t.Errorf("ParseMoney(%q): want an error", in)
		}
	}
}

func TestMoneyString(t *testing.T) {
	cases := map[Money]string{0: "0.00", 1400: "0.0014", 1_500_000: "1.50", 12_345_678: "12.345678", -250_000: "-0.25", 1: "0.000001"}
	for m, want := range cases {
		if got := m.String(); got != want {
			t.Errorf("Money(%d).String() = %q, want %q", m, got, want)
		}
		if back, err := ParseMoney(m.String()); err != nil || back != m {
			t.Errorf("round trip of %d: %d, %v", m, back, err)
		}
	}
}

func TestMoneyRound(t *testing.T) {
	cases := []struct {
		m    Money
		d    int
		want string
	}{{1_234_500, 2, "1.23"}, {1_235_000, 2, "1.24"}, {-1_235_000, 2, "-1.24"}, {4_999, 2, "0.00"}, {5_000, 2, "0.01"}, {1_500_000, 0, "2"}, {1400, 4, "0.0014"}}
	for _, c := range cases {
		if got := c.m.Round(c.d); got != c.want {
			t.Errorf("Money(%d).Round(%d) = %q, want %q", c.m, c.d, got, c.want)
		}
	}
}

func TestMarkets(t *testing.T) {
	mk, err := LoadMarkets(DefaultMarketOptions())
	if err != nil {
		t.Fatal(err)
	}
	d2025 := MustDay(2025, 8, 1)
	d2026 := MustDay(2026, 11, 1)
	cases := []struct {
		digits string
		day    Day
		want   string
	}{
		{"5511987654321", d2025, "Brazil"},
		{"14155550100", d2025, "North America"},         // US
		{"18095550100", d2025, "Rest of Latin America"}, // Dominican Republic, NANP area code 809
		{"12425550100", d2025, "Other"},                 // Bahamas: NANP but not listed (MK-07)
		{"85291234567", d2025, "Rest of Asia Pacific"},
		{"85291234567", d2026, "Hong Kong"}, // standalone from 2026-07-01 (MK-04)
		{"263771234567", MustDay(2025, 9, 30), "Other"},
		{"263771234567", MustDay(2025, 10, 1), "Rest of Africa"}, // Zimbabwe moves 2025-10-01
		{"77011234567", d2025, "Russia"},                         // Kazakhstan before 2026-10: default Russia (MK-06)
		{"77011234567", d2026, "Kazakhstan"},
		{"79161234567", d2026, "Russia"},
		{"3725123456", d2026, "Other"}, // Estonia
		{"999", d2026, "Other"},
	}
	for _, c := range cases {
		if got := mk.Lookup(c.digits, c.day).Name; got != c.want {
			t.Errorf("Lookup(%s, %s) = %q, want %q", c.digits, c.day, got, c.want)
		}
	}
	if got := mk.ByCountry("us", d2025).Name; got != "North America" {
		t.Errorf("ByCountry(us) = %q", got)
	}
	if got := mk.ByCountry("EE", d2025).Name; got != "Other" {
		t.Errorf("ByCountry(EE) = %q, want Other", got)
	}
	other, _ := LoadMarkets(MarketOptions{KazakhstanLegacy: "Other"})
	if got := other.Lookup("77011234567", d2025).Name; got != "Other" {
		t.Errorf("with KazakhstanLegacy=Other: %q", got)
	}
	na, _ := LoadMarkets(MarketOptions{KazakhstanLegacy: "Russia", NANPCaribbean: "North America"})
	if got := na.Lookup("18685550100", d2025).Name; got != "North America" {
		t.Errorf("with NANPCaribbean=North America, Trinidad: %q", got)
	}
	if got := na.Lookup("18095550100", d2025).Name; got != "Rest of Latin America" {
		t.Errorf("the setting must not move the listed Dominican Republic: %q", got)
	}
	if _, err := LoadMarkets(MarketOptions{KazakhstanLegacy: "Narnia"}); err == nil {
		t.Error("a bad Kazakhstan setting must fail")
	}
}

func TestBuiltinCards(t *testing.T) {
	mk, _ := LoadMarkets(DefaultMarketOptions())
	cat, err := LoadCatalog(mk)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := cat.Card("2026-10")
	if n := len(c.Markets()); n != 47 {
		t.Errorf("2026-10 card has %d markets, want 47", n)
	}
	for _, k := range []struct {
		card, market string
		key          Key
		want         string
	}{
		{"2026-10", "India", KeyMarketing, "0.0118"},
		{"2026-10", "Kuwait", KeyService, "0.044"},
		{"2026-10", "North America", KeyUtility, "0.0034"},
		{"2025-07", "Brazil", KeyMarketing, "0.0625"},
		{"2025-07", "Colombia", KeyUtility, "0.0002"},
		{"2018-08-proxy", "Brazil", KeyTemplate, "0.05"},
		{"2018-08-proxy", "Other", KeyTemplate, "0.0604"},
	} {
		card, err := cat.Card(k.card)
		if err != nil {
			t.Fatal(err)
		}
		p, _, err := card.Price(k.market, k.key)
		if err != nil || p.String() != k.want {
			t.Errorf("%s %s %s = %s, %v; want %s", k.card, k.market, k.key, p, err, k.want)
		}
	}
	c, _ = cat.Card("2025-07")
	if _, _, err := c.Price("Brazil", KeyService); !errors.Is(err, ErrNoRate) {
		t.Errorf("2025-07 has no service price: want ErrNoRate, got %v", err)
	}
	if r, _ := c.Rate("Saudi Arabia"); !r.Estimated {
		t.Error("the filled Saudi Arabia row must be marked estimated")
	}
	p, _ := cat.Card("2018-08-proxy")
	if !p.Proxy || len(p.Provenance) == 0 {
		t.Error("the 2018 card must be marked as a proxy and keep its provenance")
	}
}

func TestParseCardCSVErrors(t *testing.T) {
	mk, _ := LoadMarkets(DefaultMarketOptions())
	o := CardOptions{Market: mk.Known}
	cases := []struct{ in, want string }{
		{"# currency: EUR\nmarket,marketing\nBrazil,0.05\nNarnia,0.01\n", "t.csv:4: market: \"Narnia\" is not a WhatsApp pricing market"},
		{"# currency: EUR\nmarket,marketing\nBrazil,abc\n", "t.csv:3: marketing: \"abc\": not a decimal number"},
		{"# currency: EUR\nmarket,marketing\nBrazil,-1\n", "t.csv:3: marketing: \"-1\": negative price"},
		{"# currency: EUR\nmarket,marketing\nBrazil,1\nbrazil,2\n", "t.csv:4: market: \"Brazil\" listed twice (first on line 3)"},
		{"# currency: EUR\nland,marketing\n", "t.csv:2: header: no \"market\" column"},
		{"market,marketing\nBrazil,0.05\n", "t.csv: currency: missing"},
		{"# currency: EUR\nmarket,marketing,currency\nBrazil,0.05,USD\n", "t.csv:3: currency: USD, but the card is in EUR"},
		{"# currency: EUR\nmarket,marketing\nBrazil,\"0.05\n", "t.csv:3: column"},
	}
	for _, c := range cases {
		_, err := ParseCardCSV(strings.NewReader(c.in), "t.csv", o)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("input %q:\n got  %v\n want %s...", c.in, err, c.want)
		}
	}
	card, err := ParseCardCSV(strings.NewReader("# my card\n# currency: eur\n# effective: 2026-10-01\nMarket,Marketing,Utility,authentication-international\nbrazil,0.0518,,0.01\n"), "ok.csv", o)
	if err != nil {
		t.Fatal(err)
	}
	if card.Currency != "EUR" || card.Effective != MustDay(2026, 10, 1) {
		t.Fatalf("currency %q effective %s", card.Currency, card.Effective)
	}
	if p, _, err := card.Price("Brazil", KeyMarketing); err != nil || p.String() != "0.0518" {
		t.Fatalf("Brazil marketing = %s, %v", p, err)
	}
	if _, _, err := card.Price("Brazil", KeyUtility); !errors.Is(err, ErrNoRate) {
		t.Fatalf("an empty cell is no figure: %v", err)
	}
	if p, _, _ := card.Price("Brazil", KeyAuthIntl); p.String() != "0.01" {
		t.Fatalf("authentication-international read as %s", p)
	}
}

func TestParseCardYAML(t *testing.T) {
	mk, _ := LoadMarkets(DefaultMarketOptions())
	o := CardOptions{Market: mk.Known}
	in := "name: promo\ncurrency: usd\nrates:\n  Brazil: {marketing: 0.0625, utility: 0.0068}\n  India:\n    marketing: 0.0118\n"
	c, err := ParseCardYAML(strings.NewReader(in), "c.yaml", o)
	if err != nil {
		t.Fatal(err)
	}
	if p, _, _ := c.Price("India", KeyMarketing); p.String() != "0.0118" || c.Name != "promo" || c.Currency != "USD" {
		t.Fatalf("India marketing %s name %q currency %q", p, c.Name, c.Currency)
	}
	json := `{"currency": "USD", "rates": {"Brazil": {"marketing": "0.0625"}}}`
	if _, err := ParseCardYAML(strings.NewReader(json), "c.json", o); err != nil {
		t.Fatalf("JSON card: %v", err)
	}
	bad := []struct{ in, want string }{
		{"currency: USD\nrates:\n  Brazil: {marketting: 0.1}\n", "c.yaml:3: marketting: unknown price key"},
		{"currency: USD\nrates:\n  Brazil: {marketing: 0.1x}\n", "c.yaml:3: marketing: \"0.1x\""},
		{"currency: USD\nrates:\n  Atlantis: {marketing: 0.1}\n", "c.yaml:3: market:"},
		{"currency: USD\nrate: {}\n", "c.yaml:2: rate: unknown key"},
		{"rates:\n  Brazil: {marketing: 0.1}\n", "c.yaml: currency: missing"},
	}
	for _, b := range bad {
		if _, err := ParseCardYAML(strings.NewReader(b.in), "c.yaml", o); err == nil || !strings.HasPrefix(err.Error(), b.want) {
			t.Errorf("%q:\n got  %v\n want %s...", b.in, err, b.want)
		}
	}
}

func TestRegimeAt(t *testing.T) {
	cases := []struct {
		day    Day
		market string
		want   string
	}{
		{MustDay(2018, 8, 1), "Brazil", "2018-08"},
		{MustDay(2021, 1, 31), "Mexico", "2018-08"},
		{MustDay(2021, 2, 1), "Mexico", "2021-02"},
		{MustDay(2021, 2, 1), "Brazil", "2018-08"},
		{MustDay(2022, 1, 31), "Brazil", "2018-08"},
		{MustDay(2022, 2, 1), "Brazil", "2022-02"},
		{MustDay(2023, 6, 1), "Brazil", "2023-06"},
		{MustDay(2024, 11, 1), "Brazil", "2024-11"},
		{MustDay(2025, 6, 30), "Brazil", "2024-11"},
		{MustDay(2025, 7, 1), "Brazil", "2025-07"},
		{MustDay(2026, 9, 30), "Brazil", "2025-07"},
		{MustDay(2026, 10, 1), "Brazil", "2026-10"},
	}
	for _, c := range cases {
		r, err := RegimeAt(c.day, c.market)
		if err != nil || r.Name != c.want {
			t.Errorf("RegimeAt(%s, %s) = %s, %v; want %s", c.day, c.market, r.Name, err, c.want)
		}
	}
	if _, err := RegimeAt(MustDay(2018, 7, 31), "Brazil"); err == nil {
		t.Error("before 2018-08-01 there is no pricing")
	}
}

func TestDayAddDays(t *testing.T) {
	if got := MustDay(2022, 2, 1).AddDays(-1); got != MustDay(2022, 1, 31) {
		t.Fatalf("2022-02-01 - 1 day = %s", got)
	}
	if got := MustDay(2024, 2, 28).AddDays(1); got != MustDay(2024, 2, 29) {
		t.Fatalf("leap day: %s", got)
	}
}

func TestNANPSplitAndUnmessageable(t *testing.T) {
	mk, _ := LoadMarkets(DefaultMarketOptions())
	d := MustDay(2025, 5, 1)
	for _, c := range []struct{ digits, market, iso2 string }{
		{"14155550100", "North America", "US"},
		{"14165550100", "North America", "CA"}, // Toronto
		{"16045550100", "North America", "CA"}, // Vancouver
		{"16715550100", "North America", "US"}, // Guam
		{"18095550100", "Rest of Latin America", "DO"},
		{"5352123456", Unmessageable, "CU"},
		{"79781234567", Unmessageable, "UA-43"},
		{"79161234567", "Russia", "RU"},
	} {
		m := mk.Lookup(c.digits, d)
		if m.Name != c.market || m.ISO2 != c.iso2 {
			t.Errorf("%s: %s/%s, want %s/%s", c.digits, m.Name, m.ISO2, c.market, c.iso2)
		}
	}
	if r, ok := Withheld(mk.Lookup("14155550100", d), d, true, CatMarketing); !ok || r != ReasonPolicy {
		t.Error("US marketing after 2025-04-01 is withheld")
	}
	if _, ok := Withheld(mk.Lookup("14165550100", d), d, true, CatMarketing); ok {
		t.Error("Canada is not affected by the US pause")
	}
	if _, ok := Withheld(mk.Lookup("14155550100", MustDay(2025, 3, 31)), MustDay(2025, 3, 31), true, CatMarketing); ok {
		t.Error("the pause starts 2025-04-01")
	}
	if _, ok := Withheld(mk.Lookup("14155550100", d), d, true, CatUtility); ok {
		t.Error("only marketing is paused")
	}
}

func TestFX(t *testing.T) {
	f, err := ParseFX("eur=0.8286")
	if err != nil || f.To != "EUR" {
		t.Fatal(f, err)
	}
	// 0.0625 USD x 0.8286 = 0.0517875 -> 0.051788 (half away from zero at the 7th decimal)
	if got := f.Convert(62500).String(); got != "0.051788" {
		t.Fatalf("0.0625 -> %s", got)
	}
	if got := f.Convert(1_000_000).String(); got != "0.8286" {
		t.Fatalf("1 -> %s", got)
	}
	big, _ := ParseFX("IDR=16250.5")
	if got := big.Convert(1400).String(); got != "22.7507" {
		t.Fatalf("0.0014 USD in IDR: %s", got)
	}
	for _, bad := range []string{"EUR", "EURO=1", "EUR=0", "EUR=-1", "EUR=x"} {
		if _, err := ParseFX(bad); err == nil {
			t.Errorf("ParseFX(%q): want an error", bad)
		}
	}
}

// A user's card, tier table or YAML card is read to its end: every bad
// row, cell and column is one of FileErrors, in file order, each naming
// its line and field; a column of no known name is one of them.
func TestFilesReportEveryError(t *testing.T) {
	mk, _ := LoadMarkets(DefaultMarketOptions())
	o := CardOptions{Market: mk.Known, KnownColumns: true}
	csvIn := "# currency: USD\nmarket,marketing,utilty,authentication\nBrazil,0.0625,x,abc\nIndia,-1,,0.0014\nAtlantis,0.01,,\nMexico,,,\nColombia,0.0125,,0.0008\n"
	yamlIn := "currency: USD\nrates:\n  Brazil: {marketting: 0.1, utility: -2}\n  Atlantis: {marketing: 0.1}\n  India: {marketing: 0.0118}\n"
	tiersIn := "# currency: USD\nmarket,category,from,to,rate,discont\nIndia,utility,1,1000,0.001,\nIndia,utility,2000,,0.0009,\nBrazil,marketing,1,,0.1,\nAtlantis,utility,1,,0.1,\nMexico,utility,1,500,0.001,\n"
	gapsIn := "# currency: USD\nmarket,category,from,to,rate\nIndia,utility,1,1000,0.001\nIndia,utility,2000,,0.0009\nBrazil,utility,1,500,0.001\nBrazil,utility,400,,0.0009\nMexico,utility,1,,0.001\n"
	for _, c := range []struct {
		name string
		read func() error
		want []string
	}{
		{"card.csv", func() error { _, err := ParseCardCSV(strings.NewReader(csvIn), "card.csv", o); return err }, []string{
			`card.csv:2: header: unknown column "utilty"`,
			`card.csv:3: authentication: "abc"`,
			`card.csv:4: marketing: "-1": negative price`,
			`card.csv:5: market: "Atlantis" is not a WhatsApp pricing market`,
			`card.csv:6: market: Mexico has no price`,
		}},
		{"card.yaml", func() error { _, err := ParseCardYAML(strings.NewReader(yamlIn), "card.yaml", o); return err }, []string{
			`card.yaml:3: marketting: unknown price key`,
			`card.yaml:3: utility: "-2": negative price`,
			`card.yaml:4: market: "Atlantis"`,
		}},
		{"tiers.csv", func() error { _, err := ParseTiersCSV(strings.NewReader(tiersIn), "tiers.csv", o); return err }, []string{
			`tiers.csv:2: header: unknown column "discont"`,
			`tiers.csv:5: category: "marketing"`,
			`tiers.csv:6: market: "Atlantis"`,
		}},
		{"gaps.csv", func() error { _, err := ParseTiersCSV(strings.NewReader(gapsIn), "gaps.csv", o); return err }, []string{
			`gaps.csv:6: from: Brazil utility: the band from 400 overlaps the one before (to 500)`,
			`gaps.csv:4: from: India utility: no band holds messages 1001 to 1999`,
		}},
	} {
		err := c.read()
		var all FileErrors
		if !errors.As(err, &all) {
			t.Errorf("%s: %v is not FileErrors", c.name, err)
			continue
		}
		if len(all) != len(c.want) {
			t.Errorf("%s: %d errors, want %d:\n%v", c.name, len(all), len(c.want), all)
			continue
		}
		for i, w := range c.want {
			if !strings.HasPrefix(all[i].Error(), w) {
				t.Errorf("%s error %d:\n got  %s\n want %s...", c.name, i, all[i], w)
			}
		}
		if !strings.HasPrefix(err.Error(), c.want[0]) || !strings.Contains(err.Error(), fmt.Sprintf("(and %d more errors in the file)", len(c.want)-1)) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// Built-in cards keep their sources' other columns.
	if _, err := ParseCardCSV(strings.NewReader("# currency: USD\nmarket,marketing,flag\nBrazil,0.0625,x\n"), "b.csv", CardOptions{Market: mk.Known}); err != nil {
		t.Errorf("a built-in card's extra column: %v", err)
	}
}
