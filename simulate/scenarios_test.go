package simulate

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/window"
)

// The hand-computed scenarios of the rules reference (section 11 and the
// worked examples T-D1), for the regimes this version implements.
// Notation: U = customer message, UA = customer message from an ad,
// BF = free-form business message, BT(x) = template of category x.
// Times are hours after the scenario's start. Market: Brazil (+55).

const brazil = "5511987654321"

type step struct {
	h    float64
	kind string // U, UA, BF, BT:marketing, BT:utility, BT:authentication, BT (no category)
	fail bool
}

type want struct {
	decision, reason string
	cost             string
	late             bool
}

func messages(start time.Time, customer string, steps []step) []msglog.Message {
	var ms []msglog.Message
	for i, s := range steps {
		m := msglog.Message{Time: start.Add(time.Duration(s.h * float64(time.Hour))), Customer: customer,
			Business: msglog.DefaultBusiness, Type: "text", ID: fmt.Sprintf("m%d", i+1), Failed: s.fail,
			Pos: msglog.Pos{File: "scenario", Line: i + 2, Seq: int64(i)}}
		switch {
		case s.kind == "U":
			m.Direction = msglog.Inbound
		case s.kind == "UA":
			m.Direction, m.EntryPoint = msglog.Inbound, window.EntryAd
		case s.kind == "BF":
			m.Direction = msglog.Outbound
		case strings.HasPrefix(s.kind, "BT"):
			m.Direction, m.Type, m.Template = msglog.Outbound, "template", true
			m.Category = strings.TrimPrefix(strings.TrimPrefix(s.kind, "BT"), ":")
		default:
			panic(s.kind)
		}
		ms = append(ms, m)
	}
	return ms
}

type testEnv struct {
	mk  *pricing.Markets
	cat *pricing.Catalog
}

func newEnv(t testing.TB) testEnv {
	t.Helper()
	mk, err := pricing.LoadMarkets(pricing.DefaultMarketOptions())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := pricing.LoadCatalog(mk)
	if err != nil {
		t.Fatal(err)
	}
	return testEnv{mk, cat}
}

func (env testEnv) opts() Options {
	return Options{Regime: "auto", Location: time.UTC, Window: window.DefaultConfig(), Policy: pricing.DefaultPolicy(), Markets: env.mk, Catalog: env.cat}
}

// replay runs messages through an engine and returns the ledger and result.
func replay(t testing.TB, o Options, ms []msglog.Message) ([]Entry, Result) {
	t.Helper()
	var ledger []Entry
	o.Ledger = func(e *Entry) error { ledger = append(ledger, *e); return nil }
	e, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ms {
		if err := e.Add(&ms[i]); err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
	}
	return ledger, e.Result()
}

func checkLedger(t *testing.T, got []Entry, want []want) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("ledger has %d business messages, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Decision.String() != w.decision || g.Reason.String() != w.reason || g.Cost.String() != w.cost || g.Late != w.late {
			t.Errorf("business message %d (%s): got %s/%s/%s late=%v, want %s/%s/%s late=%v", i+1, g.ID,
				g.Decision, g.Reason, g.Cost, g.Late, w.decision, w.reason, w.cost, w.late)
		}
	}
}

func TestScenarioA2020(t *testing.T) {
	// §11.1: U@0, BF@1, BF@23, BT@30, BT@31 -> 2 templates billed at Brazil's
	// template rate (2018 proxy card: 0.0500). BF@23 is free.
	env := newEnv(t)
	start := time.Date(2020, 3, 10, 9, 0, 0, 0, time.UTC)
	ms := messages(start, brazil, []step{{0, "U", false}, {1, "BF", false}, {23, "BF", false}, {30, "BT", false}, {31, "BT:marketing", false}})
	ledger, res := replay(t, env.opts(), ms)
	checkLedger(t, ledger, []want{
		{"free", "customer_service_window", "0.00", false},
		{"free", "customer_service_window", "0.00", false},
		{"billed", "template", "0.05", false},
		{"billed", "template", "0.05", false},
	})
	if res.Summary.Cost.String() != "0.10" || res.Summary.Billed != 2 || res.Summary.Regimes[0] != "2018-08" {
		t.Fatalf("summary: cost %s billed %d regimes %v, want 0.10, 2, [2018-08]", res.Summary.Cost, res.Summary.Billed, res.Summary.Regimes)
	}
	if len(res.Notes) == 0 || !strings.Contains(res.Notes[0], "PROXY") {
		t.Fatalf("a run priced with the 2018 proxy card must say so; notes: %q", res.Notes)
	}
}

