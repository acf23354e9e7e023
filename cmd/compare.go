package cmd

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/render"
	"github.com/wacost/wacost/replay"
	"github.com/wacost/wacost/scenario"
	"github.com/wacost/wacost/simulate"
)

type compareOptions struct {
	*simulateOptions
	scenarioFile string
	specs        []string
}

func newCompareCmd(s *streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "compare LOG ... --scenarios FILE",
		Short: "Price the same log under several what-if scenarios, side by side",
		Long: `Price the same traffic under several scenarios and show them side by side:
totals (billed, free, Meta's cost, a provider's fees, total), the total by market
and by category, and each scenario's change from the first one (the baseline),
in absolute and percent.

A scenario file (YAML) lists named scenarios; each may set:
  regime: 2026-10                  replay under these rules
  tariff: FILE or card name        price with this card
  overrides: [{markets: [Brazil], marketing: x1.2, utility: 0.005}]
  fees: {per_message: 0.005, per_inbound: 0, failed: 0.001,
         markup: {marketing: 10%}, monthly: 50}
  reply_delay: x0.5 | +2h | -30m | =15m
  reply_cap: 23h
  recategorize: ["template order_update -> marketing", "category utility -> marketing"]
  late_replies: template | drop
--scenario NAME:key=value,... adds one-off scenarios (keys as above, plus
rate.CATEGORY=x1.2, per_message=, failed=, monthly=, markup.CATEGORY=10%). With
only --scenario flags, an unchanged baseline comes first.

The log is read once and priced under every scenario as it streams; a scenario
that moves replies in time (reply_delay, reply_cap) spools its messages to
temporary files and is replayed from them at the end. Memory is each
scenario's live state, not the log.` + fmt.Sprintf(thresholdHelp, strings.Join(scenario.MetricNames, ", ")+
			"; scope scenario=NAME, or unscoped: the baseline's figures and the largest delta"),
		Example: `  wacost compare testdata/sample.csv --scenarios testdata/scenarios.yaml
  wacost compare log.csv --scenario 'faster:reply_delay=x0.5' --scenario 'bsp:per_message=0.005'
  wacost compare log.csv --scenarios s.yaml --threshold 'total.delta_pct<10%' --format junit`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o, err := compareOptionsFrom(c, args)
			if err != nil {
				return err
			}
			return runCompare(s, o)
		},
	}
	addReplayFlags(c)
	f := c.Flags()
	f.String("scenarios", "", "scenario file (YAML)")
	f.StringArray("scenario", nil, "a one-off scenario NAME:key=value,... (repeatable)")
	f.StringP("format", "f", "table", "output format: "+strings.Join(render.CompareFormats, ", "))
	f.BoolP("quiet", "q", false, "do not print the scenarios' notes on stderr")
	addThresholdFlags(c)
	addMaskFlags(c)
	complete(c, "format", render.CompareFormats)
	return c
}

func compareOptionsFrom(c *cobra.Command, args []string) (*compareOptions, error) {
	v, so, err := replayCommandOptions(c, args)
	if err != nil {
		return nil, err
	}
	o := &compareOptions{simulateOptions: so, scenarioFile: v.GetString("scenarios")}
	o.specs = v.GetStringSlice("scenario")
	if o.scenarioFile == "" && len(o.specs) == 0 {
		return nil, usagef("give --scenarios FILE or at least one --scenario NAME:key=value")
	}
	o.quiet = v.GetBool("quiet")
	o.mask = maskFrom(v)
	if o.format, err = formatFrom(v, render.CompareFormats); err != nil {
		return nil, err
	}
	if o.thresholds, err = thresholdsFrom(v); err != nil {
		return nil, err
	}
	for _, t := range o.thresholds {
		if d := scopeDims(t); len(d) > 0 && (len(d) != 1 || d[0] != "scenario") {
			return nil, usagef("threshold %q: compare thresholds are scoped by scenario=NAME only", t.Expr)
		}
	}
	return o, nil
}

func runCompare(s *streams, o *compareOptions) error {
	env, err := setupPricing(o.simulateOptions)
	if err != nil {
		return err
	}
	var scs []scenario.Scenario
	if o.scenarioFile != "" {
		f, err := os.Open(o.scenarioFile)
		if err != nil {
			return err
		}
		file, err := scenario.Parse(f, o.scenarioFile, env.mk.Known)
		f.Close()
		if err != nil {
			return err
		}
		scs = file.Scenarios
	}
	if len(scs) == 0 {
		scs = append(scs, scenario.Scenario{Name: "baseline"})
	}
	for _, sp := range o.specs {
		sc, err := scenario.ParseSpec(sp)
		if err != nil {
			return usageError{err}
		}
		scs = append(scs, sc)
	}
	return runTapped(s, o.simulateOptions, env, func(out io.Writer, u *unpricedRows) replay.Sink {
		return &compareSink{s: s, o: o, env: env, scs: scs, out: out, rowErrs: u.take}
	})
}

// compareSink prices the replay's messages under every scenario as they
// are read (scenario.Fan), and renders the comparison.
type compareSink struct {
	s   *streams
	o   *compareOptions
	env *pricingEnv
	scs []scenario.Scenario
	out io.Writer
	fan *scenario.Fan
	err error
	// rowErrs takes the rows a scenario's rules cannot price.
	rowErrs func(error) error
}

func (c *compareSink) Configure(so *simulate.Options) {
	if c.o.format == "html" {
		so.GroupBy = []string{"day"} // daily cost per scenario, for the charts
	}
	base := *so
	base.OnRowError = c.rowErrs
	c.fan, c.err = scenario.NewFan(base, c.scs, c.env.card, scenario.Spill{New: replay.NewTempRun, InMemory: fanSortMemory, Defer: true})
}

func (c *compareSink) Tap(m *msglog.Message) error {
	if c.err != nil {
		return c.err
	}
	return c.fan.Add(m)
}

func (c *compareSink) TapRejected() {
	if c.fan != nil {
		c.fan.Reject()
	}
}

func (c *compareSink) Finish(f replay.Finished) ([]gate.Check, error) {
	if c.err != nil {
		return nil, c.err
	}
	var step func(done, n int)
	if line := phases(c.s, c.o.simulateOptions); line != nil {
		step = func(done, n int) { line("the scenarios, replayed from the spooled log", done, n) }
	}
	outs, err := c.fan.Finish(*f.Result, c.rowErrs, step)
	if err != nil {
		return nil, err
	}
	if !c.o.quiet {
		for _, out := range outs {
			for _, n := range out.Result.Notes {
				fmt.Fprintf(c.s.err, "wacost: note: %s: %s\n", out.Scenario.Name, n)
			}
		}
	}
	cmp := scenario.Compare(outs)
	checks, err := gate.Evaluate(c.o.thresholds, cmp.Metrics())
	if err != nil {
		return nil, usageError{err}
	}
	return checks, render.WriteCompare(c.out, render.Styled(c.o.format, isTerminal(c.s.out)),
		&render.CompareReport{C: &cmp, Thresholds: checks, Log: strings.Join(c.o.files, ", ")})
}

func (c *compareSink) Close() {
	if c.fan != nil {
		c.fan.Close()
	}
}

func (c *compareSink) ResultOnly() bool { return false }

// fanSortMemory is how many moved replies one scenario holds in memory
// before its sorted runs spill to temporary files (about 300 bytes each).
var fanSortMemory = 16384
