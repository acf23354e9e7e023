package msglog

import "io"

// item is one result of Next, carried between goroutines.
type item struct {
	m   Message
	err error
}

// Prefetcher reads another Reader in its own goroutine, in batches, so
// that parsing and replaying use two cores. Row errors keep their place
// in the stream. Call Stop when done, even early.
type Prefetcher struct {
	ch    chan []item
	free  chan []item // used batches, back to the reader for reuse
	done  chan struct{}
	batch []item
	i     int
	end   error
}

// Prefetch starts reading r in the background, batch messages at a time.
func Prefetch(r Reader, batch int) *Prefetcher {
	if batch < 1 {
		batch = 1
	}
	p := &Prefetcher{ch: make(chan []item, 4), free: make(chan []item, 6), done: make(chan struct{})}
	go func() {
		defer close(p.ch)
		buf := make([]item, 0, batch)
		for {
			// Read into the batch's next item: a reader that builds into a
			// message given builds right there.
			buf = append(buf, item{})
			it := &buf[len(buf)-1]
			m, err := nextRef(r, &it.m)
			if it.err = err; err != nil {
				it.m = Message{}
			} else if m != &it.m {
				it.m = *m
			}
			last := err != nil && !isRowError(err)
			if len(buf) == batch || last {
				select {
				case p.ch <- buf:
				case <-p.done:
					return
				}
				if last {
					return
				}
				select {
				case buf = <-p.free:
					buf = buf[:0]
				default:
					buf = make([]item, 0, batch)
				}
			}
		}
	}()
	return p
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

// Next returns the next message, row error, io.EOF or fatal error.
func (p *Prefetcher) Next() (Message, error) {
	return valueOf(p.NextRef())
}

// NextRef is Next without a copy: the message lives in the prefetched
// batch, valid until the following call.
func (p *Prefetcher) NextRef() (*Message, error) {
	for p.i >= len(p.batch) {
		if p.end != nil {
			return nil, p.end
		}
		if p.batch != nil {
			select { // hand the used batch back; drop it if the list is full
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
	return take(p.batch, &p.i, &p.end)
}

// Peek returns the message k places after the one NextRef returned last,
// if it is in the batch at hand (nil otherwise), without consuming it.
func (p *Prefetcher) Peek(k int) *Message {
	if i := p.i - 1 + k; i < len(p.batch) && p.batch[i].err == nil {
		return &p.batch[i].m
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
