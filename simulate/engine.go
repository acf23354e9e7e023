package simulate

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/window"
)

// ErrOutOfOrder is returned by Add for a message earlier (in replay order)
// than one already replayed. The caller can sort the input and start over.
var ErrOutOfOrder = errors.New("input is not in time order")

// ErrTooManyCandidates is Add's error past Options.MaxCandidates.
var ErrTooManyCandidates = errors.New("too many pool candidates")

// Entry is the ledger record of one business message.
type Entry struct {
	ID       string        `json:"id"`
	Time     time.Time     `json:"timestamp"`
	Business string        `json:"business"`
	Customer string        `json:"customer"`
	Market   string        `json:"market"`
	Type     string        `json:"type"`
	Category string        `json:"category"`
	Decision string        `json:"decision"`
	Reason   string        `json:"reason"`
	Cost     pricing.Money `json:"cost"`
	Currency string        `json:"currency"`
	Regime   string        `json:"regime"`
	Card     string        `json:"card"`
	Late     bool          `json:"late_reply"`
	// Conversation is the id of the conversation the message opened or
	// was covered by (conversation regimes), "" otherwise.
	Conversation string `json:"conversation"`
	// Tier is the volume band a billed utility or authentication message
	// fell in ("LOWER:UPPER"), "" without a tier table.
	Tier string `json:"tier"`
	// Fee is a provider's charge on top of Meta's (what-if scenarios only).
	Fee     pricing.Money `json:"fee,omitempty"`
	Source  string        `json:"source"`
	outcome pricing.Outcome
}

// LedgerColumns are the ledger's fields, in output order.
var LedgerColumns = []string{"id", "timestamp", "business", "customer", "market", "type", "category", "decision", "reason", "cost", "currency", "regime", "card", "late_reply", "conversation", "tier", "source"}

// Options configure a replay.
type Options struct {
	// Regime is "auto" (by each message's date) or a regime name.
	Regime   string
	Location *time.Location
	Window   window.Config
	Policy   pricing.Policy
	Markets  *pricing.Markets
	Catalog  *pricing.Catalog
	// Tariff, when set, prices every message instead of the regimes' own cards.
	Tariff *pricing.Card
	// FX, when set, converts every cost into another currency.
	FX *pricing.FX
	// AuthIntl settles the authentication-international rule.
	AuthIntl pricing.AuthIntl
	// Tiers, when set, prices utility and authentication by monthly volume.
	Tiers *pricing.Tiers
	// BusinessLocations gives a business (WABA) its own time zone for
	// dates and months; others use Location (G-09, PMP-16).
	BusinessLocations map[string]*time.Location
	GroupBy           []string
	// Ledger receives each business message's record, in replay order.
	// The record is not the hook's to keep after it returns (Add reuses
	// it, and its strings may be the reader's).
	Ledger func(*Entry) error
	// Rate, if set, adjusts each card price before tiers and currency
	// conversion (what-if rate overrides).
	Rate func(market string, k pricing.Key, price pricing.Money) pricing.Money
	// Fee, if set, gives each message's provider fee (what-if fees).
	Fee func(*msglog.Message, *Entry) pricing.Money
	// Candidates records the pools' free messages, for Partial.
	Candidates bool
	// MaxCandidates, if above 0, is how many candidates a run may hold:
	// one more is ErrTooManyCandidates (a fatal error).
	MaxCandidates int
	// Visit, if set, receives every message with its record (customer
	// messages too, with category "inbound"), in replay order. Neither
	// is the hook's to keep after it returns (Run reuses them).
	Visit func(*msglog.Message, *Entry) error
	// Echoed in Result.Settings.
	KazakhstanPre string
	NANPCaribbean string
}

// lastKey is what msglog.Less compares, kept without copying a whole
// message: the time as Unix nanoseconds (timestamps lie in the years
// msglog accepts) and the customer's number key (msglog.NumberKey, 0 for
// none) beside its string.
type lastKey struct {
	t                      int64
	dir                    msglog.Direction
	business, customer, id string
	ckey                   uint64
	seq                    int64
}

// after reports whether m, at Unix nanoseconds t with customer number key
// ckey (0: none), comes before the previous message in replay order.
func (k *lastKey) after(m *msglog.Message, t int64, ckey uint64) bool {
	if t != k.t {
		return t < k.t
	}
	if m.Direction != k.dir {
		return m.Direction < k.dir
	}
	if m.Business != k.business {
		return m.Business < k.business
	}
	if ckey != 0 && k.ckey != 0 {
		if ckey != k.ckey {
			return msglog.NumberLess(ckey, k.ckey)
		}
	} else if m.Customer != k.customer {
		return m.Customer < k.customer
	}
	if m.ID != k.id {
		return m.ID < k.id
	}
	return m.Pos.Seq < k.seq
}

