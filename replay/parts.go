package replay

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/simulate"
	"github.com/wacost/wacost/stream"
)

// A replay in parts: each of n replays reads the whole log but replays only
// the customers of its part (msglog.PartOf, the --shard hash), on its own
// core, and their partial results merge into the Result one replay gives
// (simulate.Merge, as 'wacost merge' does). Per-customer state is
// independent, and the monthly pools are ranked across parts by the
// merge, so the totals are the same to the cent and the count.

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

// parts replays the inputs in Plan.Jobs parts side by side and returns the
// merged Result; its bad rows go to errs, listed input by input in line
// order (one replay of several inputs lists them as it meets them).
// fallback is true if the inputs cannot be replayed in parts (not CSV,
// too many pool candidates, or one without a price on its card): the
// caller replays them as one. It is true too if they are unsorted beyond
// the reorder buffers, so that one replay says where, and sorts them.
//
// A part may hold Plan.MaxPartCandidates pool candidates (about 300 bytes
// each) before the replay starts again as one: the free messages of the
// 2026-10 quotas and the free tiers (at most the pool's size per business
// or account and month) and, with --tiers, every billed utility and
// authentication message.
func (r *run) parts(so simulate.Options, errs *rowErrors) (res *simulate.Result, fallback bool, err error) {
	n := r.p.Jobs
	so.Candidates, so.MaxCandidates = true, cmpOr(r.p.MaxPartCandidates, defaultMaxPartCandidates)
	runs := make([]partRun, n)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for p := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[p] = r.part(so, msglog.Part{I: p, N: n}, &stop)
			if runs[p].err != nil {
				stop.Store(true)
			}
		}()
	}
	wg.Wait()
	// The first part's own failure (the others may have stopped for it).
	for _, pr := range runs {
		switch {
		case pr.err == nil || errors.Is(pr.err, stream.ErrStopped):
		case errors.Is(pr.err, msglog.ErrPartFormat), errors.Is(pr.err, simulate.ErrOutOfOrder),
			errors.Is(pr.err, simulate.ErrTooManyCandidates), errors.Is(pr.err, simulate.ErrMergePrice):
			return nil, true, pr.err
		default:
			return nil, false, pr.err
		}
	}
	parts := make([]simulate.Partial, n)
	var bad []seqError
	count := 0
	for i, pr := range runs {
		parts[i] = pr.partial
		bad = append(bad, pr.errs...)
		count += pr.count
	}
	for i := range parts { // each part counted its own bad rows
		parts[i].Result.Summary.Rejected, parts[i].RuleRejected = int64(count), 0
	}
	merged, err := simulate.MergeParts(parts)
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

// part replays one part of the inputs.
func (r *run) part(so simulate.Options, part msglog.Part, stop *atomic.Bool) (run partRun) {
	eng, err := simulate.New(so)
	if err != nil {
		return partRun{err: &UsageError{err}}
	}
	readers, closeAll, err := r.openReaders(msglog.Options{Part: part}, r.p.Reorder)
	defer closeAll()
	if err != nil {
		return partRun{err: err}
	}
	inputOf := map[string]int{}
	for i := len(r.ins) - 1; i >= 0; i-- { // a name given twice: its first place
		inputOf[r.ins[i].name] = i
	}
	po := stream.PrefetchOptions{Batch: 1024, Stop: stop}
	if t := r.obs.Tally(); t != nil {
		po.Rows = &t.Rows
	}
	pf := stream.PrefetchWith(stream.Merge(readers...), po)
	defer pf.Stop()
	onErr := func(err error) error {
		run.count++
		if len(run.errs) < r.p.MaxErrors {
			se := seqError{err: err}
			var re *msglog.RowError
			if errors.As(err, &re) {
				se.input, se.line = inputOf[re.File], re.Line
			}
			run.errs = append(run.errs, se)
		}
		return nil
	}
	if run.err = simulate.Run(eng, pf, onErr); run.err == nil {
		run.partial = eng.Partial(fmt.Sprintf("%d/%d", part.I+1, part.N), 0, simulate.LogPrint{})
	}
	return run
}
