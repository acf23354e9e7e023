package simulate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
)

// ErrMergePrice is Add's error for a pool candidate whose price is not on
// its card: a merge could not bill it (a fatal error).
var ErrMergePrice = errors.New("needed to merge shards")

// PartialFormat names the partial result's format and version.
const PartialFormat = "wacost-partial/2"

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
	Pool     PoolKey       `json:"pool"`
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
	// UsesOnly: the message takes a place in the pool but is free
	// whatever its rank (a service message in an entry point window).
	UsesOnly bool `json:"uses_only,omitempty"`
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
	Shard       string `json:"shard"`
	OtherShards int64  `json:"other_shards"`
	// Split is the id of the split (wacost split) whose part the shard
	// read, "" if it read the whole log.
	Split string `json:"split,omitempty"`
	// RuleRejected counts the rows of its rejected that the rules could
	// not price (its own customers'); the others were unreadable, and
	// every shard read, and rejected, them alike.
	RuleRejected int64       `json:"rule_rejected,omitempty"`
	Result       Result      `json:"result"`
	Tally        Tally       `json:"tally"`
	Candidates   []Candidate `json:"candidates"`
	// Tiers is the volume-tier table the shard priced with, if any.
	Tiers *TierTable `json:"tiers,omitempty"`
	// Fingerprint names the log the shard read and the prices it used;
	// every shard of one run has the same.
	Fingerprint Fingerprint `json:"fingerprint"`
	// Checksum is a SHA-256 of the rest (Seal), so that a partial changed
	// by hand or cut short is refused.
	Checksum string `json:"checksum"`
}

// Fingerprint tells the runs of one log with one set of prices apart from
// others.
type Fingerprint struct {
	Log LogPrint `json:"log"`
	// Prices is a short SHA-256 of all that sets a price: the settings,
	// the grouping, the tariff's own prices (not only its name), the
	// currency conversion and the volume tiers.
	Prices string `json:"prices"`
}

// LogPrint fingerprints the messages a replay read (every shard's): how
// many, and the sum of a fingerprint of each (time, customer, direction,
// template or not, file and line), the same in any order.
type LogPrint struct {
	Messages int64  `json:"messages"`
	Digest   string `json:"digest"`
}

// Seal sets the partial's checksum.
func (p *Partial) Seal() error {
	sum, err := p.sum()
	p.Checksum = sum
	return err
}

// sum is the SHA-256 of the partial's JSON without its checksum.
func (p *Partial) sum() (string, error) {
	q := *p
	q.Checksum = ""
	b, err := json.Marshal(&q)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:]), nil
}

// TierTable is a volume-tier table as a partial carries it.
type TierTable struct {
	Name     string            `json:"name"`
	Currency string            `json:"currency"`
	Rows     []pricing.TierRow `json:"rows"`
}

// record keeps a pool candidate (with Options.Candidates).
func (e *Engine) record(pool PoolKey, m *msglog.Message, ent *Entry, card *pricing.Card, k pricing.Key, month string) error {
	// The notes billing it would say, but for those said already.
	var notes []string
	keep := func(key pricing.NoteKey, msg func() string) {
		if !e.noted[key] {
			notes = append(notes, msg())
		}
	}
	list, price, err := e.pricer.Quote(card, ent.Market, k, func(d pricing.Day) pricing.Market { return e.marketOf(m, d) }, keep)
	if err != nil {
		return fmt.Errorf("%s: %w (%w)", m.Pos, err, ErrMergePrice)
	}
	c := e.candidate(pool, m, ent, k, month)
	c.Price, c.List, c.Charged, c.Notes = price, list, price, notes
	return e.keep(c)
}