// pairState is one (business, customer) pair's windows, with its market
// and that market's totals cached for the span of days it holds. With its
// key it fills one 64-byte cache line (TestStateSlotIsOneLine); the
// customer's number, when kept, is in states.names.
type pairState struct {
	window.State
	mu      *marketUse
	mkFrom  pricing.Day // the market holds on the days [mkFrom, mkUntil)
	mkUntil pricing.Day
	country uint16 // the market's country override (countryCode), 0 for none
}

type volumeKey struct {
	market string
	key    pricing.Key
	month  string
}

type quotaKey struct {
	business string
	month    string
}

// Engine replays messages. Feed it with Add in replay order, then call Result.
type Engine struct {
	o      Options
	forced *pricing.Regime
	states *states
	quota  map[quotaKey]int64 // free service messages used
	// tier counts the account's free conversations per family and month.
	tier    map[quotaKey]int64
	convSeq uint64
	cands   []Candidate
	// volume counts billed messages per (market, key, month) for the tiers.
	volume map[volumeKey]int64
	tiered int64 // billed messages that tiers could apply to
	// withheld counts messages never delivered by policy, by reason.
	withheld map[pricing.Reason]int64
	// first and lastTime are the earliest and latest message times.
	first, lastTime time.Time
	// per-day caches: the day, its month and the regime in force; the
	// day is that of the instants [dayLo, dayHi) (Unix ns) in dayLoc
	day           pricing.Day
	dayStr, month string
	dayLoc        *time.Location
	dayLo, dayHi  int64
	// regCache is the regime in force on a day, for Mexico and the rest.
	regCache [2]struct {
		day pricing.Day
		r   *pricing.Regime
	}
	cardCache  *pricing.Card
	cardDay    pricing.Day
	cardRegime string
	sum        Summary
	regimes    map[[2]string]*RegimeUse
	market     map[string]*Counts
	markets    map[pricing.Market]*marketUse
	cat        map[string]*Counts
	catRecent  []catCounts // the categories met first, searched before cat
	// plainInbound: customer messages need no record (no hook, fee or
	// grouping), so countInbound counts them; inboundCounts is their
	// category's totals.
	plainInbound  bool
	inboundCounts *Counts
	countryIDs    map[string]uint16 // country overrides that are not two-letter codes
	// handsOn: the message or its record goes on to a hook, which may
	// keep its customer (Add gives both the engine's copy); otherwise Add
	// only reads the message (the ledger's record is written out at once,
	// and a pool candidate copies its strings).
	handsOn bool
	// seen: a message's record goes on to a ledger, hook or fee, which
	// may read all of it (its Type too).
	seen   bool
	groups map[Group]*Counts
	notes  []string
	noted  map[noteKey]bool
	lastRU *RegimeUse // the regime subtotal of the previous business message
	// last is the replay-order key of the previous message.
	last    lastKey
	hasLast bool
	// ahead holds the state keys touchNext worked out for the messages
	// after the current one; Add takes them in turn (aheadNext) when
	// they match its message.
	ahead             [touchAhead]aheadKey
	aheadN, aheadNext int
	n                 int64
	entry             Entry
	// src holds the ledger's "file:line" strings (source); srcBuf is
	// where one is written first.
	src    msglog.Arena
	srcBuf []byte
	// Idle states are dropped at message nextEvict: evictEvery messages
	// after the last sweep, or eight times as many as the states it kept
	// if more, so that sweeps cost about an eighth of a state per message
	// and the states held stay within the customers seen in that span.
	evictEvery, nextEvict int64
}

// aheadKey is a message's state key, as states.pack gives it for its
// business and customer.
type aheadKey struct {
	business, customer string
	key                uint64
	ok                 bool
}

// catCounts is a category's totals.
type catCounts struct {
	name string
	c    *Counts
}

