package pricing

import "testing"

func TestAgentRates(t *testing.T) {
	if _, ok := AgentRateAt(MustDay(2026, 7, 31)); ok {
		t.Fatal("a per-token rate before 2026-08-01")
	}
	r, ok := AgentRateAt(MustDay(2026, 8, 1))
	if !ok || r.Currency != "USD" || r.PerMillion.String() != "2.00" {
		t.Fatalf("rate on 2026-08-01: %+v %v, want USD 2.00 per 1M", r, ok)
	}
	for n, want := range map[uint32]string{0: "0.00", 1: "0.000002", 2500: "0.005", 1_000_000: "2.00", 4294967295: "8589.93459"} {
		if got := r.Cost(n).String(); got != want {
			t.Errorf("%d tokens: %s, want %s", n, got, want)
		}
	}
	// Halves round up to the millionth: 0.75 per 1M is 0.00000075 a token.
	odd := AgentRate{PerMillion: 750_000}
	for n, want := range map[uint32]Money{1: 1, 2: 2, 3: 2, 4: 3} {
		if got := odd.Cost(n); got != want {
			t.Errorf("0.75/1M, %d tokens: %d millionths, want %d", n, got, want)
		}
	}
	for _, bad := range []string{"valid_from,currency\n2026-08-01,USD\n", "valid_from,currency,per_million_tokens\n2026-08-01,USD,2.00\n2026-08-01,USD,3.00\n",
		"valid_from,currency,per_million_tokens\n2026-13-01,USD,2.00\n", "valid_from,currency,per_million_tokens\n2026-08-01,USD,1e3\n"} {
		if _, err := parseAgentRates([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
