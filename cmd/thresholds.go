package cmd

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/wacost/wacost/gate"
)

const thresholdHelp = `
Thresholds (CI gate): --threshold EXPR fails the run with exit status 3 when
crossed; --warn EXPR only reports. Both repeat, and the config file may list
them (threshold: [...], warn: [...]). Grammar: [scope:]metric op value, with
op one of < <= > >= == != and value a number, a percent (2%%) or a duration
(90s, 45m, 4h, 1h30m, 2d). Scopes: market=NAME, category=NAME, or the
--group-by dimensions (business=..., month=..., ...). Metrics: %s.
`

func addThresholdFlags(c *cobra.Command) {
	c.Flags().StringArray("threshold", nil, "fail (exit 3) when this expression does not hold, e.g. cost<=500 (repeatable)")
	c.Flags().StringArray("warn", nil, "report, but do not fail, when this expression does not hold (repeatable)")
}

// thresholdsFrom reads --threshold/--warn and the config lists; a
// malformed expression is a usage error naming it.
func thresholdsFrom(v *config) ([]gate.Threshold, error) {
	var out []gate.Threshold
	for _, kind := range []string{"threshold", "warn"} {
		for _, e := range v.GetStringSlice(kind) {
			t, err := gate.Parse(e, kind == "warn")
			if err != nil {
				return nil, usageError{err}
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// scopeDims returns the dimensions a threshold's scope names, sorted.
func scopeDims(t gate.Threshold) []string {
	if t.Scope == "" {
		return nil
	}
	var dims []string
	for _, p := range strings.Split(t.Scope, ",") {
		k, _, _ := strings.Cut(p, "=")
		dims = append(dims, k)
	}
	return dims
}

// checkScopes makes sure each threshold's scope can be measured: one of
// the dimensions a command measures on its own (simulate: market,
// category), or exactly the --group-by dimensions.
func checkScopes(ts []gate.Threshold, groupBy []string, standalone ...string) error {
	gb := append([]string(nil), groupBy...)
	sort.Strings(gb)
	for _, t := range ts {
		d := scopeDims(t)
		if len(d) == 0 || (len(d) == 1 && contains(standalone, d[0])) {
			continue
		}
		if strings.Join(d, ",") != strings.Join(gb, ",") {
			return usagef("threshold %q: scope by %s needs --group-by %s", t.Expr, strings.Join(d, ","), strings.Join(d, ","))
		}
	}
	return nil
}

// gateExit reports crossed thresholds on stderr and returns exit 3 if any failed.
func gateExit(s *streams, cs []gate.Check) error {
	gate.Report(s.err, cs)
	if gate.Failed(cs) {
		n := 0
		for _, c := range cs {
			if !c.Pass && !c.Warn {
				n++
			}
		}
		fmt.Fprintf(s.err, "wacost: %d threshold(s) crossed\n", n)
		return silentError{ExitThreshold}
	}
	return nil
}