// New checks the options and returns an engine.
func New(o Options) (*Engine, error) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Window == (window.Config{}) {
		o.Window = window.DefaultConfig()
	}
	if o.Markets == nil || o.Catalog == nil {
		return nil, errors.New("simulate: markets and catalog are required")
	}
	e := &Engine{o: o, states: newStates(), quota: map[quotaKey]int64{}, tier: map[quotaKey]int64{}, withheld: map[pricing.Reason]int64{}, volume: map[volumeKey]int64{},
		regimes: map[[2]string]*RegimeUse{}, market: map[string]*Counts{}, markets: map[pricing.Market]*marketUse{}, cat: map[string]*Counts{},
		groups: map[Group]*Counts{}, noted: map[noteKey]bool{}, evictEvery: 1 << 16, nextEvict: 1 << 16}
	if o.Regime != "" && o.Regime != "auto" {
		r, err := pricing.RegimeByName(o.Regime)
		if err != nil {
			return nil, err
		}
		e.forced = &r
	}
	e.plainInbound = o.Visit == nil && o.Fee == nil && len(o.GroupBy) == 0
	e.handsOn = o.Visit != nil || o.Fee != nil // (candidates copy what they keep)
	e.states.keepNames = e.handsOn
	e.seen = o.Ledger != nil || o.Visit != nil || o.Fee != nil
	if o.Tariff != nil {
		e.sum.Currency = o.Tariff.Currency
	}
	if o.Tiers != nil && o.Tariff != nil && o.Tiers.Currency != o.Tariff.Currency {
		return nil, fmt.Errorf("tier table %s is in %s but the card %s is in %s", o.Tiers.Name, o.Tiers.Currency, o.Tariff.Name, o.Tariff.Currency)
	}
	return e, nil
}

// noteKey names a note said once: its kind, card and market.
type noteKey struct{ kind, card, market string }

// note says msg once per key; msg is only built the first time.
func (e *Engine) note(key noteKey, msg func() string) {
	if !e.noted[key] {
		e.noted[key] = true
		e.notes = append(e.notes, msg())
	}
}

// Reject counts a row that could not be read.
func (e *Engine) Reject() { e.sum.Rejected++ }

// Add replays one message. It returns ErrOutOfOrder, a *msglog.RowError
// for a row the rules cannot price (the state is unchanged), or a fatal error.
// It may set m.Customer to an equal string, the engine's own copy, so that
// what the hooks keep does not hold a reader's memory.
func (e *Engine) Add(m *msglog.Message) error {
	key, packed := e.keyOf(m)
	tn := m.Time.UnixNano()
	ckey := uint64(0)
	if packed {
		ckey = key &^ (maxBizID << bizShift)
	}
	if e.hasLast && e.last.after(m, tn, ckey) {
		return fmt.Errorf("%s: %w (%s message at %s comes after %s message at %s)", m.Pos, ErrOutOfOrder,
			m.Direction, m.Time.Format(time.RFC3339Nano), e.last.dir, time.Unix(0, e.last.t).In(m.Time.Location()).Format(time.RFC3339Nano))
	}
	loc := e.o.Location
	if len(e.o.BusinessLocations) > 0 {
		if bl, ok := e.o.BusinessLocations[m.Business]; ok {
			loc = bl
		}
	}
	day := e.dayAt(m.Time, tn, loc)
	ps, name, _ := e.states.getKey(key, packed, m.Business, m.Customer)
	if e.handsOn {
		m.Customer = name // the engine's copy, for the hooks to keep
	}
	cc := uint16(0)
	if hasCountry(m) {
		cc = e.countryCode(m.Country)
	}
	if ps.mu == nil || day < ps.mkFrom || (ps.mkUntil != 0 && day >= ps.mkUntil) || ps.country != cc || cc == otherCountries {
		ps.mu, ps.country = e.marketUse(e.marketOf(m, day)), cc
		ps.mkFrom, ps.mkUntil = pricing.MarketSpan(day)
	}
	mk := ps.mu.Market
	reg := e.forced
	if reg == nil {
		var err error
		if reg, err = e.regimeAt(day, mk.Name, m); err != nil {
			return err
		}
	}
	st := &ps.State
	if m.Direction == msglog.Inbound && e.plainInbound {
		// Nothing looks at a customer message's record: count it only.
		st.Inbound(e.o.Window, m.Time, m.EntryPoint)
		e.countInbound(ps.mu.counts, m.Time)
		e.done(m, tn, ckey)
		return nil
	}
	ent := &e.entry
	*ent = Entry{ID: m.ID, Time: m.Time, Business: m.Business, Customer: m.Customer, Market: mk.Name, Regime: reg.Name}
	if e.seen {
		ent.Type = m.Type
	}
	if e.o.Ledger != nil {
		ent.Source = e.source(m.Pos)
	}
	month := e.month
	if m.Direction == msglog.Inbound {
		st.Inbound(e.o.Window, m.Time, m.EntryPoint)
		ent.Category = "inbound"
		if e.o.Fee != nil {
			ent.Fee = e.o.Fee(m, ent)
		}
		e.account(ent, ps.mu.counts, true, month, "")
		if e.o.Visit != nil {
			if err := e.o.Visit(m, ent); err != nil {
				return err
			}
		}
	} else {
		if err := e.outbound(m, st, reg, mk, ent, day, month); err != nil {
			return err
		}
		card := ent.Card
		if e.o.Fee != nil {
			ent.Fee = e.o.Fee(m, ent)
		}
		e.account(ent, ps.mu.counts, false, month, card)
		if e.o.Ledger != nil {
			if err := e.o.Ledger(ent); err != nil {
				return err
			}
		}
		if e.o.Visit != nil {
			if err := e.o.Visit(m, ent); err != nil {
				return err
			}
		}
	}
	e.done(m, tn, ckey)
	return nil
}

