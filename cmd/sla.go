package cmd

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/render"
	"github.com/wacost/wacost/replay"
	"github.com/wacost/wacost/simulate"
	"github.com/wacost/wacost/sla"
)

type slaOptions struct {
	*simulateOptions
	cfg      sla.Config
	now      time.Time
	schedule string // for people
}

const slaLong = `Measure how fast the business answers on WhatsApp, with the customer-service
window as part of the clock. Per business and customer:

  first reply  from a customer message that opens an exchange (no window was
               open) to the next business message delivered;
  next reply   the same for a customer message inside an open window, after
               the business had answered;
  window left  at each reply, the time left in the 24 h window; a reply after it
               closed is a late reply, priced by the same rules as simulate;
  waiting      customers whose last message has no answer at the end of the log
               (or at --now), how long they have waited and when their window closes.

Statistics: count, mean, p50, p90, p95, p99 (nearest rank: the smallest time
with at least that share of replies at or below it) and max; breaches of
--target first=DUR / next=DUR (a reply slower than its target).

Business hours (config file only):
  business-hours:
    timezone: Europe/Madrid
    weekly: {mon-fri: "09:00-13:00,14:00-18:00", sat: "10:00-14:00"}
    holidays: [2026-12-08, 2026-12-25]
With --clock business, time outside opening hours does not count toward the
targets; the report shows calendar times as well.`

func newSLACmd(s *streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "sla [FILE ...]",
		Short: "Reply times, breaches and customers still waiting, with a CI gate",
		Long:  slaLong + fmt.Sprintf(thresholdHelp, strings.Join(sla.MetricNames, ", ")),
		Example: `  wacost sla testdata/sample.csv --target first=1h --target next=4h
  wacost sla log.csv --threshold 'first_reply.p95<=4h' --threshold 'breach_rate<2%' --format junit > sla.xml
  wacost sla log.csv --group-by business,agent --bots exclude
  wacost sla log.csv --clock business --now 2026-11-21T09:00:00Z`,
		RunE: func(c *cobra.Command, args []string) error {
			o, err := slaOptionsFrom(c, args)
			if err != nil {
				return err
			}
			return runSLA(s, o)
		},
	}
	addReplayFlags(c)
	f := c.Flags()
	f.StringArray("target", nil, "reply-time target: first=DUR or next=DUR (repeatable), e.g. first=1h")
	f.StringSlice("group-by", nil, "break down by: "+strings.Join(sla.Dimensions, ", "))
	f.String("clock", "calendar", "clock for targets and statistics: calendar or business (needs business-hours in the config)")
	f.String("now", "", "the moment to measure waiting customers at (RFC 3339; default: the last message of the log)")
	f.String("bots", "include", "business messages with sender=bot: include (they answer) or exclude (they do not)")
	f.StringP("format", "f", "table", "output format: "+strings.Join(render.SLAFormats, ", "))
	f.Bool("ledger", false, "list every reply")
	f.BoolP("quiet", "q", false, "do not repeat the pricing notes on stderr")
	addThresholdFlags(c)
	addMaskFlags(c)
	complete(c, "group-by", sla.Dimensions)
	complete(c, "clock", []string{"calendar", "business"})
	complete(c, "bots", []string{"include", "exclude"})
	complete(c, "format", render.SLAFormats)
	return c
}

