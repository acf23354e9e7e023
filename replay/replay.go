// Package replay runs the replay pipeline: it opens a run's inputs (files,
// standard input spooled for a second pass, read ahead), reads them with
// msglog's readers through reorder buffers, merges, shards and prefetches
// them, replays them through the simulate engine (in parts side by side
// when that pays, or again after a full sort when the input is unsorted
// beyond the reorder buffers), and spools the output so that a failed,
// restarted or interrupted run writes nothing. Commands describe a run
// with a Plan and render it with a Sink; progress is an Observer.
package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/simulate"
	"github.com/wacost/wacost/stream"
)

// Plan is one replay: what to read, how, and the engine's options.
type Plan struct {
	// Files are the inputs; "-" (or none) is Stdin.
	Files []string
	Stdin io.Reader
	// Stdout receives the output once the run has succeeded; Stderr the
	// bad rows, the notes and what the replay had to do.
	Stdout, Stderr io.Writer
	// Input is how every input is read (its Name, Index, Workers and Part
	// are each input's own).
	Input msglog.Options
	// Engine are the engine's options; Run sets their Context.
	Engine simulate.Options
	// SkipInvalid counts bad rows as rejected instead of failing; the
	// first MaxErrors are listed.
	SkipInvalid bool
	MaxErrors   int
	// Reorder is each input's reorder buffer, in rows; SortMemory the rows
	// a full sort holds in memory before sorted runs spill to disk.
	Reorder, SortMemory int
	// Jobs is how many parts side by side (1: one replay).
	Jobs int
	// Shard, if N > 0, keeps only the customers of shard I of N.
	Shard ShardSpec
	// Fingerprint fingerprints the log read (Finished.Log), sharded or not.
	Fingerprint bool
	// Quiet leaves the notes and the fallbacks unsaid.
	Quiet bool
	// NotesShown: the output itself shows the notes to the person who
	// reads stderr too (a table on a terminal), so they are not said
	// again on stderr.
	NotesShown bool
	// Mask, if set, is the pseudonym of a customer number: bad rows are
	// listed with it in place of the number they quote.
	Mask func(string) string
	// SpoolMemory is how much output is held in memory before it spills
	// to a temporary file (0: 32 MiB); MaxPartCandidates how many pool
	// candidates a part may hold before the replay runs as one (0: 100,000).
	SpoolMemory, MaxPartCandidates int
	// Progress, if set, makes the run's observer, given the inputs' size
	// in bytes (0 if unknown); it may return nil.
	Progress func(total int64) Observer
}

// ShardSpec names shard I of N (1-based).
type ShardSpec struct{ I, N int }

// Sink is what a command does with one attempt of a replay (a replay that
// starts again after a sort gets a new one).
type Sink interface {
	// Configure sets the engine's hooks.
	Configure(so *simulate.Options)
	// Finish renders the finished run and returns its threshold checks.
	Finish(f Finished) ([]gate.Check, error)
	// Close ends the attempt, finished or not, before its output closes.
	Close()
	// ResultOnly says whether the sink needs only the Result (no hook
	// sees a message), so that the replay may run in parts.
	ResultOnly() bool
}

// Tapper is a Sink that sees every message the replay reads, in replay
// order, before the engine does (to feed engines of its own), and each
// row that could not be read. The message is only lent: Tap copies what it
// keeps. An error from Tap stops the replay (ErrOutOfOrder starts it
// again after a full sort, with a new sink).
type Tapper interface {
	Tap(m *msglog.Message) error
	TapRejected()
}

// tapReader hands what it reads to a Tapper.
type tapReader struct {
	r   msglog.Reader
	tap Tapper
}

func (t *tapReader) Read(m *msglog.Message) error {
	err := t.r.Read(m)
	switch err.(type) {
	case nil:
		return t.tap.Tap(m)
	case *msglog.RowError:
		t.tap.TapRejected()
	}
	return err
}

// Finished is a finished replay.
type Finished struct {
	Result *simulate.Result
	// Engine is the replay's engine (nil for a replay in parts, and for a
	// Tapper sink).
	Engine *simulate.Engine
	// OtherShards counts the rows left to other shards.
	OtherShards int64
	// Log fingerprints the messages read, every shard's (with
	// Plan.Shard or Plan.Fingerprint).
	Log simulate.LogPrint
	// Split is the id of the split whose part a --shard run read ("" if
	// it read a whole log).
	Split string
}

// Observer watches a replay's progress. Whatever the replay writes to
// stderr meanwhile goes through its Write.
type Observer interface {
	io.Writer
	// Begin starts a phase ("reading", "reading to sort") in which the
	// inputs are read reads times side by side.
	Begin(phase string, reads int)
	// Tally is the phase's counts, which readers opened now add to.
	Tally() *Tally
	// End says the replay has ended (its last word before the output).
	End()
}

// ErrBadRows is Run's error when rows were bad and not skipped; they were
// listed on Stderr already.
var ErrBadRows = errors.New("bad rows")