// done ends Add for m (at Unix ns tn, customer number key ckey): it is the
// last message now, and every so often idle states are swept.
func (e *Engine) done(m *msglog.Message, tn int64, ckey uint64) {
	e.last = lastKey{t: tn, dir: m.Direction, business: m.Business, customer: m.Customer, id: m.ID, ckey: ckey, seq: m.Pos.Seq}
	e.hasLast = true
	e.n++
	if e.n >= e.nextEvict {
		e.evict(m.Time)
		e.nextEvict = e.n + max(e.evictEvery, 8*int64(e.states.live()))
	}
}

// countInbound is account for a customer message when no hook, fee or
// grouping needs its record: what account adds for it, without one.
func (e *Engine) countInbound(mc *Counts, t time.Time) {
	if e.inboundCounts == nil {
		e.inboundCounts = e.catCounts("inbound")
	}
	for _, c := range [...]*Counts{&e.sum.Counts, mc, e.inboundCounts} {
		c.addInbound(0)
	}
	e.saw(t)
}

// saw keeps t as the latest message time (and the first, if none yet).
func (e *Engine) saw(t time.Time) {
	if e.first.IsZero() {
		e.first = t
	}
	e.lastTime = t
}

// source is p as "file:line", in the engine's arena: a ledger row costs
// no allocation for it.
func (e *Engine) source(p msglog.Pos) string {
	e.srcBuf = append(append(e.srcBuf[:0], p.File...), ':')
	e.srcBuf = strconv.AppendInt(e.srcBuf, int64(p.Line), 10)
	return e.src.Str(e.srcBuf)
}

// listPrice is the price of one message of key k to market on a card,
// after rate overrides. A market newer than the card is priced as the
// market the number had on the card's own date (HK before 2026-07 was
// Rest of Asia Pacific), and say says so.
func (e *Engine) listPrice(card *pricing.Card, m *msglog.Message, market string, k pricing.Key, say sayer) (pricing.Money, *pricing.Rate, error) {
	price, rate, err := card.Price(market, k)
	if _, has := card.Rate(market); !has && card.Effective != 0 {
		old := e.marketOf(m, card.Effective)
		if p, r, err2 := card.Price(old.Name, k); err2 == nil {
			price, rate, err = p, r, nil
			say(noteKey{"legacy", card.Name, market}, func() string {
				return fmt.Sprintf("card %s (from %s) has no %s row: %s became a market after the card; its messages are priced at the card's %s rate", card.Name, card.Effective, market, market, old.Name)
			})
		}
	}
	if err != nil {
		return 0, nil, err
	}
	if e.o.Rate != nil {
		price = e.o.Rate(market, k, price)
	}
	return price, rate, nil
}

// sayer says a note once (Engine.note), or keeps it for later.
type sayer func(key noteKey, msg func() string)

// rateNotes says what a price from card's rate rests on: the card's own
// note and an estimated figure (once per rate, whichever markets are
// priced at it).
func rateNotes(card *pricing.Card, rate *pricing.Rate, say sayer) {
	if card.Note != "" {
		say(noteKey{"card", card.Name, ""}, func() string { return card.Note })
	}
	if rate.Estimated {
		say(noteKey{"est", card.Name, rate.Market}, func() string {
			return fmt.Sprintf("card %s: the %s figures are estimated (%s)", card.Name, rate.Market, rate.Basis)
		})
	}
}

// regimeAt is the regime in force on day d for a market, cached per day.
func (e *Engine) regimeAt(d pricing.Day, market string, m *msglog.Message) (*pricing.Regime, error) {
	i := 0
	if market == "Mexico" { // the only market with rules of its own (the 2021 test)
		i = 1
	}
	c := &e.regCache[i]
	if c.r != nil && d == c.day {
		return c.r, nil
	}
	r, err := pricing.RegimeAt(d, market)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", m.Pos, err)
	}
	c.r, c.day = &r, d
	return c.r, nil
}

