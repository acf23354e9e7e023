package cmd

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/reconcile"
	"github.com/wacost/wacost/render"
	"github.com/wacost/wacost/replay"
	"github.com/wacost/wacost/simulate"
)

const reconcileLong = `Check Meta's bill against wacost's rules, message by message and in totals.

A webhook log's status webhooks carry Meta's verdict on each delivered business
message (pricing: billable, pricing_model, type, category). reconcile replays
the log with every setting simulate takes and compares, for each delivered
business message with a label, wacost's verdict (free or billed; the category;
the kind of free: service window, entry point, quota) with Meta's. It prints
how many were compared and agree, a confusion table, and each disagreement
with both verdicts, wacost's account of the windows and a likely cause:
category (a reclassified template, CAT-01), entry_point, quota, window_edge
(within --edge of a window's opening or close), regime_switch, unknown; and
what the disagreements cost (Meta's charge minus wacost's, at list prices).

--analytics FILE (repeatable) checks saved responses of Meta's
pricing_analytics (conversation_analytics for the conversation era, analytics
for sent and delivered counts) against wacost's totals for each data point,
by its interval and the dimensions it names (country, type, category,
direction): volumes exactly, costs within --tolerance.

Where the log carries a provider's price (Twilio's Price), the report sets it
beside wacost's Meta fee for the same messages and gives the margin.`

type reconcileOptions struct {
	*simulateOptions
	analytics []reconcile.Point
	files     []string // the analytics files
	tolerance float64
	edge      time.Duration
}