func slaOptionsFrom(c *cobra.Command, args []string) (*slaOptions, error) {
	v, so, err := replayCommandOptions(c, args)
	if err != nil {
		return nil, err
	}
	o := &slaOptions{simulateOptions: so}
	o.ledger, o.quiet = v.GetBool("ledger"), v.GetBool("quiet")
	o.mask = maskFrom(v)
	if o.format, err = formatFrom(v, render.SLAFormats); err != nil {
		return nil, err
	}
	o.cfg = sla.Config{Targets: map[string]time.Duration{}, Location: so.location}
	for _, t := range v.GetStringSlice("target") {
		k, d, ok := strings.Cut(t, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		dd, err := parseDuration(strings.TrimSpace(d))
		if !ok || (k != sla.First && k != sla.Next) || err != nil || dd <= 0 {
			return nil, usagef("--target %q: want first=DUR or next=DUR, e.g. first=1h", t)
		}
		o.cfg.Targets[k] = dd
	}
	for _, g := range v.GetStringSlice("group-by") {
		for _, d := range strings.Split(g, ",") {
			d = strings.ToLower(strings.TrimSpace(d))
			if d == "" {
				continue
			}
			if !contains(sla.Dimensions, d) {
				return nil, usagef("--group-by %q: want %s", d, strings.Join(sla.Dimensions, ", "))
			}
			if !contains(o.cfg.GroupBy, d) {
				o.cfg.GroupBy = append(o.cfg.GroupBy, d)
			}
		}
	}
	switch v.GetString("bots") {
	case "include":
	case "exclude":
		o.cfg.ExcludeBots = true
	default:
		return nil, usagef("--bots %q: want include or exclude", v.GetString("bots"))
	}
	if o.cfg.Schedule, o.schedule, err = businessHoursFrom(v); err != nil {
		return nil, err
	}
	switch v.GetString("clock") {
	case "calendar":
	case "business":
		if o.cfg.Schedule == nil {
			return nil, usagef("--clock business needs a business-hours section in the config file (see wacost sla --help)")
		}
		o.cfg.Business = true
	default:
		return nil, usagef("--clock %q: want calendar or business", v.GetString("clock"))
	}
	if o.now, err = nowFrom(v, so.location); err != nil {
		return nil, err
	}
	if o.thresholds, err = thresholdsFrom(v); err != nil {
		return nil, err
	}
	// No dimension stands alone: a reply metric has a value only in a --group-by scope.
	if err := checkScopes(o.thresholds, o.cfg.GroupBy); err != nil {
		return nil, err
	}
	return o, nil
}

// parseDuration reads Go durations plus days: 90m, 4h, 1h30m, 2d.
func parseDuration(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		var n int
		if _, err := fmt.Sscanf(s, "%dd", &n); err == nil {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	return time.ParseDuration(s)
}

func runSLA(s *streams, o *slaOptions) error {
	o.terminal = isTerminal(s.out)
	return runReplay(s, o.simulateOptions, func(out io.Writer) (replay.Sink, error) {
		return &slaSink{o: o, out: out}, nil
	})
}

// slaSink feeds the replay into an sla tracker and renders its report.
type slaSink struct {
	o       *slaOptions
	out     io.Writer
	tracker *sla.Tracker
	replies []sla.Reply
}

func (c *slaSink) Configure(so *simulate.Options) {
	var onReply func(*sla.Reply) error
	if c.o.ledger {
		onReply = func(r *sla.Reply) error { c.replies = append(c.replies, *r); return nil }
	}
	c.tracker = sla.New(c.o.cfg, onReply)
	so.Visit = func(m *msglog.Message, e *simulate.Entry) error {
		if m.Direction == msglog.Inbound {
			c.tracker.Customer(m, e.Market)
			return nil
		}
		return c.tracker.Business(m, e)
	}
}

func (c *slaSink) Close()           {}
func (c *slaSink) ResultOnly() bool { return false } // the tracker sees every message

func (c *slaSink) Finish(f replay.Finished) ([]gate.Check, error) {
	res := f.Result
	r := c.tracker.Finish(c.o.now)
	if mask := c.o.mask; mask != nil {
		for i := range c.replies {
			c.replies[i].Customer = mask.Mask(c.replies[i].Customer)
		}
		for i := range r.Waiting {
			r.Waiting[i].Customer = mask.Mask(r.Waiting[i].Customer)
		}
	}
	r.Sim = *res
	cs, err := gate.Evaluate(c.o.thresholds, r.Metrics())
	if err != nil {
		return nil, usageError{err}
	}
	rep := &render.SLAReport{Result: &r, Replies: c.replies, Ledger: c.o.ledger, Timezone: c.o.location.String(),
		Schedule: c.o.schedule, Currency: res.Summary.Currency, Thresholds: cs}
	return cs, render.WriteSLA(c.out, render.Styled(c.o.format, c.o.terminal), rep)
}