// marketUse is a market as numbers get it, with the market's totals:
// one per distinct Market, shared by the customers that have it.
type marketUse struct {
	pricing.Market
	counts *Counts
}

// marketUse interns mk.
func (e *Engine) marketUse(mk pricing.Market) *marketUse {
	if mu := e.markets[mk]; mu != nil {
		return mu
	}
	c := e.market[mk.Name]
	if c == nil {
		c = &Counts{}
		e.market[mk.Name] = c
	}
	mu := &marketUse{Market: mk, counts: c}
	e.markets[mk] = mu
	return mu
}

// otherCountries is the code of country overrides past the table's room:
// a state with it looks its market up at every message.
const otherCountries = 0xffff

// countryCode is a country override's code in a pair's state: a two-letter
// code as its two bytes, anything else numbered from 0x8000.
func (e *Engine) countryCode(c string) uint16 {
	if len(c) == 2 && c[0] > 0 && c[0] < 0x80 && c[1] < 0x80 {
		return uint16(c[0])<<8 | uint16(c[1])
	}
	if id, ok := e.countryIDs[c]; ok {
		return id
	}
	if len(e.countryIDs) >= 0x7ffe {
		return otherCountries
	}
	if e.countryIDs == nil {
		e.countryIDs = map[string]uint16{}
	}
	id := 0x8000 | uint16(len(e.countryIDs)+1)
	e.countryIDs[strings.Clone(c)] = id
	return id
}

// hasCountry says whether m has a country, from what its reader vouched
// for if it did (Facts; then m's third cache line is not read).
func hasCountry(m *msglog.Message) bool {
	if _, c, ok := m.Facts(); ok {
		return c
	}
	return m.Country != ""
}

// categoryOf is m's template category, as hasCountry its country.
func categoryOf(m *msglog.Message) pricing.Category {
	if c, _, ok := m.Facts(); ok {
		return pricing.Category(c)
	}
	c, _ := pricing.ParseCategory(m.Category)
	return c
}

// marketOf is the market of a message's customer on day d.
func (e *Engine) marketOf(m *msglog.Message, d pricing.Day) pricing.Market {
	if hasCountry(m) {
		return e.o.Markets.ByCountry(m.Country, d)
	}
	return e.o.Markets.Lookup(m.Customer, d)
}

// cardFor is the card a regime prices with on day d, cached for the
// previous message's regime and day.
func (e *Engine) cardFor(r *pricing.Regime, d pricing.Day) (*pricing.Card, error) {
	if e.o.Tariff != nil {
		return e.o.Tariff, nil
	}
	if e.cardCache != nil && d == e.cardDay && r.Name == e.cardRegime {
		return e.cardCache, nil
	}
	c, err := e.o.Catalog.CardFor(*r, d)
	if err != nil {
		return nil, err
	}
	e.cardCache, e.cardDay, e.cardRegime = c, d, r.Name
	return c, nil
}

