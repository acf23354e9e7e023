package pricing

import (
	"bytes"
	"embed"
	"fmt"
)

//go:embed data/*.csv
var dataFS embed.FS

// Family names the kind of prices a card holds, which decides the
// regimes that can use it.
type Family string

// Card families.
const (
	FamilyTemplate Family = "template"     // per template message (2018-08)
	FamilyMexico   Family = "mexico"       // per session, +52 only (2021-02)
	FamilyCBP1     Family = "conversation" // per conversation, user-/business-initiated (2022-02)
	FamilyCBP2     Family = "category"     // per conversation by category (2023-06, 2024-11)
	FamilyPMP      Family = "message"      // per message by category (2025-07, 2026-10)
)

// builtin describes an embedded card.
type builtin struct {
	name, file, fill, currency, unit string
	// base names an earlier card this one revises: file then holds only
	// the changed cells (a delta), applied over a copy of base.
	base      string
	family    Family
	effective Day
	proxy     bool
	// manual cards are never picked by date, only named (--tariff NAME).
	manual  bool
	note    string
	aliases map[string]string
}

var builtins = []builtin{
	{name: "2018-08-proxy", file: "data/2018-08-proxy.csv", currency: "USD", unit: "per delivered template message", family: FamilyTemplate,
		effective: MustDay(2018, 8, 1), proxy: true,
		note: "card 2018-08-proxy is a PROXY: Meta's 2018-2021 per-country template prices were not published in the material found; its figures are each market's earliest known business-initiated rate. Load the real schedule with --tariff."},
	{name: "2021-02-mx", file: "data/2021-02-mx.csv", currency: "USD", unit: "per 24 h session (+52 only)", family: FamilyMexico,
		effective: MustDay(2021, 2, 1)},
	{name: "2023-05", file: "data/2023-05.csv", fill: "data/2023-05-fill.csv", currency: "USD", unit: "per 24 h conversation", family: FamilyCBP1,
		effective: MustDay(2022, 2, 1),
		note:      "card 2023-05 (conversation pricing 2022-02 .. 2023-05) is DERIVED: a BSP resale table divided by an inferred 1.2 markup; the Feb-2022 launch card was not found."},
	{name: "2023-06", file: "data/2023-06.csv", fill: "data/2023-06-fill.csv", currency: "USD", unit: "per 24 h conversation", family: FamilyCBP2,
		effective: MustDay(2023, 6, 1),
		note:      "card 2023-06 is DERIVED (BSP price / 1.2) for 11 markets; the other markets are FILLED from the 2025-01 card (see tariff show)."},
	{name: "2025-01", file: "data/2025-01.csv", currency: "USD", unit: "per 24 h conversation", family: FamilyCBP2,
		effective: MustDay(2024, 11, 1), aliases: map[string]string{"United States": "North America", "Canada": "North America"}},
	{name: "2025-07", file: "data/2025-07.csv", currency: "USD", unit: "per delivered template message", family: FamilyPMP,
		effective: MustDay(2025, 7, 1)},
	{name: "2025-10", file: "data/2025-10-delta.csv", base: "2025-07", currency: "USD", unit: "per delivered template message", family: FamilyPMP,
		effective: MustDay(2025, 10, 1)},
	{name: "2026-01", file: "data/2026-01-delta.csv", base: "2025-10", currency: "USD", unit: "per delivered template message", family: FamilyPMP,
		effective: MustDay(2026, 1, 1)},
	{name: "2026-04", file: "data/2026-04-delta.csv", base: "2026-01", currency: "USD", unit: "per delivered template message", family: FamilyPMP,
		effective: MustDay(2026, 4, 1)},
	{name: "2026-07", file: "data/2026-07.csv", currency: "USD", unit: "per delivered template message", family: FamilyPMP,
		effective: MustDay(2026, 7, 1),
		note:      "card 2026-07 is DERIVED: Meta's USD card of July 2026 was not found; figures that changed are converted from its EUR edition (see tariff show 2026-07)."},
	{name: "2026-07-eur", file: "data/2026-07-eur.csv", currency: "EUR", unit: "per delivered template message", family: FamilyPMP,
		effective: MustDay(2026, 7, 1), manual: true},
	{name: "2026-10", file: "data/2026-10.csv", currency: "USD", unit: "per delivered message", family: FamilyPMP,
		effective: MustDay(2026, 10, 1)},
}