// UsageError is an error in what the plan asks for (not in the data).
type UsageError struct{ Err error }

func (u *UsageError) Error() string { return u.Err.Error() }
func (u *UsageError) Unwrap() error { return u.Err }

// Defaults of a Plan's tunables.
const (
	defaultSpoolMemory       = 32 << 20
	defaultMaxPartCandidates = 100_000
)

// Run replays the plan's inputs into sinks made by newSink (one for each
// attempt, writing to out) and returns the threshold checks of the run.
// If the input is unsorted beyond the reorder buffers, it starts again
// with a full sort. The output is spooled, so that a restarted, failed or
// interrupted run writes nothing to Stdout (a regular file is written in
// place and truncated back instead). Bad rows fail the run (ErrBadRows)
// unless SkipInvalid.
func Run(ctx context.Context, p Plan, newSink func(out io.Writer) (Sink, error)) ([]gate.Check, error) {
	split, err := selectParts(&p)
	if err != nil {
		return nil, err
	}
	ins, cleanup, err := openInputs(p.Stdin, p.Files)
	defer cleanup()
	if err != nil {
		return nil, err
	}
	r := &run{ctx: ctx, p: p, ins: ins, obs: observerOf(&p, ins), newSink: newSink, split: split}
	defer r.obs.End()
	buf := NewOutputSpool(p.Stdout, cmpOr(p.SpoolMemory, defaultSpoolMemory))
	defer buf.Close()
	errs, err := r.attempt(false, buf)
	if errors.Is(err, simulate.ErrOutOfOrder) {
		fmt.Fprintf(r.obs, "wacost: %v; sorting all rows (sorted runs of %d rows go to temporary files) and starting again\n", err, p.SortMemory)
		buf.Reset()
		errs, err = r.attempt(true, buf)
	}
	if errs != nil {
		errs.flush(p.SkipInvalid)
	}
	if err != nil {
		return nil, err
	}
	if errs.count > 0 && !p.SkipInvalid {
		return nil, ErrBadRows
	}
	// Say once on stderr what the figures rest on (also in the output's notes).
	if !p.Quiet && !p.NotesShown {
		for _, n := range r.notes {
			fmt.Fprintf(r.obs, "wacost: note: %s\n", n)
		}
	}
	if _, err = buf.WriteTo(p.Stdout); err != nil {
		return nil, err
	}
	return r.checks, nil
}

// run is one Run under way.
type run struct {
	ctx     context.Context
	p       Plan
	ins     []*input
	obs     Observer
	newSink func(io.Writer) (Sink, error)
	notes   []string
	checks  []gate.Check
	// said are the notes of the inputs' readers (msglog.Noter).
	said []string
	// numbers are the businesses' phone numbers the readers know
	// (msglog.BusinessNumberer), by the ids that name them.
	numbers map[string]string
	// split, if the inputs are a split's parts, is its manifest.
	split *splitRun
}

// attempt streams the inputs through one engine, in order (sorted: after
// a full sort). The output is written on a goroutine of its own (a ledger
// can be large); all of it is written when the attempt returns.
func (r *run) attempt(sorted bool, out io.Writer) (_ *rowErrors, err error) {
	errs := &rowErrors{w: r.obs, max: r.p.MaxErrors, mask: r.p.Mask}
	aw := newAsyncWriter(out)
	defer func() {
		if cerr := aw.Close(); err == nil {
			err = cerr
		}
	}()
	sink, err := r.newSink(aw)
	if err != nil {
		return nil, err
	}
	defer sink.Close() // before the output is closed
	so := r.p.Engine
	so.Context = r.ctx
	if r.split != nil { // the rows the split could not read count as a replay of the log would
		so.Rejected += r.split.m.Rejected
	}
	sink.Configure(&so)
	phase := "reading"
	if sorted {
		phase = "reading to sort"
	}
	if sink.ResultOnly() && !sorted && r.p.Jobs > 1 && r.p.Shard.N == 0 && r.split == nil && allFiles(r.ins) {
		r.obs.Begin(phase, r.p.Jobs) // each part reads the whole log
		res, fallback, err := r.parts(so, errs)
		switch {
		case fallback: // as one (counted afresh below)
			if !r.p.Quiet && !errors.Is(err, msglog.ErrPartFormat) && !errors.Is(err, simulate.ErrOutOfOrder) {
				fmt.Fprintf(r.obs, "wacost: %v; replaying the log as one instead of in %d parts\n", err, r.p.Jobs)
			}
		case err != nil:
			return errs, err
		default:
			return r.finish(sink, errs, Finished{Result: res})
		}
	}
	r.obs.Begin(phase, 1)
	tap, _ := sink.(Tapper)
	f, err := r.one(so, sorted, errs, tap)
	if err != nil {
		return errs, err
	}
	return r.finish(sink, errs, f)
}

// finish hands a finished replay to its sink, unless rows were bad.
func (r *run) finish(sink Sink, errs *rowErrors, f Finished) (*rowErrors, error) {
	r.obs.End() // the replay has ended: its last line before the rest
	if errs.count > 0 && !r.p.SkipInvalid {
		return errs, nil
	}
	r.notes = f.Result.Notes
	cs, err := sink.Finish(f)
	r.checks = cs
	return errs, err
}