func (e *Engine) outbound(m *msglog.Message, st *window.State, reg *pricing.Regime, mk pricing.Market, ent *Entry, day pricing.Day, month string) error {
	cat := categoryOf(m)
	qk := quotaKey{m.Business, month}
	tk := quotaKey{string(reg.Family), month} // the whole log is one account
	tierLimit := e.o.Policy.FreeTier
	if reg.Family == pricing.FamilyMexico {
		tierLimit = e.o.Policy.MexicoFreeSessions
	}
	msg := pricing.Message{Template: m.Template, Category: cat, Failed: m.Failed}
	if reg.Name == "2026-10" && !m.Template { // the service quota: only free-form under 2026-10
		msg.QuotaLeft = e.quota[qk] < e.o.Policy.ServiceQuota
	}
	if reg.Family == pricing.FamilyCBP1 || reg.Family == pricing.FamilyCBP2 || reg.Family == pricing.FamilyMexico {
		msg.FreeTierLeft = e.tier[tk] < tierLimit
	}
	card, err := e.cardFor(reg, day)
	if err != nil {
		return err
	}
	if e.sum.Currency == "" {
		e.sum.Currency = card.Currency
	} else if card.Currency != e.sum.Currency {
		return fmt.Errorf("%s: card %s is in %s but earlier messages were priced in %s; one run prices in one currency", m.Pos, card.Name, card.Currency, e.sum.Currency)
	}
	ent.Card, ent.Currency = card.Name, card.Currency
	if e.o.Tiers != nil && e.o.Tiers.Currency != card.Currency {
		return fmt.Errorf("%s: tier table %s is in %s but card %s is in %s", m.Pos, e.o.Tiers.Name, e.o.Tiers.Currency, card.Name, card.Currency)
	}
	if e.o.FX != nil {
		ent.Currency = e.o.FX.To
	}
	if why, ok := pricing.Withheld(mk, day, m.Template, cat); ok {
		// Never delivered by policy: reported, not priced, opens nothing.
		ent.Category, ent.Decision, ent.Reason, ent.outcome = cat.String(), pricing.Undelivered.String(), why.String(), pricing.Undelivered
		if ent.Category == "" {
			ent.Category = "service"
		}
		e.withheld[why]++
		return nil
	}
	ws := st.Peek(e.o.Window, m.Time)
	d, err := reg.Decide(msg, m.Time, &ws, st, &e.o.Policy, e.o.Window.FEP)
	if err != nil {
		if errors.Is(err, pricing.ErrNoCategory) {
			return &msglog.RowError{File: m.Pos.File, Line: m.Pos.Line, Field: "category", Msg: err.Error()}
		}
		return fmt.Errorf("%s: %v", m.Pos, err)
	}
	if d.Delivered() {
		st.Delivered(m.Time, ws) // ws is the Peek above; Decide only looks
		if d.Open != nil {
			if d.Open.CloseOthers {
				st.CloseConversations(m.Time)
			}
			e.convSeq++
			st.OpenConversation(e.convSeq, d.Open.Category, m.Time, d.Open.Duration)
			d.Conversation = e.convSeq
		}
	}
	if d.Conversation != 0 {
		ent.Conversation = "c" + strconv.FormatUint(d.Conversation, 10)
	}
	if d.Reason == pricing.ReasonFreeQuota {
		e.quota[qk]++
		if e.o.Candidates {
			ent.Category = d.Category
			if err := e.record("quota/"+m.Business+"/"+month, m, ent, card, pricing.KeyService, month); err != nil {
				return err
			}
		}
	}
	if d.FreeTier {
		e.tier[tk]++
		if e.o.Candidates {
			ent.Category = d.Category
			if err := e.record("tier/"+string(reg.Family)+"/"+month, m, ent, card, d.Key, month); err != nil {
				return err
			}
		}
	}
	if d.Outcome == pricing.Billed && d.Key == pricing.KeyAuthentication && e.o.AuthIntl.Applies(mk, day) {
		if _, _, err := card.Price(ent.Market, pricing.KeyAuthIntl); err == nil {
			d.Key, d.Category = pricing.KeyAuthIntl, "authentication_international"
		} else {
			e.note(noteKey{"ai", card.Name, ent.Market}, func() string {
				return fmt.Sprintf("card %s has no authentication-international rate for %s: those messages are priced at its authentication rate", card.Name, ent.Market)
			})
		}
	}
	if d.Outcome == pricing.Billed {
		price, rate, err := e.listPrice(card, m, ent.Market, d.Key, e.note)
		if err != nil {
			return fmt.Errorf("%s: %v", m.Pos, err)
		}
		list := price
		tiered := pricing.Tiered(d.Key)
		if tiered {
			e.tiered++
			if e.o.Tiers != nil {
				// PMP-13..16: only billed messages count, per market and
				// category, per month of the sending WABA, across the portfolio.
				vk := volumeKey{ent.Market, d.Key, month}
				e.volume[vk]++
				if p, band, ok := e.o.Tiers.Price(ent.Market, d.Key, e.volume[vk], price); ok {
					price, ent.Tier = p, band.String()
				}
			}
		}
		ent.Cost = price
		if e.o.FX != nil {
			ent.Cost = e.o.FX.Convert(price)
		}
		if tiered && e.o.Tiers != nil && e.o.Candidates {
			// A shard's volumes are its own; the merge ranks every shard's.
			ent.Category = d.Category
			if err := e.recordVolume(m, ent, d.Key, list, month); err != nil {
				return err
			}
		}
		rateNotes(card, rate, e.note)
	}
	if d.Late {
		e.sum.LateReplies++
	}
	ent.Category, ent.Decision, ent.Reason, ent.Late, ent.outcome = d.Category, d.Outcome.String(), d.Reason.String(), d.Late, d.Outcome
	return nil
}

