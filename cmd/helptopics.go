package cmd

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/wacost/wacost/reconcile"
	"github.com/wacost/wacost/scenario"
	"github.com/wacost/wacost/simulate"
	"github.com/wacost/wacost/sla"
)

// addHelpTopics adds 'wacost help config', 'help environment' and 'help
// thresholds': topics, not commands (they run nothing).
func addHelpTopics(root *cobra.Command) {
	root.AddCommand(
		&cobra.Command{Use: "config", Short: "The config file: every key and the commands that read it", Long: configTopic(root)},
		&cobra.Command{Use: "environment", Short: "The environment variables wacost reads", Long: environmentTopic()},
		&cobra.Command{Use: "thresholds", Short: "The CI gate: threshold grammar, metrics of each command, exit status 3", Long: thresholdsTopic()},
	)
}

func configTopic(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString(`A config file sets any flag under its long name: --config FILE, else
$WACOST_CONFIG, else wacost.yaml in the current directory if present. YAML or
JSON. Precedence: flag, environment, file, default.

One file serves every command. A key at the top level applies to each command
that has that flag; the others ignore it. A section named after a command holds
settings for that command alone and wins over the top level:

  timezone: America/Sao_Paulo      # every command that replays a log
  threshold: [cost<=500]           # simulate, sla, reconcile, compare, merge
  sla:
    target: [first=1h, next=4h]
    threshold: [first_reply.p95<=4h]
  reconcile:
    threshold: ["agreement>=99.5%"]

A key no command reads, or a key in a command's section that the command does
not read, is an error (exit 2). ("tariff" at the top level is the --tariff
flag; the tariff command takes no settings.)

Keys, and the commands that read them:
`)
	keys := ConfigKeys(root)
	names := make([]string, 0, len(keys))
	width := 0
	for k := range keys {
		names = append(names, k)
		width = max(width, len(k))
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, k, strings.Join(keys[k], ", "))
	}
	return b.String()
}

func environmentTopic() string {
	return `Every flag can be set in the environment as WACOST_<NAME>: the long name in
upper case, dashes as underscores (WACOST_TIMEZONE=America/Sao_Paulo,
WACOST_SERVICE_QUOTA=0, WACOST_GROUP_BY=month,market). Lists are comma-
separated and CSV-quoted. The environment wins over the config file, a flag
over both. A value is parsed strictly by the flag's type, as in the file.

Also read:
  WACOST_CONFIG  the config file, when --config is not given
  GOGC           the garbage collector's target (wacost sets 60 unless it is set)

See 'wacost help config' for the keys.`
}

func thresholdsTopic() string {
	return strings.TrimSpace(fmt.Sprintf(thresholdHelp, "per command below")) + `

Each command's metrics:
  simulate, merge   ` + strings.Join(simulate.MetricNames, ", ") + `
  sla               ` + strings.Join(sla.MetricNames, ", ") + `
  reconcile         ` + strings.Join(reconcile.MetricNames, ", ") + `, and simulate's
  compare           ` + strings.Join(scenario.MetricNames, ", ") + `

A metric means the same in every command: late_replies is always the free-form
business messages sent with no window open (sla's replies after the window
closed are replies_after_window). Outcomes are listed in every report: in
tables each check is marked ✓ (held), ✗ (crossed: exit 3), ! (a --warn that did
not hold) or ? (nothing measured in its scope: it passes, and stderr says so).
--format junit writes one test case per threshold.`
}
