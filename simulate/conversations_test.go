package simulate

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
)

// Conversation-era scenarios of the rules reference, hand-computed.
// Brazil rates: 2023-05 card business-initiated 0.05, user-initiated 0.03;
// 2023-06 card marketing 0.0625, utility 0.035, authentication 0.0315,
// service 0.03; 2025-01 card marketing 0.0625, utility 0.008, service free.
// Unless a test is about it, the free tier is set to 0 so that every
// conversation's price shows.

type cwant struct {
	decision, reason, cost, conversation string
}

func checkConv(t *testing.T, got []Entry, want []cwant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("ledger has %d business messages, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Decision.String() != w.decision || g.Reason.String() != w.reason || g.Cost.String() != w.cost || g.Conversation != w.conversation {
			t.Errorf("business message %d (%s, %s): got %s/%s/%s/%q, want %s/%s/%s/%q", i+1, g.ID, g.Time.Format(time.RFC3339),
				g.Decision, g.Reason, g.Cost, g.Conversation, w.decision, w.reason, w.cost, w.conversation)
		}
	}
}

func noFreeTier(env testEnv) Options {
	o := env.opts()
	o.Policy.FreeTier, o.Policy.MexicoFreeSessions = 0, 0
	return o
}

func TestScenarioB2022UserInitiated(t *testing.T) {
	// §11.2: U@0, BF@1 -> user-initiated 1->25; BT@20 covered; U@26, BF@27
	// -> a new user-initiated conversation. 2 UI = 0.06.
	env := newEnv(t)
	ms := messages(time.Date(2022, 6, 1, 8, 0, 0, 0, time.UTC), brazil, []step{{0, "U", false}, {1, "BF", false}, {20, "BT:marketing", false}, {26, "U", false}, {27, "BF", false}})
	ledger, res := replay(t, noFreeTier(env), ms)
	checkConv(t, ledger, []cwant{
		{"billed", "conversation", "0.03", "c1"},
		{"free", "conversation_open", "0.00", "c1"},
		{"billed", "conversation", "0.03", "c2"},
	})
	if res.Summary.Cost.String() != "0.06" || ledger[0].Category != "user_initiated" || ledger[0].Card != "2023-05" {
		t.Fatalf("total %s, category %s, card %s", res.Summary.Cost, ledger[0].Category, ledger[0].Card)
	}
	// "If this is one of the first 1,000 conversations of the WABA this month, both are free."
	ledger, res = replay(t, env.opts(), ms)
	checkConv(t, ledger, []cwant{
		{"free", "free_tier", "0.00", "c1"},
		{"free", "conversation_open", "0.00", "c1"},
		{"free", "free_tier", "0.00", "c2"},
	})
	if res.Summary.Cost != 0 {
		t.Fatalf("free tier: total %s", res.Summary.Cost)
	}
}

func TestScenarioB2022BusinessInitiated(t *testing.T) {
	// §11.3: BT@0 -> business-initiated 0->24 (0.05); U@2, BF@3 covered;
	// BF@25 (window open since U@2) -> user-initiated 25->49 (0.03). 0.08.
	env := newEnv(t)
	ms := messages(time.Date(2022, 6, 1, 8, 0, 0, 0, time.UTC), brazil, []step{{0, "BT:marketing", false}, {2, "U", false}, {3, "BF", false}, {25, "BF", false}})
	ledger, res := replay(t, noFreeTier(env), ms)
	checkConv(t, ledger, []cwant{
		{"billed", "conversation", "0.05", "c1"},
		{"free", "conversation_open", "0.00", "c1"},
		{"billed", "conversation", "0.03", "c2"},
	})
	if ledger[0].Category != "business_initiated" || ledger[2].Category != "user_initiated" || res.Summary.Cost.String() != "0.08" {
		t.Fatalf("categories %s/%s, total %s", ledger[0].Category, ledger[2].Category, res.Summary.Cost)
	}
}

