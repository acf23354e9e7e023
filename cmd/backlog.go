package cmd

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/render"
	"github.com/wacost/wacost/replay"
	"github.com/wacost/wacost/scenario"
	"github.com/wacost/wacost/simulate"
)

type backlogOptions struct {
	*simulateOptions
	cfg      scenario.BacklogConfig
	schedule string
	chart    bool
}

func newBacklogCmd(s *streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "backlog LOG ... --capacity N/h",
		Short: "What answering the customers still waiting will cost, and how fast is fast enough",
		Long: `Find the customers waiting for a reply at --now (default: the last message of
the log) and plan the answers: --capacity replies an hour (only in opening hours
when the config has business-hours), first-in-first-out or window-expiry-first.
Each planned reply is priced by the rules in force: inside the customer-service
window a free-form reply (free, or a service message from 2026-10); after it, the
template it would have to be. The report gives how many land inside and after
the window, the cost, and the cost of the other order.

It also draws the cost of the whole log if every reply took D (1 minute to 72
hours), and the fewest replies an hour that answer every customer whose window
is still open before it closes.`,
		Example: `  wacost backlog testdata/sample.csv --capacity 30/h
  wacost backlog log.csv --capacity 12/h --order fifo --now 2026-11-21T09:00:00Z --format html > backlog.html`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o, err := backlogOptionsFrom(c, args)
			if err != nil {
				return err
			}
			return runBacklog(s, o)
		},
	}
	addReplayFlags(c)
	addMaskFlags(c)
	f := c.Flags()
	f.String("capacity", "", "replies per hour: N/h (or N/d for a day)")
	f.String("order", scenario.ExpiryFirst, "order of the replies: expiry-first or fifo")
	f.String("now", "", "the moment the backlog is taken (RFC 3339; default: the last message)")
	f.StringP("format", "f", "table", "output format: "+strings.Join(render.BacklogFormats, ", "))
	f.BoolP("quiet", "q", false, "no notes on stderr")
	f.Bool("chart", true, "draw the cost-versus-delay curve as text on a terminal")
	complete(c, "order", []string{scenario.ExpiryFirst, scenario.FIFO})
	complete(c, "format", render.BacklogFormats)
	return c
}

// parseCapacity reads "30/h", "30", "200/d".
func parseCapacity(s string) (float64, error) {
	n, unit, _ := strings.Cut(strings.TrimSpace(strings.ToLower(s)), "/")
	v, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("--capacity %q: want N/h, e.g. 30/h", s)
	}
	switch unit {
	case "", "h", "hour":
		return v, nil
	case "d", "day":
		return v / 24, nil
	case "m", "min":
		return v * 60, nil
	}
	return 0, fmt.Errorf("--capacity %q: want N/h, e.g. 30/h", s)
}

func backlogOptionsFrom(c *cobra.Command, args []string) (*backlogOptions, error) {
	v, so, err := replayCommandOptions(c, args)
	if err != nil {
		return nil, err
	}
	o := &backlogOptions{simulateOptions: so}
	if v.GetString("capacity") == "" {
		return nil, usagef("--capacity is required, e.g. --capacity 30/h")
	}
	if o.cfg.Capacity, err = parseCapacity(v.GetString("capacity")); err != nil {
		return nil, usageError{err}
	}
	switch o.cfg.Order = v.GetString("order"); o.cfg.Order {
	case scenario.ExpiryFirst, scenario.FIFO:
	default:
		return nil, usagef("--order %q: want expiry-first or fifo", o.cfg.Order)
	}
	if o.cfg.Now, err = nowFrom(v, so.location); err != nil {
		return nil, err
	}
	o.quiet = v.GetBool("quiet")
	o.mask = maskFrom(v)
	if o.format, err = formatFrom(v, render.BacklogFormats); err != nil {
		return nil, err
	}
	if o.cfg.Schedule, o.schedule, err = businessHoursFrom(v); err != nil {
		return nil, err
	}
	o.chart = v.GetBool("chart") && isTerminal(c.OutOrStdout())
	return o, nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func runBacklog(s *streams, o *backlogOptions) error {
	env, err := setupPricing(o.simulateOptions)
	if err != nil {
		return err
	}
	cfg := o.cfg
	cfg.Step = phases(s, o.simulateOptions)
	return runTapped(s, o.simulateOptions, env, func(out io.Writer, u *unpricedRows) replay.Sink {
		return &backlogSink{s: s, o: o, cfg: cfg, out: out, rowErrs: u.take}
	})
}

// backlogSink makes the backlog report from the replay's messages as they
// are read (scenario.Backlogger), and renders it.
type backlogSink struct {
	s       *streams
	o       *backlogOptions
	cfg     scenario.BacklogConfig
	out     io.Writer
	rowErrs func(error) error
	bl      *scenario.Backlogger
	err     error
}

func (c *backlogSink) Configure(so *simulate.Options) {
	base := *so
	base.OnRowError = c.rowErrs
	c.bl, c.err = scenario.NewBacklogger(base, c.cfg, scenario.Spill{New: replay.NewTempRun, InMemory: fanSortMemory, Defer: true})
	if c.err == nil {
		c.bl.Configure(so)
	}
}

func (c *backlogSink) Tap(m *msglog.Message) error {
	if c.err != nil {
		return c.err
	}
	return c.bl.Add(m)
}

func (c *backlogSink) TapRejected() {
	if c.bl != nil {
		c.bl.Reject()
	}
}

func (c *backlogSink) Finish(f replay.Finished) ([]gate.Check, error) {
	if c.err != nil {
		return nil, c.err
	}
	b, err := c.bl.Finish(*f.Result, c.rowErrs)
	if err != nil {
		return nil, err
	}
	if mask := c.o.mask; mask != nil {
		for _, p := range []*scenario.Plan{&b.Plan, &b.Other} {
			for i := range p.Replies {
				p.Replies[i].Customer = mask.Mask(p.Replies[i].Customer)
			}
		}
	}
	return nil, render.WriteBacklog(c.out, render.Styled(c.o.format, isTerminal(c.s.out)),
		&render.BacklogReport{B: b, Timezone: c.o.location, Schedule: c.o.schedule, Chart: c.o.chart})
}

func (c *backlogSink) Close() {
	if c.bl != nil {
		c.bl.Close()
	}
}

func (c *backlogSink) ResultOnly() bool { return false }
