package simulate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/stream"
	"github.com/wacost/wacost/window"
)

// ErrOutOfOrder is returned by Add for a message earlier (in replay order)
// than one already replayed. The caller can sort the input and start over.
var ErrOutOfOrder = errors.New("input is not in time order")

// ErrTooManyCandidates is Add's error past Options.MaxCandidates.
var ErrTooManyCandidates = errors.New("too many pool candidates")

// Entry is the ledger record of one business message.
type Entry struct {
	ID       string          `json:"id"`
	Time     time.Time       `json:"timestamp"`
	Business string          `json:"business"`
	Customer string          `json:"customer"`
	Market   string          `json:"market"`
	Type     string          `json:"type"`
	Category string          `json:"category"`
	Decision pricing.Outcome `json:"decision"`
	Reason   pricing.Reason  `json:"reason"`
	Cost     pricing.Money   `json:"cost"`
	Currency string          `json:"currency"`
	Regime   string          `json:"regime"`
	Card     string          `json:"card"`
	Late     bool            `json:"late_reply"`
	// Conversation is the id of the conversation the message opened or
	// was covered by (conversation regimes), "" otherwise.
	Conversation string `json:"conversation"`
	// Tier is the volume band a billed utility or authentication message
	// fell in ("LOWER:UPPER"), "" without a tier table.
	Tier string `json:"tier"`
	// Fee is a provider's charge on top of Meta's (what-if scenarios only).
	Fee    pricing.Money `json:"fee,omitempty"`
	Source string        `json:"source"`
	// MetaLabel is Meta's pricing label of the message, as a webhook log
	// gave it (msglog.Message.Label); Inferred says its type and category
	// were inferred from that label.
	MetaLabel string `json:"meta_label"`
	Inferred  bool   `json:"inferred"`
	// BusinessNumber is the business's phone number when the log names it
	// by an id (a webhook log's phone-number id), else "".
	BusinessNumber string `json:"business_number"`
	// Tokens are a Meta Business Agent message's tokens (0 for others).
	Tokens uint32 `json:"tokens"`
	// ProviderPrice is what the provider (Twilio) charged for the message,
	// in ProviderCurrency; ProviderCurrency is "" when the log has no such
	// figure for it.
	ProviderPrice    pricing.Money `json:"provider_price"`
	ProviderCurrency string        `json:"provider_currency"`
}

// LedgerColumns are the ledger's fields, in output order.
var LedgerColumns = []string{"id", "timestamp", "business", "customer", "market", "type", "category", "decision", "reason", "cost", "currency", "regime", "card", "late_reply", "conversation", "tier", "source", "meta_label", "inferred", "tokens", "provider_price", "provider_currency", "business_number"}

