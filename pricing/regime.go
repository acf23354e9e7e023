package pricing

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wacost/wacost/window"
)

// Regime is a set of pricing rules in force between two dates (WABA-local).
type Regime struct {
	Name  string
	From  Day // first day
	Until Day // first day no longer in force; 0 = still in force
	Title string
	// Family is the kind of card the regime prices with; the built-in card
	// of that family in force on the message's day is used.
	Family Family
	// MexicoOnly marks the 2021 test that applied to +52 recipients only.
	MexicoOnly bool
	// Rules are what the regime's family leaves to each regime.
	Rules Rules
}

// Rules are the regime-specific settings of a family's rules: what
// differs between two regimes that price with the same kind of card.
type Rules struct {
	// CategoryRequired: a template without a category cannot be priced
	// (templates are priced by category: CBP2-01, PMP-02).
	CategoryRequired bool
	// FreeTier is the monthly free allowance conversations or sessions
	// that open draw on: none, the account's (Policy.FreeTier: CBP1-05,
	// CBP2-12) or the Mexico test's (Policy.MexicoFreeSessions).
	FreeTier FreeTier
	// ServiceConversationsFree: a service conversation opens free
	// (CBP2-13, from 2024-11).
	ServiceConversationsFree bool
	// FreeFormFree: a free-form message inside the customer-service
	// window is free (PMP-05).
	FreeFormFree bool
	// UtilityFreeInWindow: a utility template inside the customer-service
	// window is free (PMP-04).
	UtilityFreeInWindow bool
	// ServiceQuota: free-form messages are free up to a monthly quota per
	// business number (Policy.ServiceQuota), billed after it (PE-01, PE-04).
	ServiceQuota bool
}

// FreeTier names the free allowance a regime's conversations draw on.
type FreeTier uint8

// Free allowances.
const (
	NoFreeTier     FreeTier = iota
	AccountTier             // Policy.FreeTier conversations a month per account
	MexicoSessions          // Policy.MexicoFreeSessions sessions a month (the 2021 test)
)

// FreeTierLimit is how many conversations of the regime's free allowance
// an account has a month under p (0 for none).
func (r *Regime) FreeTierLimit(p *Policy) int64 {
	switch r.Rules.FreeTier {
	case AccountTier:
		return p.FreeTier
	case MexicoSessions:
		return p.MexicoFreeSessions
	}
	return 0
}

var regimes = []Regime{
	{Name: "2018-08", From: MustDay(2018, 8, 1), Until: MustDay(2022, 2, 1), Family: FamilyTemplate,
		Title: "per template message; every business message free inside the customer-service window"},
	{Name: "2021-02", From: MustDay(2021, 2, 1), Until: MustDay(2022, 2, 1), MexicoOnly: true, Family: FamilyMexico,
		Rules: Rules{FreeTier: MexicoSessions},
		Title: "Mexico (+52) test: 24 h sessions at a flat price, a monthly free allowance"},
	{Name: "2022-02", From: MustDay(2022, 2, 1), Until: MustDay(2023, 6, 1), Family: FamilyCBP1,
		Rules: Rules{FreeTier: AccountTier},
		Title: "24 h conversations, user- vs business-initiated; 1,000 free a month"},
	{Name: "2023-06", From: MustDay(2023, 6, 1), Until: MustDay(2024, 11, 1), Family: FamilyCBP2,
		Rules: Rules{CategoryRequired: true, FreeTier: AccountTier},
		Title: "24 h conversations by category; 1,000 free service conversations a month"},
	{Name: "2024-11", From: MustDay(2024, 11, 1), Until: MustDay(2025, 7, 1), Family: FamilyCBP2,
		Rules: Rules{CategoryRequired: true, ServiceConversationsFree: true},
		Title: "24 h conversations by category; service conversations free"},
	{Name: "2025-07", From: MustDay(2025, 7, 1), Until: MustDay(2026, 10, 1), Family: FamilyPMP,
		Rules: Rules{CategoryRequired: true, FreeFormFree: true, UtilityFreeInWindow: true},
		Title: "per message: templates billed; utility free inside the window"},
	{Name: "2026-10", From: MustDay(2026, 10, 1), Family: FamilyPMP,
		Rules: Rules{CategoryRequired: true, ServiceQuota: true},
		Title: "per message, paid service: free-form billed after a monthly free quota per number"},
}

