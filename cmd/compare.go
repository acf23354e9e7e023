package cmd

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/render"
	"github.com/wacost/wacost/replay"
	"github.com/wacost/wacost/scenario"
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

The log is read into memory once and replayed per scenario.` + fmt.Sprintf(thresholdHelp, strings.Join(scenario.MetricNames, ", ")+
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
	log, rejected, err := loadLog(s, o.simulateOptions)
	if err != nil {
		return err
	}
	base := env.options(s.ctx, o.simulateOptions)
	base.Rejected = rejected
	base.OnRowError = ruleRowErrors(s, o.simulateOptions)
	if o.format == "html" {
		base.GroupBy = []string{"day"} // daily cost per scenario, for the charts
	}
	var outs []scenario.Outcome
	for _, sc := range scs {
		out, err := scenario.Run(base, log, sc, env.card)
		if err != nil {
			return fmt.Errorf("scenario %q: %w", sc.Name, err)
		}
		outs = append(outs, out)
		if !o.quiet {
			for _, n := range out.Result.Notes {
				fmt.Fprintf(s.err, "wacost: note: %s: %s\n", sc.Name, n)
			}
		}
	}
	cmp := scenario.Compare(outs)
	checks, err := gate.Evaluate(o.thresholds, cmp.Metrics())
	if err != nil {
		return usageError{err}
	}
	buf := replay.NewOutputSpool(s.out, spoolMemory)
	defer buf.Close()
	if err := render.WriteCompare(buf, render.Styled(o.format, isTerminal(s.out)), &render.CompareReport{C: &cmp, Thresholds: checks, Log: strings.Join(o.files, ", ")}); err != nil {
		return err
	}
	if _, err := buf.WriteTo(s.out); err != nil {
		return err
	}
	return gateExit(s, checks)
}
