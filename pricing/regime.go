package pricing

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wacost/wacost/window"
)

// Regime is a set of pricing rules in force between two dates (WABA-local).
type Regime struct {
	Name  string
	From  Day // first day
	Until Day // first day no longer in force; 0 = still in force
	Title string
	// Card is the built-in card the regime prices with by default.
	Card string
	// Implemented is false for regimes this version of wacost cannot price yet.
	Implemented bool
	// MexicoOnly marks the 2021 test that applied to +52 recipients only.
	MexicoOnly bool
}

var regimes = []Regime{
	{Name: "2018-08", From: MustDay(2018, 8, 1), Until: MustDay(2022, 2, 1), Card: "2018-08-proxy", Implemented: true,
		Title: "per template message; every business message free inside the customer-service window"},
	{Name: "2021-02", From: MustDay(2021, 2, 1), Until: MustDay(2022, 2, 1), MexicoOnly: true,
		Title: "Mexico (+52) test of per-conversation pricing"},
	{Name: "2022-02", From: MustDay(2022, 2, 1), Until: MustDay(2023, 6, 1),
		Title: "conversations: user- vs business-initiated, 1,000 free a month"},
	{Name: "2023-06", From: MustDay(2023, 6, 1), Until: MustDay(2024, 11, 1),
		Title: "conversations by category (marketing, utility, authentication, service)"},
	{Name: "2024-11", From: MustDay(2024, 11, 1), Until: MustDay(2025, 7, 1),
		Title: "conversations by category; service conversations free"},
	{Name: "2025-07", From: MustDay(2025, 7, 1), Until: MustDay(2026, 10, 1), Card: "2025-07", Implemented: true,
		Title: "per message: templates billed; utility free inside the window"},
	{Name: "2026-10", From: MustDay(2026, 10, 1), Card: "2026-10", Implemented: true,
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

// Outcomes.
const (
	Free        Outcome = iota // delivered, no charge
	Billed                     // delivered and charged
	Blocked                    // could not have been sent (free-form outside the window)
	Undelivered                // never delivered (failed), so never billed
)

var outcomeNames = []string{"free", "billed", "blocked", "undelivered"}

func (o Outcome) String() string { return outcomeNames[o] }

// Reason says why a message got its outcome.
type Reason uint8

// Reasons, as printed in the ledger.
const (
	ReasonCSW           Reason = iota // customer_service_window: free inside the CSW
	ReasonFEP                         // free_entry_point
	ReasonFreeQuota                   // free_quota: within the monthly free service messages
	ReasonTemplate                    // template: a billed template
	ReasonService                     // service: a billed free-form (service) message
	ReasonLateReply                   // late_reply: free-form outside the window, priced as a template
	ReasonOutsideWindow               // outside_window: free-form outside the window, blocked
	ReasonFailed                      // failed: not delivered
)

var reasonNames = []string{"customer_service_window", "free_entry_point", "free_quota", "template", "service", "late_reply", "outside_window", "failed"}

func (r Reason) String() string { return reasonNames[r] }

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
	// ServiceQuota is the number of free service messages per business
	// phone number per month under 2026-10 (PE-04; default 1,000).
	ServiceQuota int64
}

// DefaultPolicy returns the documented defaults.
func DefaultPolicy() Policy {
	return Policy{Late: LateTemplate, LateCategory: CatUtility, ServiceQuota: 1000}
}

// Message is what the rules need to know of one business message.
type Message struct {
	Template bool
	Category Category
	Failed   bool
	// QuotaLeft: the business number still has free service messages this month.
	QuotaLeft bool
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
	// Category is the pricing category: marketing, utility, authentication,
	// service or template (a template of unknown category, 2018 rule).
	Category string
	// Late: a free-form message sent outside the customer-service window.
	Late bool
}

// Delivered reports whether the message reached the customer (and so can
// open windows).
func (d Decision) Delivered() bool { return d.Outcome == Free || d.Outcome == Billed }

// Decide applies the regime's rules to one business message, given the
// windows at its send time.
func (r Regime) Decide(m Message, w window.Status, p Policy) (Decision, error) {
	if !r.Implemented {
		return Decision{}, fmt.Errorf("regime %s (%s, from %s) is not implemented yet", r.Name, r.Title, r.From)
	}
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
	if tmpl && cat == CatNone && r.Name != "2018-08" {
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
	bill := func(k Key, why Reason) (Decision, error) {
		d.Outcome, d.Key, d.Reason = Billed, k, why
		if d.Late {
			d.Reason = ReasonLateReply
		}
		return d, nil
	}
	free := func(why Reason) (Decision, error) {
		d.Outcome, d.Reason = Free, why
		return d, nil
	}
	switch r.Name {
	case "2018-08":
		// everything free inside the window; templates billed outside.
		if w.InCSW {
			return free(ReasonCSW)
		}
		return bill(KeyTemplate, ReasonTemplate)
	case "2025-07":
		if w.InFEP { // PMP-09
			return free(ReasonFEP)
		}
		if !tmpl { // PMP-05
			return free(ReasonCSW)
		}
		if cat == CatUtility && w.InCSW { // PMP-04
			return free(ReasonCSW)
		}
		return bill(cat.key(), ReasonTemplate) // PMP-02, PMP-03
	case "2026-10":
		if w.InFEP { // PE-06
			return free(ReasonFEP)
		}
		if !tmpl { // PE-01, PE-04
			if m.QuotaLeft {
				return free(ReasonFreeQuota)
			}
			return bill(KeyService, ReasonService)
		}
		return bill(cat.key(), ReasonTemplate) // PE-05, PE-08
	}
	return Decision{}, fmt.Errorf("regime %s has no rules", r.Name)
}
