package simulate

import (
	"strings"
	"testing"
	"time"
)

// Meta Business Agent messages (PE-10): from 2026-08-01 billed per token
// at USD 2.00 per 1M tokens (2 millionths a token), in every window,
// never as service; before it, priced as the free-form messages they are.
func TestAgentTokens(t *testing.T) {
	env := newEnv(t)
	cases := []struct {
		name   string
		start  time.Time
		steps  []step
		tokens map[int]uint32 // step index -> tokens
		want   []want
		cat    string // the category of the first business message
		note   string
	}{
		{"inside the window", time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC),
			[]step{{0, "U", false}, {1, "BF", false}, {2, "BF", false}, {3, "BF", false}},
			map[int]uint32{1: 2500, 3: 1234567},
			[]want{{"billed", "agent_tokens", "0.005", false}, {"free", "customer_service_window", "0.00", false}, {"billed", "agent_tokens", "2.469134", false}},
			"business_agent", "2.00 USD per 1M tokens"},
		{"inside a free entry point window", time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC),
			[]step{{0, "UA", false}, {0.5, "BF", false}, {1, "BF", false}},
			map[int]uint32{2: 100},
			[]want{{"free", "free_entry_point", "0.00", false}, {"billed", "agent_tokens", "0.0002", false}},
			"", "PE-10"},
		{"before per-token pricing", time.Date(2026, 7, 15, 9, 0, 0, 0, time.UTC),
			[]step{{0, "U", false}, {1, "BF", false}},
			map[int]uint32{1: 2500},
			[]want{{"free", "customer_service_window", "0.00", false}},
			"service", "before 2026-08-01"},
		{"paid service era: tokens, not the service rate", time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC),
			[]step{{0, "U", false}, {1, "BF", false}},
			map[int]uint32{1: 2500},
			[]want{{"billed", "agent_tokens", "0.005", false}},
			"business_agent", "PE-10"},
		{"failed: not billed", time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC),
			[]step{{0, "U", false}, {1, "BF", true}},
			map[int]uint32{1: 2500},
			[]want{{"undelivered", "failed", "0.00", false}},
			"service", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ms := messages(c.start, brazil, c.steps)
			for i, n := range c.tokens {
				ms[i].Tokens = n
			}
			ledger, res := replay(t, env.opts(), ms)
			checkLedger(t, ledger, c.want)
			if c.cat != "" && ledger[0].Category != c.cat {
				t.Errorf("category %q, want %q", ledger[0].Category, c.cat)
			}
			if c.note != "" && !strings.Contains(strings.Join(res.Notes, "\n"), c.note) {
				t.Errorf("no note with %q in %q", c.note, res.Notes)
			}
		})
	}
}

// A late Business Agent reply could not have been sent as one: it is
// priced as the template it would have taken (the late-reply setting).
func TestAgentTokensLate(t *testing.T) {
	env := newEnv(t)
	ms := messages(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC), brazil, []step{{0, "U", false}, {30, "BF", false}})
	ms[1].Tokens = 2500
	ledger, _ := replay(t, env.opts(), ms)
	if g := ledger[0]; g.Reason.String() != "late_reply" || !g.Late || g.Category != "utility" {
		t.Fatalf("late agent reply: %s/%s category %s late=%v, want late_reply as utility", g.Decision, g.Reason, g.Category, g.Late)
	}
}

// QuotaCountsFEP (2026-10, quota 2): two service replies free in an entry
// point window use up the quota, so a third customer's reply in a
// service window is billed at Brazil's service rate (0.0068); without
// the setting it is free by the quota.
func TestQuotaCountsFEP(t *testing.T) {
	env := newEnv(t)
	start := time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)
	ms := messages(start, brazil, []step{{0, "UA", false}, {0.1, "BF", false}, {0.2, "BF", false}})
	ms = append(ms, messages(start.Add(time.Hour), "5511912345678", []step{{0, "U", false}, {0.1, "BF", false}})...)
	for i := range ms {
		ms[i].Pos.Seq = int64(i)
	}
	for _, c := range []struct {
		counts bool
		last   want
	}{{false, want{"free", "free_quota", "0.00", false}}, {true, want{"billed", "service", "0.0068", false}}} {
		o := env.opts()
		o.Policy.ServiceQuota, o.Policy.QuotaCountsFEP = 2, c.counts
		ledger, _ := replay(t, o, ms)
		checkLedger(t, ledger, []want{{"free", "free_entry_point", "0.00", false}, {"free", "free_entry_point", "0.00", false}, c.last})
	}
}
