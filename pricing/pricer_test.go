package pricing

import (
	"strings"
	"testing"
	"time"

	"github.com/wacost/wacost/window"
)

func testPricer(t *testing.T) (*Pricer, *Markets) {
	t.Helper()
	mk, err := LoadMarkets(DefaultMarketOptions())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := LoadCatalog(mk)
	if err != nil {
		t.Fatal(err)
	}
	return &Pricer{Catalog: cat}, mk
}

// The card a regime prices with comes from the catalog by date, one
// currency a run; the 2025-07 card prices India authentication at 0.0014
// and authentication-international at 0.0280 (its CSV, line India).
func TestPricerCardAndBill(t *testing.T) {
	p, mk := testPricer(t)
	reg, _ := RegimeByName("2025-07")
	day := MustDay(2025, 8, 4)
	card, err := p.Card(&reg, day)
	if err != nil || card.Name != "2025-07" || p.Currency != "USD" {
		t.Fatalf("card %v, currency %q, %v", card, p.Currency, err)
	}
	india := mk.Lookup("919876543210", day)
	noMarket := func(Day) Market { t.Fatal("no legacy market asked for"); return Market{} }
	ch, err := p.Bill(card, india, day, "2025-08", KeyAuthentication, noMarket)
	if err != nil || ch.Key != KeyAuthentication || ch.Cost.String() != "0.0014" || !ch.Tiered || ch.Category != "" {
		t.Fatalf("authentication: %+v %v", ch, err)
	}
	// AI-01: an eligible business outside India pays the international rate.
	var said []string
	p.Say = func(k NoteKey, msg func() string) { said = append(said, msg()) }
	p.AuthIntl = AuthIntl{Eligible: true, BusinessCountry: "BR"}
	ch, err = p.Bill(card, india, day, "2025-08", KeyAuthentication, noMarket)
	if err != nil || ch.Key != KeyAuthIntl || ch.Category != "authentication_international" || ch.Cost.String() != "0.028" {
		t.Fatalf("authentication-international: %+v %v", ch, err)
	}
	// A market without the rate on the card keeps authentication, and says so.
	brazil := mk.Lookup("5511987654321", day)
	p.AuthIntl.BusinessCountry = "IN"
	ch, _ = p.Bill(card, india, day, "2025-08", KeyAuthentication, noMarket)
	if ch.Key != KeyAuthentication {
		t.Fatalf("own country: %+v", ch)
	}
	if _, err := p.Bill(card, brazil, day, "2025-08", KeyMarketing, noMarket); err != nil {
		t.Fatal(err)
	}
	// FX: 0.0625 USD x 0.8286 = 0.051788 EUR.
	fx, _ := ParseFX("EUR=0.8286")
	p.FX = &fx
	ch, _ = p.Bill(card, brazil, day, "2025-08", KeyMarketing, noMarket)
	if ch.List.String() != "0.0625" || ch.Cost.String() != "0.051788" || p.CostCurrency(card) != "EUR" {
		t.Fatalf("FX: %+v in %s", ch, p.CostCurrency(card))
	}
	// Another card in another currency is refused.
	eur, err := p.Catalog.Card("2026-07-eur")
	if err != nil {
		t.Fatal(err)
	}
	p.Tariff = eur
	if _, err := p.Card(&reg, day); err == nil || !strings.Contains(err.Error(), "one run prices in one currency") {
		t.Fatalf("mixed currencies: %v", err)
	}
}

// Volume tiers count billed messages per market, key and month: with
// bands 1-2 at 0.0014 and 3+ at 0.0010, the third utility message to
// India in August is at 0.0010, and September starts again.
func TestPricerTiersCountPerMonth(t *testing.T) {
	p, mk := testPricer(t)
	in := "# currency: USD\nmarket,category,from,to,rate\nIndia,utility,1,2,0.0014\nIndia,utility,3,,0.0010\n"
	tiers, err := ParseTiersCSV(strings.NewReader(in), "tiers.csv", CardOptions{Market: mk.Known})
	if err != nil {
		t.Fatal(err)
	}
	p.Tiers = tiers
	reg, _ := RegimeByName("2025-07")
	day := MustDay(2025, 8, 4)
	card, _ := p.Card(&reg, day)
	india := mk.Lookup("919876543210", day)
	var got []string
	for _, month := range []string{"2025-08", "2025-08", "2025-08", "2025-09"} {
		ch, err := p.Bill(card, india, day, month, KeyUtility, nil)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ch.Cost.String()+" "+ch.Tier)
	}
	if want := "0.0014 1:2|0.0014 1:2|0.001 3:MAX|0.0014 1:2"; strings.Join(got, "|") != want {
		t.Fatalf("got %s, want %s", strings.Join(got, "|"), want)
	}
}

