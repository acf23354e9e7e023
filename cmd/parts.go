package cmd

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/simulate"
)

// A replay in parts: each of n replays reads the whole log but replays only
// the customers of its part (msglog.PartOf, the --shard hash), on its own
// core, and their partial results merge into the Result one replay gives
// (simulate.Merge, as 'wacost merge' does). Per-customer state is
// independent, and the monthly pools are ranked across parts by the
// merge, so the totals are the same to the cent and the count.

// maxPartCandidates is how many pool candidates one part may hold (about
// 300 bytes each) before the replay starts again as one: the free
// messages of the 2026-10 quotas and the free tiers (at most the pool's
// size per business or account and month) and, with --tiers, every
// billed utility and authentication message.
var maxPartCandidates = 100_000

// errStopped ends a part whose sibling failed.
var errStopped = errors.New("stopped")

// partRun is what one part's replay gives.
type partRun struct {
	partial simulate.Partial
	errs    []seqError // its first bad rows, in its input order
	count   int        // all its bad rows
	err     error
}

// seqError is a bad row with its place in the inputs.
type seqError struct {
	input, line int
	err         error
}

// replayParts replays the inputs in n parts side by side and returns the
// merged Result; its bad rows go to errs, listed input by input in line
// order (one replay of several inputs lists them as it meets them).
// fallback is true if the inputs cannot be replayed in parts (not CSV,
// too many pool candidates, or one without a price on its card): the
// caller replays them as one. It is true too if they are unsorted beyond
// the reorder buffers, so that one replay says where, and sorts them.
func replayParts(ins []*input, o *simulateOptions, so simulate.Options, n int, errs *rowErrors) (res *simulate.Result, fallback bool, err error) {
	so.Candidates, so.MaxCandidates = true, maxPartCandidates
	runs := make([]partRun, n)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for p := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[p] = replayPart(ins, o, so, msglog.Part{I: p, N: n}, &stop)
			if runs[p].err != nil {
				stop.Store(true)
			}
		}()
	}
	wg.Wait()
	// The first part's own failure (the others may have stopped for it).
	for _, r := range runs {
		switch {
		case r.err == nil || errors.Is(r.err, errStopped):
		case errors.Is(r.err, msglog.ErrPartFormat), errors.Is(r.err, simulate.ErrOutOfOrder),
			errors.Is(r.err, simulate.ErrTooManyCandidates), errors.Is(r.err, simulate.ErrMergePrice):
			return nil, true, r.err
		default:
			return nil, false, r.err
		}
	}
	parts := make([]simulate.Partial, n)
	var bad []seqError
	count := 0
	for i, r := range runs {
		parts[i] = r.partial
		bad = append(bad, r.errs...)
		count += r.count
	}
	for i := range parts { // each part counted its own bad rows
		parts[i].Result.Summary.Rejected = int64(count)
	}
	merged, err := simulate.Merge(parts)
	if err != nil {
		return nil, false, err
	}
	slices.SortStableFunc(bad, func(a, b seqError) int {
		if a.input != b.input {
			return a.input - b.input
		}
		return a.line - b.line
	})
	for _, e := range bad {
		errs.add(e.err)
	}
	errs.count = count
	return &merged, false, nil
}

// replayPart replays one part of the inputs.
func replayPart(ins []*input, o *simulateOptions, so simulate.Options, part msglog.Part, stop *atomic.Bool) (run partRun) {
	eng, err := simulate.New(so)
	if err != nil {
		return partRun{err: usageError{err}}
	}
	readers, closeAll, err := openReaders(ins, o, msglog.Options{Part: part}, o.reorder)
	defer closeAll()
	if err != nil {
		return partRun{err: err}
	}
	inputOf := map[string]int{}
	for i := len(ins) - 1; i >= 0; i-- { // a name given twice: its first place
		inputOf[ins[i].name] = i
	}
	pf := msglog.Prefetch(msglog.Merge(readers...), 1024)
	defer pf.Stop()
	onErr := func(err error) error {
		run.count++
		if len(run.errs) < o.maxErrors {
			se := seqError{err: err}
			var re *msglog.RowError
			if errors.As(err, &re) {
				se.input, se.line = inputOf[re.File], re.Line
			}
			run.errs = append(run.errs, se)
		}
		return nil
	}
	if run.err = simulate.Run(eng, &tracked{Prefetcher: pf, stop: stop, counts: o.prog.counts()}, onErr); run.err == nil {
		run.partial = eng.Partial(fmt.Sprintf("%d/%d", part.I+1, part.N), 0)
	}
	return run
}
