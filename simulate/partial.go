package simulate

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
)

// ErrMergePrice is Add's error for a pool candidate whose price is not on
// its card: a merge could not bill it (a fatal error).
var ErrMergePrice = errors.New("needed to merge shards")

// PartialFormat names the partial result's format and version.
const PartialFormat = "wacost-partial/1"

// Candidate is a message whose price depends on its rank among the whole
// log's messages of a monthly pool, which a shard (seeing only its own
// customers) cannot know; a merge ranks every shard's candidates in
// replay order:
//   - a message free as one of the first N of the 2026-10 service quota
//     of a business number ("quota/BUSINESS/MONTH") or of a conversation
//     free tier of the account ("tier/FAMILY/MONTH"): billed at Price if
//     past the pool's size;
//   - with a volume-tier table, a billed utility or authentication
//     message ("volume/MARKET/KEY/MONTH"): priced again at its band for
//     its rank, from its List price, replacing the Charged cost.
type Candidate struct {
	Pool     string        `json:"pool"`
	Time     int64         `json:"t"`
	Business string        `json:"business"`
	Customer string        `json:"customer"`
	ID       string        `json:"id"`
	Seq      int64         `json:"seq"`
	Market   string        `json:"market"`
	Category string        `json:"category"`
	Regime   string        `json:"regime"`
	Card     string        `json:"card"`
	Month    string        `json:"month"`
	Day      string        `json:"day"`
	Price    pricing.Money `json:"price"` // the cost if it is not free after all
	// Key is the price key; List the price before tiers and currency
	// conversion; Charged what the shard charged (volume pools).
	Key     string        `json:"key,omitempty"`
	List    pricing.Money `json:"list,omitempty"`
	Charged pricing.Money `json:"charged,omitempty"`
	// Notes are what billing it would say (Result.Notes) that its shard
	// has not said.
	Notes []string `json:"notes,omitempty"`
}

// less is replay order (msglog.Less) for business messages.
func (c *Candidate) less(o *Candidate) bool {
	if c.Time != o.Time {
		return c.Time < o.Time
	}
	for _, p := range [][2]string{{c.Business, o.Business}, {c.Customer, o.Customer}, {c.ID, o.ID}} {
		if p[0] != p[1] {
			return p[0] < p[1]
		}
	}
	return c.Seq < o.Seq
}

// Partial is one shard's mergeable result.
type Partial struct {
	Format string `json:"format"`
	// Shard is "i/n"; OtherShards counts the rows left to other shards.
	Shard       string      `json:"shard"`
	OtherShards int64       `json:"other_shards"`
	Result      Result      `json:"result"`
	Tally       Tally       `json:"tally"`
	Candidates  []Candidate `json:"candidates"`
	// Tiers is the volume-tier table the shard priced with, if any.
	Tiers *TierTable `json:"tiers,omitempty"`
}

// TierTable is a volume-tier table as a partial carries it.
type TierTable struct {
	Name     string            `json:"name"`
	Currency string            `json:"currency"`
	Rows     []pricing.TierRow `json:"rows"`
}

// record keeps a pool candidate (with Options.Candidates).
func (e *Engine) record(pool string, m *msglog.Message, ent *Entry, card *pricing.Card, k pricing.Key, month string) error {
	// The notes billing it would say, but for those said already.
	var notes []string
	keep := func(key noteKey, msg func() string) {
		if !e.noted[key] {
			notes = append(notes, msg())
		}
	}
	list, rate, err := e.listPrice(card, m, ent.Market, k, keep)
	if err != nil {
		return fmt.Errorf("%s: %v (%w)", m.Pos, err, ErrMergePrice)
	}
	price := list
	if e.o.FX != nil {
		price = e.o.FX.Convert(price)
	}
	rateNotes(card, rate, keep)
	c := e.candidate(pool, m, ent, k, month)
	c.Price, c.List, c.Charged, c.Notes = price, list, price, notes
	return e.keep(c)
}

