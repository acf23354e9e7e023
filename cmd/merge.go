package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/render"
	"github.com/wacost/wacost/simulate"
)

func newMergeCmd(s *streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "merge PARTIAL ...",
		Short: "Combine the partial results of shards into one result",
		Long: `Combine the partial results of 'wacost simulate --shard i/n --format partial'
(shards 1..n of one log, run with the same settings) into the Result that one
run over the whole log gives: counts and costs add up, the free messages of
the monthly pools (the 2026-10 service quota, the conversation free tiers)
are ranked across shards, the ones past a pool's size billed, and with
--tiers each month's utility and authentication volume is ranked across
shards and priced again at its bands. Reads files, or
standard input for "-" (partials one after another). Outputs as simulate does.` + fmt.Sprintf(thresholdHelp, strings.Join(simulate.MetricNames, ", ")),
		Example: `  for i in 1 2 3 4; do wacost simulate log.csv --shard $i/4 --format partial > part-$i.json; done
  wacost merge part-*.json --format json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			v, err := loadConfig(c)
			if err != nil {
				return err
			}
			format, err := formatFrom(v, render.Formats)
			if err != nil {
				return err
			}
			ths, err := thresholdsFrom(v)
			if err != nil {
				return err
			}
			var parts []simulate.Partial
			for _, a := range args {
				got, err := readArg(s, a, readPartials)
				if err != nil {
					return err
				}
				parts = append(parts, got...)
			}
			res, err := simulate.Merge(parts)
			if err != nil {
				return err
			}
			if err := checkScopes(ths, res.GroupBy, "market", "category"); err != nil {
				return err
			}
			checks, err := gate.Evaluate(ths, res.Metrics())
			if err != nil {
				return usageError{err}
			}
			res.Thresholds = checks
			rd, err := render.New(render.Styled(format, isTerminal(s.out)), s.out, false)
			if err != nil {
				return usageError{err}
			}
			if err := rd.Finish(&res); err != nil {
				return err
			}
			if !v.GetBool("quiet") { // as simulate: what the figures rest on, once on stderr
				for _, n := range res.Notes {
					fmt.Fprintf(s.err, "wacost: note: %s\n", n)
				}
			}
			return gateExit(s, checks)
		},
	}
	c.Flags().StringP("format", "f", "table", "output format: "+strings.Join(render.Formats, ", "))
	c.Flags().BoolP("quiet", "q", false, "do not repeat the result's notes on stderr")
	addThresholdFlags(c)
	complete(c, "format", render.Formats)
	return c
}

// readPartials reads the partial results in r (the file name): one or
// more, one after another. An empty file, or JSON that is not a partial
// (a simulate result, say), is an error.
func readPartials(r io.Reader, name string) ([]simulate.Partial, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var parts []simulate.Partial
	for {
		var p simulate.Partial
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%s: the file ends inside a partial result (cut short?)", name)
		} else if err != nil {
			return nil, fmt.Errorf("%s: not a partial result: %w", name, err)
		}
		if p.Format != simulate.PartialFormat {
			return nil, fmt.Errorf("%s: not a partial result (format %q; want %s, as simulate --format partial writes)", name, p.Format, simulate.PartialFormat)
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("%s: empty: no partial result in it", name)
	}
	return parts, nil
}