// recordUse keeps a message that uses up a place in a pool but is never
// billed by it (a service message in a free entry point window, with
// Policy.QuotaCountsFEP).
func (e *Engine) recordUse(pool PoolKey, m *msglog.Message, ent *Entry, month string) error {
	c := e.candidate(pool, m, ent, pricing.KeyService, month)
	c.UsesOnly = true
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
func (e *Engine) candidate(pool PoolKey, m *msglog.Message, ent *Entry, k pricing.Key, month string) Candidate {
	return Candidate{Pool: pool, Time: m.Time.UnixNano(), Business: strings.Clone(m.Business), Customer: strings.Clone(m.Customer), ID: strings.Clone(m.ID), Seq: m.Pos.Seq,
		Market: ent.Market, Category: ent.Category, Regime: ent.Regime, Card: ent.Card, Month: month, Day: e.dayStr, Key: k.String()}
}

func volumePool(market, key, month string) PoolKey {
	return PoolKey{Kind: PoolVolume, Scope: market, Key: key, Month: month}
}

// Partial returns the engine's result as a mergeable partial (the engine
// must have run with Options.Candidates).
func (e *Engine) Partial(shard string, otherShards int64, log LogPrint) Partial {
	cands := e.cands
	if cands == nil {
		cands = []Candidate{}
	}
	r := e.Result()
	p := Partial{Format: PartialFormat, Shard: shard, OtherShards: otherShards, RuleRejected: e.ruleRejected, Result: r, Tally: r.Tally, Candidates: cands}
	if t := e.o.Tiers; t != nil {
		p.Tiers = &TierTable{Name: t.Name, Currency: t.Currency, Rows: t.Rows()}
	}
	p.Fingerprint = Fingerprint{Log: log, Prices: e.pricesPrint(&p)}
	return p
}

// pricesPrint is Fingerprint.Prices of the engine's run.
func (e *Engine) pricesPrint(p *Partial) string {
	h := sha256.New()
	b, _ := json.Marshal(struct {
		S       Settings
		GroupBy []string
		Tiers   *TierTable
	}{p.Result.Settings, p.Result.GroupBy, p.Tiers})
	h.Write(b)
	if e.o.Tariff != nil {
		fmt.Fprintf(h, "|tariff %s", e.o.Tariff.Digest())
	}
	if e.o.FX != nil {
		fmt.Fprintf(h, "|fx %s=%s", e.o.FX.To, e.o.FX.Rate)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Plus adds o to c, field by field.
func (c *Counts) Plus(o Counts) {
	c.Messages += o.Messages
	c.Inbound += o.Inbound
	c.Outbound += o.Outbound
	c.Free += o.Free
	c.Billed += o.Billed
	c.Blocked += o.Blocked
	c.Undelivered += o.Undelivered
	c.Cost += o.Cost
	c.Fees += o.Fees
	c.Provider += o.Provider
	c.ProviderPriced += o.ProviderPriced
}

func (c *Counts) bill(price pricing.Money) {
	c.Free--
	c.Billed++
	c.Cost += price
}

// Merge combines the partial results of shards 1..n of one log into the
// Result that one run over the whole log gives: counts and costs add up;
// the notes' counters add up; and the pools' candidates are ranked across
// shards, the ones past a pool's size billed at their price.
//
// Each partial's checksum and fingerprints are checked: every shard read
// one log, priced alike.
func Merge(parts []Partial) (Result, error) { return merge(parts, true) }

// MergeParts is Merge for the parts of one replay in one process (ranges
// of a log's bytes, not shards of its customers): they carry no checksum,
// and each read a log's part.
func MergeParts(parts []Partial) (Result, error) { return merge(parts, false) }

func merge(parts []Partial, files bool) (Result, error) {
	if err := checkParts(parts, files); err != nil {
		return Result{}, err
	}
	first := parts[0].Result
	m := merger{aggregate: newAggregate(), groupBy: first.GroupBy, tiers: parts[0].Tiers}
	// The unreadable rows once (every shard read them), and each shard's
	// rows the rules could not price.
	m.sum.Currency, m.sum.Rejected = first.Summary.Currency, first.Summary.Rejected-parts[0].RuleRejected
	for _, p := range parts {
		m.sum.Rejected += p.RuleRejected
	}
	m.tally = parts[0].Tally
	m.tally.Said = append([]string(nil), m.tally.Said...)
	for i := range parts {
		p := &parts[i]
		s := p.Result.Summary
		if s.Currency != "" && m.sum.Currency == "" {
			m.sum.Currency = s.Currency
		}
		if s.Currency != "" && s.Currency != m.sum.Currency {
			return Result{}, fmt.Errorf("shard %s is in %s, others in %s", p.Shard, s.Currency, m.sum.Currency)
		}
		if pc := s.ProviderCurrency; pc != "" {
			if m.sum.ProviderCurrency == "" {
				m.sum.ProviderCurrency = pc
			} else if pc != m.sum.ProviderCurrency {
				return Result{}, fmt.Errorf("shard %s has provider prices in %s, others in %s", p.Shard, pc, m.sum.ProviderCurrency)
			}
		}
		m.addResult(&p.Result)
		if i > 0 {
			m.tally.add(p.Tally)
		}
	}
	pools, volumes := map[PoolKey][]*Candidate{}, map[PoolKey][]*Candidate{}
	for i := range parts {
		for j := range parts[i].Candidates {
			c := &parts[i].Candidates[j]
			if c.Pool.Kind == PoolVolume {
				volumes[c.Pool] = append(volumes[c.Pool], c)
			} else {
				pools[c.Pool] = append(pools[c.Pool], c)
			}
		}
	}
	if err := m.billPools(pools, volumes, first.Settings); err != nil {
		return Result{}, err
	}
	if err := m.repriceVolumes(volumes); err != nil {
		return Result{}, err
	}
	r := m.result(m.groupBy, nil)
	r.Settings = first.Settings
	r.Tally = m.tally
	r.Notes = m.tally.Notes(r.Summary.LateReplies)
	return r, nil
}

// splitName says what a shard read, by its Split.
func splitName(id string) string {
	if id == "" {
		return "the whole log"
	}
	return "a part of split " + id
}

// checkParts checks that parts are shards 1..n of one run, with one
// set of settings.
func checkParts(parts []Partial, files bool) error {
	if len(parts) == 0 {
		return errors.New("no partial results")
	}
	n := 0
	seen := map[int]bool{}
	for _, p := range parts {
		if p.Format != PartialFormat {
			return fmt.Errorf("shard %s: format %q, want %s", p.Shard, p.Format, PartialFormat)
		}
		i, k, err := parseShard(p.Shard)
		if err != nil {
			return err
		}
		if files {
			if sum, err := p.sum(); err != nil || sum != p.Checksum {
				return fmt.Errorf("shard %s: its checksum does not match its contents (the partial was changed, or cut short)", p.Shard)
			}
		}
		if err := p.consistent(); err != nil {
			return fmt.Errorf("shard %s: %w (the partial was changed, or cut short)", p.Shard, err)
		}
		if n == 0 {
			n = k
		}
		if k != n || seen[i] {
			return fmt.Errorf("shard %s: the partials are not shards 1..%d of one run", p.Shard, n)
		}
		seen[i] = true
		if p.Split != parts[0].Split {
			return fmt.Errorf("shard %s read %s, shard %s %s: the shards did not read the same log", p.Shard, splitName(p.Split), parts[0].Shard, splitName(parts[0].Split))
		}
		if !reflect.DeepEqual(p.Tiers, parts[0].Tiers) {
			return fmt.Errorf("shard %s was priced with another volume-tier table than shard %s", p.Shard, parts[0].Shard)
		}
		if read, read0 := p.Result.Summary.Rejected-p.RuleRejected, parts[0].Result.Summary.Rejected-parts[0].RuleRejected; read != read0 {
			return fmt.Errorf("shard %s could not read %d rows, shard %s %d: the shards did not read the same log", p.Shard, read, parts[0].Shard, read0)
		}
	}
	if err := sameSettings(parts); err != nil {
		return err
	}
	if files {
		if err := sameLog(parts); err != nil {
			return err
		}
	}
	if len(seen) != n {
		var missing []string
		for i := 1; i <= n; i++ {
			if !seen[i] {
				missing = append(missing, fmt.Sprintf("%d/%d", i, n))
			}
		}
		return fmt.Errorf("missing shard %s", strings.Join(missing, ", "))
	}
	return nil
}

// consistent checks that a partial's numbers agree with each other, as a
// run writes them: its messages are its customer and business messages,
// these its outcomes; its markets, its categories and (for business
// messages) its regimes add up to its totals; no cost is negative.
func (p *Partial) consistent() error {
	s := p.Result.Summary.Counts
	switch {
	case s.Messages != s.Inbound+s.Outbound:
		return fmt.Errorf("%d messages, but %d inbound and %d outbound", s.Messages, s.Inbound, s.Outbound)
	case s.Outbound != s.Free+s.Billed+s.Blocked+s.Undelivered:
		return fmt.Errorf("%d outbound, but %d free, %d billed, %d blocked and %d undelivered", s.Outbound, s.Free, s.Billed, s.Blocked, s.Undelivered)
	case s.Cost < 0 || s.Fees < 0 || p.Result.Summary.Rejected < 0 || p.RuleRejected < 0 || p.RuleRejected > p.Result.Summary.Rejected:
		return errors.New("a negative cost or count")
	}
	for _, by := range []struct {
		name   string
		groups []Group
	}{{"markets", p.Result.ByMarket}, {"categories", p.Result.ByCategory}} {
		var sum Counts
		for _, g := range by.groups {
			sum.Plus(g.Counts)
		}
		if sum != s {
			return fmt.Errorf("its %s do not add up to its totals", by.name)
		}
	}
	var out Counts
	for _, ru := range p.Result.Regimes {
		out.Plus(ru.Counts)
	}
	if out.Outbound != s.Outbound || out.Cost != s.Cost {
		return errors.New("its regimes do not add up to its business messages")
	}
	for i := range p.Candidates {
		if c := &p.Candidates[i]; c.Price < 0 || c.List < 0 || c.Charged < 0 {
			return fmt.Errorf("candidate %s has a negative price", c.ID)
		}
	}
	return nil
}

// sameSettings checks that every shard was run with the settings most
// were, naming the setting and the shard that differs.
func sameSettings(parts []Partial) error {
	type run struct {
		s       Settings
		groupBy string
	}
	runOf := func(p *Partial) run { return run{p.Result.Settings, strings.Join(p.Result.GroupBy, ",")} }
	count := map[run]int{}
	for i := range parts {
		count[runOf(&parts[i])]++
	}
	most := runOf(&parts[0]) // the most shards', the first such in order
	for i := range parts {
		if r := runOf(&parts[i]); count[r] > count[most] {
			most = r
		}
	}
	for i := range parts {
		r := runOf(&parts[i])
		if r == most {
			continue
		}
		name, a, b, _ := r.s.diff(most.s)
		if name == "" {
			name, a, b = "group_by", r.groupBy, most.groupBy
		}
		if count[most] == 1 { // two ways, one shard each: no majority to go by
			return fmt.Errorf("shards %s and %s were run with other settings: %s %q and %q", parts[0].Shard, parts[i].Shard, name, b, a)
		}
		return fmt.Errorf("shard %s was run with %s %q, the other shards with %q", parts[i].Shard, name, a, b)
	}
	return nil
}

// sameLog checks that every shard read the log most did, and priced it as
// they did, naming the shard that differs.
func sameLog(parts []Partial) error {
	if i, most, ok := oddOne(parts, func(p *Partial) string { return p.Fingerprint.Prices }); !ok {
		return fmt.Errorf("shard %s was priced with other prices than %s (another tariff's contents, or another conversion rate)", parts[i].Shard, most)
	}
	if i, most, ok := oddOne(parts, func(p *Partial) LogPrint { return p.Fingerprint.Log }); !ok {
		l := parts[i].Fingerprint.Log
		return fmt.Errorf("shard %s read another log than %s (%d messages, fingerprint %s)", parts[i].Shard, most, l.Messages, l.Digest)
	}
	return nil
}

// oddOne finds a partial whose key is not the key of most partials: ok is
// false if there is one, with its index and who it differs from ("the
// other shards", or "shard S" when no key has a majority).
func oddOne[K comparable](parts []Partial, key func(*Partial) K) (i int, most string, ok bool) {
	count := map[K]int{}
	best := key(&parts[0])
	for j := range parts {
		k := key(&parts[j])
		if count[k]++; count[k] > count[best] {
			best = k
		}
	}
	for j := range parts {
		if key(&parts[j]) == best {
			continue
		}
		if count[best] == 1 {
			return j, "shard " + parts[0].Shard, false
		}
		return j, "the other shards", false
	}
	return 0, "", true
}

// merger adds shards' results up and bills their pools.
type merger struct {
	aggregate
	groupBy []string
	tally   Tally
	tiers   *TierTable
}

// adjust applies f to every total candidate c counts in.
func (m *merger) adjust(c *Candidate, f func(*Counts)) {
	var g *Group
	if len(m.groupBy) > 0 {
		k := groupKey(m.groupBy, &Entry{Market: c.Market, Category: c.Category, Business: c.Business, Regime: c.Regime}, c.Month, c.Day)
		g = &k
	}
	m.each(c.Market, c.Category, regimeKey{c.Regime, c.Card}, g, f)
}

// billPools ranks each pool's candidates across the shards and bills those
// past its size; a billed utility or authentication one joins its month's
// volume pool, as in the whole run.
func (m *merger) billPools(pools, volumes map[PoolKey][]*Candidate, s Settings) error {
	for _, pool := range sortedPools(pools) { // the same order every time
		cs := pools[pool]
		size, err := pool.size(s)
		if err != nil {
			return err
		}
		if int64(len(cs)) <= size {
			continue
		}
		sort.Slice(cs, func(i, j int) bool { return cs[i].less(cs[j]) })
		for _, c := range cs[size:] {
			if c.UsesOnly {
				continue // free in its entry point window, whatever its rank
			}
			m.adjust(c, func(n *Counts) { n.bill(c.Price) })
			if len(c.Notes) > 0 {
				m.tally.add(Tally{Said: c.Notes})
			}
			if k, ok := pricing.ParseKey(c.Key); ok && pricing.Tiered(k) {
				m.tally.Tiered++
				if m.tiers != nil {
					v := *c
					v.Pool = volumePool(c.Market, c.Key, c.Month)
					volumes[v.Pool] = append(volumes[v.Pool], &v)
				}
			}
		}
	}
	return nil
}

// repriceVolumes prices each month's volume again in the whole log's order.
func (m *merger) repriceVolumes(volumes map[PoolKey][]*Candidate) error {
	if len(volumes) == 0 {
		return nil
	}
	tt := m.tiers
	if tt == nil {
		return errors.New("volume candidates without a tier table")
	}
	tiers, err := pricing.TiersFromRows(tt.Name, tt.Currency, tt.Rows)
	if err != nil {
		return err
	}
	var fx *pricing.FX
	if f := m.tally.FX; f != nil {
		fx = &pricing.FX{To: f.To, Rate: f.Rate}
	}
	for _, pool := range sortedPools(volumes) {
		cs := volumes[pool]
		sort.Slice(cs, func(i, j int) bool { return cs[i].less(cs[j]) })
		for i, c := range cs {
			k, ok := pricing.ParseKey(c.Key)
			if !ok {
				return fmt.Errorf("candidate %s: price key %q", c.ID, c.Key)
			}
			price := c.List
			if p, _, ok := tiers.Price(c.Market, k, int64(i+1), c.List); ok {
				price = p
			}
			if fx != nil {
				price = fx.Convert(price)
			}
			if delta := price - c.Charged; delta != 0 {
				m.adjust(c, func(n *Counts) { n.Cost += delta })
			}
		}
	}
	return nil
}

// sortedPools is the keys of pools in text order.
func sortedPools(pools map[PoolKey][]*Candidate) []PoolKey {
	keys := slices.Collect(maps.Keys(pools))
	slices.SortFunc(keys, func(a, b PoolKey) int { return strings.Compare(a.String(), b.String()) })
	return keys
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