// one replays the inputs as one: read (NDJSON lines on every core),
// reordered, merged, sharded, prefetched on a second goroutine, and
// sorted in full if asked.
func (r *run) one(so simulate.Options, sorted bool, errs *rowErrors, tap Tapper) (Finished, error) {
	numbers := map[string]string{} // filled as the readers open, before the replay
	so.BusinessNumbers = numbers
	eng, err := simulate.New(so)
	if err != nil {
		return Finished{}, &UsageError{err}
	}
	// A full sort needs no reorder buffer: it would only cost time (a row
	// k places early moves past k held rows).
	reorder := r.p.Reorder
	if sorted {
		reorder = 0
	}
	readers, closeAll, err := r.openReaders(msglog.Options{Workers: min(runtime.GOMAXPROCS(0), 4)}, reorder)
	defer closeAll()
	if err != nil {
		return Finished{}, err
	}
	if r.split != nil {
		r.said = append(append([]string(nil), r.split.m.Notes...), r.said...)
		for id, num := range r.split.m.BusinessNumbers {
			numbers[id] = num
		}
	}
	for _, n := range r.said {
		eng.Say(n)
	}
	for id, num := range r.numbers {
		numbers[id] = num
	}
	r.said = nil
	src := stream.Merge(readers...)
	var shard *stream.ShardFilter
	if r.p.Shard.N > 0 {
		shard = stream.Shard(src, r.p.Shard.I, r.p.Shard.N)
		src = shard
	} else if r.p.Fingerprint {
		shard = stream.Shard(src, 1, 1)
		src = shard
	}
	po := stream.PrefetchOptions{Batch: 1024}
	if t := r.obs.Tally(); t != nil {
		po.Rows = &t.Rows
	}
	pf := stream.PrefetchWith(src, po)
	defer pf.Stop()
	src = pf
	onErr := func(err error) error { errs.add(err); return nil }
	if sorted {
		// Rows rejected while the log is sorted count as the replay's do.
		sortErr := func(err error) error {
			errs.add(err)
			eng.Reject()
			if tap != nil {
				tap.TapRejected()
			}
			return nil
		}
		sl, cleanup, err := stream.SortExternal(&ctxReader{Reader: src, ctx: r.ctx}, sortErr, r.p.SortMemory, newTempRun)
		defer cleanup()
		if err != nil {
			return Finished{}, err
		}
		src = sl
	}
	if tap != nil {
		src = &tapReader{r: src, tap: tap}
	}
	if err := simulate.Run(eng, src, onErr); err != nil {
		return Finished{}, err
	}
	f := Finished{Engine: eng}
	if tap != nil {
		// A tapping sink prices with engines of its own and needs only
		// the Result: the engine's states go before its sink finishes.
		f.Engine = nil
	}
	if shard != nil {
		f.OtherShards = shard.Skipped
		f.Log = simulate.LogPrint{Messages: shard.Rows, Digest: fmt.Sprintf("%016x", shard.Digest)}
		if r.split != nil && r.split.part != nil {
			if err := r.split.checkPart(&f, shard); err != nil {
				return Finished{}, err
			}
		}
	}
	res := eng.Result()
	f.Result = &res
	return f, nil
}

// openReaders opens the inputs and their readers, with the options of ro
// (and each input's name and index), each through a reorder buffer of
// reorder rows. closeAll closes what was opened, readers before their files.
func (r *run) openReaders(ro msglog.Options, reorder int) (readers []msglog.Reader, closeAll func(), err error) {
	var closers []io.Closer
	closeAll = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i].Close()
		}
	}
	for i, in := range r.ins {
		rc, err := in.open()
		if err != nil {
			return nil, closeAll, err
		}
		closers = append(closers, rc)
		if t := r.obs.Tally(); t != nil {
			rc = countingReader{rc, &t.Bytes}
		}
		o := inputOptions(r.p.Input, in.name, i)
		o.Workers, o.Part = ro.Workers, ro.Part
		rd, err := msglog.NewReader(rc, o)
		if err != nil {
			return nil, closeAll, err
		}
		if c, ok := rd.(io.Closer); ok {
			closers = append(closers, c)
		}
		if n, ok := rd.(msglog.Noter); ok {
			r.said = append(r.said, n.Notes()...)
		}
		if bn, ok := rd.(msglog.BusinessNumberer); ok {
			for id, num := range bn.BusinessNumbers() {
				if r.numbers == nil {
					r.numbers = map[string]string{}
				}
				r.numbers[id] = num
			}
		}
		readers = append(readers, stream.Reorder(rd, reorder))
	}
	return readers, closeAll, nil
}

func cmpOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// inputOptions are the reading options of input i, named name.
func inputOptions(o msglog.Options, name string, i int) msglog.Options {
	o.Name, o.Index = name, i
	return o
}
