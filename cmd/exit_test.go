package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"
)

// A signal cancels the run's context with a cause naming it, which
// ExitCode turns into 128 + the signal's number; stop alone is no signal.
func TestSignalContextCause(t *testing.T) {
	for _, c := range []struct {
		sig  os.Signal
		code int
	}{{syscall.SIGTERM, 143}, {os.Interrupt, 130}} {
		ctx, stop := SignalContext(context.Background())
		syscall.Kill(syscall.Getpid(), c.sig.(syscall.Signal))
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("%v: the context was not cancelled", c.sig)
		}
		err := fmt.Errorf("log.csv:9: %w", context.Cause(ctx))
		if got := ExitCode(err); got != c.code {
			t.Errorf("%v: exit %d (%v), want %d", c.sig, got, err, c.code)
		}
		stop()
	}
	ctx, stop := SignalContext(context.Background())
	stop()
	<-ctx.Done()
	if cause := context.Cause(ctx); !errors.Is(cause, context.Canceled) || ExitCode(cause) != ExitData {
		t.Errorf("stop: cause %v", cause)
	}
}

// Exit codes come from the errors' types, wrapped or not.
func TestExitCode(t *testing.T) {
	for _, c := range []struct {
		err  error
		code int
	}{
		{nil, 0},
		{errors.New("log.csv:3: timestamp: bad"), 1},
		{fmt.Errorf("config: %w", usagef("--jobs must not be negative")), 2},
		{silentError{ExitThreshold}, 3},
		{fmt.Errorf("x: %w", silentError{ExitData}), 1},
	} {
		if got := ExitCode(c.err); got != c.code {
			t.Errorf("%v: %d, want %d", c.err, got, c.code)
		}
	}
}
