package pricing

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// fuzzMarkets is the market table the card fuzzers check names against.
func fuzzMarkets(f *testing.F) *Markets {
	mk, err := LoadMarkets(DefaultMarketOptions())
	if err != nil {
		f.Fatal(err)
	}
	return mk
}

// samePrices fails t unless a and b price every market and key alike.
func samePrices(t *testing.T, a, b *Card) {
	t.Helper()
	if a.Currency != b.Currency || a.Effective != b.Effective || !reflect.DeepEqual(a.Markets(), b.Markets()) {
		t.Fatalf("written and read again: %s %s %v, was %s %s %v", b.Currency, b.Effective, b.Markets(), a.Currency, a.Effective, a.Markets())
	}
	for _, m := range a.Markets() {
		ra, _ := a.Rate(m)
		rb, _ := b.Rate(m)
		if ra.Price != rb.Price || ra.Has != rb.Has {
			t.Fatalf("%s: written and read again as %v, was %v", m, rb.Price, ra.Price)
		}
	}
}

// fileErrorsNamed fails t unless every error of err names file.
func fileErrorsNamed(t *testing.T, err error, file string) {
	t.Helper()
	var all FileErrors
	if errors.As(err, &all) {
		for _, e := range all {
			if !strings.HasPrefix(e.Error(), file) {
				t.Fatalf("an error that does not name the file: %v", e)
			}
		}
	} else if !strings.HasPrefix(err.Error(), file) {
		t.Fatalf("an error that does not name the file: %v", err)
	}
}

// readsBack parses in as file with parse: a refusal must name the file;
// a card must price exactly as the CSV it writes reads back.
func readsBack(t *testing.T, in, file string, mk *Markets, parse func(io.Reader, string, CardOptions) (*Card, error)) {
	o := CardOptions{Name: "f", Market: mk.Known, KnownColumns: true}
	c, err := parse(strings.NewReader(in), file, o)
	if err != nil {
		fileErrorsNamed(t, err, file)
		return
	}
	var buf bytes.Buffer
	if err := c.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ParseCardCSV(&buf, "back.csv", o)
	if err != nil {
		t.Fatalf("the card it wrote does not read back: %v\n%s", err, buf.String())
	}
	samePrices(t, c, back)
}

// FuzzCardCSV: a card read from a user's CSV is either refused with errors
// naming the file, or priced exactly as the CSV it writes reads back.
func FuzzCardCSV(f *testing.F) {
	mk := fuzzMarkets(f)
	f.Add("# currency: EUR\n# effective: 2026-10-01\nmarket,marketing,utility,authentication\nBrazil,0.0518,0.0068,0.0057\nIndia,,0.0014,n/a\n")
	f.Add("market,marketing,currency\nUnited States,0.025,usd\nRest of Africa,1e3,usd\n")
	f.Add("# currency: USD\nmarket,template,basis\nOther,0.005,D\nOther,0.006,\n\"Brazil,0.1\n")
	f.Fuzz(func(t *testing.T, in string) { readsBack(t, in, "f.csv", mk, ParseCardCSV) })
}

// FuzzCardYAML: the same for a YAML or JSON card.
func FuzzCardYAML(f *testing.F) {
	mk := fuzzMarkets(f)
	f.Add("name: promo\ncurrency: usd\neffective: 2026-10-01\nrates:\n  Brazil: {marketing: 0.0625, utility: 0.0068}\n  India:\n    marketing: 0.0118\n    basis: D\n")
	f.Add(`{"currency": "EUR", "provenance": "a\nb", "rates": {"Brazil": {"marketing": "0.0625"}, "brazil": {"utility": 1}}}`)
	f.Add("currency: USD\nrates:\n  Other: {template: -0}\n---\ncurrency: EUR\n")
	f.Add("currency: USD\nprovenance: |\n  line one\n  x,y\nrates:\n  Brazil: {marketing: 0.06}\n") // a comment of two lines
	f.Fuzz(func(t *testing.T, in string) { readsBack(t, in, "f.yaml", mk, ParseCardYAML) })
}

// FuzzTiersCSV: a tier table is refused with errors naming the file, or
// its bands count every message once and survive the trip to a partial.
func FuzzTiersCSV(f *testing.F) {
	mk := fuzzMarkets(f)
	f.Add("# currency: USD\nmarket,category,from,to,rate,discount\nIndia,utility,1,1000,0.001,\nIndia,utility,1001,,,-5%\n")
	f.Add("# currency: USD\nmarket,category,from,to,rate\nIndia,utility,0,750000,0.0014\nIndia,utility,750001,,0.0012\nBrazil,authentication,1,,0.005\n")
	f.Add("Volume tiers\n,,Utility,,,,,Authentication\nMarket,Currency,From,To,Rate type,Rate,vs. List rate,From,To,Rate type,Rate,vs. List rate,From,To,Rate type,Rate,vs. List rate\nIndia,INR,1,\"100,000\",List rate,0.115,--,1,--,List rate,0.115,--,n/a,n/a,n/a,n/a,n/a\n")
	f.Fuzz(func(t *testing.T, in string) {
		tt, err := ParseTiersCSV(strings.NewReader(in), "f.csv", CardOptions{Market: mk.Known, KnownColumns: true})
		if err != nil {
			fileErrorsNamed(t, err, "f.csv")
			return
		}
		rows := tt.Rows()
		back, err := TiersFromRows(tt.Name, tt.Currency, rows)
		if err != nil {
			t.Fatalf("its rows do not make a table: %v", err)
		}
		if !reflect.DeepEqual(back.Rows(), rows) {
			t.Fatalf("rows changed on the way: %v, was %v", back.Rows(), rows)
		}
		for _, r := range rows { // every band's first message is priced by that band
			if _, b, ok := tt.Price(r.Market, mustKey(t, r.Key), max(r.From, 1), Money(10000)); !ok || b.From != r.From {
				t.Fatalf("message %d of %s %s is not in its band %d:%d (%v)", max(r.From, 1), r.Market, r.Key, r.From, r.To, b)
			}
		}
	})
}

func mustKey(t *testing.T, s string) Key {
	k, ok := ParseKey(s)
	if !ok {
		t.Fatalf("key %q", s)
	}
	return k
}
