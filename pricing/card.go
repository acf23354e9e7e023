package pricing

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Key names a price in a card row.
type Key uint8

// Price keys, in Meta's column order.
const (
	KeyTemplate Key = iota // any template (2018 per-template rule)
	KeyMarketing
	KeyUtility
	KeyAuthentication
	KeyAuthIntl
	KeyService
	KeyBusinessInitiated // conversation opened outside the window (2022-02)
	KeyUserInitiated     // conversation opened inside the window (2022-02)
	KeyConversation      // any 24 h session (2021 Mexico test)
	numKeys
)

var keyNames = [numKeys]string{"template", "marketing", "utility", "authentication", "authentication_international", "service",
	"business_initiated", "user_initiated", "conversation"}

// String returns the key's column name.
func (k Key) String() string {
	if k < numKeys {
		return keyNames[k]
	}
	return fmt.Sprintf("key(%d)", k)
}

// ParseKey parses a column name; "authentication-international" is
// accepted too, and a "meta_" prefix or "_derived" suffix (as in the
// reference transcriptions) is ignored.
func ParseKey(s string) (Key, bool) {
	s = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	s = strings.TrimSuffix(strings.TrimPrefix(s, "meta_"), "_derived")
	for i, n := range keyNames {
		if n == s {
			return Key(i), true
		}
	}
	return 0, false
}

// Rate is one market's row of a card.
type Rate struct {
	Market string
	Price  [numKeys]Money
	Has    [numKeys]bool
	// Basis says where the row's figures come from (the card's basis column).
	Basis string
	// Estimated marks figures that are derived or filled, not read from Meta.
	Estimated bool
	Line      int
	// faulty marks a row with a bad price (an error already): finish does
	// not say again that it has none.
	faulty bool
}

// Card is a rate card: prices per market and key in one currency.
type Card struct {
	Name      string
	Currency  string
	Effective Day    // first day the card applies (0 for user cards without one)
	Unit      string // "per delivered message", "per template message"
	// Proxy marks a whole card that stands in for unknown prices.
	Proxy bool
	// Note is said once by a run that bills with the card (how it was made).
	Note       string
	Provenance []string // the file's comment lines
	Source     string   // file name
	rates      map[string]*Rate
	order      []string
}

// Rate returns the card's row for a market.
func (c *Card) Rate(market string) (*Rate, bool) {
	r, ok := c.rates[market]
	return r, ok
}

// Digest is a short SHA-256 of what the card prices with: its name,
// currency, first day, unit, and every market's prices in file order
// (not its notes or lines). Two cards with one digest price alike.
func (c *Card) Digest() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%d|%s|%t\n", c.Name, c.Currency, c.Effective, c.Unit, c.Proxy)
	for _, m := range c.order {
		r := c.rates[m]
		fmt.Fprintf(h, "%s|%v|%v|%t\n", m, r.Price, r.Has, r.Estimated)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Markets lists the card's markets in file order.
func (c *Card) Markets() []string { return append([]string(nil), c.order...) }

// Keys lists the keys any row of the card has.
func (c *Card) Keys() []Key {
	var ks []Key
	for k := Key(0); k < numKeys; k++ {
		for _, r := range c.rates {
			if r.Has[k] {
				ks = append(ks, k)
				break
			}
		}
	}
	return ks
}

// ErrNoRate is returned by Price when a card has no figure for a market and key.
var ErrNoRate = errors.New("no rate")

// Price returns the price of one message of key k to market m.
func (c *Card) Price(m string, k Key) (Money, *Rate, error) {
	r, ok := c.rates[m]
	if !ok {
		return 0, nil, fmt.Errorf("%w: card %s has no row for market %q", ErrNoRate, c.Name, m)
	}
	if !r.Has[k] {
		return 0, r, fmt.Errorf("%w: card %s has no %s rate for %s", ErrNoRate, c.Name, k, m)
	}
	return r.Price[k], r, nil
}

// FileError is an error in a tariff file, naming its line and field.
type FileError struct {
	File  string
	Line  int
	Field string
	Err   error
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Err.Error())
	return b.String()
}