func TestScenarioTC1(t *testing.T) {
	// T-C1 (CBP2-07, §11.4): marketing@0 opens marketing; U@4; interactive@5
	// covered; marketing expires at 24; text@25 opens service; text@26
	// covered. 1 marketing + 1 service.
	env := newEnv(t)
	steps := []step{{0, "BT:marketing", false}, {4, "U", false}, {5, "BF", false}, {25, "BF", false}, {26, "BF", false}}
	ms := messages(time.Date(2023, 9, 4, 8, 0, 0, 0, time.UTC), brazil, steps)
	ledger, res := replay(t, noFreeTier(env), ms)
	checkConv(t, ledger, []cwant{
		{"billed", "conversation", "0.0625", "c1"},
		{"free", "conversation_open", "0.00", "c1"},
		{"billed", "conversation", "0.03", "c2"},
		{"free", "conversation_open", "0.00", "c2"},
	})
	if res.Summary.Cost.String() != "0.0925" {
		t.Fatalf("total %s, want 0.0925", res.Summary.Cost)
	}
	// Within the first 1,000 service conversations of the month (2023-06 .. 2024-10) the service one is free.
	ledger, _ = replay(t, env.opts(), ms)
	if ledger[2].Reason.String() != "free_tier" || ledger[0].Reason.String() != "conversation" {
		t.Fatalf("free tier covers service only: %s / %s", ledger[0].Reason, ledger[2].Reason)
	}
	// From 2024-11-01 service conversations are always free (2025-01 card).
	ms = messages(time.Date(2024, 12, 2, 8, 0, 0, 0, time.UTC), brazil, steps)
	ledger, res = replay(t, noFreeTier(env), ms)
	checkConv(t, ledger, []cwant{
		{"billed", "conversation", "0.0625", "c1"},
		{"free", "conversation_open", "0.00", "c1"},
		{"free", "free_service", "0.00", "c2"},
		{"free", "conversation_open", "0.00", "c2"},
	})
	if res.Summary.Cost.String() != "0.0625" || ledger[0].Card != "2025-01" {
		t.Fatalf("2024-11: total %s card %s", res.Summary.Cost, ledger[0].Card)
	}
}

func TestScenarioTC2(t *testing.T) {
	// T-C2 (CBP2-08): marketing@0, utility@4 opens utility, utility@10
	// covered. 1 marketing + 1 utility = 0.0625 + 0.035.
	env := newEnv(t)
	ms := messages(time.Date(2023, 9, 4, 8, 0, 0, 0, time.UTC), brazil, []step{{0, "BT:marketing", false}, {4, "BT:utility", false}, {10, "BT:utility", false}})
	ledger, res := replay(t, noFreeTier(env), ms)
	checkConv(t, ledger, []cwant{
		{"billed", "conversation", "0.0625", "c1"},
		{"billed", "conversation", "0.035", "c2"},
		{"free", "conversation_open", "0.00", "c2"},
	})
	if res.Summary.Cost.String() != "0.0975" {
		t.Fatalf("total %s", res.Summary.Cost)
	}
}

func TestScenarioC2024ThreeConversations(t *testing.T) {
	// §11.5 (2024, before 2024-11): U@0, BF@1 -> service 1->25;
	// BT(utility)@2 -> utility; BT(utility)@5 covered; BT(marketing)@6 ->
	// marketing. service + utility + marketing = 0.03 + 0.035 + 0.0625.
	env := newEnv(t)
	ms := messages(time.Date(2024, 6, 10, 8, 0, 0, 0, time.UTC), brazil, []step{{0, "U", false}, {1, "BF", false}, {2, "BT:utility", false}, {5, "BT:utility", false}, {6, "BT:marketing", false}})
	ledger, res := replay(t, noFreeTier(env), ms)
	checkConv(t, ledger, []cwant{
		{"billed", "conversation", "0.03", "c1"},
		{"billed", "conversation", "0.035", "c2"},
		{"free", "conversation_open", "0.00", "c2"},
		{"billed", "conversation", "0.0625", "c3"},
	})
	if res.Summary.Cost.String() != "0.1275" {
		t.Fatalf("total %s", res.Summary.Cost)
	}
}

