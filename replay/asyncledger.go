package replay

import (
	"github.com/wacost/wacost/simulate"
)

// LedgerRenderer renders a ledger's records, then the result.
type LedgerRenderer interface {
	Entry(e *simulate.Entry) error
	Finish(r *simulate.Result) error
}

// AsyncLedger renders ledger records on a goroutine of its own, in
// batches, so that formatting a ledger of millions of rows runs beside
// the replay instead of in its turn. The records are copied (their
// strings are the reader's or the engine's, never written again). All
// calls to the renderer happen on that goroutine until Finish or stop has
// waited for it; a rendering error is returned by a later Entry, by
// Finish, or by stop.
type AsyncLedger struct {
	rd    LedgerRenderer
	cur   []simulate.Entry
	full  chan []simulate.Entry
	free  chan []simulate.Entry
	done  chan error
	err   error
	ended bool
}

const asyncLedgerBatch = 512

func NewAsyncLedger(rd LedgerRenderer) *AsyncLedger {
	a := &AsyncLedger{rd: rd, full: make(chan []simulate.Entry, 4), free: make(chan []simulate.Entry, 6), done: make(chan error, 1)}
	go func() {
		var err error
		for b := range a.full {
			for i := range b {
				if err == nil {
					err = rd.Entry(&b[i])
				}
			}
			select { // back for reuse, or dropped if enough are waiting
			case a.free <- b[:0]:
			default:
			}
			if err != nil {
				select { // say so at once, the replay can stop
				case a.done <- err:
				default:
				}
			}
		}
		select {
		case a.done <- err:
		default:
		}
	}()
	return a
}

// Entry queues a copy of e.
func (a *AsyncLedger) Entry(e *simulate.Entry) error {
	if a.err == nil {
		select {
		case a.err = <-a.done: // the renderer failed
		default:
		}
	}
	if a.err != nil {
		return a.err
	}
	if a.cur == nil {
		select {
		case a.cur = <-a.free:
		default:
			a.cur = make([]simulate.Entry, 0, asyncLedgerBatch)
		}
	}
	a.cur = append(a.cur, *e)
	if len(a.cur) == asyncLedgerBatch {
		a.full <- a.cur
		a.cur = nil
	}
	return nil
}

// wait renders what is queued and waits for the goroutine to end.
func (a *AsyncLedger) wait() error {
	if a.ended {
		return a.err
	}
	a.ended = true
	if len(a.cur) > 0 && a.err == nil {
		a.full <- a.cur
	}
	a.cur = nil
	close(a.full)
	if err := <-a.done; a.err == nil {
		a.err = err
	}
	return a.err
}

// Finish renders the rest of the ledger, then the result.
func (a *AsyncLedger) Finish(r *simulate.Result) error {
	if err := a.wait(); err != nil {
		return err
	}
	return a.rd.Finish(r)
}

// stop ends the goroutine if Finish was not reached (a failed run).
func (a *AsyncLedger) Stop() { a.wait() }
