package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes (documented in README.md and in --help).
const (
	ExitOK    = 0 // success
	ExitData  = 1 // bad input data, a failed run, an I/O error
	ExitUsage = 2 // bad flags, arguments or configuration
	// ExitThreshold (3) is reserved for crossed CI thresholds.
	ExitThreshold = 3
	// ExitInterrupt (130) and ExitTerminated (143) are 128 plus the
	// number of the signal that stopped the run (SIGINT, SIGTERM).
	ExitInterrupt  = 128 + int(syscall.SIGINT)
	ExitTerminated = 128 + int(syscall.SIGTERM)
)

// usageError marks an error the user made in calling wacost.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// silentError has already been reported on stderr; it only sets the exit code.
type silentError struct{ code int }

func (s silentError) Error() string { return fmt.Sprintf("exit %d", s.code) }

// Interrupted is the cause of a run stopped by a signal.
type Interrupted struct{ Signal os.Signal }

func (i *Interrupted) Error() string { return "stopped by " + signalName(i.Signal) }

func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// ExitCode is the exit status of a run that ended with err.
func ExitCode(err error) int {
	var (
		se  silentError
		ue  usageError
		sig *Interrupted
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &sig):
		if s, ok := sig.Signal.(syscall.Signal); ok {
			return 128 + int(s)
		}
		return ExitInterrupt
	case errors.As(err, &se):
		return se.code
	case errors.As(err, &ue):
		return ExitUsage
	}
	return ExitData
}

// SignalContext is parent, cancelled when SIGINT or SIGTERM arrives with
// an *Interrupted cause naming the signal. After the first signal the
// default behaviour is back: a second one ends wacost at once. stop
// releases the signals.
func SignalContext(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	term, stopTerm := signal.NotifyContext(parent, syscall.SIGTERM)
	intr, stopInt := signal.NotifyContext(term, os.Interrupt)
	ctx, cancel := context.WithCancelCause(parent)
	go func() {
		<-intr.Done()
		switch {
		case parent.Err() != nil:
			cancel(context.Cause(parent))
		// A signal's cause is not context.Canceled itself (though it
		// says it Is one); stop's is.
		case term.Err() != nil && context.Cause(term) != context.Canceled:
			cancel(&Interrupted{syscall.SIGTERM})
		case context.Cause(intr) != context.Canceled:
			cancel(&Interrupted{os.Interrupt})
		default:
			cancel(nil)
		}
		stopInt()
		stopTerm()
	}()
	return ctx, func() {
		stopInt()
		stopTerm()
		cancel(nil)
	}
}

// interrupted is the error of a run cut short by ctx: its cause (an
// *Interrupted for a signal).
func interrupted(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	return context.Cause(ctx)
}

// usageArgs makes the argument checks of every command in the tree return
// usage errors (cobra's own are plain errors).
func usageArgs(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(c *cobra.Command, args []string) error {
			if err := check(c, args); err != nil {
				return usageError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		usageArgs(sub)
	}
}