func (e *Engine) account(ent *Entry, mc *Counts, inbound bool, month, card string) {
	e.sum.Counts.add(ent, inbound)
	mc.add(ent, inbound)
	e.catCounts(ent.Category).add(ent, inbound)
	if len(e.o.GroupBy) > 0 {
		g := groupKey(e.o.GroupBy, ent, month, e.dayStr)
		c := e.groups[g]
		if c == nil {
			c = &Counts{}
			e.groups[g] = c
		}
		c.add(ent, inbound)
	}
	if !inbound {
		ru := e.lastRU
		if ru == nil || ru.Regime != ent.Regime || ru.Card != card {
			ru = e.regimes[[2]string{ent.Regime, card}]
		}
		if ru == nil {
			k := [2]string{ent.Regime, card}
			ru = &RegimeUse{Regime: ent.Regime, Card: card, Currency: ent.Currency, From: e.dayStr}
			e.regimes[k] = ru
		}
		e.lastRU = ru
		ru.To = e.dayStr
		ru.Counts.add(ent, false)
	}
	e.saw(ent.Time)
}

// dayAt is the day of instant t (tn in Unix ns) in loc, from the span of
// the current day when t falls in it.
func (e *Engine) dayAt(t time.Time, tn int64, loc *time.Location) pricing.Day {
	if loc != e.dayLoc || tn < e.dayLo || tn >= e.dayHi {
		e.setDay(t, loc)
	}
	return e.day
}

// setDay makes the day of instant t in loc the current one, with the
// span of instants it covers.
func (e *Engine) setDay(t time.Time, loc *time.Location) {
	lt := t.In(loc)
	y, mo, d := lt.Date()
	day := pricing.MustDay(y, mo, d)
	if day != e.day {
		e.day, e.dayStr = day, day.String()
		e.month = e.dayStr[:7]
	}
	lo := time.Date(y, mo, d, 0, 0, 0, 0, loc)
	if pricing.DayOf(lo, loc) != day || lo.After(t) {
		// Midnight was skipped (a clock change at 00:00) and time.Date
		// chose the day before: keep to what is known to be this day.
		lo = t
	}
	// The next day's midnight, or an earlier instant if time.Date picks
	// one around a clock change: a shorter span only costs a recompute.
	hi := time.Date(y, mo, d+1, 0, 0, 0, 0, loc)
	e.dayLoc, e.dayLo, e.dayHi = loc, lo.UnixNano(), hi.UnixNano()
}

// catCounts returns a category's totals, made the first time.
func (e *Engine) catCounts(name string) *Counts {
	for i := range e.catRecent {
		if e.catRecent[i].name == name {
			return e.catRecent[i].c
		}
	}
	c := e.cat[name]
	if c == nil {
		c = &Counts{}
		e.cat[name] = c
		if len(e.catRecent) < 8 {
			e.catRecent = append(e.catRecent, catCounts{name, c})
		}
	}
	return c
}

// keyOf is m's state key: the one touchNext worked out, if it is next in
// line and for the same business and customer, else packed afresh.
func (e *Engine) keyOf(m *msglog.Message) (uint64, bool) {
	if j := e.aheadNext; j < e.aheadN {
		if a := &e.ahead[j]; a.customer == m.Customer && a.business == m.Business {
			e.aheadNext++
			return a.key, a.ok
		}
	}
	return e.states.packKey(m.Business, m.Customer, m.CustomerKey)
}

// touchNext starts fetching into the cache the states of the next
// touchAhead messages src has in hand, all at once: their loads overlap
// instead of each Add waiting for its own. It keeps their keys for keyOf.
func (e *Engine) touchNext(src peeker) {
	// First the messages themselves, all at once: they were written on
	// the other core, and each load would otherwise wait in turn. A load
	// from each cache line Add reads (msglog.Message's layout).
	var next [touchAhead]*msglog.Message
	var lines uint64
	n := 0
	for k := 1; k <= touchAhead; k++ {
		if a := src.Peek(k); a != nil {
			next[n] = a
			lines += a.CustomerKey + uint64(len(a.Business))
			if e.seen {
				lines += uint64(len(a.Type))
			}
			n++
		}
	}
	// Then their states.
	var slots [touchAhead]int
	for i, a := range next[:n] {
		key, ok := e.states.packKey(a.Business, a.Customer, a.CustomerKey)
		e.ahead[i] = aheadKey{business: a.Business, customer: a.Customer, key: key, ok: ok}
		slots[i] = -1
		if ok {
			slots[i] = e.states.home(key)
		}
	}
	e.aheadN, e.aheadNext = n, 0
	e.states.sink += lines
	e.states.touch(slots[:n])
}

// peeker is a source that can show the messages after the current one
// (msglog.Prefetcher).
type peeker interface{ Peek(k int) *msglog.Message }

// evict drops the state of customers whose windows have all closed by t.
func (e *Engine) evict(t time.Time) { e.states.sweep(e.o.Window, t) }

