package scenario

import (
	"strings"
	"testing"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
	"github.com/wacost/wacost/window"
)

// A small log, Brazil, regime 2026-10 (marketing 0.0625, utility and
// service 0.0068; the first 1,000 service messages a month are free):
//   c1: U@0, BF@1h (a reply, free: quota), BT marketing@2h (0.0625)
//   c2: U@0, BF@30h (a late reply, priced as a utility template: 0.0068)
//   c3: BT utility "order_update"@48h, no window (0.0068)
//   c4: BT marketing@50h, failed (0)
// Baseline: 0.0761.

var t0 = time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC)

func logMsgs() []msglog.Message {
	mk := func(h float64, cust string, dir msglog.Direction, tmpl bool, cat, name string, failed bool) msglog.Message {
		return msglog.Message{Time: t0.Add(time.Duration(h * float64(time.Hour))), Customer: cust, Business: "b", Direction: dir,
			Type: map[bool]string{true: "template", false: "text"}[tmpl], Template: tmpl, Category: cat, TemplateName: name, Failed: failed}
	}
	ms := []msglog.Message{
		mk(0, "5511900000001", msglog.Inbound, false, "", "", false),
		mk(0, "5511900000002", msglog.Inbound, false, "", "", false),
		mk(1, "5511900000001", msglog.Outbound, false, "", "", false),
		mk(2, "5511900000001", msglog.Outbound, true, "marketing", "promo", false),
		mk(30, "5511900000002", msglog.Outbound, false, "", "", false),
		mk(48, "5511900000003", msglog.Outbound, true, "utility", "order_update", false),
		mk(50, "5511900000004", msglog.Outbound, true, "marketing", "promo", true),
	}
	for i := range ms {
		ms[i].Pos.Seq = int64(i)
	}
	return ms
}

func base(t *testing.T) (simulate.Options, func(string) (*pricing.Card, error)) {
	mk, err := pricing.LoadMarkets(pricing.DefaultMarketOptions())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := pricing.LoadCatalog(mk)
	if err != nil {
		t.Fatal(err)
	}
	return simulate.Options{Regime: "auto", Location: time.UTC, Window: window.DefaultConfig(), Policy: pricing.DefaultPolicy(), Markets: mk, Catalog: cat},
		cat.Card
}

