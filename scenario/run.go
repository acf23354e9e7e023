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

// Run prices a log (in replay order) under a scenario, moving and sorting
// the whole log in memory (Transform): the reference the streaming Fan is
// tested against. base holds the run's own options; tariff resolves a
// scenario's tariff by name or file.
func Run(base simulate.Options, log []msglog.Message, s Scenario, tariff func(string) (*pricing.Card, error)) (Outcome, error) {
	o, err := s.options(base, tariff)
	if err != nil {
		return Outcome{}, err
	}
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
	return outcome(s, eng.Result(), o.Location), nil
}
