package simulate

import (
	"fmt"
	"sort"

	"github.com/wacost/wacost/pricing"
)

// Tally holds what a Result's notes are made from, in a form that adds
// up across shards: the notes said once (sorted, so that their order
// does not depend on the order of the log) and the counters behind the
// notes that carry a number.
type Tally struct {
	Said          []string `json:"said"`
	Policy        int64    `json:"withheld_policy"`
	Unmessageable int64    `json:"withheld_unmessageable"`
	Tiered        int64    `json:"tiered"`
	TiersGiven    bool     `json:"tiers_given"`
	FX            *FXNote  `json:"fx,omitempty"`
	LateTemplate  bool     `json:"late_template"`
	LateCategory  string   `json:"late_category"`
	App           int64    `json:"app_messages,omitempty"`
}

// FXNote says how amounts were converted.
type FXNote struct {
	From string        `json:"from"`
	To   string        `json:"to"`
	Rate pricing.Money `json:"rate"`
}

func (e *Engine) tally() Tally {
	t := Tally{Said: append([]string(nil), e.notes...), Policy: e.withheld[pricing.ReasonPolicy],
		Unmessageable: e.withheld[pricing.ReasonUnmessageable], Tiered: e.tiered, TiersGiven: e.o.Tiers != nil,
		LateTemplate: e.o.Policy.Late == pricing.LateTemplate, LateCategory: e.o.Policy.LateCategory.String(), App: e.sum.AppMessages}
	if e.o.FX != nil && e.sum.Currency != "" {
		t.FX = &FXNote{From: e.sum.Currency, To: e.o.FX.To, Rate: e.o.FX.Rate}
	}
	sort.Strings(t.Said)
	return t
}

// add merges another shard's tally into t.
func (t *Tally) add(o Tally) {
	seen := map[string]bool{}
	for _, s := range t.Said {
		seen[s] = true
	}
	for _, s := range o.Said {
		if !seen[s] {
			seen[s] = true
			t.Said = append(t.Said, s)
		}
	}
	sort.Strings(t.Said)
	t.Policy += o.Policy
	t.Unmessageable += o.Unmessageable
	t.Tiered += o.Tiered
	t.App += o.App
	if t.FX == nil {
		t.FX = o.FX
	}
}

// Notes builds a Result's notes: the ones said once, then those with a count.
func (t Tally) Notes(lateReplies int64) []string {
	notes := append([]string{}, t.Said...)
	if t.Policy > 0 {
		notes = append(notes, fmt.Sprintf("%d marketing template(s) to United States numbers on or after %s were not delivered: Meta withholds them (CBP2-16); they are reported as undelivered, reason policy, and not priced", t.Policy, pricing.USMarketingPause))
	}
	if t.Unmessageable > 0 {
		notes = append(notes, fmt.Sprintf("%d business message(s) to countries WhatsApp Business cannot message (Crimea, Cuba, Iran, North Korea, Syria) are reported as undelivered, reason unmessageable, and not priced", t.Unmessageable))
	}
	if t.Tiered > 0 && !t.TiersGiven {
		notes = append(notes, fmt.Sprintf("%d billed utility/authentication message(s) are priced at list rates: no volume-tier table was given (--tiers FILE); Meta's tier thresholds are not public data", t.Tiered))
	}
	if t.FX != nil {
		notes = append(notes, fmt.Sprintf("amounts converted from %s to %s at %s per %s (--fx), each message's cost rounded to a millionth", t.FX.From, t.FX.To, t.FX.Rate, t.FX.From))
	}
	if lateReplies > 0 && t.LateTemplate {
		notes = append(notes, fmt.Sprintf("%d free-form business message(s) sent with no customer-service window open could not have been delivered; each is priced as the %s template it would have had to be (reason late_reply; --late-replies block reports them as blocked)", lateReplies, t.LateCategory))
	}
	if t.App > 0 {
		notes = append(notes, fmt.Sprintf("%d message(s) sent from the WhatsApp Business app (webhook echoes) are not sent through the API: not priced and not counted above, but they answer customers (sla counts them as replies)", t.App))
	}
	return notes
}
