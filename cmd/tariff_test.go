package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTariffGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
	}{
		{"tariff.list.txt", []string{"tariff", "list"}},
		{"tariff.show.2026-10.txt", []string{"tariff", "show", "2026-10"}},
		{"tariff.show.2023-06.md", []string{"tariff", "show", "2023-06", "--format", "markdown"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := wacost(t, "", c.args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			golden(t, c.name, r.stdout)
		})
	}
}

func TestTariffListJSON(t *testing.T) {
	r := wacost(t, "", "tariff", "list", "--format", "json")
	var cards []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &cards); err != nil {
		t.Fatal(err)
	}
	want := []string{"2018-08-proxy", "2021-02-mx", "2023-05", "2023-06", "2025-01", "2025-07", "2025-10", "2026-01", "2026-04",
		"2026-07", "2026-07-eur", "2026-10"}
	if len(cards) != len(want) {
		t.Fatalf("%d cards", len(cards))
	}
	for i, c := range cards {
		cur := "USD"
		if strings.HasSuffix(want[i], "-eur") {
			cur = "EUR"
		}
		if c["card"] != want[i] || c["currency"] != cur || c["provenance"] == "" {
			t.Errorf("card %d: %v", i, c)
		}
		// The count of markets is a JSON number, not a string.
		if n, ok := c["markets"].(float64); !ok || n < 1 || (want[i] == "2026-10" && n != 47) {
			t.Errorf("card %s: markets %#v", want[i], c["markets"])
		}
	}
}

func TestTariffExportRoundTrip(t *testing.T) {
	// Every built-in card exported and loaded back as --tariff prices a log
	// of its own period exactly as the built-in card does.
	dir := t.TempDir()
	for _, c := range []struct{ card, regime, log string }{
		{"2026-10", "2026-10", small},
		{"2025-01", "2024-11", small},
		{"2023-05", "2022-02", small},
	} {
		exp := wacost(t, "", "tariff", "export", c.card)
		if exp.code != 0 {
			t.Fatalf("export %s: %s", c.card, exp.stderr)
		}
		path := filepath.Join(dir, c.card+".csv")
		os.WriteFile(path, []byte(exp.stdout), 0o644)
		if r := wacost(t, "", "tariff", "validate", path); r.code != 0 || !strings.Contains(r.stdout, "ok") {
			t.Fatalf("validate exported %s: %d %s", c.card, r.code, r.stderr)
		}
		builtin := wacost(t, "", "simulate", c.log, "--regime", c.regime, "--format", "json", "--free-tier", "0")
		loaded := wacost(t, "", "simulate", c.log, "--regime", c.regime, "--format", "json", "--free-tier", "0", "--tariff", path)
		var a, b struct {
			Summary struct{ Cost, Currency string }
		}
		json.Unmarshal([]byte(builtin.stdout), &a)
		json.Unmarshal([]byte(loaded.stdout), &b)
		if a.Summary.Cost == "" || a.Summary != b.Summary {
			t.Errorf("%s: built-in %+v, exported and loaded %+v (%s)", c.card, a.Summary, b.Summary, loaded.stderr)
		}
	}
}

func TestTariffValidateErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("# currency: EUR\nmarket,marketing,utility\nBrazil,0.05,0.01\nIndia,0.0x,0.01\n"), 0o644)
	r := wacost(t, "", "tariff", "validate", bad)
	if r.code != 1 || !strings.Contains(r.stderr, bad+":4: marketing: \"0.0x\"") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	// Every error is listed, one a line, then how many.
	many := filepath.Join(dir, "many.csv")
	os.WriteFile(many, []byte("# currency: EUR\nmarket,marketing,utilty\nBrazil,0.05,0.01\nIndia,0.0x,0.01\nNarnia,0.1,\n"), 0o644)
	r = wacost(t, "", "tariff", "validate", many)
	want := "wacost: " + many + ":2: header: unknown column \"utilty\"" + ` (want market, currency, basis, or a price: template, marketing, utility, authentication, authentication_international, service, business_initiated, user_initiated, conversation)
wacost: ` + many + `:4: marketing: "0.0x": not a decimal number
wacost: ` + many + `:5: market: "Narnia" is not a WhatsApp pricing market
wacost: 3 errors
`
	if r.code != 1 || r.stderr != want {
		t.Fatalf("exit %d, stderr\n%s\nwant\n%s", r.code, r.stderr, want)
	}
	tiers := filepath.Join(dir, "tiers.csv")
	os.WriteFile(tiers, []byte("# currency: USD\nmarket,category,from,to,rate\nIndia,utility,1,1000,0.001\nIndia,utility,2000,,0.0009\nBrazil,utility,1,500,0.001\nBrazil,utility,400,,0.0009\n"), 0o644)
	if r := wacost(t, "", "tariff", "validate", "--tiers", tiers); r.code != 1 || strings.Count(r.stderr, "\n") != 3 || !strings.Contains(r.stderr, "wacost: 2 errors") {
		t.Fatalf("tiers: exit %d %q", r.code, r.stderr)
	}
	os.WriteFile(tiers, []byte("# currency: USD\nmarket,category,from,to,rate\nIndia,utility,1,1000,0.001\nIndia,utility,1001,,0.0009\n"), 0o644)
	if r := wacost(t, "", "tariff", "validate", "--tiers", tiers); r.code != 0 || !strings.Contains(r.stdout, "ok: volume tiers for 1 markets, USD") {
		t.Fatalf("good tiers: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	partial := filepath.Join(dir, "partial.csv")
	os.WriteFile(partial, []byte("# currency: EUR\nmarket,marketing\nBrazil,0.05\n"), 0o644)
	r = wacost(t, "", "tariff", "validate", partial)
	if r.code != 0 || !strings.Contains(r.stderr, "no row for") || !strings.Contains(r.stderr, "India") {
		t.Fatalf("a partial card validates with a warning naming the missing markets: %d %q", r.code, r.stderr)
	}
	if r := wacost(t, "", "tariff", "show", "nonesuch"); r.code != 2 {
		t.Fatalf("show of an unknown card: exit %d", r.code)
	}
	if r := wacost(t, "", "tariff", "export", "nonesuch"); r.code != 2 {
		t.Fatalf("export of an unknown card: exit %d", r.code)
	}
}

func TestNotesOnStderr(t *testing.T) {
	// A run that bills with estimated or proxy figures says so on stderr.
	r := wacost(t, "", "simulate", "../testdata/span-2018-2026.csv", "--format", "csv")
	if r.code != 0 || !strings.Contains(r.stderr, "wacost: note: card 2018-08-proxy is a PROXY") {
		t.Fatalf("stderr: %q", r.stderr)
	}
	if strings.Count(r.stderr, "2018-08-proxy is a PROXY") != 1 {
		t.Fatal("each note once")
	}
}

func TestFXConvertsOutput(t *testing.T) {
	// small.csv costs 0.0292 USD: 0.0014 x 3 + 0.025. In EUR at 0.9:
	// 0.00126 x 3 + 0.0225 = 0.02628, named EUR everywhere.
	r := wacost(t, "", "simulate", small, "--fx", "EUR=0.9", "--format", "json", "--ledger")
	var doc struct {
		Ledger  []struct{ Cost, Currency string }
		Summary struct{ Cost, Currency string }
		Regimes []struct{ Currency string }
		Notes   []string
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("exit %d %v %s", r.code, err, r.stderr)
	}
	if doc.Summary.Cost != "0.026280" || doc.Summary.Currency != "EUR" || doc.Ledger[0].Currency != "EUR" || doc.Regimes[0].Currency != "EUR" {
		t.Fatalf("summary %+v, ledger %+v, regimes %+v", doc.Summary, doc.Ledger[0], doc.Regimes)
	}
	if !strings.Contains(strings.Join(doc.Notes, " "), "converted from USD to EUR at 0.90") {
		t.Fatalf("notes %q", doc.Notes)
	}
	if r := wacost(t, "", "simulate", small, "--fx", "EUR"); r.code != 2 {
		t.Fatalf("a bad --fx is a usage error: %d", r.code)
	}
}

func TestTariffByBuiltinName(t *testing.T) {
	// The EUR edition of the 2026-07 card is never picked by date; name it.
	r := wacost(t, "", "simulate", small, "--tariff", "2026-07-eur", "--format", "json", "--ledger")
	var doc struct {
		Ledger  []struct{ ID, Cost, Card string }
		Summary struct{ Currency string }
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil || doc.Summary.Currency != "EUR" {
		t.Fatalf("exit %d %s %s", r.code, r.stderr, r.stdout)
	}
	for _, e := range doc.Ledger {
		if e.ID == "s4" && (e.Cost != "0.001200" || e.Card != "2026-07-eur") { // India authentication, EUR card
			t.Fatalf("s4: %+v", e)
		}
	}
}

func TestTiersFlag(t *testing.T) {
	// small.csv's India messages on 2026-10-03..05 (2026-10 card, 0.0014)
	// with the Meta-layout fixture: the first 100,000 are at list, so the
	// cost is unchanged, and each billed utility/authentication row names
	// its band.
	r := wacost(t, "", "simulate", small, "--tiers", "../testdata/tiers-meta-layout.csv", "--format", "json", "--ledger")
	var doc struct {
		Ledger  []struct{ ID, Tier string }
		Summary struct{ Cost string }
		Notes   []string
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	tiers := map[string]string{}
	for _, e := range doc.Ledger {
		tiers[e.ID] = e.Tier
	}
	if tiers["s4"] != "1:100000" || tiers["s6"] != "1:100000" || tiers["s9"] != "" || doc.Summary.Cost != "0.029200" {
		t.Fatalf("tiers %v cost %s", tiers, doc.Summary.Cost)
	}
	for _, n := range doc.Notes {
		if strings.Contains(n, "no volume-tier table") {
			t.Fatal("with --tiers, no list-rate note")
		}
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "t.csv")
	os.WriteFile(bad, []byte("# currency: USD\nmarket,category,from,to,discount\nIndia,utility,1,x,0\n"), 0o644)
	if r := wacost(t, "", "simulate", small, "--tiers", bad); r.code != 1 || !strings.Contains(r.stderr, bad+":3: to:") {
		t.Fatalf("bad tier file: %d %q", r.code, r.stderr)
	}
	if r := wacost(t, "", "simulate", small, "--business-timezone", "15550100001=Mars/Base"); r.code != 2 {
		t.Fatalf("bad --business-timezone: %d", r.code)
	}
	// A WABA in its own zone: s2 at 2026-09-29T09:05Z is the 29th in UTC and in Tokyo.
	if r := wacost(t, "", "simulate", small, "--business-timezone", "+1 555 010 0001=Asia/Tokyo"); r.code != 0 {
		t.Fatalf("--business-timezone: %d %s", r.code, r.stderr)
	}
}

// The basis codes are explained where they appear: tariff show ends with
// the card's provenance and the grades' legend, and a run's note on an
// estimated figure points to it.
func TestBasisCodesExplained(t *testing.T) {
	r := wacost(t, "", "tariff", "show", "2026-07")
	for _, want := range []string{"Provenance (what the basis column's codes mean):", "M-q Meta's words quoted elsewhere", "(5) else EUR / 0.8286 rounded to 4 decimals."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("tariff show 2026-07 lacks %q", want)
		}
	}
	if s := wacost(t, "", "simulate", sample); !strings.Contains(s.stdout, "figures are estimated (basis D rules mark:4 util:2 auth:2; 'wacost tariff show 2026-07' says what the codes mean)") {
		t.Errorf("the estimate note does not point to the codes")
	}
}

// A card used only by name is listed as such, not under a regime's dates.
func TestTariffListManualCard(t *testing.T) {
	r := wacost(t, "", "tariff", "list")
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "2026-07-eur ") && !strings.Contains(line, "by name (2025-07 rules)") {
			t.Fatalf("the EUR card: %s", line)
		}
	}
}