// Options configure a replay.
type Options struct {
	// Context, if set, stops the replay when it is done: Add returns its
	// cause (checked every cancelEvery messages).
	Context context.Context
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
	// BusinessNumbers, if it has any, gives a business named by an id (a
	// webhook log's phone-number id) its phone number, for the ledger's
	// business_number (it may be filled after New, before the first Add).
	BusinessNumbers map[string]string
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
	// OnRowError, if set, receives what Add would return for a message the
	// rules cannot price (a *msglog.RowError): a nil return counts the row
	// as rejected and Add returns nil. For callers that feed Add
	// themselves (what-if scenarios, backlog plans); Run has its own.
	OnRowError func(error) error
	// Rejected counts rows rejected before the replay (by a sort or a load
	// of the whole log), added to Summary.Rejected.
	Rejected int64
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
	// pricer prices billed messages (and holds the tiers' volume counts).
	pricer pricing.Pricer
	tiered int64 // billed messages that tiers could apply to
	// withheld counts messages never delivered by policy, by reason.
	withheld map[pricing.Reason]int64
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
	// aggregate holds the run's totals.
	aggregate
	markets   map[pricing.Market]*marketUse
	catRecent []catCounts // the categories met first, searched before cat
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
	notes  []string
	noted  map[pricing.NoteKey]bool
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
	ruleRejected      int64 // rows Run rejected because the rules could not price them
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
	e := &Engine{o: o, states: newStates(), quota: map[quotaKey]int64{}, tier: map[quotaKey]int64{}, withheld: map[pricing.Reason]int64{},
		aggregate: newAggregate(), markets: map[pricing.Market]*marketUse{}, noted: map[pricing.NoteKey]bool{}, evictEvery: 1 << 16, nextEvict: 1 << 16}
	e.sum.Rejected = o.Rejected
	e.pricer = pricing.Pricer{Catalog: o.Catalog, Tariff: o.Tariff, Tiers: o.Tiers, FX: o.FX, AuthIntl: o.AuthIntl, Rate: o.Rate, Say: e.note}
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

// note says msg once per key; msg is only built the first time.
func (e *Engine) note(key pricing.NoteKey, msg func() string) {
	if !e.noted[key] {
		e.noted[key] = true
		e.notes = append(e.notes, msg())
	}
}

// Say adds a note of the caller's to the result's (said once): what a
// reader had to assume, say.
func (e *Engine) Say(msg string) {
	if !slices.Contains(e.notes, msg) {
		e.notes = append(e.notes, msg)
	}
}

// Reject counts a row that could not be read.
func (e *Engine) Reject() { e.sum.Rejected++ }

// Add replays one message. It returns ErrOutOfOrder, a *msglog.RowError
// for a row the rules cannot price (the state is unchanged), or a fatal error.
// It may set m.Customer to an equal string, the engine's own copy, so that
// what the hooks keep does not hold a reader's memory.
func (e *Engine) Add(m *msglog.Message) error {
	err := e.add(m)
	if err != nil && e.o.OnRowError != nil {
		return e.rowError(err)
	}
	return err
}

// rowError hands a row error to Options.OnRowError (apart from Add, so
// that a message without one allocates nothing for it).
func (e *Engine) rowError(err error) error {
	var re *msglog.RowError
	if !errors.As(err, &re) {
		return err
	}
	if err = e.o.OnRowError(err); err == nil {
		e.Reject()
	}
	return err
}

// add is Add without Options.OnRowError.
func (e *Engine) add(m *msglog.Message) error {
	if e.n&(cancelEvery-1) == 0 && e.o.Context != nil && e.o.Context.Err() != nil {
		return context.Cause(e.o.Context)
	}
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
	if m.Echo {
		return e.echo(m, tn, ckey)
	}
	day := e.dayAt(m.Time, tn, e.locationOf(m.Business))
	ps := e.stateOf(m, key, packed, day)
	mk := ps.mu.Market
	reg := e.forced
	if reg == nil {
		var err error
		if reg, err = e.regimeAt(day, mk.Name, m); err != nil {
			return err
		}
	}
	st := &ps.State
	if m.Direction == msglog.Inbound && e.plainInbound && m.ProviderCurrency == 0 {
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
		ent.Source, ent.MetaLabel, ent.Inferred, ent.Tokens = e.source(m.Pos), m.Label, m.Inferred, m.Tokens
	}
	if len(e.o.BusinessNumbers) > 0 {
		ent.BusinessNumber = e.o.BusinessNumbers[m.Business]
	}
	if m.ProviderCurrency != 0 {
		if err := e.providerPrice(m, ent); err != nil {
			return err
		}
	}
	if m.Direction == msglog.Inbound {
		st.Inbound(e.o.Window, m.Time, m.EntryPoint)
		ent.Category = "inbound"
	} else if err := e.outbound(m, st, reg, mk, ent, day, e.month); err != nil {
		return err
	}
	if err := e.take(m, ent, ps.mu.counts); err != nil {
		return err
	}
	e.done(m, tn, ckey)
	return nil
}

// echo takes a message sent from the WhatsApp Business app: not through
// the API, so it prices nothing, opens nothing and stays out of the
// totals, but the visit hook sees it as the delivered answer it is.
func (e *Engine) echo(m *msglog.Message, tn int64, ckey uint64) error {
	e.sum.AppMessages++
	if e.o.Visit != nil && m.Direction == msglog.Outbound {
		ent := &e.entry
		*ent = Entry{ID: m.ID, Time: m.Time, Business: m.Business, Customer: m.Customer, Type: m.Type, Category: "business_app",
			Decision: pricing.Free, Reason: pricing.ReasonBusinessApp}
		if err := e.o.Visit(m, ent); err != nil {
			return err
		}
	}
	e.done(m, tn, ckey)
	return nil
}

// providerPrice puts the provider's figure of m (Twilio's Price) in its
// record: one currency a run, as for Meta's prices.
func (e *Engine) providerPrice(m *msglog.Message, ent *Entry) error {
	cur := msglog.ProviderCurrencies[m.ProviderCurrency]
	if e.sum.ProviderCurrency == "" {
		e.sum.ProviderCurrency = cur
	} else if cur != e.sum.ProviderCurrency {
		return &msglog.RowError{File: m.Pos.File, Line: m.Pos.Line, Field: "PriceUnit",
			Msg: fmt.Sprintf("the provider's price is in %s but earlier messages' are in %s; one run keeps one provider currency", cur, e.sum.ProviderCurrency)}
	}
	ent.ProviderPrice, ent.ProviderCurrency = pricing.Money(m.ProviderPrice), cur
	return nil
}

// locationOf is the time zone of a business's dates and months.
func (e *Engine) locationOf(business string) *time.Location {
	if len(e.o.BusinessLocations) > 0 {
		if bl, ok := e.o.BusinessLocations[business]; ok {
			return bl
		}
	}
	return e.o.Location
}

// stateOf is the state of m's pair (its number key key, if packed), with
// its market on day: kept while the day is in the market's span and the
// message names the same country.
func (e *Engine) stateOf(m *msglog.Message, key uint64, packed bool, day pricing.Day) *pairState {
	ps, name, _ := e.states.getKey(key, packed, m.Business, m.Customer)
	if e.handsOn {
		m.Customer = name // the engine's copy, for the hooks to keep
	}
	cc := uint16(0)
	if m.HasCountry() { // from what its reader vouched for: m's third cache line unread
		cc = e.countryCode(m.Country)
	}
	if ps.mu == nil || day < ps.mkFrom || (ps.mkUntil != 0 && day >= ps.mkUntil) || ps.country != cc || cc == otherCountries {
		ps.mu, ps.country = e.marketUse(e.marketOf(m, day)), cc
		ps.mkFrom, ps.mkUntil = pricing.MarketSpan(day)
	}
	return ps
}

// LastEntry is the record of the last business message Add took (as the
// ledger would have had it), for a caller that needs one message's
// record without a ledger of all.
func (e *Engine) LastEntry() Entry { return e.entry }

// take takes a message's record: its fee, its totals (mc: its
// market's), the ledger (business messages) and the visit hook.
func (e *Engine) take(m *msglog.Message, ent *Entry, mc *Counts) error {
	inbound := m.Direction == msglog.Inbound
	if e.o.Fee != nil {
		ent.Fee = e.o.Fee(m, ent)
	}
	e.account(ent, mc, inbound, e.month, ent.Card)
	if e.o.Ledger != nil && !inbound {
		if err := e.o.Ledger(ent); err != nil {
			return err
		}
	}
	if e.o.Visit != nil {
		return e.o.Visit(m, ent)
	}
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
	e.aggregate.saw(t)
}

// source is p as "file:line", in the engine's arena: a ledger row costs
// no allocation for it.
func (e *Engine) source(p msglog.Pos) string {
	e.srcBuf = append(append(e.srcBuf[:0], p.File...), ':')
	e.srcBuf = strconv.AppendInt(e.srcBuf, int64(p.Line), 10)
	return e.src.Str(e.srcBuf)
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
	if err != nil { // a date before any regime: the row's, not the run's
		return nil, &msglog.RowError{File: m.Pos.File, Line: m.Pos.Line, Field: "timestamp", Msg: err.Error()}
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
	mu := &marketUse{Market: mk, counts: counts(e.market, mk.Name)}
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

// categoryOf is m's template category (from what its reader vouched for,
// as HasCountry its country).
func categoryOf(m *msglog.Message) pricing.Category {
	if c, ok := m.CategoryIndex(); ok {
		return pricing.Category(c)
	}
	c, _ := pricing.ParseCategory(m.Category)
	return c
}

// marketOf is the market of a message's customer on day d.
func (e *Engine) marketOf(m *msglog.Message, d pricing.Day) pricing.Market {
	if m.HasCountry() {
		return e.o.Markets.ByCountry(m.Country, d)
	}
	return e.o.Markets.Lookup(m.Customer, d)
}

// outbound replays one business message: the month's counters, the
// rules' verdict, its effect on the windows, its price.
func (e *Engine) outbound(m *msglog.Message, st *window.State, reg *pricing.Regime, mk pricing.Market, ent *Entry, day pricing.Day, month string) error {
	cat := categoryOf(m)
	msg := e.counters(m, reg, cat, month)
	card, err := e.pricer.Card(reg, day)
	if err != nil {
		return fmt.Errorf("%s: %w", m.Pos, err)
	}
	e.sum.Currency = e.pricer.Currency
	ent.Card, ent.Currency = card.Name, e.pricer.CostCurrency(card)
	if why, ok := e.pricer.Withheld(mk, day, m.Template, cat); ok {
		// Never delivered by policy: reported, not priced, opens nothing.
		ent.Category, ent.Decision, ent.Reason = cat.String(), pricing.Undelivered, why
		if ent.Category == "" {
			ent.Category = "service"
		}
		e.withheld[why]++
		return nil
	}
	d, err := e.decide(m, msg, st, reg, ent)
	if err != nil {
		return err
	}
	if m.Tokens != 0 && d.Delivered() && !d.Late {
		if done, err := e.agent(m, &d, ent, card, day); done || err != nil {
			return err
		}
	}
	if err := e.countFree(&d, m, ent, card, reg, month); err != nil {
		return err
	}
	if d.Outcome == pricing.Billed {
		if err := e.bill(&d, m, ent, card, mk, day, month); err != nil {
			return err
		}
	}
	if d.Late {
		e.sum.LateReplies++
	}
	ent.Category, ent.Decision, ent.Reason, ent.Late = d.Category, d.Outcome, d.Reason, d.Late
	return nil
}

// agent bills a delivered Meta Business Agent message (m.Tokens) per
// token from 2026-08-01 (PE-10): its own category, never free, whatever
// window it falls in. done is false before per-token pricing began: the
// message is then priced as the free-form message it is, and a note says
// so once.
func (e *Engine) agent(m *msglog.Message, d *pricing.Decision, ent *Entry, card *pricing.Card, day pricing.Day) (done bool, err error) {
	cost, r, ok, err := e.pricer.BillTokens(card, day, m.Tokens)
	if err != nil {
		return false, fmt.Errorf("%s: %w", m.Pos, err)
	}
	if !ok {
		e.pricer.Note(pricing.NoteKey{Kind: "agent-early"}, func() string {
			return "Business Agent messages (a tokens column) sent before 2026-08-01 are priced as the free-form messages they are: Meta bills their tokens from 2026-08-01 (PE-10)"
		})
		return false, nil
	}
	e.pricer.Note(pricing.NoteKey{Kind: "agent", Card: r.From.String()}, func() string {
		return fmt.Sprintf("Meta Business Agent messages (a tokens column) are billed per token from %s: %s %s per 1M tokens, in every window (PE-10)", r.From, r.PerMillion, r.Currency)
	})
	ent.Category, ent.Decision, ent.Reason, ent.Late, ent.Cost = "business_agent", pricing.Billed, pricing.ReasonAgentTokens, false, cost
	return true, nil
}

// counters is what the rules need to know of m, with what is left of
// the month's free service quota and free tier.
func (e *Engine) counters(m *msglog.Message, reg *pricing.Regime, cat pricing.Category, month string) pricing.Message {
	msg := pricing.Message{Template: m.Template, Category: cat, Failed: m.Failed}
	if reg.Rules.ServiceQuota && !m.Template { // the quota counts free-form messages only
		msg.QuotaLeft = e.quota[quotaKey{m.Business, month}] < e.o.Policy.ServiceQuota
	}
	if reg.Rules.FreeTier != pricing.NoFreeTier {
		msg.FreeTierLeft = e.tier[quotaKey{string(reg.Family), month}] < reg.FreeTierLimit(&e.o.Policy)
	}
	return msg
}

// decide is the rules' verdict on m, and its effect on the windows: a
// delivered message opens what the verdict says.
func (e *Engine) decide(m *msglog.Message, msg pricing.Message, st *window.State, reg *pricing.Regime, ent *Entry) (pricing.Decision, error) {
	ws := st.Peek(e.o.Window, m.Time)
	d, err := reg.Decide(msg, m.Time, &ws, st, &e.o.Policy, e.o.Window.FEP)
	if err != nil {
		if errors.Is(err, pricing.ErrNoCategory) {
			return d, &msglog.RowError{File: m.Pos.File, Line: m.Pos.Line, Field: "category", Msg: err.Error()}
		}
		return d, fmt.Errorf("%s: %w", m.Pos, err)
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
	return d, nil
}

// countFree counts a message free by the service quota or the free tier
// (the whole log is one account), and keeps it as a pool candidate for a
// merge.
func (e *Engine) countFree(d *pricing.Decision, m *msglog.Message, ent *Entry, card *pricing.Card, reg *pricing.Regime, month string) error {
	if d.Reason == pricing.ReasonFreeQuota {
		e.quota[quotaKey{m.Business, month}]++
		if e.o.Candidates {
			ent.Category = d.Category
			if err := e.record(PoolKey{Kind: PoolQuota, Scope: m.Business, Month: month}, m, ent, card, pricing.KeyService, month); err != nil {
				return err
			}
		}
	}
	if d.Reason == pricing.ReasonFEP && !m.Template && reg.Rules.ServiceQuota && e.o.Policy.QuotaCountsFEP {
		// A service message free in an entry point window still uses up
		// a place in the month's free service messages (the setting).
		e.quota[quotaKey{m.Business, month}]++
		if e.o.Candidates {
			ent.Category = d.Category
			if err := e.recordUse(PoolKey{Kind: PoolQuota, Scope: m.Business, Month: month}, m, ent, month); err != nil {
				return err
			}
		}
	}
	if d.FreeTier {
		e.tier[quotaKey{string(reg.Family), month}]++
		if e.o.Candidates {
			ent.Category = d.Category
			if err := e.record(PoolKey{Kind: PoolTier, Scope: string(reg.Family), Month: month}, m, ent, card, d.Key, month); err != nil {
				return err
			}
		}
	}
	return nil
}

// bill prices a billed message (the pricer's Bill) into its record.
func (e *Engine) bill(d *pricing.Decision, m *msglog.Message, ent *Entry, card *pricing.Card, mk pricing.Market, day pricing.Day, month string) error {
	ch, err := e.pricer.Bill(card, mk, day, month, d.Key, func(od pricing.Day) pricing.Market { return e.marketOf(m, od) })
	if err != nil {
		return fmt.Errorf("%s: %w", m.Pos, err)
	}
	d.Key = ch.Key
	if ch.Category != "" {
		d.Category = ch.Category
	}
	ent.Cost, ent.Tier = ch.Cost, ch.Tier
	if ch.Tiered {
		e.tiered++
		if e.o.Tiers != nil && e.o.Candidates {
			// A shard's volumes are its own; the merge ranks every shard's.
			ent.Category = d.Category
			return e.recordVolume(m, ent, d.Key, ch.List, month)
		}
	}
	return nil
}

func (e *Engine) account(ent *Entry, mc *Counts, inbound bool, month, card string) {
	e.sum.Counts.add(ent, inbound)
	mc.add(ent, inbound)
	e.catCounts(ent.Category).add(ent, inbound)
	if len(e.o.GroupBy) > 0 {
		g := groupKey(e.o.GroupBy, ent, month, e.dayStr)
		counts(e.groups, g).add(ent, inbound)
	}
	if !inbound {
		ru := e.lastRU
		if ru == nil || ru.Regime != ent.Regime || ru.Card != card {
			ru = e.regimes[regimeKey{ent.Regime, card}]
		}
		if ru == nil {
			k := regimeKey{ent.Regime, card}
			ru = &RegimeUse{Regime: ent.Regime, Card: card, Currency: ent.Currency, From: e.dayStr}
			e.regimes[k] = ru
		}
		e.lastRU = ru
		ru.To = e.dayStr
		ru.Counts.add(ent, false)
	}
	e.aggregate.saw(ent.Time)
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
func (e *Engine) touchNext(peek func(k int) *msglog.Message) {
	// First the messages themselves, all at once: they were written on
	// the other core, and each load would otherwise wait in turn. A load
	// from each cache line Add reads (msglog.Message's layout).
	var next [touchAhead]*msglog.Message
	var lines uint64
	n := 0
	for k := 1; k <= touchAhead; k++ {
		if a := peek(k); a != nil {
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

// evict drops the state of customers whose windows have all closed by t.
func (e *Engine) evict(t time.Time) { e.states.sweep(e.o.Window, t) }

// Live is the number of (business, customer) states held now.
func (e *Engine) Live() int { return e.states.live() }

// Result returns the totals. Call it once, after the last Add.
func (e *Engine) Result() Result {
	r := e.aggregate.result(e.o.GroupBy, e.o.Location)
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
	r.Settings = Settings{AuthIntl: authIntlSetting(e.o.AuthIntl), BusinessTimezones: businessZones(e.o.BusinessLocations), Regime: regime, Timezone: e.o.Location.String(), LateReplies: late, LateCategory: e.o.Policy.LateCategory.String(),
		ServiceQuota: e.o.Policy.ServiceQuota, FreeTier: e.o.Policy.FreeTier, MexicoFree: e.o.Policy.MexicoFreeSessions, FEPWindow: e.o.Window.FEP.String(), FEPReentry: map[bool]string{false: "after-close", true: "extend"}[e.o.Window.FEPExtend], QuotaCountsFEP: e.o.Policy.QuotaCountsFEP, Tariff: tariff, KazakhstanPre: e.o.KazakhstanPre, NANPCaribbean: e.o.NANPCaribbean}
	return r
}

// authIntlSetting says the authentication-international setting.
func authIntlSetting(a pricing.AuthIntl) string {
	if !a.Eligible {
		return "not eligible"
	}
	s := "eligible"
	if a.BusinessCountry != "" {
		s += ", business in " + a.BusinessCountry
	}
	if a.Start != 0 {
		s += ", from " + a.Start.String()
	}
	return s
}

// businessZones says which businesses have zones of their own.
func businessZones(locs map[string]*time.Location) string {
	var zones []string
	for b, l := range locs {
		zones = append(zones, b+"="+l.String())
	}
	sort.Strings(zones)
	return strings.Join(zones, ", ")
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

// cancelEvery is how often (in messages, a power of two) Add looks at
// Options.Context.
const cancelEvery = 4096

// touchAhead is how many messages' states Run touches at a time.
const touchAhead = 8

// Run replays every message of src. Row errors (unreadable rows, and rows
// the rules cannot price) go to onRowErr: a nil return counts the row as
// rejected and goes on; an error stops the run. A *stream.Prefetcher's
// messages are replayed where they lie, and the states of the next ones
// are loaded together (touchNext).
func Run(e *Engine, src msglog.Reader, onRowErr func(error) error) error {
	if pf, ok := src.(*stream.Prefetcher); ok {
		return e.run(pf.NextRef, pf.Peek, onRowErr)
	}
	var m msglog.Message // one message, reused: hooks must not keep m
	next := func() (*msglog.Message, error) { return &m, src.Read(&m) }
	return e.run(next, nil, onRowErr)
}

// run replays the messages next gives; peek, if set, shows the ones after.
func (e *Engine) run(next func() (*msglog.Message, error), peek func(k int) *msglog.Message, onRowErr func(error) error) error {
	touched := 0
	for {
		mp, err := next()
		if err == io.EOF {
			return nil
		}
		byRules := false
		if err == nil {
			if peek != nil {
				// Every touchAhead messages, touch the next touchAhead
				// together: their loads overlap instead of waiting in turn.
				if touched--; touched <= 0 {
					e.touchNext(peek)
					touched = touchAhead
				}
			}
			err = e.add(mp)
			byRules = err != nil
		}
		if err != nil {
			var re *msglog.RowError
			if errors.As(err, &re) {
				if err := onRowErr(err); err != nil {
					return err
				}
				e.Reject()
				if byRules {
					e.ruleRejected++
				}
				continue
			}
			return err
		}
	}
}
