package stream

import (
	"errors"
	"io"
	"sync/atomic"

	"github.com/wacost/wacost/msglog"
)

func isRowError(err error) bool {
	_, ok := err.(*msglog.RowError)
	return ok
}

// ref is one result of Next in a batch: the message is in the batch's
// store, or lent by the reader.
type ref struct {
	m   *msglog.Message
	err error
}

// batch is a run of results carried between goroutines.
type batch struct {
	refs  []ref
	store []msglog.Message // the messages of a reader that does not lend (cap fixed)
	lent  bool             // refs point into a reorder buffer's slots, to be given back
	msgs  int64            // refs that are messages (not errors)
}

// ErrStopped is NextRef's error once PrefetchOptions.Stop is set.
var ErrStopped = errors.New("stopped")

// PrefetchOptions configure a Prefetcher.
type PrefetchOptions struct {
	// Batch is how many messages cross between the goroutines at a time
	// (default 1024).
	Batch int
	// Rows, if set, counts the messages handed out, a batch at a time.
	Rows *atomic.Int64
	// Stop, if set, ends the stream: NextRef returns ErrStopped once it
	// is true.
	Stop *atomic.Bool
}

// Prefetcher reads another Reader in its own goroutine, in batches, so
// that parsing and replaying use two cores. Row errors keep their place
// in the stream. Call Stop when done, even early.
type Prefetcher struct {
	ch    chan *batch
	free  chan *batch // used batches, back to the reader for reuse
	done  chan struct{}
	batch *batch
	rows  *atomic.Int64
	stop  *atomic.Bool
	i     int
	end   error
}

// Prefetch starts reading r in the background, size messages at a time.
func Prefetch(r msglog.Reader, size int) *Prefetcher {
	return PrefetchWith(r, PrefetchOptions{Batch: max(size, 1)})
}

// PrefetchWith starts reading r in the background. A reorder buffer's
// messages cross in the slots they were read into, lent and given back:
// no copy between parsing and replay.
func PrefetchWith(r msglog.Reader, o PrefetchOptions) *Prefetcher {
	size := o.Batch
	if size < 1 {
		size = 1024
	}
	// Batches in use at once: those in ch, one being filled and one being
	// replayed; free holds them all, so a used batch is never dropped (a
	// dropped batch of lent slots would only be memory not reused).
	p := &Prefetcher{ch: make(chan *batch, 4), free: make(chan *batch, 8), done: make(chan struct{}), rows: o.Rows, stop: o.Stop}
	ro, lends := r.(*reorder)
	f := &filler{r: r, ro: ro, lends: lends, size: size}
	go p.fill(f)
	return p
}

// filler reads a Prefetcher's source into batches.
type filler struct {
	r     msglog.Reader
	ro    *reorder // the source, if it is a reorder buffer (which lends)
	lends bool
	size  int
}

func (f *filler) newBatch() *batch {
	b := &batch{refs: make([]ref, 0, f.size), lent: f.lends}
	if !f.lends {
		b.store = make([]msglog.Message, 0, f.size)
	}
	return b
}

// read adds the source's next result to b; last is true for its end (a
// fatal error or io.EOF).
func (f *filler) read(b *batch) (last bool) {
	var m *msglog.Message
	var err error
	if f.lends {
		m, err = f.ro.lend()
	} else {
		// Read into the batch's store: the reader builds right there.
		b.store = append(b.store, msglog.Message{})
		m = &b.store[len(b.store)-1]
		err = f.r.Read(m)
	}
	if err != nil {
		m = nil
	} else {
		b.msgs++
	}
	b.refs = append(b.refs, ref{m, err})
	return err != nil && !isRowError(err)
}

// reuse empties a used batch, giving a lender's slots back.
func (f *filler) reuse(b *batch) *batch {
	if b.lent {
		for _, it := range b.refs {
			if it.m != nil {
				f.ro.giveBack(it.m)
			}
		}
	}
	b.refs, b.store, b.msgs = b.refs[:0], b.store[:0], 0
	return b
}

// fill reads the source into batches and hands them on, until its end or Stop.
func (p *Prefetcher) fill(f *filler) {
	defer close(p.ch)
	b := f.newBatch()
	for {
		last := f.read(b)
		if len(b.refs) < f.size && !last {
			continue
		}
		select {
		case p.ch <- b:
		case <-p.done:
			return
		}
		if last {
			return
		}
		select {
		case used := <-p.free:
			b = f.reuse(used)
		default:
			b = f.newBatch()
		}
	}
}

// Read copies the next message into *m.
func (p *Prefetcher) Read(m *msglog.Message) error {
	got, err := p.NextRef()
	if err == nil {
		*m = *got
	}
	return err
}

// NextRef is Read without a copy: the message lives in the prefetched
// batch, valid until the following call (nil with an error).
func (p *Prefetcher) NextRef() (*msglog.Message, error) {
	if p.stop != nil && p.stop.Load() {
		return nil, ErrStopped
	}
	for p.batch == nil || p.i >= len(p.batch.refs) {
		if p.end != nil {
			return nil, p.end
		}
		if p.batch != nil {
			select { // hand the used batch back (free has room for all)
			case p.free <- p.batch:
			default:
			}
			p.batch = nil
		}
		b, ok := <-p.ch
		if !ok {
			p.end = io.EOF
			return nil, io.EOF
		}
		p.batch, p.i = b, 0
		if p.rows != nil {
			p.rows.Add(b.msgs)
		}
	}
	it := &p.batch.refs[p.i]
	p.i++
	if it.err != nil && !isRowError(it.err) {
		p.end = it.err
	}
	return it.m, it.err
}

// Peek returns the message k places after the one NextRef returned last,
// if it is in the batch at hand (nil otherwise), without consuming it.
func (p *Prefetcher) Peek(k int) *msglog.Message {
	if p.batch == nil {
		return nil
	}
	if i := p.i - 1 + k; i < len(p.batch.refs) {
		return p.batch.refs[i].m // nil for a row error
	}
	return nil
}

// Stop ends the background reading.
func (p *Prefetcher) Stop() {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
}