func TestScenarioA2018TemplatesFreeInWindow(t *testing.T) {
	// inside the window every business message is free, templates included.
	env := newEnv(t)
	start := time.Date(2019, 1, 10, 9, 0, 0, 0, time.UTC)
	ms := messages(start, brazil, []step{{0, "U", false}, {2, "BT:marketing", false}, {23.9, "BT:authentication", false}, {24, "BT:utility", false}})
	ledger, _ := replay(t, env.opts(), ms)
	checkLedger(t, ledger, []want{
		{"free", "customer_service_window", "0.00", false},
		{"free", "customer_service_window", "0.00", false},
		{"billed", "template", "0.05", false},
	})
}

func TestScenarioA2020LateReply(t *testing.T) {
	// §11.1: "a BF@30 would fail". By default it is priced as the template it
	// would have had to be; with --late-replies block it is blocked.
	env := newEnv(t)
	start := time.Date(2020, 3, 10, 9, 0, 0, 0, time.UTC)
	ms := messages(start, brazil, []step{{0, "U", false}, {30, "BF", false}})
	ledger, res := replay(t, env.opts(), ms)
	checkLedger(t, ledger, []want{{"billed", "late_reply", "0.05", true}})
	if res.Summary.LateReplies != 1 {
		t.Fatalf("late replies = %d, want 1", res.Summary.LateReplies)
	}
	o := env.opts()
	o.Policy.Late = pricing.LateBlock
	ledger, res = replay(t, o, ms)
	checkLedger(t, ledger, []want{{"blocked", "outside_window", "0.00", true}})
	if res.Summary.Blocked != 1 || res.Summary.Cost != 0 {
		t.Fatalf("blocked = %d cost = %s, want 1 and 0", res.Summary.Blocked, res.Summary.Cost)
	}
}

func TestScenarioTD1(t *testing.T) {
	// T-D1 (PMP-07) plus §11.7's BT(auth)@3: marketing@0 billed, U@2, BF@3
	// free, BT(auth)@3 billed (auth is billed even in the window),
	// BT(utility)@4 free (window open), BT(utility)@30 billed.
	// 2025-07 card, Brazil: marketing 0.0625, utility 0.0068, authentication 0.0068.
	env := newEnv(t)
	start := time.Date(2025, 8, 4, 8, 0, 0, 0, time.UTC)
	ms := messages(start, brazil, []step{{0, "BT:marketing", false}, {2, "U", false}, {3, "BF", false}, {3, "BT:authentication", false}, {4, "BT:utility", false}, {30, "BT:utility", false}})
	ledger, res := replay(t, env.opts(), ms)
	checkLedger(t, ledger, []want{
		{"billed", "template", "0.0625", false},
		{"free", "customer_service_window", "0.00", false},
		{"billed", "template", "0.0068", false},
		{"free", "customer_service_window", "0.00", false},
		{"billed", "template", "0.0068", false},
	})
	if got := res.Summary.Cost.String(); got != "0.0761" {
		t.Fatalf("total %s, want 0.0761 (0.0625 + 0.0068 + 0.0068)", got)
	}
	byCat := map[string]string{}
	for _, g := range res.ByCategory {
		byCat[g.Category] = fmt.Sprintf("%d/%s", g.Billed, g.Cost)
	}
	if byCat["marketing"] != "1/0.0625" || byCat["utility"] != "1/0.0068" || byCat["authentication"] != "1/0.0068" {
		t.Fatalf("by category: %v, want 1 marketing + 1 utility + 1 authentication billed", byCat)
	}
}

func TestScenarioDFreeEntryPoint(t *testing.T) {
	// §11.8: UA@0, BF@23 free and opens the FEP 23->95; BT(marketing)@60
	// free; BF@60 impossible (window closed at 24): as a utility template it
	// is still free inside the FEP; BT(marketing)@96 billed.
	env := newEnv(t)
	start := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	ms := messages(start, brazil, []step{{0, "UA", false}, {23, "BF", false}, {60, "BT:marketing", false}, {60, "BF", false}, {96, "BT:marketing", false}})
	ledger, res := replay(t, env.opts(), ms)
	checkLedger(t, ledger, []want{
		{"free", "free_entry_point", "0.00", false},
		{"free", "free_entry_point", "0.00", false},
		{"free", "free_entry_point", "0.00", true},
		{"billed", "template", "0.0625", false},
	})
	if res.Summary.Cost.String() != "0.0625" {
		t.Fatalf("total %s, want 0.0625", res.Summary.Cost)
	}
}