func TestScenarioCFreeEntryPoint(t *testing.T) {
	// §11.6: U-via-CTWA@0, BT(marketing)@1 -> FEP 1->73, everything free;
	// BT(utility)@50 free; BT(marketing)@80 -> a new marketing conversation.
	env := newEnv(t)
	ms := messages(time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC), brazil, []step{{0, "UA", false}, {1, "BT:marketing", false}, {50, "BT:utility", false}, {80, "BT:marketing", false}})
	ledger, res := replay(t, noFreeTier(env), ms)
	checkConv(t, ledger, []cwant{
		{"free", "free_entry_point", "0.00", "c1"},
		{"free", "free_entry_point", "0.00", "c1"},
		{"billed", "conversation", "0.0625", "c2"},
	})
	if res.Summary.Cost.String() != "0.0625" {
		t.Fatalf("total %s", res.Summary.Cost)
	}
}

func TestScenarioTC3(t *testing.T) {
	// T-C3 (CBP2-11): the customer comes from an ad at 10:00; the business
	// answers with a template at 22:00: FEP 22:00 -> +72h, templates free
	// throughout. Free-form only until 10:00 the next day: BF@23 is free
	// and in the window; BF@25 is a late reply (a utility template), still
	// free inside the FEP; at 84h (22:00 + 72h) the FEP has ended.
	// The FEP conversation closes the marketing conversation opened at 0.
	env := newEnv(t)
	ms := messages(time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC), brazil, []step{
		{-1, "BT:marketing", false}, {0, "UA", false}, {12, "BT:marketing", false}, {23, "BF", false}, {25, "BF", false}, {50, "BT:utility", false}, {84, "BT:marketing", false}})
	ledger, _ := replay(t, noFreeTier(env), ms)
	checkConv(t, ledger, []cwant{
		{"billed", "conversation", "0.0625", "c1"},
		{"free", "free_entry_point", "0.00", "c2"},
		{"free", "free_entry_point", "0.00", "c2"},
		{"free", "free_entry_point", "0.00", "c2"},
		{"free", "free_entry_point", "0.00", "c2"},
		{"billed", "conversation", "0.0625", "c3"},
	})
	if !ledger[3].Late || ledger[2].Late {
		t.Fatal("BF@25 is a late reply, BF@23 is not")
	}
}

func TestMexicoTest2021(t *testing.T) {
	// A-MX: +52 only. U@0, BF@1 opens a session (0.014); BF@2 covered;
	// BT@30 (outside the window) a new session. Brazil the same day stays
	// on the 2018 rule.
	env := newEnv(t)
	mx := "5215512345678"
	ms := messages(time.Date(2021, 6, 1, 8, 0, 0, 0, time.UTC), mx, []step{{0, "U", false}, {1, "BF", false}, {2, "BF", false}, {30, "BT:marketing", false}})
	ledger, res := replay(t, noFreeTier(env), ms)
	checkConv(t, ledger, []cwant{
		{"billed", "conversation", "0.014", "c1"},
		{"free", "conversation_open", "0.00", "c1"},
		{"billed", "conversation", "0.014", "c2"},
	})
	if res.Summary.Cost.String() != "0.028" || ledger[0].Regime != "2021-02" || ledger[0].Card != "2021-02-mx" {
		t.Fatalf("total %s regime %s card %s", res.Summary.Cost, ledger[0].Regime, ledger[0].Card)
	}
	o := env.opts()
	o.Policy.MexicoFreeSessions = 1
	ledger, _ = replay(t, o, ms)
	if ledger[0].Reason.String() != "free_tier" || ledger[2].Reason.String() != "conversation" {
		t.Fatalf("allowance of 1: %s then %s", ledger[0].Reason, ledger[2].Reason)
	}
}

func TestSwitchCBPToPMPWithOpenUtilityConversation(t *testing.T) {
	// CBP2-17: a utility conversation opened on 2025-06-30 20:00 (2024-11,
	// 0.008) still covers a utility template on 2025-07-01 10:00; after it
	// expires at 20:00 a utility template outside the window is billed per
	// message (2025-07 card, 0.0068).
	env := newEnv(t)
	ms := messages(time.Date(2025, 6, 30, 20, 0, 0, 0, time.UTC), brazil, []step{{0, "BT:utility", false}, {14, "BT:utility", false}, {24, "BT:utility", false}})
	ledger, res := replay(t, noFreeTier(env), ms)
	checkConv(t, ledger, []cwant{
		{"billed", "conversation", "0.008", "c1"},
		{"free", "conversation_open", "0.00", "c1"},
		{"billed", "template", "0.0068", ""},
	})
	if ledger[1].Regime != "2025-07" || len(res.Regimes) != 2 {
		t.Fatalf("regime %s, %d subtotals", ledger[1].Regime, len(res.Regimes))
	}
}