// keep adds a candidate, within Options.MaxCandidates.
func (e *Engine) keep(c Candidate) error {
	if e.o.MaxCandidates > 0 && len(e.cands) >= e.o.MaxCandidates {
		return fmt.Errorf("%w (over %d)", ErrTooManyCandidates, e.o.MaxCandidates)
	}
	e.cands = append(e.cands, c)
	return nil
}

// recordVolume keeps a billed message of a volume-tier pool.
func (e *Engine) recordVolume(m *msglog.Message, ent *Entry, k pricing.Key, list pricing.Money, month string) error {
	c := e.candidate(volumePool(ent.Market, k.String(), month), m, ent, k, month)
	c.List, c.Charged = list, ent.Cost
	return e.keep(c)
}

// candidate is m as a candidate of pool, but for its prices. It keeps
// copies of m's strings, which may be a reader's memory.
func (e *Engine) candidate(pool string, m *msglog.Message, ent *Entry, k pricing.Key, month string) Candidate {
	return Candidate{Pool: pool, Time: m.Time.UnixNano(), Business: strings.Clone(m.Business), Customer: strings.Clone(m.Customer), ID: strings.Clone(m.ID), Seq: m.Pos.Seq,
		Market: ent.Market, Category: ent.Category, Regime: ent.Regime, Card: ent.Card, Month: month, Day: e.dayStr, Key: k.String()}
}

func volumePool(market, key, month string) string {
	return "volume/" + market + "/" + key + "/" + month
}

// Partial returns the engine's result as a mergeable partial (the engine
// must have run with Options.Candidates).
func (e *Engine) Partial(shard string, otherShards int64) Partial {
	cands := e.cands
	if cands == nil {
		cands = []Candidate{}
	}
	r := e.Result()
	p := Partial{Format: PartialFormat, Shard: shard, OtherShards: otherShards, Result: r, Tally: r.Tally, Candidates: cands}
	if t := e.o.Tiers; t != nil {
		p.Tiers = &TierTable{Name: t.Name, Currency: t.Currency, Rows: t.Rows()}
	}
	return p
}

func (c *Counts) plus(o Counts) {
	c.Messages += o.Messages
	c.Inbound += o.Inbound
	c.Outbound += o.Outbound
	c.Free += o.Free
	c.Billed += o.Billed
	c.Blocked += o.Blocked
	c.Undelivered += o.Undelivered
	c.Cost += o.Cost
	c.Fees += o.Fees
}

func (c *Counts) bill(price pricing.Money) {
	c.Free--
	c.Billed++
	c.Cost += price
}

// poolSize is how many of a pool's messages are free.
func poolSize(pool string, s Settings) (int64, error) {
	switch {
	case strings.HasPrefix(pool, "quota/"):
		return s.ServiceQuota, nil
	case strings.HasPrefix(pool, "tier/"+string(pricing.FamilyMexico)+"/"):
		return s.MexicoFree, nil
	case strings.HasPrefix(pool, "tier/"):
		return s.FreeTier, nil
	}
	return 0, fmt.Errorf("unknown pool %q", pool)
}

