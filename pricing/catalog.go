package pricing

import (
	"bytes"
	"embed"
	"fmt"
)

//go:embed data/*.csv
var dataFS embed.FS

// builtin describes an embedded card.
type builtin struct {
	name, file, currency, unit string
	effective                  Day
	proxy                      bool
}

var builtins = []builtin{
	{name: "2018-08-proxy", file: "data/2018-08-proxy.csv", currency: "USD", unit: "per delivered template message", effective: MustDay(2018, 8, 1), proxy: true},
	{name: "2025-07", file: "data/2025-07.csv", currency: "USD", unit: "per delivered template message", effective: MustDay(2025, 7, 1)},
	{name: "2026-10", file: "data/2026-10.csv", currency: "USD", unit: "per delivered message", effective: MustDay(2026, 10, 1)},
}

// Catalog is the set of built-in cards.
type Catalog struct {
	cards map[string]*Card
	order []string
}

// LoadCatalog parses the embedded cards; market names are checked against mk.
func LoadCatalog(mk *Markets) (*Catalog, error) {
	cat := &Catalog{cards: map[string]*Card{}}
	for _, b := range builtins {
		raw, err := dataFS.ReadFile(b.file)
		if err != nil {
			return nil, err
		}
		c, err := parseWithCurrency(raw, b, mk)
		if err != nil {
			return nil, err
		}
		c.Currency, c.Effective, c.Unit, c.Proxy = b.currency, b.effective, b.unit, b.proxy
		cat.cards[b.name] = c
		cat.order = append(cat.order, b.name)
	}
	return cat, nil
}

func parseWithCurrency(raw []byte, b builtin, mk *Markets) (*Card, error) {
	withCur := append([]byte("# currency: "+b.currency+"\n"), raw...)
	c, err := ParseCardCSV(bytes.NewReader(withCur), b.file, CardOptions{Name: b.name, Market: mk.Known})
	if err != nil {
		return nil, err
	}
	c.Provenance = c.Provenance[1:]
	return c, nil
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