// Regimes lists every known regime, oldest first.
func Regimes() []Regime { return append([]Regime(nil), regimes...) }

// RegimeNames lists the regime names, for flags and completion.
func RegimeNames() []string {
	var s []string
	for _, r := range regimes {
		s = append(s, r.Name)
	}
	return s
}

// RegimeByName finds a regime.
func RegimeByName(name string) (Regime, error) {
	for _, r := range regimes {
		if r.Name == name {
			return r, nil
		}
	}
	return Regime{}, fmt.Errorf("unknown regime %q (want auto or one of %s)", name, strings.Join(RegimeNames(), ", "))
}

// RegimeAt returns the regime in force on day d for a recipient in market.
func RegimeAt(d Day, market string) (Regime, error) {
	if d < regimes[0].From {
		return Regime{}, fmt.Errorf("%s is before %s, when WhatsApp Business API pricing began", d, regimes[0].From)
	}
	var found Regime
	for _, r := range regimes {
		if d < r.From || (r.Until != 0 && d >= r.Until) {
			continue
		}
		if r.MexicoOnly && market != "Mexico" {
			continue
		}
		found = r // later entries win: the Mexico test overrides 2018-08 for +52
	}
	return found, nil
}

// Category is a template's category.
type Category uint8

// Template categories.
const (
	CatNone Category = iota
	CatMarketing
	CatUtility
	CatAuthentication
)

var catNames = []string{"", "marketing", "utility", "authentication"}

func (c Category) String() string { return catNames[c] }

// ParseCategory parses marketing, utility or authentication ("" is CatNone).
func ParseCategory(s string) (Category, bool) {
	for i, n := range catNames { // the usual spellings first, as they are
		if n == s {
			return Category(i), true
		}
	}
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range catNames {
		if n == s {
			return Category(i), true
		}
	}
	return CatNone, false
}

func (c Category) key() Key {
	switch c {
	case CatMarketing:
		return KeyMarketing
	case CatUtility:
		return KeyUtility
	case CatAuthentication:
		return KeyAuthentication
	}
	return KeyTemplate
}

// Outcome is what happened to a business message.
type Outcome uint8

// Outcomes. The zero Outcome is none: a customer message's record has no
// outcome, and Decide always sets one.
const (
	NoOutcome   Outcome = iota // not a business message's
	Free                       // delivered, no charge
	Billed                     // delivered and charged
	Blocked                    // could not have been sent (free-form outside the window)
	Undelivered                // never delivered (failed), so never billed
)

var outcomeNames = []string{"", "free", "billed", "blocked", "undelivered"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", o)
}

// MarshalText writes the outcome as the ledger prints it.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads an outcome as MarshalText writes it.
func (o *Outcome) UnmarshalText(b []byte) error {
	return parseEnum(b, outcomeNames, "outcome", (*uint8)(o))
}

// Delivered reports whether a message of this outcome reached the customer.
func (o Outcome) Delivered() bool { return o == Free || o == Billed }

// parseEnum sets *v to the index of b in names.
func parseEnum(b []byte, names []string, what string, v *uint8) error {
	for i, n := range names {
		if n == string(b) {
			*v = uint8(i)
			return nil
		}
	}
	return fmt.Errorf("unknown %s %q (want one of %s)", what, b, strings.Join(names[1:], ", "))
}

// Reason says why a message got its outcome.
type Reason uint8

// Reasons, as printed in the ledger. The zero Reason is none (a customer
// message's record).
const (
	NoReason               Reason = iota // ""
	ReasonCSW                            // customer_service_window: free inside the CSW
	ReasonFEP                            // free_entry_point
	ReasonFreeQuota                      // free_quota: within the monthly free service messages (2026-10)
	ReasonTemplate                       // template: a billed template
	ReasonService                        // service: a billed free-form (service) message
	ReasonLateReply                      // late_reply: free-form outside the window, priced as a template
	ReasonOutsideWindow                  // outside_window: free-form outside the window, blocked
	ReasonFailed                         // failed: not delivered
	ReasonConversation                   // conversation: opened a paid conversation
	ReasonConversationOpen               // conversation_open: covered by an open conversation
	ReasonFreeTier                       // free_tier: opened a conversation inside the monthly free tier
	ReasonFreeService                    // free_service: opened a service conversation, free from 2024-11
	ReasonPolicy                         // policy: withheld by Meta (US marketing pause), not delivered
	ReasonUnmessageable                  // unmessageable: a country WhatsApp Business cannot message
	ReasonAgentTokens                    // agent_tokens: a Meta Business Agent message, billed per token (2026-08)
	ReasonBusinessApp                    // business_app: sent from the WhatsApp Business app, not through the API
)

