// Package cmd holds wacost's cobra commands: each parses its flags and
// configuration, calls the engine packages, and renders the result. It is
// the only layer that touches files, the environment and the terminal.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// streams are the process's standard files, passed down so tests can use
// buffers, and the run's context (cancelled by SIGINT or SIGTERM).
type streams struct {
	ctx      context.Context
	in       io.Reader
	out, err io.Writer
}

const exitHelp = `
Exit status:
  0  success
  1  bad input data (a row that cannot be read or priced), or a runtime error
  2  usage: unknown flag, bad flag value, bad configuration
{{if or (.Flags.Lookup "threshold") (not .HasParent)}}  3  a --threshold was crossed (the report is still written)
{{end}}  130, 143  stopped by SIGINT or SIGTERM (no output written, temporary files removed)
`

// newRootCmd builds the command tree. Nothing is kept between calls.
func newRootCmd(s *streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "wacost",
		Short: "What your WhatsApp Business Platform traffic costs, and why",
		Long: `wacost replays WhatsApp Business message logs through the customer-service
window rules and Meta's dated rate cards, and reports for every business message
whether it was free, billed or blocked, why, and at what cost.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	root.PersistentFlags().String("config", "", "config file (default: wacost.yaml in the current directory, if present)")
	addProfileFlag(root)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.SetUsageTemplate(root.UsageTemplate() + exitHelp)
	root.AddCommand(newSimulateCmd(s), newSLACmd(s), newReconcileCmd(s), newCompareCmd(s), newBacklogCmd(s), newMergeCmd(s), newTariffCmd(s), newGenerateCmd(s), newVersionCmd(s))
	addHelpTopics(root)
	return root
}

// Run runs wacost with args and returns the exit code. main is the only
// caller that exits.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := &streams{ctx: ctx, in: stdin, out: stdout, err: stderr}
	root := newRootCmd(s)
	usageArgs(root)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if _, _, ferr := root.Find(args); ferr != nil && err != nil {
		err = usageError{err} // an unknown command
	}
	code := ExitCode(err)
	var se silentError
	switch {
	case err == nil || errors.As(err, &se):
	case code == ExitUsage:
		fmt.Fprintf(stderr, "wacost: %v\nRun 'wacost --help' for usage.\n", err)
	default:
		fmt.Fprintf(stderr, "wacost: %v\n", err)
	}
	return code
}
