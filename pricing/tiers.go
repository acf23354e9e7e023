package pricing

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Band is one volume band of a tier table: billed messages number From..To
// of the month (To 0: no upper bound) cost Rate, or the list rate changed
// by Discount percent when the table gives no rate.
type Band struct {
	From, To int64
	Rate     Money
	HasRate  bool
	Discount int64 // percent, e.g. -5
	Line     int
}

// String renders the band as Meta's analytics do: "LOWER:UPPER", "MAX" for no bound.
func (b Band) String() string {
	to := "MAX"
	if b.To > 0 {
		to = strconv.FormatInt(b.To, 10)
	}
	return strconv.FormatInt(b.From, 10) + ":" + to
}

type tierKey struct {
	market string
	key    Key
}

// Tiers is a volume-tier table (PMP-12..18): bands per market and price
// key (utility, authentication, authentication_international).
type Tiers struct {
	Name     string
	Currency string
	bands    map[tierKey][]Band
}

// Tiered reports whether a price key has volume tiers (PMP-12: utility and
// authentication, and authentication-international; not marketing, and
// not service, PE-03).
func Tiered(k Key) bool { return k == KeyUtility || k == KeyAuthentication || k == KeyAuthIntl }

// Price returns the price of the n-th billed message (1-based) of the month
// for a market and key, given the list price, and the band it falls in.
// Bands are marginal (PMP-15): message n is in the first band whose upper
// bound is at least n.
func (t *Tiers) Price(market string, k Key, n int64, list Money) (Money, Band, bool) {
	bands := t.bands[tierKey{market, k}]
	for _, b := range bands {
		if b.To == 0 || n <= b.To {
			if b.HasRate {
				return b.Rate, b, true
			}
			return percentOf(list, 100+b.Discount), b, true
		}
	}
	return list, Band{}, false
}

// percentOf returns m x p / 100, rounded half away from zero to a millionth.
func percentOf(m Money, p int64) Money {
	v := int64(m) * p
	if v >= 0 {
		return Money((v + 50) / 100)
	}
	return Money(-((-v + 50) / 100))
}

// Markets lists the markets the table has bands for.
func (t *Tiers) Markets() []string {
	seen := map[string]bool{}
	var out []string
	for k := range t.bands {
		if !seen[k.market] {
			seen[k.market] = true
			out = append(out, k.market)
		}
	}
	sort.Strings(out)
	return out
}

// ParseTiersCSV reads a tier table in either of two layouts:
//
// wacost's own: `#` comment lines (with "# currency: USD"), then a header
// market,category,from,to,rate,discount. category is utility,
// authentication or authentication_international; to may be empty (no
// bound); give a rate, or a discount in percent (-5 or -5%).
//
// Meta's "volume tiers" CSV, as downloaded: title and note rows, the
// section row (Utility, Authentication, Auth-Intl), a header row with
// Market, Currency and, per section, From, To, Rate type, Rate,
// vs. List rate; the market named only on its first row; volumes like
// 100,000; "--" for no bound; "n/a" where a section does not apply.
//
// Errors name the file, line and field.
func ParseTiersCSV(r io.Reader, file string, o CardOptions) (*Tiers, error) {
	doc, err := readCSVDoc(r, file)
	if err != nil {
		return nil, err
	}
	t := &Tiers{Name: file, bands: map[tierKey][]Band{}}
	if v, _, ok := doc.directive("currency"); ok {
		t.Currency = strings.ToUpper(v)
	}
	recs, lines := doc.recs, doc.lines
	var errs errorList
	parse := t.parseOwn
	for i, rec := range recs {
		if i > 8 {
			break
		}
		if slices.ContainsFunc(rec, func(c string) bool { return strings.EqualFold(strings.TrimSpace(c), "rate type") }) {
			recs, lines, parse = recs[i+1:], lines[i+1:], t.parseMeta
			break
		}
	}
	if err := parse(file, recs, lines, o, &errs); err != nil {
		return t, err
	}
	if len(errs.errs) == 0 {
		t.checkBands(file, &errs)
	}
	return t, errs.err()
}