var reasonNames = []string{"", "customer_service_window", "free_entry_point", "free_quota", "template", "service", "late_reply",
	"outside_window", "failed", "conversation", "conversation_open", "free_tier", "free_service", "policy", "unmessageable", "agent_tokens", "business_app"}

func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", r)
}

// MarshalText writes the reason as the ledger prints it.
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a reason as MarshalText writes it.
func (r *Reason) UnmarshalText(b []byte) error {
	return parseEnum(b, reasonNames, "reason", (*uint8)(r))
}

// LateMode says what to do with a free-form business message sent when no
// customer-service window is open (it could not have been delivered).
type LateMode uint8

// Late-reply modes.
const (
	// LateTemplate prices it as the template the business would have had to send.
	LateTemplate LateMode = iota
	// LateBlock reports it as blocked.
	LateBlock
)

// Policy holds the settings the rules leave open.
type Policy struct {
	Late LateMode
	// LateCategory is the template category a late reply is priced as.
	LateCategory Category
	// QuotaCountsFEP: a service message free in a free entry point window
	// uses up a place in the month's service quota too (false: it does
	// not; Meta's pages say nothing of it).
	QuotaCountsFEP bool
	// ServiceQuota is the number of free service messages per business
	// phone number per month under 2026-10 (PE-04; default 1,000).
	ServiceQuota int64
	// FreeTier is the number of free conversations per account per month:
	// any conversation under 2022-02 (CBP1-05), service conversations under
	// 2023-06 (CBP2-12). Default 1,000.
	FreeTier int64
	// MexicoFreeSessions is the monthly free allowance of the 2021 Mexico
	// test (1,000 or 1,500 by source; default 1,000).
	MexicoFreeSessions int64
}

// DefaultPolicy returns the documented defaults.
func DefaultPolicy() Policy {
	return Policy{Late: LateTemplate, LateCategory: CatUtility, ServiceQuota: 1000, FreeTier: 1000, MexicoFreeSessions: 1000}
}

// Message is what the rules need to know of one business message.
type Message struct {
	Template bool
	Category Category
	Failed   bool
	// QuotaLeft: the business number still has free service messages this month (2026-10).
	QuotaLeft bool
	// FreeTierLeft: the account still has free conversations this month
	// (the 2022-02 / 2023-06 free tier, or the Mexico test's allowance).
	FreeTierLeft bool
}

// Conversations is the read side of a customer's conversations (a
// *window.State): the rules look, the engine opens.
type Conversations interface {
	Conversation(c window.Category, t time.Time) (window.Conversation, bool)
	AnyConversation(t time.Time) (window.Conversation, bool)
}

// Open asks the engine to open a conversation when the message is delivered.
type Open struct {
	Category window.Category
	Duration time.Duration
	// CloseOthers: a free-entry-point conversation closes the others (CBP2-09).
	CloseOthers bool
}

// ErrNoCategory is returned by Decide for a template without a category
// under a regime that prices templates by category.
var ErrNoCategory = errors.New("a template needs a category (marketing, utility or authentication)")

// Decision is the rules' verdict on one business message.
type Decision struct {
	Outcome Outcome
	Reason  Reason
	// Key is the card price that applies when Outcome is Billed.
	Key Key
	// Category is the pricing category: marketing, utility,
	// authentication, service, template (2018 rule), business_initiated,
	// user_initiated or conversation (conversation regimes).
	Category string
	// Late: a free-form message sent outside the customer-service window.
	Late bool
	// Conversation is the covering conversation's id (0: none or new).
	Conversation uint64
	// Open, if set, is the conversation this message opens on delivery.
	Open *Open
	// FreeTier: the message used one unit of the account's monthly free tier.
	FreeTier bool
}

// USMarketingPause is the day Meta stopped delivering marketing templates
// to United States (+1) numbers (CBP2-16).
var USMarketingPause = MustDay(2025, 4, 1)