// Merge combines the partial results of shards 1..n of one log into the
// Result that one run over the whole log gives: counts and costs add up;
// the notes' counters add up; and the pools' candidates are ranked across
// shards, the ones past a pool's size billed at their price.
func Merge(parts []Partial) (Result, error) {
	if len(parts) == 0 {
		return Result{}, errors.New("no partial results")
	}
	n := 0
	seen := map[int]bool{}
	for _, p := range parts {
		if p.Format != PartialFormat {
			return Result{}, fmt.Errorf("shard %s: format %q, want %s", p.Shard, p.Format, PartialFormat)
		}
		i, k, err := parseShard(p.Shard)
		if err != nil {
			return Result{}, err
		}
		if n == 0 {
			n = k
		}
		if k != n || seen[i] {
			return Result{}, fmt.Errorf("shard %s: the partials are not shards 1..%d of one run", p.Shard, n)
		}
		seen[i] = true
		if p.Result.Settings != parts[0].Result.Settings || strings.Join(p.Result.GroupBy, ",") != strings.Join(parts[0].Result.GroupBy, ",") {
			return Result{}, fmt.Errorf("shard %s was run with other settings than shard %s", p.Shard, parts[0].Shard)
		}
		if !reflect.DeepEqual(p.Tiers, parts[0].Tiers) {
			return Result{}, fmt.Errorf("shard %s was priced with another volume-tier table than shard %s", p.Shard, parts[0].Shard)
		}
		if p.Result.Summary.Rejected != parts[0].Result.Summary.Rejected {
			return Result{}, fmt.Errorf("shard %s rejected %d rows, shard %s %d: the shards did not read the same log", p.Shard, p.Result.Summary.Rejected, parts[0].Shard, parts[0].Result.Summary.Rejected)
		}
	}
	if len(seen) != n {
		var missing []string
		for i := 1; i <= n; i++ {
			if !seen[i] {
				missing = append(missing, fmt.Sprintf("%d/%d", i, n))
			}
		}
		return Result{}, fmt.Errorf("missing shard %s", strings.Join(missing, ", "))
	}
	first := parts[0].Result
	r := Result{Settings: first.Settings, GroupBy: first.GroupBy}
	r.Summary.Currency, r.Summary.Rejected = first.Summary.Currency, first.Summary.Rejected
	market, cat := map[string]*Counts{}, map[string]*Counts{}
	groups := map[Group]*Counts{}
	regimes := map[[2]string]*RegimeUse{}
	tally := parts[0].Tally
	tally.Said = append([]string(nil), tally.Said...)
	for i, p := range parts {
		s := p.Result.Summary
		if s.Currency != "" && r.Summary.Currency == "" {
			r.Summary.Currency = s.Currency
		}
		if s.Currency != "" && s.Currency != r.Summary.Currency {
			return Result{}, fmt.Errorf("shard %s is in %s, others in %s", p.Shard, s.Currency, r.Summary.Currency)
		}
		r.Summary.Counts.plus(s.Counts)
		r.Summary.LateReplies += s.LateReplies
		if s.First != nil && (r.Summary.First == nil || s.First.Before(*r.Summary.First)) {
			t := *s.First
			r.Summary.First = &t
		}
		if s.Last != nil && (r.Summary.Last == nil || s.Last.After(*r.Summary.Last)) {
			t := *s.Last
			r.Summary.Last = &t
		}
		add := func(m map[string]*Counts, k string, c Counts) {
			if m[k] == nil {
				m[k] = &Counts{}
			}
			m[k].plus(c)
		}
		for _, g := range p.Result.ByMarket {
			add(market, g.Market, g.Counts)
		}
		for _, g := range p.Result.ByCategory {
			add(cat, g.Category, g.Counts)
		}
		for _, g := range p.Result.Groups {
			k := g
			k.Counts = Counts{}
			if groups[k] == nil {
				groups[k] = &Counts{}
			}
			groups[k].plus(g.Counts)
		}
		for _, ru := range p.Result.Regimes {
			k := [2]string{ru.Regime, ru.Card}
			if regimes[k] == nil {
				c := ru
				c.Counts = Counts{}
				regimes[k] = &c
			}
			m := regimes[k]
			m.Counts.plus(ru.Counts)
			if ru.From < m.From {
				m.From = ru.From
			}
			if ru.To > m.To {
				m.To = ru.To
			}
		}
		if i > 0 {
			tally.add(p.Tally)
		}
	}
	// Rank each pool's candidates across the shards; bill those past its size.
	pools := map[string][]*Candidate{}
	volumes := map[string][]*Candidate{}
	for i := range parts {
		for j := range parts[i].Candidates {
			c := &parts[i].Candidates[j]
			if strings.HasPrefix(c.Pool, "volume/") {
				volumes[c.Pool] = append(volumes[c.Pool], c)
			} else {
				pools[c.Pool] = append(pools[c.Pool], c)
			}
		}
	}
	// adjust adds delta to the cost of every total c counts in.
	adjust := func(c *Candidate, f func(*Counts)) {
		f(&r.Summary.Counts)
		if m := market[c.Market]; m != nil {
			f(m)
		}
		if k := cat[c.Category]; k != nil {
			f(k)
		}
		if ru := regimes[[2]string{c.Regime, c.Card}]; ru != nil {
			f(&ru.Counts)
		}
		if len(r.GroupBy) > 0 {
			e := &Entry{Market: c.Market, Category: c.Category, Business: c.Business, Regime: c.Regime}
			if g := groups[groupKey(r.GroupBy, e, c.Month, c.Day)]; g != nil {
				f(g)
			}
		}
	}
	for _, pool := range slices.Sorted(maps.Keys(pools)) { // the same order every time
		cs := pools[pool]
		size, err := poolSize(pool, r.Settings)
		if err != nil {
			return Result{}, err
		}
		if int64(len(cs)) <= size {
			continue
		}
		sort.Slice(cs, func(i, j int) bool { return cs[i].less(cs[j]) })
		for _, c := range cs[size:] {
			adjust(c, func(n *Counts) { n.bill(c.Price) })
			if len(c.Notes) > 0 {
				tally.add(Tally{Said: c.Notes})
			}
			// Billed after all: a utility or authentication one counts
			// towards the month's volume, as in the whole run.
			if k, ok := pricing.ParseKey(c.Key); ok && pricing.Tiered(k) {
				tally.Tiered++
				if parts[0].Tiers != nil {
					v := *c
					v.Pool = volumePool(c.Market, c.Key, c.Month)
					volumes[v.Pool] = append(volumes[v.Pool], &v)
				}
			}
		}
	}
	// Price each month's volume again in the whole log's order.
	if len(volumes) > 0 {
		tt := parts[0].Tiers
		if tt == nil {
			return Result{}, errors.New("volume candidates without a tier table")
		}
		tiers, err := pricing.TiersFromRows(tt.Name, tt.Currency, tt.Rows)
		if err != nil {
			return Result{}, err
		}
		var fx *pricing.FX
		if f := tally.FX; f != nil {
			fx = &pricing.FX{To: f.To, Rate: f.Rate}
		}
		for _, pool := range slices.Sorted(maps.Keys(volumes)) {
			cs := volumes[pool]
			sort.Slice(cs, func(i, j int) bool { return cs[i].less(cs[j]) })
			for i, c := range cs {
				k, ok := pricing.ParseKey(c.Key)
				if !ok {
					return Result{}, fmt.Errorf("candidate %s: price key %q", c.ID, c.Key)
				}
				price := c.List
				if p, _, ok := tiers.Price(c.Market, k, int64(i+1), c.List); ok {
					price = p
				}
				if fx != nil {
					price = fx.Convert(price)
				}
				if delta := price - c.Charged; delta != 0 {
					adjust(c, func(n *Counts) { n.Cost += delta })
				}
			}
		}
	}
	for k, c := range market {
		r.ByMarket = append(r.ByMarket, Group{Market: k, Counts: *c})
	}
	sortByCost(r.ByMarket, "market")
	for k, c := range cat {
		r.ByCategory = append(r.ByCategory, Group{Category: k, Counts: *c})
	}
	sortByCost(r.ByCategory, "category")
	for k, c := range groups {
		g := k
		g.Counts = *c
		r.Groups = append(r.Groups, g)
	}
	sortGroups(r.Groups, r.GroupBy)
	for _, ru := range regimes {
		r.Regimes = append(r.Regimes, *ru)
	}
	sortRegimes(r.Regimes)
	r.Summary.Regimes = regimeNames(r.Regimes)
	r.Tally = tally
	r.Notes = tally.Notes(r.Summary.LateReplies)
	for _, s := range []*[]Group{&r.ByMarket, &r.ByCategory, &r.Groups} {
		if *s == nil {
			*s = []Group{}
		}
	}
	if r.Regimes == nil {
		r.Regimes = []RegimeUse{}
	}
	r.Thresholds = []gate.Check{}
	return r, nil
}

func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("shard %q: want i/n with 1 <= i <= n", s)
	}
	return i, n, nil
}

// ParseShard checks a --shard value.
func ParseShard(s string) (int, int, error) { return parseShard(s) }