// The regimes differ by their Rules, not their names: a per-message
// regime with the 2026-10 rules decides as 2026-10 whatever it is called.
func TestRegimeRulesAreData(t *testing.T) {
	at := time.Date(2026, 10, 5, 10, 0, 0, 0, time.UTC)
	inWindow := &window.Status{InCSW: true}
	var st window.State
	p := DefaultPolicy()
	decide := func(r Regime, m Message) string {
		d, err := r.Decide(m, at, inWindow, &st, &p, window.FEP)
		if err != nil {
			t.Fatal(err)
		}
		return d.Outcome.String() + "/" + d.Reason.String()
	}
	jul, _ := RegimeByName("2025-07")
	oct, _ := RegimeByName("2026-10")
	renamed := jul
	renamed.Name, renamed.Rules = "x", oct.Rules
	for _, c := range []struct {
		r    Regime
		m    Message
		want string
	}{
		{jul, Message{}, "free/customer_service_window"},
		{oct, Message{QuotaLeft: true}, "free/free_quota"},
		{oct, Message{}, "billed/service"},
		{renamed, Message{QuotaLeft: true}, "free/free_quota"},
		{renamed, Message{}, "billed/service"},
		{jul, Message{Template: true, Category: CatUtility}, "free/customer_service_window"},
		{oct, Message{Template: true, Category: CatUtility}, "billed/template"},
		{renamed, Message{Template: true, Category: CatUtility}, "billed/template"},
	} {
		if got := decide(c.r, c.m); got != c.want {
			t.Errorf("%s %+v: %s, want %s", c.r.Name, c.m, got, c.want)
		}
	}
	// The free allowance a regime draws on is data too.
	for name, want := range map[string]int64{"2021-02": 7, "2022-02": 5, "2023-06": 5, "2024-11": 0, "2025-07": 0} {
		r, _ := RegimeByName(name)
		if got := r.FreeTierLimit(&Policy{FreeTier: 5, MexicoFreeSessions: 7}); got != want {
			t.Errorf("%s: free tier %d, want %d", name, got, want)
		}
	}
}

// Outcomes and reasons are enums in the ledger, text in its outputs.
func TestOutcomeReasonText(t *testing.T) {
	for o := Free; o <= Undelivered; o++ {
		b, _ := o.MarshalText()
		var back Outcome
		if err := back.UnmarshalText(b); err != nil || back != o {
			t.Errorf("%s: %v %v", b, back, err)
		}
	}
	for r := ReasonCSW; r <= ReasonUnmessageable; r++ {
		b, _ := r.MarshalText()
		var back Reason
		if err := back.UnmarshalText(b); err != nil || back != r || len(b) == 0 {
			t.Errorf("%s: %v %v", b, back, err)
		}
	}
	var o Outcome
	if err := o.UnmarshalText([]byte("sent")); err == nil || !strings.Contains(err.Error(), "free, billed, blocked, undelivered") {
		t.Errorf("unknown outcome: %v", err)
	}
	if NoOutcome.String() != "" || NoReason.String() != "" || NoOutcome.Delivered() {
		t.Error("the zero outcome and reason are none")
	}
}

// A tier table counts every message of a month once: bands from 1 (or 0,
// as Meta's analytics write the first), each from the message after the
// one before, with a rate or a discount, not both.
func TestTierBandsChecked(t *testing.T) {
	mk, _ := LoadMarkets(DefaultMarketOptions())
	head := "# currency: USD\nmarket,category,from,to,rate,discount\n"
	for body, want := range map[string]string{
		"India,utility,1,100,0.0014,\nIndia,utility,150,,0.0012,\n":   "t.csv:4: from: India utility: no band holds messages 101 to 149",
		"India,utility,1,100,0.0014,\nIndia,utility,90,,0.0012,\n":    "t.csv:4: from: India utility: the band from 90 overlaps the one before (to 100)",
		"India,utility,5,100,0.0014,\nIndia,utility,101,,0.0012,\n":   "t.csv:3: from: India utility: no band holds messages 1 to 4",
		"India,utility,1,100,0.0014,-5\nIndia,utility,101,,0.0012,\n": "t.csv:3: discount: give a rate or a discount, not both",
		"India,utility,0,100,0.0014,\nIndia,utility,101,,0.0012,\n":   "",
		"India,utility,1,100,0.0014,\nIndia,utility,101,,0.0012,\n":   "",
	} {
		_, err := ParseTiersCSV(strings.NewReader(head+body), "t.csv", CardOptions{Market: mk.Known})
		if (want == "" && err != nil) || (want != "" && (err == nil || err.Error() != want)) {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
}

// A card is checked whole: an ISO 4217 currency, a price on every market
// row, one card a file.
func TestCardChecks(t *testing.T) {
	mk, _ := LoadMarkets(DefaultMarketOptions())
	o := CardOptions{Market: mk.Known}
	for in, want := range map[string]string{
		"# currency: XX1\nmarket,marketing\nBrazil,0.05\n":         `c.csv: currency: "XX1" is not an ISO 4217 code`,
		"# currency: USD\nmarket,marketing,utility\nBrazil,,\n":    "c.csv:3: market: Brazil has no price",
		"# currency: USD\nmarket,marketing\nBrazil,0.05\nIndia,\n": "c.csv:4: market: India has no price",
	} {
		if _, err := ParseCardCSV(strings.NewReader(in), "c.csv", o); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: %v, want %s", in, err, want)
		}
	}
	for in, want := range map[string]string{
		`{"currency": "USD", "rates": {"Brazil": {"marketing": "0.05"}}} {"x": 1}`: "c.json",
		"currency: USD\nrates:\n  Brazil: {marketing: 0.05}\n---\ncurrency: EUR\n": "more after the card",
		"currency: USD\nrates:\n  Brazil: {}\n":                                    "Brazil has no price",
	} {
		if _, err := ParseCardYAML(strings.NewReader(in), "c.json", o); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %s", in, err, want)
		}
	}
}