func TestLogSpanning2022Switch(t *testing.T) {
	// 2022-01-31 23:00: a template under the 2018 rule (0.05, proxy card);
	// 2022-02-01 00:30: a business-initiated conversation (0.05, 2023-05 card).
	env := newEnv(t)
	ms := messages(time.Date(2022, 1, 31, 23, 0, 0, 0, time.UTC), brazil, []step{{0, "BT:marketing", false}, {1.5, "BT:marketing", false}})
	ledger, res := replay(t, noFreeTier(env), ms)
	checkConv(t, ledger, []cwant{
		{"billed", "template", "0.05", ""},
		{"billed", "conversation", "0.05", "c1"},
	})
	if strings.Join(res.Summary.Regimes, ",") != "2018-08,2022-02" {
		t.Fatalf("regimes %v", res.Summary.Regimes)
	}
}

func TestFreeTierMonthInAccountTimezone(t *testing.T) {
	// Free tier of 1 conversation a month, account in Sao Paulo (UTC-3).
	// A: 2023-03-31 12:00 local -> free tier. B: opened 23:59 local on
	// March 31 (April 1 02:59 UTC) -> March, tier used: billed. B's
	// conversation still covers a message at 00:30 local on April 1.
	// C: April 1 local -> April's free conversation.
	env := newEnv(t)
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	o := env.opts()
	o.Location, o.Policy.FreeTier = sp, 1
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, sp) }
	var ms []msglog.Message
	ms = append(ms, messages(at(2023, 3, 31, 12, 0), "5511900000001", []step{{0, "BT:marketing", false}})...)
	ms = append(ms, messages(at(2023, 3, 31, 23, 59), "5511900000002", []step{{0, "BT:marketing", false}, {0.5, "BT:utility", false}})...)
	ms = append(ms, messages(at(2023, 4, 1, 1, 0), "5511900000003", []step{{0, "BT:marketing", false}})...)
	for i := range ms {
		ms[i].Pos.Seq = int64(i)
	}
	ledger, _ := replay(t, o, ms)
	checkConv(t, ledger, []cwant{
		{"free", "free_tier", "0.00", "c1"},
		{"billed", "conversation", "0.05", "c2"},
		{"free", "conversation_open", "0.00", "c2"},
		{"free", "free_tier", "0.00", "c3"},
	})
}

func TestFreeTierCrossesMidMonth(t *testing.T) {
	// Free tier of 2: the first two conversations of the month are free, the
	// third and later billed; a new month starts again.
	env := newEnv(t)
	o := env.opts()
	o.Policy.FreeTier = 2
	var ms []msglog.Message
	for i, day := range []int{3, 10, 17, 24} {
		ms = append(ms, messages(time.Date(2022, 5, day, 9, 0, 0, 0, time.UTC), fmt.Sprintf("55119000000%02d", i), []step{{0, "BT:marketing", false}})...)
	}
	ms = append(ms, messages(time.Date(2022, 6, 1, 9, 0, 0, 0, time.UTC), brazil, []step{{0, "BT:marketing", false}})...)
	ledger, res := replay(t, o, ms)
	var got []string
	for _, e := range ledger {
		got = append(got, e.Reason.String())
	}
	if strings.Join(got, ",") != "free_tier,free_tier,conversation,conversation,free_tier" || res.Summary.Cost.String() != "0.10" {
		t.Fatalf("reasons %v, total %s", got, res.Summary.Cost)
	}
}