func TestScenarioDFEPReplyTooLate(t *testing.T) {
	// PMP-08: the reply must come within 24h of the ad message; at 25h the
	// window is closed and no FEP opens, so a marketing template is billed.
	env := newEnv(t)
	start := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	ms := messages(start, brazil, []step{{0, "UA", false}, {25, "BT:marketing", false}, {30, "BT:marketing", false}})
	ledger, _ := replay(t, env.opts(), ms)
	checkLedger(t, ledger, []want{
		{"billed", "template", "0.0625", false},
		{"billed", "template", "0.0625", false},
	})
}

func TestFailedNeverBilledAndOpensNothing(t *testing.T) {
	// G-04: a failed delivery is never billed, and a failed reply to an ad
	// does not open the FEP window: the next delivered reply does.
	env := newEnv(t)
	start := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	ms := messages(start, brazil, []step{{0, "UA", false}, {1, "BT:marketing", true}, {2, "BF", false}, {73.9, "BT:marketing", false}, {74, "BT:marketing", false}})
	ledger, res := replay(t, env.opts(), ms)
	checkLedger(t, ledger, []want{
		{"undelivered", "failed", "0.00", false},
		{"free", "free_entry_point", "0.00", false}, // opens the FEP: 2h..74h
		{"free", "free_entry_point", "0.00", false},
		{"billed", "template", "0.0625", false}, // 74h: the boundary is outside
	})
	if res.Summary.Undelivered != 1 || res.Summary.Cost.String() != "0.0625" {
		t.Fatalf("undelivered %d cost %s, want 1 and 0.0625", res.Summary.Undelivered, res.Summary.Cost)
	}
}

func TestScenarioE2026ServiceQuota(t *testing.T) {
	// §11.10: number P sends 1,200 service messages in October, none in FEP
	// windows -> 200 billed at the market's service rate (Brazil 0.0068):
	// 1.36. A utility template inside a window is billed too (PE-05).
	env := newEnv(t)
	start := time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC)
	var ms []msglog.Message
	for i := 0; i < 1200; i++ {
		cust := fmt.Sprintf("55119%08d", i)
		at := start.Add(time.Duration(i) * time.Minute)
		ms = append(ms, messages(at, cust, []step{{0, "U", false}, {0.01, "BF", false}})...)
	}
	ms = append(ms, messages(start.Add(48*time.Hour), brazil, []step{{0, "U", false}, {1, "BT:utility", false}})...)
	ledger, res := replay(t, env.opts(), ms)
	var freeQuota, billedService int
	for _, e := range ledger[:1200] {
		switch e.Reason {
		case pricing.ReasonFreeQuota:
			freeQuota++
		case pricing.ReasonService:
			billedService++
			if e.Cost.String() != "0.0068" {
				t.Fatalf("service message billed %s, want 0.0068", e.Cost)
			}
		}
	}
	if freeQuota != 1000 || billedService != 200 {
		t.Fatalf("free_quota %d, billed service %d; want 1000 and 200", freeQuota, billedService)
	}
	checkLedger(t, ledger[1200:], []want{{"billed", "template", "0.0068", false}})
	if got := res.Summary.Cost.String(); got != "1.3668" {
		t.Fatalf("total %s, want 1.3668 (200 x 0.0068 + 0.0068)", got)
	}
}

func TestQuotaIsPerBusinessNumber(t *testing.T) {
	env := newEnv(t)
	o := env.opts()
	o.Policy.ServiceQuota = 1
	start := time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC)
	var ms []msglog.Message
	for i, biz := range []string{"111111", "222222", "111111"} {
		m := messages(start.Add(time.Duration(i)*time.Hour), fmt.Sprintf("5511900000%02d", i), []step{{0, "U", false}, {0.5, "BF", false}})
		m[0].Business, m[1].Business = biz, biz
		ms = append(ms, m...)
	}
	ledger, _ := replay(t, o, ms)
	checkLedger(t, ledger, []want{
		{"free", "free_quota", "0.00", false},
		{"free", "free_quota", "0.00", false},
		{"billed", "service", "0.0068", false},
	})
}

func TestQuotaMonthInAccountTimezone(t *testing.T) {
	// G-09: the monthly quota resets at midnight in the account's time zone.
	// With America/Sao_Paulo (UTC-3), 2026-11-01T02:00Z is still October 31:
	// October's one free message is used, so it is billed; 03:30Z is
	// November 1 locally: free again. In UTC both would be November.
	env := newEnv(t)
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	ms := messages(time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC), brazil, []step{{0, "U", false}, {1, "BF", false}, {14, "BF", false}, {15.5, "BF", false}})
	o := env.opts()
	o.Policy.ServiceQuota = 1
	o.Location = sp
	ledger, _ := replay(t, o, ms)
	checkLedger(t, ledger, []want{
		{"free", "free_quota", "0.00", false},
		{"billed", "service", "0.0068", false},
		{"free", "free_quota", "0.00", false},
	})
	o.Location = time.UTC
	ledger, _ = replay(t, o, ms)
	checkLedger(t, ledger, []want{
		{"free", "free_quota", "0.00", false},
		{"free", "free_quota", "0.00", false},
		{"billed", "service", "0.0068", false},
	})
}

