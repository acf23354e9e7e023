package pricing

import "fmt"

// Pricer makes every pricing decision of a replay after the rules' verdict:
// the card a regime prices with on a day, one currency for the run, the
// markets never delivered to, the authentication-international rate, a
// market newer than its card, rate overrides, volume tiers and currency
// conversion. It holds the run's volume counts, so use one per replay.
type Pricer struct {
	Catalog *Catalog
	// Tariff, when set, prices every message instead of the regimes' own cards.
	Tariff *Card
	// Tiers, when set, prices utility and authentication by monthly volume.
	Tiers *Tiers
	// FX, when set, converts every cost into another currency.
	FX *FX
	// AuthIntl settles the authentication-international rule.
	AuthIntl AuthIntl
	// Rate, if set, adjusts each card price before tiers and currency
	// conversion (what-if rate overrides).
	Rate func(market string, k Key, price Money) Money
	// Say, if set, receives each note a price rests on, once per key;
	// msg builds the note's text.
	Say func(key NoteKey, msg func() string)

	// Currency is the card currency of the run, once a card was chosen.
	Currency string
	volume   map[volumeKey]int64
	// the card of the previous call of Card, for its regime and day
	cardCache  *Card
	cardDay    Day
	cardRegime string
}

// NoteKey names a note said once: its kind, card and market.
type NoteKey struct{ Kind, Card, Market string }

type volumeKey struct {
	market string
	key    Key
	month  string
}

// Card is the card regime r prices with on day d: the tariff if one is
// set, else the regime's built-in card then. Every card of a run must be
// in one currency, and the tier table in the card's.
func (p *Pricer) Card(r *Regime, d Day) (*Card, error) {
	card := p.Tariff
	if card == nil {
		if p.cardCache != nil && d == p.cardDay && r.Name == p.cardRegime {
			return p.cardCache, nil
		}
		c, err := p.Catalog.CardFor(*r, d)
		if err != nil {
			return nil, err
		}
		card = c
	}
	if p.Currency == "" {
		p.Currency = card.Currency
	} else if card.Currency != p.Currency {
		return nil, fmt.Errorf("card %s is in %s but earlier messages were priced in %s; one run prices in one currency", card.Name, card.Currency, p.Currency)
	}
	if p.Tiers != nil && p.Tiers.Currency != card.Currency {
		return nil, fmt.Errorf("tier table %s is in %s but card %s is in %s", p.Tiers.Name, p.Tiers.Currency, card.Name, card.Currency)
	}
	if p.Tariff == nil {
		p.cardCache, p.cardDay, p.cardRegime = card, d, r.Name
	}
	return card, nil
}

// CostCurrency is the currency costs are reported in for a card's prices.
func (p *Pricer) CostCurrency(card *Card) string {
	if p.FX != nil {
		return p.FX.To
	}
	return card.Currency
}

// Withheld reports whether a business message to market mk on day d is
// never delivered by policy, and why (see the function Withheld).
func (p *Pricer) Withheld(mk Market, d Day, template bool, c Category) (Reason, bool) {
	return Withheld(mk, d, template, c)
}

// Charge is the price of one billed message.
type Charge struct {
	// Key is the card price charged: the verdict's, or authentication
	// international in its place (AI-01).
	Key Key
	// Category is the pricing category when the key changed it
	// ("authentication_international"), else "".
	Category string
	// List is the card's price after rate overrides, before tiers and FX.
	List Money
	// Cost is what the message costs, after tiers and FX.
	Cost Money
	// Tier is the volume band the message fell in ("" without tiers).
	Tier string
	// Tiered: the key is one volume tiers apply to.
	Tiered bool
}

