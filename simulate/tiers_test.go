package simulate

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
)

// Volume tiers (PMP-12..18), hand-computed. India utility and
// authentication list 0.0014 on the 2025-07 card; auth-international 0.028.

func tiers(t *testing.T, env testEnv, csv string) *pricing.Tiers {
	t.Helper()
	tt, err := pricing.ParseTiersCSV(strings.NewReader(csv), "tiers.csv", pricing.CardOptions{Market: env.mk.Known})
	if err != nil {
		t.Fatal(err)
	}
	return tt
}

// send builds one business template per (business, offset) to a fresh
// Indian customer, in order.
func send(start time.Time, cat string, sends ...[2]any) []msglog.Message {
	var ms []msglog.Message
	for i, s := range sends {
		biz, mins := s[0].(string), s[1].(int)
		m := messages(start.Add(time.Duration(mins)*time.Minute), fmt.Sprintf("9198765%05d", i), []step{{0, "BT:" + cat, false}})
		m[0].Business, m[0].Pos.Seq = biz, int64(i)
		ms = append(ms, m...)
	}
	return ms
}

func costs(ledger []Entry) string {
	var s []string
	for _, e := range ledger {
		s = append(s, e.Cost.String()+"@"+e.Tier)
	}
	return strings.Join(s, " ")
}

func TestTierT8WABAsInTwoMonths(t *testing.T) {
	// T-8: WABA A is still on July 31 (Los Angeles) while B and C are on
	// August 1 (Kolkata). The portfolio accrues July tiers through A and
	// August tiers through B and C at the same time. Bands: 1-2 at list,
	// 3+ at -50% (0.0007).
	env := newEnv(t)
	o := noFreeTier(env)
	o.Tiers = tiers(t, env, "# currency: USD\nmarket,category,from,to,rate,discount\nIndia,utility,1,2,,0\nIndia,utility,3,,,-50%\n")
	la, _ := time.LoadLocation("America/Los_Angeles")
	kol, _ := time.LoadLocation("Asia/Kolkata")
	o.BusinessLocations = map[string]*time.Location{"A": la, "B": kol, "C": kol}
	start := time.Date(2025, 8, 1, 3, 0, 0, 0, time.UTC) // A: Jul 31 20:00; B, C: Aug 1 08:30
	ms := send(start, "utility", [2]any{"A", 0}, [2]any{"B", 1}, [2]any{"B", 2}, [2]any{"C", 3}, [2]any{"A", 4}, [2]any{"A", 5})
	ledger, res := replay(t, o, ms)
	// A: July #1, B: Aug #1, B: Aug #2, C: Aug #3 (tier), A: July #2, A: July #3 (tier)
	want := "0.0014@1:2 0.0014@1:2 0.0014@1:2 0.0007@3:MAX 0.0014@1:2 0.0007@3:MAX"
	if got := costs(ledger); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if res.Summary.Cost.String() != "0.007" {
		t.Fatalf("total %s, want 0.007", res.Summary.Cost)
	}
}

func TestTierT9TwoProviders(t *testing.T) {
	// T-9: provider 1 sends the first messages of the month; provider 2
	// starts once the portfolio is in tier 2 and pays it throughout.
	// Bands: 1-2 list, 3-4 -10% (0.00126), 5+ -20% (0.00112).
	env := newEnv(t)
	o := noFreeTier(env)
	o.Tiers = tiers(t, env, "# currency: USD\nmarket,category,from,to,discount\nIndia,authentication,1,2,0\nIndia,authentication,3,4,-10\nIndia,authentication,5,,-20\n")
	ms := send(time.Date(2025, 9, 2, 9, 0, 0, 0, time.UTC), "authentication",
		[2]any{"P1", 0}, [2]any{"P1", 1}, [2]any{"P1", 2}, [2]any{"P1", 3}, [2]any{"P2", 4}, [2]any{"P2", 5}, [2]any{"P1", 6})
	ledger, res := replay(t, o, ms)
	want := "0.0014@1:2 0.0014@1:2 0.00126@3:4 0.00126@3:4 0.00112@5:MAX 0.00112@5:MAX 0.00112@5:MAX"
	if got := costs(ledger); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if res.Summary.Cost.String() != "0.00868" {
		t.Fatalf("total %s", res.Summary.Cost)
	}
	// A new month starts again at list.
	ms = send(time.Date(2025, 10, 1, 9, 0, 0, 0, time.UTC), "authentication", [2]any{"P2", 0})
	ledger, _ = replay(t, o, append(send(time.Date(2025, 9, 2, 9, 0, 0, 0, time.UTC), "authentication", [2]any{"P1", 0}, [2]any{"P1", 1}, [2]any{"P1", 2}), ms...))
	if got := costs(ledger[3:]); got != "0.0014@1:2" {
		t.Fatalf("October: %s", got)
	}
}