func (e *FileError) Unwrap() error { return e.Err }

// FileErrors are the errors found in one file, in file order: a reader
// goes on past a bad row to find the others (up to maxFileErrors).
type FileErrors []error

func (e FileErrors) Error() string {
	if len(e) == 1 {
		return e[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors in the file)", e[0], len(e)-1)
}

func (e FileErrors) Unwrap() []error { return e }

// maxFileErrors is how many errors a file's reader collects before it stops.
const maxFileErrors = 100

// errorList collects a file's errors.
type errorList struct{ errs FileErrors }

// add keeps err (if not nil) and says whether to go on looking.
func (l *errorList) add(err error) bool {
	if err != nil {
		l.errs = append(l.errs, err)
	}
	return len(l.errs) < maxFileErrors
}

// addAll is add, for each of err's errors if it is FileErrors.
func (l *errorList) addAll(err error) bool {
	if fe, ok := err.(FileErrors); ok {
		for _, e := range fe {
			l.add(e)
		}
		return len(l.errs) < maxFileErrors
	}
	return l.add(err)
}

// err is the errors found: nil, the one, or FileErrors.
func (l *errorList) err() error {
	switch len(l.errs) {
	case 0:
		return nil
	case 1:
		return l.errs[0]
	}
	return l.errs
}

// CardOptions tells ParseCard what it cannot read from the file itself.
type CardOptions struct {
	Name string // defaults to the file name
	// Market canonicalises a market name, or reports it unknown. Nil accepts any name.
	Market func(string) (string, bool)
	// Aliases rename rows before the market check ("United States" ->
	// "North America"); a second row for the same market with the same
	// prices is then dropped, with different prices it is an error.
	Aliases map[string]string
	// KnownColumns makes a CSV column none of the file's known ones an
	// error (a user's file: a typing error in a price column would
	// otherwise leave its prices out). Built-in cards keep the other
	// columns of their sources.
	KnownColumns bool
}

// ParseCardCSV reads a card in Meta's CSV shape: a header `market,<key>,...`
// (keys: template, marketing, utility, authentication,
// authentication_international, service; a `basis` column and unknown
// columns are kept or ignored), `#` comment lines (kept as provenance), and
// optional directives in comments: `# currency: EUR`, `# effective: 2026-10-01`.
// An empty cell means "no figure". Errors name the file, line and field.
func ParseCardCSV(r io.Reader, file string, o CardOptions) (*Card, error) {
	c := &Card{Name: o.Name, Source: file, rates: map[string]*Rate{}, Unit: "per message"}
	if c.Name == "" {
		c.Name = file
	}
	doc, err := readCSVDoc(r, file)
	if err != nil {
		return nil, err
	}
	c.Provenance = doc.comments
	if v, _, ok := doc.directive("currency"); ok {
		c.Currency = strings.ToUpper(v)
	}
	if v, ln, ok := doc.directive("effective"); ok {
		d, err := ParseDay(v)
		if err != nil {
			return nil, &FileError{File: file, Line: ln, Field: "effective", Err: err}
		}
		c.Effective = d
	}
	if len(doc.recs) == 0 {
		return nil, &FileError{File: file, Err: errors.New("no header row")}
	}
	var errs errorList
	cols, err := csvColumns(doc.recs[0], file, doc.lines[0], o.KnownColumns, &errs)
	if err != nil {
		return nil, err
	}
	for i, rec := range doc.recs[1:] {
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if !errs.addAll(c.addRow(cols, rec, doc.lines[i+1], file, o)) {
			break
		}
	}
	if len(c.rates) == 0 && len(errs.errs) == 0 {
		return nil, &FileError{File: file, Err: errors.New("no market rows")}
	}
	c.finish(file, &errs)
	if err := errs.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// cardColumns are the columns of a card's CSV header.
type cardColumns struct {
	header                  []string
	market, basis, currency int         // -1: none
	keys                    []keyColumn // in header order
}

// keyColumn is a price column: its index and key.
type keyColumn struct {
	col int
	key Key
}

// csvColumns reads a card's header (on line ln of file); with known, a
// column it does not know is one of errs.
func csvColumns(header []string, file string, ln int, known bool, errs *errorList) (cardColumns, error) {
	cols := cardColumns{header: header, market: -1, basis: -1, currency: -1}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "market":
			cols.market = i
		case h == "basis":
			cols.basis = i
		case h == "currency":
			cols.currency = i
		default:
			if k, ok := ParseKey(h); ok {
				cols.keys = append(cols.keys, keyColumn{i, k})
			} else if known {
				errs.add(&FileError{File: file, Line: ln, Field: "header", Err: fmt.Errorf("unknown column %q (want market, currency, basis, or a price: %s)", header[i], strings.Join(keyNames[:], ", "))})
			}
		}
	}
	if cols.market < 0 {
		return cols, &FileError{File: file, Line: ln, Field: "header", Err: errors.New(`no "market" column`)}
	}
	if len(cols.keys) == 0 {
		return cols, &FileError{File: file, Line: ln, Field: "header", Err: fmt.Errorf("no price column (want any of %s)", strings.Join(keyNames[:], ", "))}
	}
	return cols, nil
}

