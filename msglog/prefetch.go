package msglog

import "io"

// item is one result of Next, carried between goroutines.
type item struct {
	m   Message
	err error
}

// take hands out items[*i] in place and moves on; a fatal error is kept
// in *end, to be returned from then on.
func take(items []item, i *int, end *error) (*Message, error) {
	it := &items[*i]
	*i++
	if it.err != nil && !isRowError(it.err) {
		*end = it.err
	}
	return &it.m, it.err
}

func isRowError(err error) bool {
	_, ok := err.(*RowError)
	return ok
}

// lender is a Reader that can lend the messages it hands out: each stays
// good until it is given back, not only until the next call. The
// reorder buffer lends its slots, so that a batch of them crosses to the
// replaying goroutine without a copy.
type lender interface {
	Reader
	// Lend returns the next message, lent (nil with an error).
	Lend() (*Message, error)
	// GiveBack returns a lent message's slot for reuse.
	GiveBack(m *Message)
}

// ref is one result of Next in a batch: the message is in the batch's
// store, or lent by the reader.
type ref struct {
	m   *Message
	err error
}

// batch is a run of results carried between goroutines.
type batch struct {
	refs  []ref
	store []Message // the messages of a reader that does not lend (cap fixed)
	lent  bool      // refs point into a lender's slots, to be given back
}

// Prefetcher reads another Reader in its own goroutine, in batches, so
// that parsing and replaying use two cores. Row errors keep their place
// in the stream. Call Stop when done, even early.
type Prefetcher struct {
	ch    chan *batch
	free  chan *batch // used batches, back to the reader for reuse
	done  chan struct{}
	batch *batch
	i     int
	end   error
}

// Prefetch starts reading r in the background, size messages at a time.
func Prefetch(r Reader, size int) *Prefetcher {
	if size < 1 {
		size = 1
	}
	// Batches in use at once: those in ch, one being filled and one being
	// replayed; free holds them all, so a used batch is never dropped (a
	// dropped batch of lent slots would only be memory not reused).
	p := &Prefetcher{ch: make(chan *batch, 4), free: make(chan *batch, 8), done: make(chan struct{})}
	ln, lends := r.(lender)
	f := &filler{r: r, ln: ln, lends: lends, size: size}
	go p.fill(f)
	return p
}

// filler reads a Prefetcher's source into batches.
type filler struct {
	r     Reader
	ln    lender
	lends bool
	size  int
}

func (f *filler) newBatch() *batch {
	b := &batch{refs: make([]ref, 0, f.size), lent: f.lends}
	if !f.lends {
		b.store = make([]Message, 0, f.size)
	}
	return b
}

// read adds the source's next result to b; last is true for its end (a
// fatal error or io.EOF).
func (f *filler) read(b *batch) (last bool) {
	var m *Message
	var err error
	if f.lends {
		m, err = f.ln.Lend()
	} else {
		// Read into the batch's store: a reader that builds into a
		// message given builds right there.
		b.store = append(b.store, Message{})
		slot := &b.store[len(b.store)-1]
		if m, err = nextRef(f.r, slot); err == nil && m != slot {
			*slot = *m
		}
		m = slot
	}
	if err != nil {
		m = nil
	}
	b.refs = append(b.refs, ref{m, err})
	return err != nil && !isRowError(err)
}

// reuse empties a used batch, giving a lender's slots back.
func (f *filler) reuse(b *batch) *batch {
	if b.lent {
		for _, it := range b.refs {
			if it.m != nil {
				f.ln.GiveBack(it.m)
			}
		}
	}
	b.refs, b.store = b.refs[:0], b.store[:0]
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

// Next returns the next message, row error, io.EOF or fatal error.
func (p *Prefetcher) Next() (Message, error) {
	return valueOf(p.NextRef())
}

// NextRef is Next without a copy: the message lives in the prefetched
// batch, valid until the following call.
func (p *Prefetcher) NextRef() (*Message, error) {
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
func (p *Prefetcher) Peek(k int) *Message {
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
