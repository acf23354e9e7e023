// Package cmd holds wacost's cobra commands: each parses its flags and
// configuration, calls the engine packages, and renders the result. It is
// the only layer that touches files, the environment and the terminal.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes (documented in README.md and in --help).
const (
	ExitOK    = 0 // success
	ExitData  = 1 // bad input data, a failed run, an I/O error
	ExitUsage = 2 // bad flags, arguments or configuration
	// ExitThreshold (3) is reserved for crossed CI thresholds.
	ExitThreshold = 3
)

// usageError marks an error the user made in calling wacost.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// silentError has already been reported on stderr; it only sets the exit code.
type silentError struct{ code int }

func (s silentError) Error() string { return fmt.Sprintf("exit %d", s.code) }

// streams are the process's standard files, passed down so tests can use buffers.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

const exitHelp = `
Exit status:
  0  success
  1  bad input data (a row that cannot be read or priced), or a runtime error
  2  usage: unknown flag, bad flag value, bad configuration
  3  a --threshold was crossed (the report is still written)
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
	root.AddCommand(newSimulateCmd(s), newSLACmd(s), newCompareCmd(s), newBacklogCmd(s), newMergeCmd(s), newTariffCmd(s), newGenerateCmd(s), newVersionCmd(s))
	return root
}

// Run runs wacost with args and returns the exit code. main is the only
// caller that exits.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := &streams{in: stdin, out: stdout, err: stderr}
	root := newRootCmd(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var se silentError
	if errors.As(err, &se) {
		return se.code
	}
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		fmt.Fprintf(stderr, "wacost: %v\nRun 'wacost --help' for usage.\n", err)
		return ExitUsage
	}
	fmt.Fprintf(stderr, "wacost: %v\n", err)
	return ExitData
}

// isCobraUsage recognises cobra's own argument errors (unknown command, arg counts).
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "requires at most", "invalid argument", "unknown flag", "unknown shorthand"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
