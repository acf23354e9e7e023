package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/replay"
	"github.com/wacost/wacost/simulate"
	"github.com/wacost/wacost/window"
)

// Tunables of the replay, set here so tests can shrink them.
var (
	// spoolMemory is how much output is held in memory before it spills to disk.
	spoolMemory = 32 << 20
	// maxPartCandidates is how many pool candidates one part of a replay
	// in parts may hold before the replay runs as one.
	maxPartCandidates = 100_000
)

// runReplay replays a command's inputs into the sinks newSink makes, and
// reports crossed thresholds (exit 3) after the output.
func runReplay(s *streams, o *simulateOptions, newSink func(out io.Writer) (replay.Sink, error)) error {
	env, err := setupPricing(o)
	if err != nil {
		return err
	}
	checks, err := replay.Run(s.ctx, planOf(s, o, env), newSink)
	if err != nil {
		return replayError(err)
	}
	return gateExit(s, checks)
}

// runTapped runs a what-if command's replay: its sink feeds engines of
// its own (a replay.Tapper) and says their notes itself. The rows only
// those engines could not price are listed after the replay's own bad
// rows (once each, up to --max-errors), or fail the run without
// --skip-invalid.
func runTapped(s *streams, o *simulateOptions, env *pricingEnv, newSink func(out io.Writer, u *unpricedRows) replay.Sink) error {
	p := planOf(s, o, env)
	p.NotesShown = true
	said := &lineRecorder{w: s.err, seen: map[string]bool{}}
	p.Stderr = said
	var last *unpricedRows
	checks, err := replay.Run(s.ctx, p, func(out io.Writer) (replay.Sink, error) {
		last = &unpricedRows{o: o, listed: map[string]bool{}}
		return newSink(out, last), nil
	})
	if last != nil {
		for _, msg := range last.msgs {
			if line := "wacost: " + msg; !said.seen[line] {
				fmt.Fprintln(s.err, line)
			}
		}
	}
	if err != nil {
		return replayError(err)
	}
	return gateExit(s, checks)
}

// unpricedRows takes the rows a what-if's engines cannot price: with
// --skip-invalid it counts them (keeping the first --max-errors to
// list), else it fails the run with them. It is safe for engines side by
// side.
type unpricedRows struct {
	o      *simulateOptions
	mu     sync.Mutex
	listed map[string]bool
	msgs   []string
}

func (u *unpricedRows) take(err error) error {
	if !u.o.skipInvalid {
		return err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if msg := msglog.MaskedError(err, u.o.maskFunc()); !u.listed[msg] && len(u.listed) < u.o.maxErrors {
		u.listed[msg] = true
		u.msgs = append(u.msgs, msg)
	}
	return nil
}

// lineRecorder passes what is written through to w and remembers each
// whole line.
type lineRecorder struct {
	w    io.Writer
	seen map[string]bool
	part []byte
}

func (l *lineRecorder) Write(b []byte) (int, error) {
	l.part = append(l.part, b...)
	for {
		i := bytes.IndexByte(l.part, '\n')
		if i < 0 {
			break
		}
		l.seen[string(l.part[:i])] = true
		l.part = l.part[i+1:]
	}
	return l.w.Write(b)
}

// replayError is the command's error for a replay's: bad rows (listed
// already) exit 1 silently, a bad plan is a usage error.
func replayError(err error) error {
	var ue *replay.UsageError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, replay.ErrBadRows):
		return silentError{ExitData}
	case errors.As(err, &ue):
		return usageError{ue.Err}
	}
	return err
}

// planOf is the replay plan of a command's options (env nil: reading only).
func planOf(s *streams, o *simulateOptions, env *pricingEnv) replay.Plan {
	p := replay.Plan{Files: o.files, Stdin: s.in, Stdout: s.out, Stderr: s.err,
		Input:       o.input,
		SkipInvalid: o.skipInvalid, MaxErrors: o.maxErrors, Reorder: o.reorder, SortMemory: o.sortMemory,
		Jobs: o.jobs, Shard: replay.ShardSpec{I: o.shardI, N: o.shardN}, Fingerprint: o.format == "partial", Quiet: o.quiet, Mask: o.maskFunc(),
		SpoolMemory: spoolMemory, MaxPartCandidates: maxPartCandidates,
		Progress: func(total int64) replay.Observer {
			if p := newProgress(s.err, o.progress, o.quiet, total); p != nil {
				return p
			}
			return nil
		}}
	p.Input.Location = o.location
	p.NotesShown = o.tableNotes && notesShown(o.format, s.out)
	if env != nil {
		p.Engine = env.options(s.ctx, o)
		p.Input.CountryOf = func(digits string) string { return env.mk.Lookup(digits, 0).ISO2 }
	}
	return p
}

// notesShown: output in format to w shows its notes to the person at the
// terminal (a table or Markdown written to it), who would read them twice
// if stderr said them too.
func notesShown(format string, w io.Writer) bool {
	return (format == "table" || format == "markdown" || format == "") && isTerminal(w)
}

// pricingEnv is what every replay prices with.
type pricingEnv struct {
	mk     *pricing.Markets
	cat    *pricing.Catalog
	tariff *pricing.Card
	tiers  *pricing.Tiers
}

// setupPricing loads the markets, the built-in cards, and the --tariff and
// --tiers files.
func setupPricing(o *simulateOptions) (*pricingEnv, error) {
	mk, err := pricing.LoadMarkets(pricing.MarketOptions{KazakhstanLegacy: o.kzLegacy, NANPCaribbean: o.nanp})
	if err != nil {
		return nil, err
	}
	cat, err := pricing.LoadCatalog(mk)
	if err != nil {
		return nil, err
	}
	env := &pricingEnv{mk: mk, cat: cat}
	if o.tariffFile != "" {
		if env.tariff, err = env.card(o.tariffFile); err != nil {
			return nil, err
		}
	}
	if o.tiersFile != "" {
		env.tiers, err = loadTiers(o.tiersFile, mk)
		if err != nil {
			return nil, err
		}
	}
	return env, nil
}

// card resolves a tariff by built-in name or file.
func (env *pricingEnv) card(name string) (*pricing.Card, error) {
	if _, statErr := os.Stat(name); statErr != nil {
		if c, err := env.cat.Card(name); err == nil {
			return c, nil
		}
	}
	return loadTariff(name, env.mk)
}

// options are the engine options of a run.
func (env *pricingEnv) options(ctx context.Context, o *simulateOptions) simulate.Options {
	wcfg := window.DefaultConfig()
	wcfg.FEP, wcfg.FEPExtend = o.fepWindow, o.fepExtend
	return simulate.Options{Context: ctx, Regime: o.regime, Location: o.location, Window: wcfg, Policy: o.policy, Markets: env.mk, Catalog: env.cat,
		Tariff: env.tariff, FX: o.fx, AuthIntl: o.authIntl, Tiers: env.tiers, BusinessLocations: o.bizLoc, KazakhstanPre: o.kzLegacy, NANPCaribbean: o.nanp}
}
