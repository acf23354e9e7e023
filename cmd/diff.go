package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/render"
	"github.com/wacost/wacost/simulate"
)

func newDiffCmd(s *streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "diff BASE NEW",
		Short: "What changed between two saved results: totals, by market and by category, with a CI gate",
		Long: `Compare two results saved with 'wacost simulate --format json' (or merge's):
last month against this month, or the same log before and after a change of
templates or tariff. For the total, each market and each category: messages,
billed and free messages and cost in each, and the change (new minus base) in
absolute and percent. Settings that differ between the two are listed: the
change may come from them rather than from the traffic. Both results must be in
one currency.` + fmt.Sprintf(thresholdHelp, strings.Join(simulate.DiffMetricNames, ", ")),
		Example: `  wacost simulate october.csv -f json -o october.json
  wacost simulate november.csv -f json -o november.json
  wacost diff october.json november.json
  wacost diff october.json november.json --threshold 'cost.delta_pct<10%' --threshold 'market=brazil:cost.delta<5'`,
		Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			v, err := loadConfig(c)
			if err != nil {
				return err
			}
			format, err := formatFrom(v, render.DiffFormats)
			if err != nil {
				return err
			}
			ths, err := thresholdsFrom(v)
			if err != nil {
				return err
			}
			if err := checkScopes(ths, nil, "market", "category"); err != nil {
				return err
			}
			base, err := readArg(s, args[0], readResult)
			if err != nil {
				return err
			}
			nw, err := readArg(s, args[1], readResult)
			if err != nil {
				return err
			}
			d, err := simulate.DiffResults(base, nw)
			if err != nil {
				return usageError{err}
			}
			checks, err := gate.Evaluate(ths, d.Metrics())
			if err != nil {
				return usageError{err}
			}
			rep := &render.DiffReport{Diff: d, Base: args[0], New: args[1], Thresholds: checks}
			if err := render.WriteDiff(s.out, render.Styled(format, isTerminal(s.out)), rep); err != nil {
				return err
			}
			return gateExit(s, checks)
		},
	}
	c.Flags().StringP("format", "f", "table", "output format: "+strings.Join(render.DiffFormats, ", "))
	addThresholdFlags(c)
	complete(c, "format", render.DiffFormats)
	return c
}

// readResult reads a result saved as JSON (simulate's or merge's).
func readResult(r io.Reader, path string) (*simulate.Result, error) {
	var doc struct {
		simulate.Result
		Ledger json.RawMessage `json:"ledger"` // a result saved with --ledger
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: not a saved result (wacost simulate --format json): %v", path, err)
	}
	if doc.Summary.Messages == 0 && doc.Summary.Currency == "" && len(doc.ByMarket) == 0 {
		return nil, fmt.Errorf("%s: not a saved result (wacost simulate --format json): no summary", path)
	}
	return &doc.Result, nil
}