func TestSwitchTo2026_10(t *testing.T) {
	// A utility template inside the window is free on 2026-09-30 (PMP-04)
	// and billed on 2026-10-01 (PE-05); the log reports both regimes.
	env := newEnv(t)
	ms := messages(time.Date(2026, 9, 30, 20, 0, 0, 0, time.UTC), brazil, []step{{0, "U", false}, {1, "BT:utility", false}, {5, "BT:utility", false}})
	ledger, res := replay(t, env.opts(), ms)
	checkLedger(t, ledger, []want{
		{"free", "customer_service_window", "0.00", false},
		{"billed", "template", "0.0068", false},
	})
	if strings.Join(res.Summary.Regimes, ",") != "2025-07,2026-10" || len(res.Regimes) != 2 {
		t.Fatalf("regimes %v / %d subtotals, want 2025-07,2026-10", res.Summary.Regimes, len(res.Regimes))
	}
}

func TestRegimeDateInAccountTimezone(t *testing.T) {
	// 2025-07-01T02:00Z is still June 30 in Sao Paulo: regime 2024-11, a
	// marketing conversation on the 2025-01 card; in UTC it is July 1:
	// a per-message marketing template on the 2025-07 card.
	env := newEnv(t)
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	o := env.opts()
	o.Location = sp
	ms := messages(time.Date(2025, 7, 1, 2, 0, 0, 0, time.UTC), brazil, []step{{0, "BT:marketing", false}})
	ledger, _ := replay(t, o, ms)
	if ledger[0].Regime != "2024-11" || ledger[0].Card != "2025-01" || ledger[0].Reason.String() != "conversation" {
		t.Fatalf("Sao Paulo: %+v", ledger[0])
	}
	o.Location = time.UTC
	ledger, _ = replay(t, o, ms)
	checkLedger(t, ledger, []want{{"billed", "template", "0.0625", false}})
	if ledger[0].Regime != "2025-07" {
		t.Fatalf("UTC: regime %s", ledger[0].Regime)
	}
}

func TestForcedRegime(t *testing.T) {
	// The T-D1 log replayed under 2026-10: the utility template in the
	// window and the free-form reply (within the quota) change.
	env := newEnv(t)
	o := env.opts()
	o.Regime = "2026-10"
	start := time.Date(2025, 8, 4, 8, 0, 0, 0, time.UTC)
	ms := messages(start, brazil, []step{{0, "BT:marketing", false}, {2, "U", false}, {3, "BF", false}, {4, "BT:utility", false}, {30, "BT:utility", false}})
	ledger, res := replay(t, o, ms)
	checkLedger(t, ledger, []want{
		{"billed", "template", "0.0625", false},
		{"free", "free_quota", "0.00", false},
		{"billed", "template", "0.0068", false},
		{"billed", "template", "0.0068", false},
	})
	if res.Summary.Cost.String() != "0.0761" {
		t.Fatalf("total %s, want 0.0761", res.Summary.Cost)
	}
	o.Regime = "1999-01"
	if _, err := New(o); err == nil {
		t.Fatal("forcing an unknown regime must fail")
	}
}

func TestTemplateWithoutCategoryIsARowError(t *testing.T) {
	env := newEnv(t)
	ms := messages(time.Date(2025, 8, 4, 8, 0, 0, 0, time.UTC), brazil, []step{{0, "BT", false}})
	e, _ := New(env.opts())
	err := e.Add(&ms[0])
	var re *msglog.RowError
	if !errors.As(err, &re) || re.Field != "category" || re.Line != 2 {
		t.Fatalf("want a RowError on line 2, field category; got %v", err)
	}
}

func TestTotalsEqualSumOfLedger(t *testing.T) {
	env := newEnv(t)
	ms := messages(time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), brazil, []step{{0, "BT:marketing", false}, {1, "U", false}, {2, "BF", false}, {3, "BT:utility", false}, {40, "BF", false}})
	ledger, res := replay(t, env.opts(), ms)
	var sum pricing.Money
	for _, e := range ledger {
		sum += e.Cost
	}
	if sum != res.Summary.Cost {
		t.Fatalf("ledger sums to %s, summary says %s", sum, res.Summary.Cost)
	}
	var byMarket pricing.Money
	for _, g := range res.ByMarket {
		byMarket += g.Cost
	}
	if byMarket != res.Summary.Cost {
		t.Fatalf("markets sum to %s, summary says %s", byMarket, res.Summary.Cost)
	}
}