func TestTierScenario9AuthIntl(t *testing.T) {
	// §11.9, scaled down 1,000 times to keep the test fast: 800 India
	// auth-international messages with a first band of 0-750: 750 at list
	// (0.028) and 50 at the tier-1 rate (-5%: 0.0266) = 21 + 1.33 = 22.33.
	env := newEnv(t)
	o := noFreeTier(env)
	o.AuthIntl = pricing.AuthIntl{Eligible: true, BusinessCountry: "BR"}
	o.Tiers = tiers(t, env, "# currency: USD\nmarket,category,from,to,discount\nIndia,authentication_international,0,750,0\nIndia,authentication_international,751,,-5\n")
	var sends [][2]any
	for i := 0; i < 800; i++ {
		sends = append(sends, [2]any{"B", i})
	}
	ledger, res := replay(t, o, send(time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC), "authentication", sends...))
	if res.Summary.Cost.String() != "22.33" || ledger[749].Tier != "0:750" || ledger[750].Tier != "751:MAX" || ledger[0].Category != "authentication_international" {
		t.Fatalf("total %s, tiers %s / %s, category %s", res.Summary.Cost, ledger[749].Tier, ledger[750].Tier, ledger[0].Category)
	}
}

func TestTierOnlyBilledMessagesCount(t *testing.T) {
	// PMP-14: utility templates free inside the window do not count toward
	// the tier. Bands: 1-2 list, 3+ -50%.
	env := newEnv(t)
	o := noFreeTier(env)
	o.Tiers = tiers(t, env, "# currency: USD\nmarket,category,from,to,discount\nIndia,utility,1,2,0\nIndia,utility,3,,-50\n")
	ms := messages(time.Date(2025, 8, 4, 8, 0, 0, 0, time.UTC), "919876543210", []step{
		{0, "U", false}, {1, "BT:utility", false}, {2, "BT:utility", false}, {30, "BT:utility", false}, {31, "BT:utility", false}, {32, "BT:utility", false}})
	ledger, _ := replay(t, o, ms)
	if got := costs(ledger); got != "0.00@ 0.00@ 0.0014@1:2 0.0014@1:2 0.0007@3:MAX" {
		t.Fatalf("got %s", got)
	}
	// Without a tier table the same messages are at list, and the result says so.
	o.Tiers = nil
	_, res := replay(t, o, ms)
	if !strings.Contains(strings.Join(res.Notes, " "), "list rates: no volume-tier table") {
		t.Fatalf("notes %q", res.Notes)
	}
}

func TestTiersMetaLayout(t *testing.T) {
	env := newEnv(t)
	f, err := os.Open("../testdata/tiers-meta-layout.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tt, err := pricing.ParseTiersCSV(f, "tiers-meta-layout.csv", pricing.CardOptions{Market: env.mk.Known})
	if err != nil {
		t.Fatal(err)
	}
	if tt.Currency != "USD" || strings.Join(tt.Markets(), ",") != "Brazil,India" {
		t.Fatalf("currency %s markets %v", tt.Currency, tt.Markets())
	}
	for _, c := range []struct {
		k    pricing.Key
		n    int64
		want string
		band string
	}{
		{pricing.KeyUtility, 100000, "0.0014", "1:100000"},
		{pricing.KeyUtility, 100001, "0.0013", "100001:500000"},
		{pricing.KeyUtility, 9_000_000, "0.0012", "500001:MAX"},
		{pricing.KeyAuthentication, 200000, "0.0013", "100001:MAX"},
		{pricing.KeyAuthIntl, 750001, "0.0266", "750001:MAX"},
	} {
		p, b, ok := tt.Price("India", c.k, c.n, 14000)
		if !ok || p.String() != c.want || b.String() != c.band {
			t.Errorf("India %s #%d: %s %s, want %s %s", c.k, c.n, p, b, c.want, c.band)
		}
	}
}

func TestTierFileErrors(t *testing.T) {
	env := newEnv(t)
	o := pricing.CardOptions{Market: env.mk.Known}
	for _, c := range []struct{ in, want string }{
		{"# currency: USD\nmarket,category,from,to,discount\nIndia,marketing,1,,0\n", "tiers.csv:3: category: \"marketing\": tiers exist for utility"},
		{"# currency: USD\nmarket,category,from,to,discount\nIndia,utility,1,x,0\n", "tiers.csv:3: to: \"x\" is not a message count"},
		{"# currency: USD\nmarket,category,from,to,discount\nIndia,utility,1,,+5\n", "tiers.csv:3: discount:"},
		{"# currency: USD\nmarket,category,from,to,discount\nAtlantis,utility,1,,0\n", "tiers.csv:3: market:"},
		{"# currency: USD\nmarket,category,from,to,discount\nIndia,utility,1,,0\nIndia,utility,5,,0\n", "tiers.csv:4: from:"},
		{"# currency: USD\nmarket,category,from,to\nIndia,utility,1,\n", "tiers.csv:3: rate: give a rate or a discount"},
		{"market,category,from,to,discount\nIndia,utility,1,,0\n", "tiers.csv: currency: missing"},
	} {
		_, err := pricing.ParseTiersCSV(strings.NewReader(c.in), "tiers.csv", o)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want %s...", c.in, err, c.want)
		}
	}
}
