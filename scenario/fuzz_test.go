package scenario

import (
	"strings"
	"testing"

	"github.com/wacost/wacost/pricing"
)

// FuzzParse: a scenario file is read, or refused with an error naming the
// file; never a crash.
func FuzzParse(f *testing.F) {
	mk, err := pricing.LoadMarkets(pricing.DefaultMarketOptions())
	if err != nil {
		f.Fatal(err)
	}
	f.Add("scenarios:\n  - name: as logged\n  - name: faster\n    reply_delay: x0.5\n  - name: cap\n    reply_cap: 23h\n")
	f.Add("scenarios:\n  - name: BSP\n    fees: {per_message: 0.005, failed: 0.001, markup: {marketing: 10%}, monthly: 50}\n  - name: BR\n    overrides:\n      - markets: [Brazil]\n        marketing: x1.2\n")
	f.Add("scenarios:\n  - name: recat\n    recategorize: [\"category utility -> marketing\", \"template promo_* -> utility\"]\n    late_replies: drop\n    regime: 2025-07\n")
	f.Add("scenarios: []\n")
	f.Fuzz(func(t *testing.T, in string) {
		file, err := Parse(strings.NewReader(in), "f.yaml", mk.Known)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("an error that does not name the file: %v", err)
			}
			return
		}
		names := map[string]bool{}
		for _, s := range file.Scenarios {
			if s.Name == "" || names[s.Name] {
				t.Fatalf("scenario name %q empty or twice", s.Name)
			}
			names[s.Name] = true
		}
	})
}

// FuzzParseSpec: a one-off scenario (--scenario) is read or refused.
func FuzzParseSpec(f *testing.F) {
	f.Add("faster:reply_delay=x0.5")
	f.Add("bsp:per_message=0.005,markup.marketing=10%,monthly=50")
	f.Add("br:rate.marketing=x1.2,late_replies=drop,regime=2025-07")
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseSpec(spec)
		if err == nil && s.Name == "" {
			t.Fatalf("%q: a scenario without a name", spec)
		}
	})
}