func TestEveryRegimeCanBeForced(t *testing.T) {
	// The same small log under each regime: each prices it without error,
	// and they disagree where the rules differ.
	env := newEnv(t)
	steps := []step{{0, "BT:marketing", false}, {2, "U", false}, {3, "BF", false}, {4, "BT:utility", false}, {30, "BT:utility", false}, {31, "BF", false}}
	ms := messages(time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC), "5215512345678", steps)
	costs := map[string]string{}
	for _, r := range []string{"2018-08", "2021-02", "2022-02", "2023-06", "2024-11", "2025-07", "2026-10"} {
		o := noFreeTier(env)
		o.Policy.ServiceQuota = 0
		o.Regime = r
		_, res := replay(t, o, ms)
		costs[r] = res.Summary.Cost.String()
	}
	// Mexico, hand-computed: 2018 (proxy 0.0349): marketing@0 outside the
	// window, utility@30 and the late BF@31 (as utility) -> 3 templates.
	// 2021-02: sessions at 0 and 30 -> 0.028. 2022-02: BI@0 (0.0349), BI@30 -> 0.0698.
	// 2023-06: marketing@0 0.0436, utility@4 0.01, utility@30 0.01 (filled card) -> 0.0636.
	// 2025-07 keeps its own latest card, 2026-07 (Mexico marketing 0.0305
	// since 2025-10): marketing 0.0305 + utility@30 0.0085 + late 0.0085 = 0.0475.
	// 2026-10: marketing 0.0397 + BF@3 0.0085 + utility@4 + @30 + late@31 0.0085 each = 0.0737.
	want := map[string]string{"2018-08": "0.1047", "2021-02": "0.028", "2022-02": "0.0698", "2023-06": "0.0636",
		"2024-11": "0.0636", "2025-07": "0.0475", "2026-10": "0.0737"}
	for r, w := range want {
		if costs[r] != w {
			t.Errorf("forced %s: %s, want %s", r, costs[r], w)
		}
	}
}

func TestUSMarketingPause(t *testing.T) {
	// §11.11 / CBP2-16: from 2025-04-01 a marketing template to a US number
	// is not delivered (policy) and not priced; Canada (+1 416) is priced;
	// a utility template to the US is priced; before the pause, US
	// marketing is priced (2024-11 regime, marketing conversation 0.025).
	env := newEnv(t)
	us, ca := "14155550100", "14165550100"
	day := time.Date(2025, 5, 6, 9, 0, 0, 0, time.UTC)
	var ms []msglog.Message
	ms = append(ms, messages(day, us, []step{{0, "BT:marketing", false}, {1, "BT:utility", false}})...)
	ms = append(ms, messages(day.Add(2*time.Hour), ca, []step{{0, "BT:marketing", false}})...)
	for i := range ms {
		ms[i].Pos.Seq = int64(i)
	}
	ledger, res := replay(t, noFreeTier(env), ms)
	checkConv(t, ledger, []cwant{
		{"undelivered", "policy", "0.00", ""},
		{"billed", "conversation", "0.004", "c1"},
		{"billed", "conversation", "0.025", "c2"},
	})
	if res.Summary.Undelivered != 1 || !strings.Contains(strings.Join(res.Notes, " "), "United States") {
		t.Fatalf("undelivered %d, notes %q", res.Summary.Undelivered, res.Notes)
	}
	ms = messages(time.Date(2025, 3, 31, 23, 0, 0, 0, time.UTC), us, []step{{0, "BT:marketing", false}})
	ledger, _ = replay(t, noFreeTier(env), ms)
	checkConv(t, ledger, []cwant{{"billed", "conversation", "0.025", "c1"}})
}

func TestUnmessageableCountries(t *testing.T) {
	// MK-03: business messages to Cuba (+53) or Crimea (+7 978) are
	// reported, never priced, and open nothing.
	env := newEnv(t)
	for _, num := range []string{"5352123456", "79781234567", "989121234567"} {
		ms := messages(time.Date(2026, 10, 6, 9, 0, 0, 0, time.UTC), num, []step{{0, "U", false}, {1, "BF", false}, {2, "BT:marketing", false}})
		ledger, res := replay(t, env.opts(), ms)
		checkConv(t, ledger, []cwant{{"undelivered", "unmessageable", "0.00", ""}, {"undelivered", "unmessageable", "0.00", ""}})
		if ledger[0].Market != "Not messageable" || res.Summary.Cost != 0 {
			t.Fatalf("%s: market %s cost %s", num, ledger[0].Market, res.Summary.Cost)
		}
	}
}