// Withheld reports whether a business message to market mk on day d is
// never delivered by policy, and why: numbers in unmessageable countries
// (MK-03), and marketing templates to US numbers from 2025-04-01 (CBP2-16;
// Canada is not affected). Such messages are not priced.
func Withheld(mk Market, d Day, template bool, c Category) (Reason, bool) {
	if mk.Unmessageable {
		return ReasonUnmessageable, true
	}
	if template && c == CatMarketing && mk.ISO2 == "US" && d >= USMarketingPause {
		return ReasonPolicy, true
	}
	return 0, false
}

// Delivered reports whether the message reached the customer (and so can
// open windows).
func (d Decision) Delivered() bool { return d.Outcome.Delivered() }

// Conversation categories used by the conversation regimes.
const (
	ConvFEP      window.Category = "free_entry_point"
	ConvSession  window.Category = "conversation"
	ConvBusiness window.Category = "business_initiated"
	ConvUser     window.Category = "user_initiated"
	ConvService  window.Category = "service"
)

// Decide applies the regime's rules to one business message sent at t,
// given the windows then (w), the customer's conversations (cv) and the
// durations of conversations (conv) and free-entry-point windows (fep).
func (r *Regime) Decide(m Message, t time.Time, w *window.Status, cv Conversations, p *Policy, fep time.Duration) (Decision, error) {
	d := Decision{}
	tmpl, cat := m.Template, m.Category
	if !tmpl && !w.InCSW {
		d.Late = true
		if p.Late == LateBlock && !m.Failed {
			d.Outcome, d.Reason, d.Category = Blocked, ReasonOutsideWindow, "service"
			return d, nil
		}
		tmpl, cat = true, p.LateCategory
	}
	if tmpl && cat == CatNone && r.Rules.CategoryRequired {
		return Decision{}, fmt.Errorf("%w under regime %s", ErrNoCategory, r.Name)
	}
	switch {
	case !tmpl:
		d.Category = "service"
	case cat == CatNone:
		d.Category = "template"
	default:
		d.Category = cat.String()
	}
	if m.Failed {
		d.Outcome, d.Reason = Undelivered, ReasonFailed
		return d, nil
	}
	rules := decider{d: d, late: d.Late}
	switch r.Family {
	case FamilyTemplate:
		// everything free inside the window; templates billed outside.
		if w.InCSW {
			return rules.free(ReasonCSW)
		}
		return rules.bill(KeyTemplate, ReasonTemplate)
	case FamilyMexico:
		return rules.mexico(t, cv, m)
	case FamilyCBP1:
		return rules.cbp1(t, w, cv, m, fep)
	case FamilyCBP2:
		return rules.cbp2(r, t, w, cv, m, tmpl, cat, fep)
	case FamilyPMP:
		return rules.pmp(r, t, w, cv, m, tmpl, cat)
	}
	return Decision{}, fmt.Errorf("regime %s has no rules", r.Name)
}

type decider struct {
	d    Decision
	late bool
}

func (x decider) bill(k Key, why Reason) (Decision, error) {
	x.d.Outcome, x.d.Key, x.d.Reason = Billed, k, why
	if x.late && why == ReasonTemplate {
		x.d.Reason = ReasonLateReply
	}
	return x.d, nil
}

func (x decider) free(why Reason) (Decision, error) {
	x.d.Outcome, x.d.Reason = Free, why
	return x.d, nil
}

// covered: free, inside an open conversation.
func (x decider) covered(c window.Conversation) (Decision, error) {
	x.d.Conversation = c.ID
	return x.free(ReasonConversationOpen)
}

// open: this message opens a conversation, billed at k unless free says why not.
func (x decider) open(c window.Category, dur time.Duration, k Key, freeWhy Reason, freeTier bool) (Decision, error) {
	x.d.Open = &Open{Category: c, Duration: dur}
	x.d.Key = k // the conversation's price, billed or not (a free-tier one may be billed after a merge)
	if freeTier {
		x.d.FreeTier = true
		return x.free(ReasonFreeTier)
	}
	if freeWhy != ReasonConversation {
		return x.free(freeWhy)
	}
	x.d.Outcome, x.d.Key, x.d.Reason = Billed, k, ReasonConversation
	return x.d, nil
}