func run(t *testing.T, s Scenario) Outcome {
	t.Helper()
	o, tariff := base(t)
	out, err := Run(o, logMsgs(), s, tariff)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func spec(t *testing.T, s string) Scenario {
	t.Helper()
	sc, err := ParseSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestBaseline(t *testing.T) {
	out := run(t, Scenario{Name: "baseline"})
	if out.Result.Summary.Cost.String() != "0.0761" || out.Fees != 0 || out.Total.String() != "0.0761" {
		t.Fatalf("cost %s fees %s total %s", out.Result.Summary.Cost, out.Fees, out.Total)
	}
}

func TestFees(t *testing.T) {
	// per message 0.005 x 4 delivered = 0.02; failed 0.001 x 1; markup 10%
	// of marketing 0.0625 = 0.00625; monthly 50 x 1 month. 50.02725 in all.
	out := run(t, spec(t, "bsp:per_message=0.005,failed=0.001,markup.marketing=10%,monthly=50"))
	if out.Fees.String() != "50.02725" || out.MonthlyFees.String() != "50.00" || out.Result.Summary.Cost.String() != "0.0761" || out.Total.String() != "50.10335" {
		t.Fatalf("fees %s monthly %s cost %s total %s", out.Fees, out.MonthlyFees, out.Result.Summary.Cost, out.Total)
	}
	// The markup lands in the marketing category's fees.
	for _, g := range out.Result.ByCategory {
		if g.Category == "marketing" && g.Fees.String() != "0.01225" { // 0.005 + 0.00625 + failed 0.001
			t.Fatalf("marketing fees %s", g.Fees)
		}
	}
	// Two months: 2026-10-05 .. 2026-11-x.
	o := Scenario{Fees: Fees{Monthly: 50_000_000}}
	if got := o.MonthlyFees(t0, t0.AddDate(0, 1, 0), time.UTC).String(); got != "100.00" {
		t.Fatalf("two months: %s", got)
	}
}

func TestOverrides(t *testing.T) {
	// Brazil marketing x1.2 -> 0.075; utility set to 0.005 everywhere:
	// c2's late reply and c3's template. 0.075 + 0.005 + 0.005 = 0.085.
	f, err := Parse(strings.NewReader("scenarios:\n  - name: rates\n    overrides:\n      - markets: [brazil]\n        marketing: x1.2\n      - utility: 0.005\n"), "s.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if out := run(t, f.Scenarios[0]); out.Result.Summary.Cost.String() != "0.085" {
		t.Fatalf("cost %s", out.Result.Summary.Cost)
	}
	// An override for another market changes nothing.
	f, _ = Parse(strings.NewReader("scenarios:\n  - name: india\n    overrides:\n      - markets: [India]\n        marketing: x2\n"), "s.yaml", nil)
	if out := run(t, f.Scenarios[0]); out.Result.Summary.Cost.String() != "0.0761" {
		t.Fatalf("India override: %s", out.Result.Summary.Cost)
	}
}

func TestReplyDelay(t *testing.T) {
	for _, c := range []struct{ spec, cost string }{
		{"half:reply_delay=x0.5", "0.0693"},   // c2's reply at 15h: inside the window, free
		{"later:reply_delay=+2h", "0.0761"},   // c2's reply at 32h: still late
		{"fixed:reply_delay==15m", "0.0693"},  // every reply after 15 minutes
		{"capped:reply_cap=23h", "0.0693"},    // c2's reply capped at 23h
		{"tooslow:reply_delay=x30", "0.0829"}, // c1's reply at 30h: late too (0.0068)
	} {
		if out := run(t, spec(t, c.spec)); out.Result.Summary.Cost.String() != c.cost {
			t.Errorf("%s: %s, want %s", c.spec, out.Result.Summary.Cost, c.cost)
		}
	}
	// The burst keeps its shape: c1's marketing template moves with the reply.
	s := spec(t, "half:reply_delay=x0.5")
	got := s.Transform(logMsgs())
	for _, m := range got {
		if m.Customer == "5511900000001" && m.Template && m.Time.Sub(t0) != 90*time.Minute {
			t.Fatalf("c1's template at %s, want 1h30m", m.Time.Sub(t0))
		}
	}
}

func TestRecategorise(t *testing.T) {
	// c3's utility template "order_update" as marketing: 0.0761 - 0.0068 + 0.0625 = 0.1318.
	for _, sp := range []string{"r:recategorize=template order_update -> marketing", "r:recategorize=category utility -> marketing"} {
		if out := run(t, spec(t, sp)); out.Result.Summary.Cost.String() != "0.1318" {
			t.Errorf("%s: %s", sp, out.Result.Summary.Cost)
		}
	}
	if out := run(t, spec(t, "r:recategorize=template shipping -> marketing")); out.Result.Summary.Cost.String() != "0.0761" {
		t.Errorf("an unused template name changes nothing: %s", out.Result.Summary.Cost)
	}
}

func TestLateRepliesDropped(t *testing.T) {
	out := run(t, spec(t, "drop:late_replies=drop"))
	if out.Result.Summary.Cost.String() != "0.0693" || out.Result.Summary.Blocked != 1 {
		t.Fatalf("cost %s blocked %d", out.Result.Summary.Cost, out.Result.Summary.Blocked)
	}
}

func TestRegimeAndTariff(t *testing.T) {
	// Under 2025-07 rules (its latest card, 2026-07: Brazil as 2026-10) the
	// free-form reply is free without a quota: the same 0.0761. A EUR card:
	// marketing 0.0518, utility 0.0056: 0.0518 + 0.0056 + 0.0056 = 0.063 EUR.
	if out := run(t, spec(t, "old:regime=2025-07")); out.Result.Summary.Cost.String() != "0.0761" {
		t.Fatalf("2025-07: %s", out.Result.Summary.Cost)
	}
	out := run(t, spec(t, "eur:tariff=2026-07-eur"))
	if out.Result.Summary.Cost.String() != "0.063" || out.Result.Summary.Currency != "EUR" {
		t.Fatalf("EUR card: %s %s", out.Result.Summary.Cost, out.Result.Summary.Currency)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"scenarios:\n  - name: a\n    reply_delay: fast\n", "s.yaml:3: reply_delay:"},
		{"scenarios:\n  - name: a\n  - name: a\n", "s.yaml:3: name: \"a\" is used twice"},
		{"scenarios:\n  - reply_delay: x2\n", "s.yaml:2: name: every scenario needs a name"},
		{"scenarios:\n  - name: a\n    colour: red\n", "s.yaml:3: colour: unknown key"},
		{"scenarios:\n  - name: a\n    regime: 1999\n", "s.yaml:3: regime:"},
		{"scenarios:\n  - name: a\n    fees: {per_message: abc}\n", "s.yaml:3: fees:"},
		{"scenarios:\n  - name: a\n    recategorize: [\"template x -> spam\"]\n", "s.yaml:3: recategorize:"},
		{"scenario:\n  - name: a\n", "s.yaml:1: scenario: unknown key"},
	} {
		_, err := Parse(strings.NewReader(c.in), "s.yaml", nil)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want %s...", c.in, err, c.want)
		}
	}
	for _, bad := range []string{":x=1", "a:reply_delay", "a:rate.colour=x2", "a:late_replies=maybe", "a:per_message=abc"} {
		if _, err := ParseSpec(bad); err == nil {
			t.Errorf("ParseSpec(%q): want an error", bad)
		}
	}
}

// Scenarios that would invent money or compound a change are refused.
func TestScenarioChecks(t *testing.T) {
	for spec, want := range map[string]string{
		"x:per_message=-0.01":                 "per_message -0.01: a fee is not negative",
		"x:markup.marketing=-10%":             "markup.marketing: a markup is not negative",
		"x:rate.utility=x2,rate.utility=x3":   "rate.utility given twice",
		"x:reply_delay=x0.5,reply_delay=x0.5": "reply_delay given twice",
	} {
		if _, err := ParseSpec(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %s", spec, err, want)
		}
	}
	if _, err := ParseSpec("x:rate.utility=x2,rate.marketing=x3"); err != nil {
		t.Errorf("two keys: %v", err)
	}
	if _, err := Parse(strings.NewReader(""), "s.yaml", nil); err == nil || err.Error() != "s.yaml: empty: want a mapping with a scenarios list" {
		t.Errorf("an empty file: %v", err)
	}
	if _, err := Parse(strings.NewReader("scenarios:\n  - name: x\n    fees: {monthly: -5}\n"), "s.yaml", nil); err == nil || !strings.Contains(err.Error(), "monthly -5.00: a fee is not negative") {
		t.Errorf("a negative fee in a file: %v", err)
	}
}