// checkBands checks that each market and category's bands count every
// message once: from 1 (or 0, as Meta's analytics write the first band),
// each from the message after the one before ends.
func (t *Tiers) checkBands(file string, errs *errorList) {
	keys := make([]tierKey, 0, len(t.bands))
	for k := range t.bands {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].market != keys[j].market {
			return keys[i].market < keys[j].market
		}
		return keys[i].key < keys[j].key
	})
	for _, k := range keys {
		if !errs.add(t.checkKey(file, k)) {
			return
		}
	}
}

// checkKey is checkBands for one market and key: its first gap or overlap.
func (t *Tiers) checkKey(file string, k tierKey) error {
	next := int64(1)
	for i, b := range t.bands[k] {
		from := b.From
		if i == 0 && from == 0 {
			from = 1 // Meta's analytics write the first band 0:750000
		}
		switch {
		case i > 0 && b.From == 0, b.From < 0:
			return &FileError{File: file, Line: b.Line, Field: "from", Err: fmt.Errorf("%s %s: only the first band may start at 0", k.market, k.key)}
		case from > next:
			return &FileError{File: file, Line: b.Line, Field: "from", Err: fmt.Errorf("%s %s: no band holds messages %d to %d", k.market, k.key, next, from-1)}
		case from < next:
			return &FileError{File: file, Line: b.Line, Field: "from", Err: fmt.Errorf("%s %s: the band from %d overlaps the one before (to %d)", k.market, k.key, b.From, next-1)}
		}
		next = b.To + 1
	}
	return nil
}

func (t *Tiers) market(file string, line int, name string, o CardOptions) (string, error) {
	if o.Market == nil {
		return name, nil
	}
	m, ok := o.Market(name)
	if !ok {
		return "", &FileError{File: file, Line: line, Field: "market", Err: fmt.Errorf("%q is not a WhatsApp pricing market", name)}
	}
	return m, nil
}

func parseVolume(s string) (int64, bool, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" || s == "--" || strings.EqualFold(s, "max") {
		return 0, false, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, false, fmt.Errorf("%q is not a message count", s)
	}
	return v, true, nil
}

func parseDiscount(s string) (int64, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v > 0 || v < -100 {
		return 0, fmt.Errorf("%q is not a discount in percent (0 to -100)", s)
	}
	return v, nil
}

func (t *Tiers) add(file string, line int, market string, k Key, from, to string, rate, discount string, o CardOptions) error {
	f, _, err := parseVolume(from)
	if err != nil {
		return &FileError{File: file, Line: line, Field: "from", Err: err}
	}
	tv, bounded, err := parseVolume(to)
	if err != nil {
		return &FileError{File: file, Line: line, Field: "to", Err: err}
	}
	if bounded && tv < f {
		return &FileError{File: file, Line: line, Field: "to", Err: fmt.Errorf("%d is below from (%d)", tv, f)}
	}
	b := Band{From: f, To: tv, Line: line}
	if !bounded {
		b.To = 0
	}
	switch {
	case strings.TrimSpace(rate) != "":
		m, err := ParseMoney(strings.ReplaceAll(rate, ",", ""))
		if err != nil || m < 0 {
			if err == nil {
				err = errors.New("negative")
			}
			return &FileError{File: file, Line: line, Field: "rate", Err: fmt.Errorf("%q: %w", rate, err)}
		}
		b.Rate, b.HasRate = m, true
	case strings.TrimSpace(discount) != "":
		d, err := parseDiscount(discount)
		if err != nil {
			return &FileError{File: file, Line: line, Field: "discount", Err: err}
		}
		b.Discount = d
	default:
		return &FileError{File: file, Line: line, Field: "rate", Err: errors.New("give a rate or a discount")}
	}
	if open, ok := t.insert(tierKey{market, k}, b); !ok {
		return &FileError{File: file, Line: line, Field: "from", Err: fmt.Errorf("%s %s has a band after the open-ended one on line %d", market, k, open.Line)}
	}
	return nil
}

