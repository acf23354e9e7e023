package pricing

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/big"
	"strings"
)

// AgentRate is the price of Meta Business Agent messages from a day on
// (PE-10): one global rate per million tokens, whatever the market,
// window or category.
type AgentRate struct {
	From       Day
	Currency   string
	PerMillion Money
}

// agentFile holds the dated per-token rates, as data.
const agentFile = "data/2026-08-agent.csv"

// agentRates are agentFile's rates, oldest first.
var agentRates = mustAgentRates()

func mustAgentRates() []AgentRate {
	raw, err := dataFS.ReadFile(agentFile)
	if err != nil {
		panic(err)
	}
	rates, err := parseAgentRates(raw)
	if err != nil {
		panic(fmt.Sprintf("%s: %v", agentFile, err))
	}
	return rates
}

func parseAgentRates(raw []byte) ([]AgentRate, error) {
	cr := csv.NewReader(bytes.NewReader(stripComments(raw)))
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != "valid_from,currency,per_million_tokens" {
		return nil, fmt.Errorf("want the header valid_from,currency,per_million_tokens and a rate")
	}
	var rates []AgentRate
	for i, row := range rows[1:] {
		d, err := ParseDay(row[0])
		if err != nil {
			return nil, fmt.Errorf("row %d: valid_from: %w", i+2, err)
		}
		m, err := ParseMoney(row[2])
		if err != nil {
			return nil, fmt.Errorf("row %d: per_million_tokens: %w", i+2, err)
		}
		if len(rates) > 0 && d <= rates[len(rates)-1].From {
			return nil, fmt.Errorf("row %d: %s is not after the row before", i+2, d)
		}
		rates = append(rates, AgentRate{From: d, Currency: row[1], PerMillion: m})
	}
	return rates, nil
}

// AgentRateAt is the per-token rate in force on day d; ok is false before
// Meta priced Business Agent messages by the token (2026-08-01).
func AgentRateAt(d Day) (r AgentRate, ok bool) {
	for _, a := range agentRates {
		if a.From <= d {
			r, ok = a, true
		}
	}
	return r, ok
}

// Cost is the price of a message of n tokens, rounded to the nearest
// millionth of the currency unit (halves up): exact at USD 2.00 per 1M,
// which is 2 millionths a token.
func (r AgentRate) Cost(n uint32) Money {
	x := new(big.Int).Mul(big.NewInt(int64(r.PerMillion)), big.NewInt(int64(n)))
	x.Add(x, big.NewInt(500_000))
	return Money(x.Quo(x, big.NewInt(1_000_000)).Int64())
}

// BillTokens prices a delivered Business Agent message of n tokens sent
// on day d at rate r, in the run's currency (converted by FX when set). ok
// is false before per-token pricing began.
func (p *Pricer) BillTokens(card *Card, d Day, n uint32) (cost Money, r AgentRate, ok bool, err error) {
	if r, ok = AgentRateAt(d); !ok {
		return 0, r, false, nil
	}
	if r.Currency != card.Currency {
		return 0, r, false, fmt.Errorf("Meta Business Agent tokens are priced in %s (from %s, PE-10) but card %s is in %s: price them with a %s card (and --fx for another currency)",
			r.Currency, r.From, card.Name, card.Currency, r.Currency)
	}
	cost = r.Cost(n)
	if p.FX != nil {
		cost = p.FX.Convert(cost)
	}
	return cost, r, true, nil
}
