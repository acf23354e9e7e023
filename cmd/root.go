// Package cmd holds wacost's cobra commands: each parses its flags and
// configuration, calls the engine packages, and renders the result. It is
// the only layer that touches files, the environment and the terminal.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// streams are the process's standard files, passed down so tests can use
// buffers, and the run's context (cancelled by SIGINT or SIGTERM).
type streams struct {
	ctx      context.Context
	in       io.Reader
	out, err io.Writer
	// output is -o's temporary file beside its target, renamed onto it
	// when the run succeeds.
	output       *os.File
	outputTarget string
}

// openOutput starts -o FILE: the output goes to a temporary file in the
// same directory, so that the rename at the end replaces FILE at once.
func (s *streams) openOutput(c *cobra.Command) error {
	path, _ := c.Flags().GetString("output")
	if path == "" || s.output != nil {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usagef("-o %s: a directory", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return usagef("-o %s: %v", path, err)
	}
	s.output, s.outputTarget, s.out = f, path, f
	c.SetOut(f)
	return nil
}

// closeOutput ends -o: the temporary file becomes FILE if keep, else it
// is removed and FILE is as it was.
func (s *streams) closeOutput(keep bool) error {
	f := s.output
	if f == nil {
		return nil
	}
	s.output = nil
	err := f.Close()
	if !keep || err != nil {
		os.Remove(f.Name())
		return err
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(s.outputTarget); err == nil {
		mode = fi.Mode().Perm() // a file replaced keeps its permissions
	}
	if err := os.Chmod(f.Name(), mode); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), s.outputTarget); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("-o %s: %w", s.outputTarget, err)
	}
	return nil
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
	root.PersistentFlags().StringP("output", "o", "", "write the output to FILE, whole or not at all: an existing FILE is replaced only by a run that succeeds (or crosses a threshold)")
	addProfileFlag(root)
	profile := root.PersistentPreRunE
	root.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if err := s.openOutput(c); err != nil {
			return err
		}
		return profile(c, args)
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.SetUsageTemplate(root.UsageTemplate() + exitHelp)
	root.AddCommand(newSimulateCmd(s), newSLACmd(s), newReconcileCmd(s), newCompareCmd(s), newBacklogCmd(s), newMergeCmd(s), newSplitCmd(s), newDiffCmd(s), newTariffCmd(s), newGenerateCmd(s), newVersionCmd(s))
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
	if cerr := s.closeOutput(code == ExitOK || code == ExitThreshold); cerr != nil && code == ExitOK {
		fmt.Fprintf(stderr, "wacost: %v\n", cerr)
		code = ExitData
	}
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
