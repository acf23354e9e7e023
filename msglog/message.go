package msglog

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wacost/wacost/window"
)

// Direction is who sent a message.
type Direction uint8

// Directions. The zero value is invalid, so a forgotten field shows.
const (
	Inbound  Direction = 1 // customer to business
	Outbound Direction = 2 // business to customer
)

func (d Direction) String() string {
	switch d {
	case Inbound:
		return "in"
	case Outbound:
		return "out"
	}
	return "?"
}

// DefaultBusiness names the business of logs without a business column.
const DefaultBusiness = "default"

// Pos is where a row came from.
type Pos struct {
	File string
	Line int
	// Seq is the row's ordinal over all inputs, for a stable order of ties.
	Seq int64
}

func (p Pos) String() string { return p.File + ":" + strconv.Itoa(p.Line) }

// Message is one row of a log, validated and normalised.
//
// The fields are laid out for the replay: what the engine reads of every
// message lies in its first three 64-byte cache lines (a message crosses
// from the parsing core to the replaying one), the fields only hooks read
// in the fourth.
type Message struct {
	// cache line 0
	Time       time.Time
	Direction  Direction
	EntryPoint window.EntryPoint
	Template   bool
	Failed     bool // Status is "failed"
	// facts is what the reader that built the message vouches for, so
	// that a replay need not read the strings on the third cache line:
	// factsKnown, factsCountry, and the category's index in Categories
	// shifted by factsCatShift. Facts reads it; Unvouch clears it.
	facts uint8
	// Inferred marks a business message whose type and category were
	// inferred from Meta's pricing label (Label), not read from a log.
	Inferred bool
	// Echo marks a business message sent from the WhatsApp Business app
	// (a webhook's smb_message_echoes): not sent through the API, so not
	// priced, but an answer to the customer all the same.
	Echo bool
	// ProviderCurrency is the currency of ProviderPrice as its index in
	// ProviderCurrencies; 0 says the message has no provider's figure
	// (none, not a zero price).
	ProviderCurrency uint8
	// Customer is the customer's number, digits only, country code first.
	Customer string
	// CustomerKey is NumberKey(Customer), when the reader has worked it
	// out (0 otherwise); whoever changes Customer sets it to 0 or its key.
	CustomerKey uint64
	// ProviderPrice is what the provider charged for the message (its
	// Price, as a positive charge), in millionths of its currency unit.
	ProviderPrice int32
	// Tokens is the tokens of a Meta Business Agent message (PE-10), 0 for
	// any other message.
	Tokens uint32
	// cache line 1
	// Business is the business number or id (DefaultBusiness if absent).
	Business string
	ID       string
	Pos      Pos
	// cache line 2
	// Type is the message type as logged ("text", "template", "image", ...).
	Type string
	// Category is "marketing", "utility", "authentication" or "" (templates only).
	Category string
	// Country is an ISO 3166 alpha-2 override of the number's market ("" = none).
	Country string
	// Status is the outbound delivery status ("" if unknown).
	Status string
	// cache line 3
	// TemplateName is the template's name (optional "template" column).
	TemplateName string
	// Agent is who answered (optional, for SLA breakdowns).
	Agent string
	// Sender is "bot", "human" or "" (unknown), on business messages.
	Sender string
	// Label is Meta's pricing label of a business message, as its status
	// webhook gave it: "MODEL TYPE CATEGORY" (PMP regular marketing); for
	// a failed message without one, "error CODE ..." (Meta's or the
	// provider's codes); else "".
	Label string // 256 bytes in all: a slice's messages keep to their lines
}

// ProviderCurrencies are the currencies a provider's price (Twilio's
// PriceUnit) may be in: ISO 4217 codes, by index (0: no price).
var ProviderCurrencies = [...]string{"", "USD", "EUR", "GBP", "BRL", "INR", "MXN", "ARS", "CLP", "COP", "PEN", "CAD", "AUD", "NZD",
	"JPY", "SGD", "HKD", "MYR", "IDR", "PHP", "THB", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "TRY", "ILS",
	"AED", "SAR", "ZAR", "NGN", "KES", "EGP"}

// ProviderCurrencyIndex is code's index in ProviderCurrencies (any case),
// or 0 if it is not one.
func ProviderCurrencyIndex(code string) uint8 {
	for i, c := range ProviderCurrencies[1:] {
		if strings.EqualFold(c, code) {
			return uint8(i + 1)
		}
	}
	return 0
}

// IDPrefix, before a customer column's value, names a customer as
// written, not read as a phone number: one known by an id (a BSUID, a
// group's "group:ID"), whose market is its country column's, as in
// "id:US.13491208655302741918", or digits another reader accepted with a
// country to read them by.
const IDPrefix = "id:"