// Catalog is the set of built-in cards.
type Catalog struct {
	cards  map[string]*Card
	family map[string]Family
	manual map[string]bool
	order  []string
}

// LoadCatalog parses the embedded cards; market names are checked against mk.
func LoadCatalog(mk *Markets) (*Catalog, error) {
	cat := &Catalog{cards: map[string]*Card{}, family: map[string]Family{}, manual: map[string]bool{}}
	for _, b := range builtins {
		c, err := parseBuiltin(b.file, b, mk)
		if err != nil {
			return nil, err
		}
		if b.base != "" {
			base, ok := cat.cards[b.base]
			if !ok {
				return nil, fmt.Errorf("card %s revises unknown card %s", b.name, b.base)
			}
			c = base.revise(b.name, c)
		}
		if b.fill != "" {
			f, err := parseBuiltin(b.fill, b, mk)
			if err != nil {
				return nil, err
			}
			c.fill(f)
		}
		c.Currency, c.Effective, c.Unit, c.Proxy, c.Note = b.currency, b.effective, b.unit, b.proxy, b.note
		cat.cards[b.name] = c
		cat.family[b.name] = b.family
		cat.manual[b.name] = b.manual
		cat.order = append(cat.order, b.name)
	}
	return cat, nil
}

func parseBuiltin(file string, b builtin, mk *Markets) (*Card, error) {
	raw, err := dataFS.ReadFile(file)
	if err != nil {
		return nil, err
	}
	withCur := append([]byte("# currency: "+b.currency+"\n"), raw...)
	c, err := ParseCardCSV(bytes.NewReader(withCur), file, CardOptions{Name: b.name, Market: mk.Known, Aliases: b.aliases})
	if err != nil {
		return nil, err
	}
	c.Provenance = c.Provenance[1:]
	return c, nil
}

// CardFor returns the built-in card regime r prices with on day d: the
// latest card of its family effective on or before d and before the
// regime ended, or the family's first card for days before it. A regime
// forced onto a log of another period so keeps its own cards.
func (c *Catalog) CardFor(r Regime, d Day) (*Card, error) {
	f := r.Family
	var best *Card
	for _, n := range c.order {
		card := c.cards[n]
		if c.family[n] != f || c.manual[n] || (r.Until != 0 && card.Effective >= r.Until) {
			continue
		}
		if best == nil || (card.Effective <= d && card.Effective > best.Effective) {
			best = card
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no built-in card for %s pricing", f)
	}
	return best, nil
}

// Card returns a built-in card by name.
func (c *Catalog) Card(name string) (*Card, error) {
	if card, ok := c.cards[name]; ok {
		return card, nil
	}
	return nil, fmt.Errorf("no built-in card %q (have %v)", name, c.order)
}

// Names lists the built-in cards, oldest first.
func (c *Catalog) Names() []string { return append([]string(nil), c.order...) }

// Until is the first day a built-in card no longer applies: the next card
// of its family, or the end of its regimes (0: still in force).
func (c *Catalog) Until(name string) Day {
	card := c.cards[name]
	var until Day
	for _, n := range c.order {
		o := c.cards[n]
		if c.family[n] == c.family[name] && !c.manual[n] && o.Effective > card.Effective && (until == 0 || o.Effective < until) {
			until = o.Effective
		}
	}
	for _, r := range regimes {
		if r.Family == c.family[name] && r.Until != 0 && r.From <= card.Effective && (until == 0 || r.Until < until) && r.Until > card.Effective {
			until = r.Until
		}
	}
	return until
}

// Card returns the named built-in card's unit and family, for listings.
func (c *Catalog) Describe(name string) (Family, string) { return c.family[name], c.cards[name].Unit }

// Manual reports whether a built-in card is used only when named
// (--tariff NAME), never picked by date for a regime.
func (c *Catalog) Manual(name string) bool { return c.manual[name] }