// Bill prices one billed message of key k to market mk (on day d, in
// month) on card. marketOn gives the market the recipient's number had on
// another day, for a card older than the market (it is called only then).
func (p *Pricer) Bill(card *Card, mk Market, d Day, month string, k Key, marketOn func(Day) Market) (Charge, error) {
	ch := Charge{Key: k}
	if k == KeyAuthentication && p.AuthIntl.Applies(mk, d) {
		if _, _, err := card.Price(mk.Name, KeyAuthIntl); err == nil {
			ch.Key, ch.Category = KeyAuthIntl, "authentication_international"
		} else {
			p.say(NoteKey{"ai", card.Name, mk.Name}, func() string {
				return fmt.Sprintf("card %s has no authentication-international rate for %s: those messages are priced at its authentication rate", card.Name, mk.Name)
			})
		}
	}
	price, rate, err := p.listPrice(card, mk.Name, ch.Key, marketOn)
	if err != nil {
		return Charge{}, err
	}
	ch.List = price
	if ch.Tiered = Tiered(ch.Key); ch.Tiered && p.Tiers != nil {
		// PMP-13..16: only billed messages count, per market and
		// category, per month of the sending WABA, across the portfolio.
		if p.volume == nil {
			p.volume = map[volumeKey]int64{}
		}
		vk := volumeKey{mk.Name, ch.Key, month}
		p.volume[vk]++
		if tp, band, ok := p.Tiers.Price(mk.Name, ch.Key, p.volume[vk], price); ok {
			price, ch.Tier = tp, band.String()
		}
	}
	ch.Cost = price
	if p.FX != nil {
		ch.Cost = p.FX.Convert(price)
	}
	p.rateNotes(card, rate)
	return ch, nil
}

// Quote is what one message of key k to market would cost on card if
// billed, at list price (rate overrides and FX, no tiers): the price of a
// free message a merge may bill. Its notes go to say, not to p.Say.
func (p *Pricer) Quote(card *Card, market string, k Key, marketOn func(Day) Market, say func(NoteKey, func() string)) (list, cost Money, err error) {
	q := Pricer{Rate: p.Rate, Say: say}
	list, rate, err := q.listPrice(card, market, k, marketOn)
	if err != nil {
		return 0, 0, err
	}
	cost = list
	if p.FX != nil {
		cost = p.FX.Convert(list)
	}
	q.rateNotes(card, rate)
	return list, cost, nil
}

// listPrice is the price of one message of key k to market on a card,
// after rate overrides. A market newer than the card is priced as the
// market the number had on the card's own date (HK before 2026-07 was
// Rest of Asia Pacific), and a note says so.
func (p *Pricer) listPrice(card *Card, market string, k Key, marketOn func(Day) Market) (Money, *Rate, error) {
	price, rate, err := card.Price(market, k)
	if _, has := card.Rate(market); !has && card.Effective != 0 {
		old := marketOn(card.Effective)
		if op, or, err2 := card.Price(old.Name, k); err2 == nil {
			price, rate, err = op, or, nil
			p.say(NoteKey{"legacy", card.Name, market}, func() string {
				return fmt.Sprintf("card %s (from %s) has no %s row: %s became a market after the card; its messages are priced at the card's %s rate", card.Name, card.Effective, market, market, old.Name)
			})
		}
	}
	if err != nil {
		return 0, nil, err
	}
	if p.Rate != nil {
		price = p.Rate(market, k, price)
	}
	return price, rate, nil
}

// rateNotes says what a price from card's rate rests on: the card's own
// note and an estimated figure (once per rate, whichever markets are
// priced at it).
func (p *Pricer) rateNotes(card *Card, rate *Rate) {
	if card.Note != "" {
		p.say(NoteKey{"card", card.Name, ""}, func() string { return card.Note })
	}
	if rate.Estimated {
		p.say(NoteKey{"est", card.Name, rate.Market}, func() string {
			return fmt.Sprintf("card %s: the %s figures are estimated (basis %s; 'wacost tariff show %s' says what the codes mean)", card.Name, rate.Market, rate.Basis, card.Name)
		})
	}
}

func (p *Pricer) say(k NoteKey, msg func() string) {
	if p.Say != nil {
		p.Say(k, msg)
	}
}

// Note says msg once per key, as the pricer's own notes are said.
func (p *Pricer) Note(k NoteKey, msg func() string) { p.say(k, msg) }