// Canonical column names.
const (
	ColTimestamp  = "timestamp"
	ColCustomer   = "customer"
	ColDirection  = "direction"
	ColType       = "type"
	ColCategory   = "category"
	ColCountry    = "country"
	ColBusiness   = "business"
	ColEntryPoint = "entry_point"
	ColStatus     = "status"
	ColID         = "id"
	ColAgent      = "agent"
	ColSender     = "sender"
	ColTemplate   = "template"
	ColTokens     = "tokens"
	// The columns that carry what other formats' readers know: Meta's
	// pricing label, whether type and category were inferred from it, a
	// message sent from the Business app, the provider's price.
	ColLabel            = "label"
	ColInferred         = "inferred"
	ColEcho             = "echo"
	ColProviderPrice    = "provider_price"
	ColProviderCurrency = "provider_currency"
)

// Columns lists the canonical columns; the first three are required.
var Columns = []string{ColTimestamp, ColCustomer, ColDirection, ColType, ColCategory, ColCountry, ColBusiness, ColEntryPoint, ColStatus, ColID, ColAgent, ColSender, ColTemplate, ColTokens,
	ColLabel, ColInferred, ColEcho, ColProviderCurrency, ColProviderPrice}

var required = []string{ColTimestamp, ColCustomer, ColDirection}

const (
	factsKnown    = 1 << 0
	factsCountry  = 1 << 1
	factsCatShift = 2
)

// Categories are the categories a reader leaves in Message.Category, in
// the order Facts numbers them (pricing's order).
var Categories = [...]string{"", "marketing", "utility", "authentication"}

// Facts returns what the reader that built m vouches for, without a look
// at the fields on its third cache line: whether it has a Country, and
// its Category's index in Categories. ok is false for a message not built
// by a reader (or changed since): read its fields.
func (m *Message) Facts() (category int, country, ok bool) {
	return int(m.facts >> factsCatShift), m.facts&factsCountry != 0, m.facts&factsKnown != 0
}

// Unvouch forgets what the reader vouched for (Facts), for a message whose
// Category or Country was changed field by field; SetCategory and
// SetCountry keep Facts right themselves.
func (m *Message) Unvouch() { m.facts = 0 }

// SetCategory changes the message's category, and what its reader vouched
// for with it.
func (m *Message) SetCategory(c string) {
	m.Category = c
	if m.facts&factsKnown != 0 {
		m.vouch()
	}
}

// SetCountry changes the message's country override, and what its reader
// vouched for with it.
func (m *Message) SetCountry(c string) {
	m.Country = c
	if m.facts&factsKnown != 0 {
		m.vouch()
	}
}

// HasCountry says whether the message has a country override, from what
// its reader vouched for if it did (then the Country field is not read).
func (m *Message) HasCountry() bool {
	if m.facts&factsKnown != 0 {
		return m.facts&factsCountry != 0
	}
	return m.Country != ""
}

// CategoryIndex is the message's category as its index in Categories,
// from what its reader vouched for if it did; ok is false for a category
// not in Categories.
func (m *Message) CategoryIndex() (i int, ok bool) {
	if m.facts&factsKnown != 0 {
		return int(m.facts >> factsCatShift), true
	}
	return m.categoryIndex()
}

func (m *Message) categoryIndex() (int, bool) {
	for i, c := range Categories {
		if m.Category == c {
			return i, true
		}
	}
	return 0, false
}

// vouch records Facts for a message whose Category is one of Categories.
func (m *Message) vouch() {
	f := uint8(factsKnown)
	if m.Country != "" {
		f |= factsCountry
	}
	for i, c := range Categories {
		if m.Category == c {
			m.facts = f | uint8(i)<<factsCatShift
			return
		}
	}
	m.facts = 0
}

// RowError is a row that cannot be read. The reader continues after it.
type RowError struct {
	File  string
	Line  int
	Field string
	Msg   string
	// Value is the field's value as read (Msg quotes it), if one was.
	Value string
}

// MaskedError is err's text with a customer number it quotes replaced by
// mask's pseudonym of it, so that a masked run names no number anywhere.
func MaskedError(err error, mask func(string) string) string {
	var re *RowError
	if mask == nil || !errors.As(err, &re) || re.Field != ColCustomer || re.Value == "" {
		return err.Error()
	}
	c := *re
	c.Msg = strings.ReplaceAll(c.Msg, strconv.Quote(c.Value), strconv.Quote(mask(c.Value)))
	return strings.Replace(err.Error(), re.Error(), c.Error(), 1)
}

func (e *RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

// Less orders messages for replay: by time; at the same instant customer
// messages before business messages (a reply cannot precede what it
// answers); then by business, customer and id, so that any permutation of
// the same rows replays identically; then by input order.
func Less(a, b *Message) bool {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c < 0
	}
	if a.Direction != b.Direction {
		return a.Direction < b.Direction
	}
	if c := strings.Compare(a.Business, b.Business); c != 0 {
		return c < 0
	}
	if a.CustomerKey != 0 && b.CustomerKey != 0 { // equal keys, equal numbers
		if a.CustomerKey != b.CustomerKey {
			return NumberLess(a.CustomerKey, b.CustomerKey)
		}
	} else if c := strings.Compare(a.Customer, b.Customer); c != 0 {
		return c < 0
	}
	if c := strings.Compare(a.ID, b.ID); c != 0 {
		return c < 0
	}
	return a.Pos.Seq < b.Pos.Seq
}