// fepConversation handles a message inside a free-entry-point window under
// the conversation regimes: the reply that opens it starts a free
// conversation that closes the others (CBP1-06, CBP2-09).
func (x decider) fepConversation(t time.Time, w *window.Status, cv Conversations, fep time.Duration) (Decision, error) {
	if w.FEPOpened {
		x.d.Open = &Open{Category: ConvFEP, Duration: fep, CloseOthers: true}
		return x.free(ReasonFEP)
	}
	if c, ok := cv.Conversation(ConvFEP, t); ok {
		x.d.Conversation = c.ID
	}
	return x.free(ReasonFEP)
}

// mexico: the 2021 test for +52 numbers. Any delivered business message
// with no session open starts a 24 h session at one flat price (A-MX).
func (x decider) mexico(t time.Time, cv Conversations, m Message) (Decision, error) {
	x.d.Category = "conversation"
	if c, ok := cv.Conversation(ConvSession, t); ok {
		return x.covered(c)
	}
	return x.open(ConvSession, ConversationLength, KeyConversation, ReasonConversation, m.FreeTierLeft)
}

// ConversationLength is the length of a conversation (CBP1-01, CBP2-06).
const ConversationLength = 24 * time.Hour

// cbp1: 2022-02. One conversation at a time covers every business message;
// a new one is user-initiated if the window is open, else
// business-initiated (CBP1-02, -03, -07, -08); the first 1,000 a month are
// free (CBP1-05).
func (x decider) cbp1(t time.Time, w *window.Status, cv Conversations, m Message, fep time.Duration) (Decision, error) {
	if w.InFEP {
		x.d.Category = "free_entry_point"
		return x.fepConversation(t, w, cv, fep)
	}
	if c, ok := cv.AnyConversation(t); ok {
		x.d.Category = string(c.Category)
		return x.covered(c)
	}
	if w.InCSW {
		x.d.Category = string(ConvUser)
		return x.open(ConvUser, ConversationLength, KeyUserInitiated, ReasonConversation, m.FreeTierLeft)
	}
	x.d.Category = string(ConvBusiness)
	return x.open(ConvBusiness, ConversationLength, KeyBusinessInitiated, ReasonConversation, m.FreeTierLeft)
}

// cbp2: 2023-06 and 2024-11. A template of category X opens an X
// conversation unless one is open (CBP2-03); a free-form message opens a
// service conversation only when none of any category is open (CBP2-04);
// service conversations are in the free tier (CBP2-12) and free from
// 2024-11 (CBP2-13).
func (x decider) cbp2(r *Regime, t time.Time, w *window.Status, cv Conversations, m Message, tmpl bool, cat Category, fep time.Duration) (Decision, error) {
	if w.InFEP {
		return x.fepConversation(t, w, cv, fep)
	}
	if tmpl {
		c := window.Category(cat.String())
		if open, ok := cv.Conversation(c, t); ok {
			return x.covered(open)
		}
		return x.open(c, ConversationLength, cat.key(), ReasonConversation, false)
	}
	if open, ok := cv.AnyConversation(t); ok {
		return x.covered(open)
	}
	if r.Rules.ServiceConversationsFree {
		return x.open(ConvService, ConversationLength, KeyService, ReasonFreeService, false)
	}
	return x.open(ConvService, ConversationLength, KeyService, ReasonConversation, m.FreeTierLeft)
}

// pmp: 2025-07 and 2026-10, per message.
func (x decider) pmp(r *Regime, t time.Time, w *window.Status, cv Conversations, m Message, tmpl bool, cat Category) (Decision, error) {
	if w.InFEP { // PMP-09, PE-06
		return x.free(ReasonFEP)
	}
	if tmpl && cat == CatUtility {
		// CBP2-17: a utility conversation opened before 2025-07-01 still
		// covers utility templates until it expires.
		if c, ok := cv.Conversation(window.Category("utility"), t); ok {
			return x.covered(c)
		}
	}
	if !tmpl {
		switch {
		case r.Rules.FreeFormFree: // PMP-05
			return x.free(ReasonCSW)
		case r.Rules.ServiceQuota && m.QuotaLeft: // PE-01, PE-04
			return x.free(ReasonFreeQuota)
		}
		return x.bill(KeyService, ReasonService)
	}
	if cat == CatUtility && w.InCSW && r.Rules.UtilityFreeInWindow { // PMP-04
		return x.free(ReasonCSW)
	}
	return x.bill(cat.key(), ReasonTemplate) // PMP-02, PMP-03, PE-05, PE-08
}