// field is rec's trimmed cell in column i ("" for none).
func field(rec []string, i int) string {
	if i >= 0 && i < len(rec) {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

// addRow adds the market row rec (line ln) to the card.
func (c *Card) addRow(cols cardColumns, rec []string, ln int, file string, o CardOptions) error {
	if len(rec) != len(cols.header) { // a cell left out, or one too many: which price is which would be a guess
		return &FileError{File: file, Line: ln, Err: fmt.Errorf("%d fields, but the header has %d", len(rec), len(cols.header))}
	}
	rate := &Rate{Line: ln, Basis: field(rec, cols.basis)}
	name := field(rec, cols.market)
	alias, aliased := o.Aliases[name]
	if aliased {
		name = alias
	}
	if err := rate.parsePrices(cols, rec, file); err != nil {
		return err
	}
	if prev, dup := c.rates[name]; aliased && dup {
		if prev.Price != rate.Price || prev.Has != rate.Has {
			return &FileError{File: file, Line: ln, Field: "market", Err: fmt.Errorf("%q (as %s) has other prices than line %d", field(rec, cols.market), name, prev.Line)}
		}
		return nil
	}
	if err := c.addMarket(rate, name, o); err != nil {
		return &FileError{File: file, Line: ln, Field: "market", Err: err}
	}
	if cols.currency >= 0 {
		cur := strings.ToUpper(field(rec, cols.currency))
		if c.Currency != "" && cur != "" && cur != c.Currency {
			return &FileError{File: file, Line: ln, Field: "currency", Err: fmt.Errorf("%s, but the card is in %s (one currency a card)", cur, c.Currency)}
		}
		if cur != "" {
			c.Currency = cur
		}
	}
	b := strings.ToUpper(rate.Basis)
	rate.Estimated = strings.HasPrefix(b, "D") || strings.Contains(b, "FILLED") || strings.HasPrefix(b, "PROXY")
	return nil
}

// parsePrices reads a row's prices: exact, not negative; an empty cell
// or n/a is no figure.
func (r *Rate) parsePrices(cols cardColumns, rec []string, file string) error {
	var errs errorList
	for _, kc := range cols.keys {
		i, k := kc.col, kc.key
		v := field(rec, i)
		if v == "" || strings.EqualFold(v, "n/a") {
			continue
		}
		m, err := ParseMoney(v)
		if err == nil && m < 0 {
			err = errors.New("negative price")
		}
		if err != nil {
			errs.add(&FileError{File: file, Line: r.Line, Field: cols.header[i], Err: fmt.Errorf("%q: %w", v, err)})
			continue
		}
		r.Price[k], r.Has[k] = m, true
	}
	return errs.err()
}

func csvErr(file string, offset int, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &FileError{File: file, Line: pe.Line + offset, Field: fmt.Sprintf("column %d", pe.Column), Err: pe.Err}
	}
	return &FileError{File: file, Err: err}
}

func (c *Card) addMarket(rate *Rate, name string, o CardOptions) error {
	if name == "" {
		return errors.New("empty")
	}
	if o.Market != nil {
		canon, ok := o.Market(name)
		if !ok {
			return fmt.Errorf("%q is not a WhatsApp pricing market", name)
		}
		name = canon
	}
	if prev, dup := c.rates[name]; dup {
		return fmt.Errorf("%q listed twice (first on line %d)", name, prev.Line)
	}
	rate.Market = name
	c.rates[name] = rate
	c.order = append(c.order, name)
	return nil
}

// finish checks the whole card, adding what is wrong to errs.
func (c *Card) finish(file string, errs *errorList) {
	if c.Currency == "" {
		errs.add(&FileError{File: file, Field: "currency", Err: errors.New(`missing: add a "# currency: USD" line, a currency column, or a currency key`)})
	} else if len(c.Currency) != 3 || strings.Trim(c.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		errs.add(&FileError{File: file, Field: "currency", Err: fmt.Errorf("%q is not an ISO 4217 code (three letters, as USD)", c.Currency)})
	}
	for _, m := range c.order {
		if r := c.rates[m]; r.Has == ([numKeys]bool{}) && !r.faulty {
			if !errs.add(&FileError{File: file, Line: r.Line, Field: "market", Err: fmt.Errorf("%s has no price: give at least one, or leave the market out", m)}) {
				return
			}
		}
	}
}

// ParseCardYAML reads a card from YAML or JSON (JSON is YAML):
//
//	name: my-card
//	currency: EUR
//	effective: 2026-10-01
//	rates:
//	  Brazil: {marketing: 0.0625, utility: 0.0068}
//
// Prices are read from their literal text, exactly.
func ParseCardYAML(r io.Reader, file string, o CardOptions) (*Card, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(r)
	if err := dec.Decode(&doc); err == io.EOF {
		return nil, &FileError{File: file, Err: errors.New("empty: want a mapping with currency and rates")}
	} else if err != nil {
		return nil, &FileError{File: file, Err: err}
	}
	var more yaml.Node
	if err := dec.Decode(&more); err != io.EOF { // one card a file: nothing after it
		return nil, &FileError{File: file, Line: more.Line, Err: errors.New("more after the card (a file holds one card)")}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &FileError{File: file, Line: doc.Line, Err: errors.New("want a mapping with currency and rates")}
	}
	root := doc.Content[0]
	c := &Card{Name: o.Name, Source: file, rates: map[string]*Rate{}, Unit: "per message"}
	var rates *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch strings.ToLower(k.Value) {
		case "name":
			if c.Name == "" {
				c.Name = v.Value
			}
		case "currency":
			c.Currency = strings.ToUpper(v.Value)
		case "effective":
			d, err := ParseDay(v.Value)
			if err != nil {
				return nil, &FileError{File: file, Line: v.Line, Field: "effective", Err: err}
			}
			c.Effective = d
		case "provenance", "source", "notes":
			c.Provenance = append(c.Provenance, v.Value)
		case "rates":
			rates = v
		default:
			return nil, &FileError{File: file, Line: k.Line, Field: k.Value, Err: errors.New("unknown key (want name, currency, effective, provenance, rates)")}
		}
	}
	if c.Name == "" {
		c.Name = file
	}
	if rates == nil || rates.Kind != yaml.MappingNode {
		return nil, &FileError{File: file, Field: "rates", Err: errors.New("missing, or not a mapping of market to prices")}
	}
	var errs errorList
	for i := 0; i+1 < len(rates.Content); i += 2 {
		if !errs.add(c.yamlRate(rates.Content[i], rates.Content[i+1], file, o, &errs)) {
			break
		}
	}
	if len(c.rates) == 0 && len(errs.errs) == 0 {
		return nil, &FileError{File: file, Field: "rates", Err: errors.New("no markets")}
	}
	c.finish(file, &errs)
	if err := errs.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// yamlRate adds the market mk with prices mv; a bad price is one of errs,
// and the others are read.
func (c *Card) yamlRate(mk, mv *yaml.Node, file string, o CardOptions, errs *errorList) error {
	rate := &Rate{Line: mk.Line}
	if err := c.addMarket(rate, mk.Value, o); err != nil {
		return &FileError{File: file, Line: mk.Line, Field: "market", Err: err}
	}
	if mv.Kind != yaml.MappingNode {
		return &FileError{File: file, Line: mv.Line, Field: mk.Value, Err: errors.New("want a mapping of price key to amount")}
	}
	for j := 0; j+1 < len(mv.Content); j += 2 {
		kk, kv := mv.Content[j], mv.Content[j+1]
		if strings.EqualFold(kk.Value, "basis") {
			rate.Basis = kv.Value
			continue
		}
		key, ok := ParseKey(kk.Value)
		if !ok {
			rate.faulty = true
			errs.add(&FileError{File: file, Line: kk.Line, Field: kk.Value, Err: fmt.Errorf("unknown price key (want %s)", strings.Join(keyNames[:], ", "))})
			continue
		}
		m, err := ParseMoney(kv.Value)
		if err != nil || m < 0 {
			if err == nil {
				err = errors.New("negative price")
			}
			rate.faulty = true
			errs.add(&FileError{File: file, Line: kv.Line, Field: kk.Value, Err: fmt.Errorf("%q: %w", kv.Value, err)})
			continue
		}
		rate.Price[key], rate.Has[key] = m, true
	}
	return nil
}

// revise returns a copy of c named name with delta's non-empty cells
// applied: the dated revisions of a card. The provenance is the delta's,
// then the base card's.
func (c *Card) revise(name string, delta *Card) *Card {
	n := &Card{Name: name, Currency: c.Currency, Unit: c.Unit, rates: map[string]*Rate{}, order: append([]string(nil), c.order...),
		Provenance: append(append([]string(nil), delta.Provenance...), "based on card "+c.Name+":")}
	n.Provenance = append(n.Provenance, c.Provenance...)
	for m, r := range c.rates {
		cp := *r
		n.rates[m] = &cp
	}
	for _, m := range delta.order {
		d := delta.rates[m]
		r, ok := n.rates[m]
		if !ok {
			cp := *d
			n.rates[m] = &cp
			n.order = append(n.order, m)
			continue
		}
		for k := Key(0); k < numKeys; k++ {
			if d.Has[k] {
				r.Price[k], r.Has[k] = d.Price[k], true
			}
		}
		r.Basis = d.Basis + "; before: " + r.Basis
		r.Estimated = r.Estimated || d.Estimated
	}
	return n
}

// fill adds other's rows for markets c does not have (a card's FILL file).
func (c *Card) fill(other *Card) {
	for _, m := range other.order {
		if _, ok := c.rates[m]; !ok {
			c.rates[m] = other.rates[m]
			c.order = append(c.order, m)
		}
	}
}

// WriteCSV writes the card in Meta's CSV shape, with its currency,
// effective date and provenance as comment lines, so that it can be edited
// and loaded back with ParseCardCSV. Amounts are written exactly.
func (c *Card) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# currency: %s\n", c.Currency)
	if c.Effective != 0 {
		fmt.Fprintf(bw, "# effective: %s\n", c.Effective)
	}
	fmt.Fprintf(bw, "# card: %s (%s)\n", c.Name, c.Unit)
	for _, text := range c.Provenance {
		for _, p := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' }) { // a comment a line
			if k, _, ok := strings.Cut(p, ":"); ok && (strings.EqualFold(strings.TrimSpace(k), "currency") || strings.EqualFold(strings.TrimSpace(k), "effective")) {
				continue // a directive (csvDoc.directive): the card's own are written above
			}
			fmt.Fprintf(bw, "# %s\n", p)
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	keys := c.Keys()
	header := []string{"market"}
	for _, k := range keys {
		header = append(header, k.String())
	}
	cw.Write(append(header, "basis"))
	for _, m := range c.order {
		r := c.rates[m]
		rec := []string{m}
		for _, k := range keys {
			v := ""
			if r.Has[k] {
				v = r.Price[k].String()
			}
			rec = append(rec, v)
		}
		cw.Write(append(rec, r.Basis))
	}
	cw.Flush()
	return cw.Error()
}