// insert adds b to its market and key's bands, in order of From; ok is
// false (and nothing is added) if a band would follow the open-ended one.
func (t *Tiers) insert(key tierKey, b Band) (open Band, ok bool) {
	bands := append(t.bands[key][:len(t.bands[key]):len(t.bands[key])], b)
	sort.Slice(bands, func(i, j int) bool { return bands[i].From < bands[j].From })
	for i := 1; i < len(bands); i++ {
		if bands[i-1].To == 0 {
			return bands[i-1], false
		}
	}
	t.bands[key] = bands
	return Band{}, true
}

// A bad row is one of errs, and the rows after it are read; an error
// that stops the reading (no header) is returned.
func (t *Tiers) parseOwn(file string, recs [][]string, lines []int, o CardOptions, errs *errorList) error {
	if len(recs) == 0 {
		return &FileError{File: file, Err: errors.New("empty tier file")}
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		col[h] = i
		if o.KnownColumns && !slices.Contains([]string{"market", "category", "from", "to", "rate", "discount"}, h) {
			errs.add(&FileError{File: file, Line: lines[0], Field: "header", Err: fmt.Errorf("unknown column %q (want market, category, from, to, rate, discount)", recs[0][i])})
		}
	}
	for _, need := range []string{"market", "category", "from", "to"} {
		if _, ok := col[need]; !ok {
			return &FileError{File: file, Line: lines[0], Field: "header", Err: fmt.Errorf("no %q column (want market,category,from,to,rate,discount, or Meta's volume-tier CSV)", need)}
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for i, rec := range recs[1:] {
		ln := lines[i+1]
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if !errs.add(t.ownRow(file, ln, rec, get, o)) {
			break
		}
	}
	if t.Currency == "" {
		errs.add(&FileError{File: file, Field: "currency", Err: errors.New(`missing: add a "# currency: USD" line`)})
	}
	return nil
}

// ownRow adds one band of a tier table in wacost's own layout.
func (t *Tiers) ownRow(file string, ln int, rec []string, get func([]string, string) string, o CardOptions) error {
	m, err := t.market(file, ln, get(rec, "market"), o)
	if err != nil {
		return err
	}
	k, ok := ParseKey(get(rec, "category"))
	if !ok || !Tiered(k) {
		return &FileError{File: file, Line: ln, Field: "category", Err: fmt.Errorf("%q: tiers exist for utility, authentication and authentication_international only", get(rec, "category"))}
	}
	if strings.TrimSpace(get(rec, "rate")) != "" && strings.TrimSpace(get(rec, "discount")) != "" {
		return &FileError{File: file, Line: ln, Field: "discount", Err: errors.New("give a rate or a discount, not both")}
	}
	return t.add(file, ln, m, k, get(rec, "from"), get(rec, "to"), get(rec, "rate"), get(rec, "discount"), o)
}

// metaCurrency maps the currency tokens of Meta's CSVs to ISO codes.
var metaCurrency = map[string]string{"$US": "USD", "US$": "USD", "A$": "AUD", "£": "GBP", "GBD": "GBP", "₹": "INR", "RP": "IDR", "€": "EUR"}

func (t *Tiers) parseMeta(file string, recs [][]string, lines []int, o CardOptions, errs *errorList) error {
	var market string
	bad := false // the market above is bad: its rows are not read
	for i, rec := range recs {
		if len(rec) < 17 && len(strings.Join(rec, "")) == 0 {
			continue
		}
		if name := strings.TrimSpace(rec[0]); name != "" {
			m, err := t.market(file, lines[i], name, o)
			market, bad = m, err != nil
			if !errs.add(err) {
				break
			}
		}
		if bad {
			continue
		}
		if !errs.add(t.metaRow(file, lines[i], rec, market, o)) {
			break
		}
	}
	if t.Currency == "" && len(errs.errs) == 0 {
		errs.add(&FileError{File: file, Field: "currency", Err: errors.New("no currency in the file")})
	}
	return nil
}

// metaRow adds the bands of one row of Meta's volume-tier layout, of
// market (the one named last).
func (t *Tiers) metaRow(file string, ln int, rec []string, market string, o CardOptions) error {
	if len(rec) < 17 {
		return &FileError{File: file, Line: ln, Err: fmt.Errorf("%d fields; Meta's volume-tier layout has 17", len(rec))}
	}
	if market == "" {
		return &FileError{File: file, Line: ln, Field: "market", Err: errors.New("no market named above this row")}
	}
	cur := strings.TrimSpace(rec[1])
	if iso, ok := metaCurrency[strings.ToUpper(cur)]; ok {
		cur = iso
	}
	cur = strings.ToUpper(cur)
	if cur != "" {
		if t.Currency != "" && t.Currency != cur {
			return &FileError{File: file, Line: ln, Field: "currency", Err: fmt.Errorf("%s, but earlier rows are %s", cur, t.Currency)}
		}
		t.Currency = cur
	}
	groups := []struct {
		at  int
		key Key
	}{{2, KeyUtility}, {7, KeyAuthentication}, {12, KeyAuthIntl}}
	for _, g := range groups {
		cells := rec[g.at : g.at+5]
		na := true
		for _, c := range cells {
			c = strings.ToLower(strings.TrimSpace(c))
			na = na && (c == "" || c == "n/a" || c == "na")
		}
		if na {
			continue
		}
		// Meta gives the band's rate; the discount column is a comment on it.
		if err := t.add(file, ln, market, g.key, cells[0], cells[1], cells[3], cells[4], o); err != nil {
			return err
		}
	}
	return nil
}

// TierRow is one band of a tier table in a portable form: shards carry
// their table to the merge, which prices the months' volumes again in
// the whole log's order.
type TierRow struct {
	Market   string `json:"market"`
	Key      string `json:"key"`
	From     int64  `json:"from"`
	To       int64  `json:"to,omitempty"`
	Rate     *Money `json:"rate,omitempty"`
	Discount int64  `json:"discount,omitempty"`
}

// Rows lists the table's bands, by market, key and first volume.
func (t *Tiers) Rows() []TierRow {
	rows := []TierRow{}
	for k, bands := range t.bands {
		for _, b := range bands {
			r := TierRow{Market: k.market, Key: k.key.String(), From: b.From, To: b.To, Discount: b.Discount}
			if b.HasRate {
				rate := b.Rate
				r.Rate = &rate
			}
			rows = append(rows, r)
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Market != b.Market {
			return a.Market < b.Market
		}
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		return a.From < b.From
	})
	return rows
}

// TiersFromRows rebuilds a table from Rows.
func TiersFromRows(name, currency string, rows []TierRow) (*Tiers, error) {
	t := &Tiers{Name: name, Currency: currency, bands: map[tierKey][]Band{}}
	for _, r := range rows {
		k, ok := ParseKey(r.Key)
		if !ok || !Tiered(k) {
			return nil, fmt.Errorf("tier table %s: %q is not a tiered price key", name, r.Key)
		}
		b := Band{From: r.From, To: r.To, Discount: r.Discount}
		if r.Rate != nil {
			b.Rate, b.HasRate = *r.Rate, true
		}
		if _, ok := t.insert(tierKey{r.Market, k}, b); !ok {
			return nil, fmt.Errorf("tier table %s: %s %s has a band after the open-ended one", name, r.Market, r.Key)
		}
	}
	return t, nil
}