func TestDatedRevisions(t *testing.T) {
	// Per-message cards change on the first of a quarter (section 6.7):
	// Mexico marketing 0.0436 (2025-07) -> 0.0305 (2025-10-01) -> 0.0397
	// (2026-10-01); Colombia utility outside the window 0.0002 -> 0.0008;
	// North America utility 0.0040 -> 0.0034 on 2026-01-01.
	env := newEnv(t)
	cases := []struct {
		day      time.Time
		customer string
		kind     string
		cost     string
		card     string
	}{
		{time.Date(2025, 9, 30, 12, 0, 0, 0, time.UTC), "5215512345678", "BT:marketing", "0.0436", "2025-07"},
		{time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC), "5215512345678", "BT:marketing", "0.0305", "2025-10"},
		{time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC), "5215512345678", "BT:marketing", "0.0397", "2026-10"},
		{time.Date(2025, 9, 30, 12, 0, 0, 0, time.UTC), "573001234567", "BT:utility", "0.0002", "2025-07"},
		{time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC), "573001234567", "BT:utility", "0.0008", "2025-10"},
		{time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC), "14165550100", "BT:utility", "0.004", "2025-10"},
		{time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), "14165550100", "BT:utility", "0.0034", "2026-01"},
		{time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC), "905321234567", "BT:utility", "0.0009", "2026-04"},   // Turkey
		{time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC), "85291234567", "BT:marketing", "0.0732", "2026-04"}, // HK as Rest of Asia Pacific
		{time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), "85291234567", "BT:marketing", "0.0732", "2026-07"},  // HK standalone
	}
	for _, c := range cases {
		ms := messages(c.day, c.customer, []step{{0, c.kind, false}})
		ledger, _ := replay(t, env.opts(), ms)
		if ledger[0].Cost.String() != c.cost || ledger[0].Card != c.card {
			t.Errorf("%s %s %s: %s on card %s, want %s on %s", c.day.Format("2006-01-02"), c.customer, c.kind, ledger[0].Cost, ledger[0].Card, c.cost, c.card)
		}
	}
}

func TestAuthenticationInternational(t *testing.T) {
	// AI-01: an eligible business located in Brazil sends authentication
	// templates to India. 2025-08 (2025-07 card): India authentication
	// 0.0014, authentication-international 0.0280. Not eligible, or a
	// business in India itself, pays the authentication rate; before the
	// business's start date too.
	env := newEnv(t)
	in := "919876543210"
	ms := messages(time.Date(2025, 8, 4, 8, 0, 0, 0, time.UTC), in, []step{{0, "BT:authentication", false}})
	cost := func(a pricing.AuthIntl) (string, string) {
		o := env.opts()
		o.AuthIntl = a
		ledger, _ := replay(t, o, ms)
		return ledger[0].Cost.String(), ledger[0].Category
	}
	if c, cat := cost(pricing.AuthIntl{}); c != "0.0014" || cat != "authentication" {
		t.Errorf("not eligible: %s %s", c, cat)
	}
	if c, cat := cost(pricing.AuthIntl{Eligible: true, BusinessCountry: "BR"}); c != "0.028" || cat != "authentication_international" {
		t.Errorf("eligible, Brazil to India: %s %s", c, cat)
	}
	if c, _ := cost(pricing.AuthIntl{Eligible: true, BusinessCountry: "IN"}); c != "0.0014" {
		t.Errorf("a business in India messaging India: %s", c)
	}
	if c, _ := cost(pricing.AuthIntl{Eligible: true, BusinessCountry: "BR", Start: pricing.MustDay(2025, 9, 1)}); c != "0.0014" {
		t.Errorf("before the business's start: %s", c)
	}
	if c, _ := cost(pricing.AuthIntl{Eligible: true}); c != "0.028" {
		t.Errorf("unverified location (AI-03): %s", c)
	}
	// Brazil has no authentication-international rate: unaffected.
	ms = messages(time.Date(2025, 8, 4, 8, 0, 0, 0, time.UTC), brazil, []step{{0, "BT:authentication", false}})
	if c, _ := cost(pricing.AuthIntl{Eligible: true, BusinessCountry: "US"}); c != "0.0068" {
		t.Errorf("Brazil recipient: %s", c)
	}
}
