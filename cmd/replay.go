package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

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
	env, err := setupPricing(o)
	if err != nil {
		return err
	}
	ins, cleanup, err := openInputs(s, o.files)
	defer cleanup()
	if err != nil {
		return err
	}
	// The progress line, if shown: whatever else goes to stderr meanwhile
	// goes through it, which clears the line first.
	if o.prog = newProgress(s.err, o.progress, o.quiet, ins); o.prog != nil {
		defer o.prog.finish()
		s = &streams{ctx: s.ctx, in: s.in, out: s.out, err: o.prog}
	}

	var notes []string
	var checks []gate.Check
	// One attempt: stream, in order. If the input turns out to be unsorted
	// beyond the reorder buffers, start again with a full sort in memory.
	attempt := func(sorted bool, out io.Writer) (_ *rowErrors, err error) {
		errs := &rowErrors{w: s.err, max: o.maxErrors}
		// The output is written on a goroutine of its own (a ledger can
		// be large); all of it is written when the attempt returns.
		aw := newAsyncWriter(out)
		defer func() {
			if cerr := aw.Close(); err == nil {
				err = cerr
			}
		}()
		cons, err := newConsumer(aw)
		if err != nil {
			return nil, err
		}
		if st, ok := cons.(interface{ stop() }); ok {
			defer st.stop() // before the output is closed
		}
		so := env.options(s.ctx, o)
		cons.configure(&so)
		done := func(res *simulate.Result) (*rowErrors, error) {
			o.prog.finish() // the replay has ended: its last line before the rest
			if errs.count > 0 && !o.skipInvalid {
				return errs, nil
			}
			notes = res.Notes
			cs, err := cons.finish(res)
			checks = cs
			return errs, err
		}
		phase := "reading"
		if sorted {
			phase = "reading to sort"
		}
		if ro, ok := cons.(interface{ resultOnly() bool }); ok && ro.resultOnly() && !sorted && o.jobs > 1 && o.shardN == 0 && allFiles(ins) {
			o.prog.begin(phase, o.jobs) // each part reads the whole log
			res, fallback, err := replayParts(ins, o, so, o.jobs, errs)
			switch {
			case fallback: // as one (counted afresh below)
				if !o.quiet && !errors.Is(err, msglog.ErrPartFormat) && !errors.Is(err, simulate.ErrOutOfOrder) {
					fmt.Fprintf(s.err, "wacost: %v; replaying the log as one instead of in %d parts\n", err, o.jobs)
				}
			case err != nil:
				return errs, err
			default:
				return done(res)
			}
		}
		o.prog.begin(phase, 1)
		eng, err := simulate.New(so)
		if err != nil {
			return nil, usageError{err}
		}
		if ec, ok := cons.(interface{ engine(*simulate.Engine) }); ok {
			ec.engine(eng)
		}
		// NDJSON lines are independent: parse them on every core.
		// A full sort needs no reorder buffer: it would only cost time (a
		// row k places early moves past k held rows).
		reorder := o.reorder
		if sorted {
			reorder = 0
		}
		readers, closeAll, err := openReaders(ins, o, msglog.Options{Workers: min(runtime.GOMAXPROCS(0), 4)}, reorder)
		defer closeAll()
		if err != nil {
			return nil, err
		}
		src := msglog.Merge(readers...)
		var shard *msglog.ShardFilter
		if o.shardN > 0 {
			shard = msglog.Shard(src, o.shardI, o.shardN)
			src = shard
		}
		// Parse in a second goroutine while the engine replays: two cores.
		pf := msglog.Prefetch(src, 1024)
		defer pf.Stop()
		src = pf
		if t := o.prog.counts(); t != nil {
			src = &tracked{Prefetcher: pf, counts: t}
		}
		onErr := func(err error) error { errs.add(err); return nil }
		if sorted {
			sl, cleanup, err := msglog.SortExternal(&ctxReader{Reader: src, ctx: s.ctx}, onErr, o.sortMemory, newTempRun)
			defer cleanup()
			if err != nil {
				return nil, err
			}
			src = sl
		}
		if err := simulate.Run(eng, src, onErr); err != nil {
			return errs, err
		}
		if shard != nil {
			o.shardSkipped = shard.Skipped
		}
		res := eng.Result()
		return done(&res)
	}

	// The output is spooled, so that nothing reaches stdout if the run has
	// to start again or fails (a regular file is written in place and
	// truncated back instead).
	buf := newOutputSpool(s.out, spoolMemory)
	defer buf.Close()
	errs, err := attempt(false, buf)
	if errors.Is(err, simulate.ErrOutOfOrder) {
		fmt.Fprintf(s.err, "wacost: %v; sorting all rows (sorted runs of %d rows go to temporary files) and starting again\n", err, o.sortMemory)
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

// openReaders opens the inputs and their readers, with the options of
// ro (and each input's name and index), each through a reorder buffer of
// reorder rows.
// closeAll closes what was opened, readers before their files.
func openReaders(ins []*input, o *simulateOptions, ro msglog.Options, reorder int) (readers []msglog.Reader, closeAll func(), err error) {
	var closers []io.Closer
	closeAll = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i].Close()
		}
	}
	for i, in := range ins {
		rc, err := in.open()
		if err != nil {
			return nil, closeAll, err
		}
		closers = append(closers, rc)
		if t := o.prog.counts(); t != nil {
			rc = countingReader{rc, &t.bytes}
		}
		ro.Name, ro.Format, ro.Map, ro.Location, ro.Index = in.name, o.inputFormat, o.columnMap, o.location, i
		r, err := msglog.NewReader(rc, ro)
		if err != nil {
			return nil, closeAll, err
		}
		if c, ok := r.(io.Closer); ok {
			closers = append(closers, c)
		}
		readers = append(readers, msglog.Reorder(r, reorder))
	}
	return readers, closeAll, nil
}

