package scenario

import (
	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
)

// Outcome is one scenario's priced run.
type Outcome struct {
	Scenario Scenario
	Result   simulate.Result
	// MonthlyFees are the fixed monthly fees, which no message carries.
	MonthlyFees pricing.Money
	// Fees are all the provider's fees: per message, markup and monthly.
	Fees pricing.Money
	// Total is Meta's cost plus the fees.
	Total pricing.Money
}

// Run prices a log (in replay order) under a scenario. base holds the
// run's own options; tariff resolves a scenario's tariff by name or file.
func Run(base simulate.Options, log []msglog.Message, s Scenario, tariff func(string) (*pricing.Card, error)) (Outcome, error) {
	o := base
	o.Ledger, o.Visit = nil, nil
	if s.Regime != "" {
		o.Regime = s.Regime
	}
	if s.Tariff != "" {
		card, err := tariff(s.Tariff)
		if err != nil {
			return Outcome{}, err
		}
		o.Tariff = card
	}
	switch s.LateReplies {
	case "template":
		o.Policy.Late = pricing.LateTemplate
	case "block", "drop":
		o.Policy.Late = pricing.LateBlock
	}
	o.Rate, o.Fee = s.RateHook(), s.FeeHook()
	eng, err := simulate.New(o)
	if err != nil {
		return Outcome{}, err
	}
	msgs := s.Transform(log)
	for i := range msgs {
		if err := eng.Add(&msgs[i]); err != nil {
			return Outcome{}, err
		}
	}
	res := eng.Result()
	out := Outcome{Scenario: s, Result: res}
	if res.Summary.First != nil {
		out.MonthlyFees = s.MonthlyFees(*res.Summary.First, *res.Summary.Last, o.Location)
	}
	out.Fees = res.Summary.Fees + out.MonthlyFees
	out.Total = res.Summary.Cost + out.Fees
	return out, nil
}
