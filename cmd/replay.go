package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
	"github.com/wacost/wacost/window"
)

// consumer is what a command does with one replay attempt: it sets the
// engine's hooks, then renders the finished run and returns its threshold
// checks. A new one is made for each attempt.
type consumer interface {
	configure(so *simulate.Options)
	finish(res *simulate.Result) ([]gate.Check, error)
}

// replay streams the inputs through the simulate engine for a command.
// If the input is unsorted beyond the reorder buffers, it starts again
// with a full sort. Output is spooled, so a restarted or failed run writes
// nothing to stdout. Bad rows fail the run (exit 1) unless --skip-invalid;
// crossed thresholds exit 3 after the output.
func replay(s *streams, o *simulateOptions, newConsumer func(out io.Writer) (consumer, error)) error {
	mk, err := pricing.LoadMarkets(pricing.MarketOptions{KazakhstanLegacy: o.kzLegacy, NANPCaribbean: o.nanp})
	if err != nil {
		return err
	}
	cat, err := pricing.LoadCatalog(mk)
	if err != nil {
		return err
	}
	var tariff *pricing.Card
	if o.tariffFile != "" {
		// A built-in card's name (e.g. 2026-07-eur), unless a file has that name.
		if _, statErr := os.Stat(o.tariffFile); statErr != nil {
			if c, err := cat.Card(o.tariffFile); err == nil {
				tariff = c
			}
		}
		if tariff == nil {
			if tariff, err = loadTariff(o.tariffFile, mk); err != nil {
				return err
			}
		}
	}
	var tiers *pricing.Tiers
	if o.tiersFile != "" {
		f, err := os.Open(o.tiersFile)
		if err != nil {
			return err
		}
		tiers, err = pricing.ParseTiersCSV(f, o.tiersFile, pricing.CardOptions{Market: mk.Known})
		f.Close()
		if err != nil {
			return err
		}
	}
	ins, cleanup, err := openInputs(s, o.files)
	defer cleanup()
	if err != nil {
		return err
	}
	wcfg := window.DefaultConfig()
	wcfg.FEP = o.fepWindow

	var notes []string
	var checks []gate.Check
	// One attempt: stream, in order. If the input turns out to be unsorted
	// beyond the reorder buffers, start again with a full sort in memory.
	attempt := func(sorted bool, out io.Writer) (*rowErrors, error) {
		errs := &rowErrors{w: s.err, max: o.maxErrors}
		cons, err := newConsumer(out)
		if err != nil {
			return nil, err
		}
		so := simulate.Options{Regime: o.regime, Location: o.location, Window: wcfg, Policy: o.policy, Markets: mk, Catalog: cat,
			Tariff: tariff, FX: o.fx, AuthIntl: o.authIntl, Tiers: tiers, BusinessLocations: o.bizLoc, KazakhstanPre: o.kzLegacy, NANPCaribbean: o.nanp}
		cons.configure(&so)
		eng, err := simulate.New(so)
		if err != nil {
			return nil, usageError{err}
		}
		var readers []msglog.Reader
		var closers []io.Closer
		defer func() {
			for _, c := range closers {
				c.Close()
			}
		}()
		for i, in := range ins {
			rc, err := in.open()
			if err != nil {
				return nil, err
			}
			closers = append(closers, rc)
			r, err := msglog.NewReader(rc, msglog.Options{Name: in.name, Format: o.inputFormat, Map: o.columnMap, Location: o.location, Index: i})
			if err != nil {
				return nil, err
			}
			readers = append(readers, msglog.Reorder(r, o.reorder))
		}
		src := msglog.Merge(readers...)
		onErr := func(err error) error { errs.add(err); return nil }
		if sorted {
			sl, err := msglog.SortAll(src, onErr)
			if err != nil {
				return nil, err
			}
			src = sl
		}
		if err := simulate.Run(eng, src, onErr); err != nil {
			return errs, err
		}
		res := eng.Result()
		if errs.count > 0 && !o.skipInvalid {
			return errs, nil
		}
		notes = res.Notes
		cs, err := cons.finish(&res)
		checks = cs
		return errs, err
	}

	// The output is spooled, so that nothing reaches stdout if the run has
	// to start again or fails.
	buf := newSpool(spoolMemory)
	defer buf.Close()
	errs, err := attempt(false, buf)
	if errors.Is(err, simulate.ErrOutOfOrder) {
		fmt.Fprintf(s.err, "wacost: %v; sorting all rows in memory and starting again\n", err)
		buf.Reset()
		errs, err = attempt(true, buf)
	}
	if err != nil {
		if errs != nil {
			errs.flush(o.skipInvalid)
		}
		return err
	}
	errs.flush(o.skipInvalid)
	if errs.count > 0 && !o.skipInvalid {
		return silentError{ExitData}
	}
	// Say once on stderr what the figures rest on (also in the output's notes).
	for _, n := range notes {
		if !o.quiet {
			fmt.Fprintf(s.err, "wacost: note: %s\n", n)
		}
	}
	if _, err = buf.WriteTo(s.out); err != nil {
		return err
	}
	return gateExit(s, checks)
}