// allFiles says whether every input is a file (which each part of a
// replay in parts reads on its own).
func allFiles(ins []*input) bool {
	for _, in := range ins {
		if in.spool != nil {
			return false
		}
	}
	return true
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
		f, err := os.Open(o.tiersFile)
		if err != nil {
			return nil, err
		}
		env.tiers, err = pricing.ParseTiersCSV(f, o.tiersFile, pricing.CardOptions{Market: mk.Known})
		f.Close()
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
	wcfg.FEP = o.fepWindow
	return simulate.Options{Context: ctx, Regime: o.regime, Location: o.location, Window: wcfg, Policy: o.policy, Markets: env.mk, Catalog: env.cat,
		Tariff: env.tariff, FX: o.fx, AuthIntl: o.authIntl, Tiers: env.tiers, BusinessLocations: o.bizLoc, KazakhstanPre: o.kzLegacy, NANPCaribbean: o.nanp}
}

// loadLog reads every input into memory in replay order (for commands
// that replay the same log several times). Bad rows are counted in errs.
func loadLog(s *streams, o *simulateOptions, errs *rowErrors) ([]msglog.Message, error) {
	ins, cleanup, err := openInputs(s, o.files)
	defer cleanup()
	if err != nil {
		return nil, err
	}
	prog := newProgress(s.err, o.progress, o.quiet, ins)
	defer prog.finish()
	counts := prog.counts()
	var readers []msglog.Reader
	for i, in := range ins {
		rc, err := in.open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		if counts != nil {
			rc = countingReader{rc, &counts.bytes}
		}
		r, err := msglog.NewReader(rc, msglog.Options{Name: in.name, Format: o.inputFormat, Map: o.columnMap, Location: o.location, Index: i})
		if err != nil {
			return nil, err
		}
		if counts != nil {
			r = countingRows{r, counts}
		}
		readers = append(readers, r)
	}
	sl, err := msglog.SortAll(&ctxReader{Reader: msglog.Merge(readers...), ctx: s.ctx}, func(err error) error { errs.add(err); return nil })
	if err != nil {
		return nil, err
	}
	return sl.Msgs, nil
}

// ctxReader ends a reader off the replay's hot path (a sort, a log
// loaded whole) with the cause of ctx once it is done, looked at every
// 4,096 rows.
type ctxReader struct {
	msglog.Reader
	ctx context.Context
	n   int
}

func (c *ctxReader) Next() (msglog.Message, error) {
	if c.n++; c.n&4095 == 0 {
		if err := interrupted(c.ctx); err != nil {
			return msglog.Message{}, err
		}
	}
	return c.Reader.Next()
}

// countingRows counts the messages read through it (a reader off the hot
// path: the whole log is loaded into memory).
type countingRows struct {
	msglog.Reader
	t *tally
}

func (c countingRows) Next() (msglog.Message, error) {
	m, err := c.Reader.Next()
	if err == nil {
		c.t.rows.Add(1)
	}
	return m, err
}

// tempRun is a sorted run of the external sort, in a temporary file that
// is removed when closed.
type tempRun struct{ *os.File }

func newTempRun() (msglog.RunFile, error) {
	f, err := os.CreateTemp("", "wacost-sort-*")
	if err != nil {
		return nil, err
	}
	return tempRun{f}, nil
}

func (t tempRun) Rewind() (io.Reader, error) {
	if _, err := t.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return t.File, nil
}

func (t tempRun) Close() error {
	t.File.Close()
	return os.Remove(t.Name())
}