func newReconcileCmd(s *streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "reconcile LOG ...",
		Short: "Check Meta's pricing labels and analytics against wacost's rules, with a CI gate",
		Long:  reconcileLong + fmt.Sprintf(thresholdHelp, strings.Join(append(append([]string{}, reconcile.MetricNames...), simulate.MetricNames...), ", ")),
		Example: `  wacost reconcile testdata/webhooks.ndjson --analytics testdata/pricing-analytics.json
  wacost reconcile webhooks/ --sends sends.csv --format json > reconcile.json
  wacost reconcile log.ndjson --threshold 'agreement>=99.5%' --threshold 'analytics.differ==0'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o, err := reconcileOptionsFrom(c, args)
			if err != nil {
				return err
			}
			o.terminal = isTerminal(s.out)
			return runReplay(s, o.simulateOptions, func(out io.Writer) (replay.Sink, error) {
				return &reconcileSink{o: o, out: out}, nil
			})
		},
	}
	addReplayFlags(c)
	f := c.Flags()
	f.StringArray("analytics", nil, "a saved response of Meta's pricing_analytics, conversation_analytics or analytics to check totals against (repeatable)")
	f.String("tolerance", "0.5%", "how far a cost may differ from Meta's analytics (Meta calls them approximate)")
	f.Duration("edge", 2*time.Minute, "a disagreement this near a window's opening or close is put down to the window's edge")
	f.StringP("format", "f", "table", "output format: "+strings.Join(render.ReconcileFormats, ", "))
	f.BoolP("quiet", "q", false, "do not repeat the pricing notes on stderr")
	addThresholdFlags(c)
	addMaskFlags(c)
	complete(c, "format", render.ReconcileFormats)
	return c
}

func reconcileOptionsFrom(c *cobra.Command, args []string) (*reconcileOptions, error) {
	v, so, err := replayCommandOptions(c, args)
	if err != nil {
		return nil, err
	}
	o := &reconcileOptions{simulateOptions: so}
	o.quiet, o.mask, o.tableNotes = v.GetBool("quiet"), maskFrom(v), true
	if o.format, err = formatFrom(v, render.ReconcileFormats); err != nil {
		return nil, err
	}
	tol := strings.TrimSpace(v.GetString("tolerance"))
	pct := strings.HasSuffix(tol, "%")
	x, err := strconv.ParseFloat(strings.TrimSuffix(tol, "%"), 64)
	if err != nil || x < 0 || (pct && x > 100) || (!pct && x > 1) {
		return nil, usagef("--tolerance %q: want a share such as 0.5%% (or 0.005)", tol)
	}
	if pct {
		x /= 100
	}
	o.tolerance = x
	if o.edge = v.GetDuration("edge"); o.edge < 0 {
		return nil, usagef("--edge %s: want a duration of 0 or more", o.edge)
	}
	for _, f := range v.GetStringSlice("analytics") {
		pts, err := readFile(f, reconcile.ReadAnalytics)
		if err != nil {
			return nil, usageError{fmt.Errorf("--analytics: %w", err)}
		}
		o.analytics = append(o.analytics, pts...)
		o.files = append(o.files, f)
	}
	if o.thresholds, err = thresholdsFrom(v); err != nil {
		return nil, err
	}
	return o, checkScopes(o.thresholds, nil, "market", "category")
}

// reconcileSink feeds the replay into a reconcile checker.
type reconcileSink struct {
	o        *reconcileOptions
	out      io.Writer
	checker  *reconcile.Checker
	provider render.ProviderCheck
	so       simulate.Options
}

func (c *reconcileSink) Configure(so *simulate.Options) {
	c.so = *so
	ro := reconcile.Options{Edge: c.o.edge, Window: so.Window.CSW, FEP: so.Window.FEP, Mask: c.o.maskFunc(),
		Price: c.price, Analytics: c.o.analytics, Tolerance: c.o.tolerance, Tiers: so.Tiers != nil,
		CountryOf: func(d string) string { return so.Markets.Lookup(d, 0).ISO2 }}
	c.checker = reconcile.New(ro)
	so.Visit = func(m *msglog.Message, e *simulate.Entry) error {
		if m.ProviderCurrency != 0 {
			c.providerFigure(m, e)
		}
		return c.checker.Visit(m, e)
	}
}

// providerFigure sets a message's provider price beside wacost's Meta fee.
func (c *reconcileSink) providerFigure(m *msglog.Message, e *simulate.Entry) {
	p := &c.provider
	p.Messages++
	p.Currency = msglog.ProviderCurrencies[m.ProviderCurrency]
	price := pricing.Money(m.ProviderPrice)
	p.Provider += price
	p.Meta += e.Cost
	if price < e.Cost {
		p.Below++
	}
}

// price is Meta's list price of a category for a market on a card, in
// the run's currency.
func (c *reconcileSink) price(cardName, market, category string) (pricing.Money, bool) {
	card := c.so.Tariff
	if card == nil || card.Name != cardName {
		var err error
		if card, err = c.so.Catalog.Card(cardName); err != nil {
			return 0, false
		}
	}
	k, ok := pricing.ParseKey(category)
	if !ok {
		return 0, false
	}
	p, _, err := card.Price(market, k)
	if err != nil {
		return 0, false
	}
	if c.so.FX != nil {
		p = c.so.FX.Convert(p)
	}
	return p, true
}

func (c *reconcileSink) Close()           {}
func (c *reconcileSink) ResultOnly() bool { return false } // the checker sees every message

func (c *reconcileSink) Finish(f replay.Finished) ([]gate.Check, error) {
	res := f.Result
	r := c.checker.Report(res.Summary.Currency)
	rep := &render.ReconcileReport{Report: &r, Notes: res.Notes, Settings: c.settings(res)}
	if c.provider.Messages > 0 {
		p := c.provider
		p.MetaCurrency = res.Summary.Currency
		if p.Currency == p.MetaCurrency {
			m := p.Provider - p.Meta
			p.Margin = &m
		}
		rep.Provider = &p
	}
	if r.Analytics != nil && r.Analytics.VolumesOnly {
		rep.Notes = append(rep.Notes, "the analytics responses carry no cost (a WABA billed through a partner's credit line, or COST not asked for): volumes were compared alone")
	}
	if r.Analytics != nil && c.so.Tiers == nil && hasTier(c.o.analytics) {
		rep.Notes = append(rep.Notes, "the analytics break down by volume tier, but no tier table was given (--tiers FILE): tiers were left aside, and volumes and costs compared across them")
	}
	if r.NoLabel > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d delivered business message(s) carry no Meta pricing label (a log of another source, or statuses without pricing): not compared", r.NoLabel))
	}
	m := res.Metrics()
	r.SetMetrics(m)
	cs, err := gate.Evaluate(c.o.thresholds, m)
	if err != nil {
		return nil, usageError{err}
	}
	rep.Thresholds = cs
	if rep.Thresholds == nil {
		rep.Thresholds = []gate.Check{}
	}
	return cs, render.WriteReconcile(c.out, render.Styled(c.o.format, c.o.terminal), rep)
}

// settings are the readings the report rests on.
func (c *reconcileSink) settings(res *simulate.Result) []render.Setting {
	s := res.Settings
	quota := fmt.Sprintf("%d free service messages per business number a month from 2026-10-01 (PE-04: UNCONFIRMED by Meta; --service-quota)", s.ServiceQuota)
	if s.ServiceQuota == 0 {
		quota = "none (--service-quota 0)"
	}
	return []render.Setting{
		{Name: "regime", Value: s.Regime},
		{Name: "tariff", Value: s.Tariff},
		{Name: "timezone", Value: s.Timezone},
		{Name: "entry point re-entry (PMP-08b)", Value: fepReentryText(s.FEPReentry)},
		{Name: "service quota", Value: quota},
		{Name: "service messages in an entry point window", Value: fepQuotaText(s.QuotaCountsFEP)},
		{Name: "Meta's label of a quota-free message", Value: "not documented (PE-12): free_customer_service is taken to agree"},
		{Name: "window edge", Value: c.o.edge.String()},
		{Name: "analytics tolerance", Value: strconv.FormatFloat(100*c.o.tolerance, 'f', -1, 64) + "%"},
		{Name: "Meta's charge of a disagreement", Value: "the card's list price of Meta's category (volume tiers not applied)"},
	}
}

func fepReentryText(r string) string {
	if r == "extend" {
		return "extend: every reply within 24 h of an ad or Page message opens or extends a window (--fep-reentry)"
	}
	return "after-close: a reply while a window is open changes nothing; the first after it closes opens a fresh one (--fep-reentry)"
}

func fepQuotaText(counts bool) string {
	if counts {
		return "free, and counted toward the service quota (--quota-counts-fep)"
	}
	return "free, and not counted toward the service quota (--quota-counts-fep to count them)"
}

// hasTier: a data point names a volume tier.
func hasTier(pts []reconcile.Point) bool {
	for _, p := range pts {
		if p.Tier != "" {
			return true
		}
	}
	return false
}