// Live is the number of (business, customer) states held now.
func (e *Engine) Live() int { return e.states.live() }

// Result returns the totals. Call it once, after the last Add.
func (e *Engine) Result() Result {
	r := Result{Summary: e.sum, GroupBy: e.o.GroupBy}
	if !e.first.IsZero() {
		first, last := e.first.In(e.o.Location), e.lastTime.In(e.o.Location)
		r.Summary.First, r.Summary.Last = &first, &last
	}
	if r.GroupBy == nil {
		r.GroupBy = []string{}
	}
	for _, ru := range e.regimes {
		r.Regimes = append(r.Regimes, *ru)
	}
	sortRegimes(r.Regimes)
	r.Summary.Regimes = regimeNames(r.Regimes)
	for k, c := range e.market {
		r.ByMarket = append(r.ByMarket, Group{Market: k, Counts: *c})
	}
	sortByCost(r.ByMarket, "market")
	for k, c := range e.cat {
		r.ByCategory = append(r.ByCategory, Group{Category: k, Counts: *c})
	}
	sortByCost(r.ByCategory, "category")
	for k, c := range e.groups {
		g := k
		g.Counts = *c
		r.Groups = append(r.Groups, g)
	}
	sortGroups(r.Groups, e.o.GroupBy)
	for _, s := range []*[]Group{&r.ByMarket, &r.ByCategory, &r.Groups} {
		if *s == nil {
			*s = []Group{}
		}
	}
	if r.Regimes == nil {
		r.Regimes = []RegimeUse{}
	}
	r.Thresholds = []gate.Check{}
	if e.o.FX != nil && e.sum.Currency != "" {
		r.Summary.Currency = e.o.FX.To
		for i := range r.Regimes {
			r.Regimes[i].Currency = e.o.FX.To
		}
	}
	r.Tally = e.tally()
	r.Notes = r.Tally.Notes(r.Summary.LateReplies)
	late := "template"
	if e.o.Policy.Late == pricing.LateBlock {
		late = "block"
	}
	regime := e.o.Regime
	if regime == "" {
		regime = "auto"
	}
	tariff := "built-in cards by regime"
	if e.o.Tariff != nil {
		tariff = e.o.Tariff.Name
	}
	r.Settings = Settings{Regime: regime, Timezone: e.o.Location.String(), LateReplies: late, LateCategory: e.o.Policy.LateCategory.String(),
		ServiceQuota: e.o.Policy.ServiceQuota, FreeTier: e.o.Policy.FreeTier, MexicoFree: e.o.Policy.MexicoFreeSessions, FEPWindow: e.o.Window.FEP.String(), Tariff: tariff, KazakhstanPre: e.o.KazakhstanPre, NANPCaribbean: e.o.NANPCaribbean}
	return r
}

// sortRegimes orders regime subtotals by their first day.
func sortRegimes(rs []RegimeUse) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.From != b.From {
			return a.From < b.From
		}
		return a.Regime+a.Card < b.Regime+b.Card
	})
}

// regimeNames lists the regimes of sorted subtotals, once each.
func regimeNames(rs []RegimeUse) []string {
	seen := map[string]bool{}
	names := []string{}
	for _, ru := range rs {
		if !seen[ru.Regime] {
			seen[ru.Regime] = true
			names = append(names, ru.Regime)
		}
	}
	return names
}

// touchAhead is how many messages' states Run touches at a time.
const touchAhead = 8

// Run replays every message of src. Row errors (unreadable rows, and rows
// the rules cannot price) go to onRowErr: a nil return counts the row as
// rejected and goes on; an error stops the run.
func Run(e *Engine, src msglog.Reader, onRowErr func(error) error) error {
	var m msglog.Message // one message, reused: hooks must not keep m
	rr, _ := src.(msglog.RefReader)
	pk, _ := src.(peeker)
	touched := 0
	for {
		var err error
		mp := &m
		if rr != nil {
			mp, err = rr.NextRef()
		} else {
			m, err = src.Next()
		}
		if err == io.EOF {
			return nil
		}
		if err == nil {
			if pk != nil {
				// Every touchAhead messages, touch the next touchAhead
				// together: their loads overlap instead of waiting in turn.
				if touched--; touched <= 0 {
					e.touchNext(pk)
					touched = touchAhead
				}
			}
			err = e.Add(mp)
		}
		if err != nil {
			var re *msglog.RowError
			if errors.As(err, &re) {
				if err := onRowErr(err); err != nil {
					return err
				}
				e.Reject()
				continue
			}
			return err
		}
	}
}
