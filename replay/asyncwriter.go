package replay

import "io"

// asyncWriter writes to w on a goroutine of its own, in blocks of 1 MiB,
// so that a large output (a ledger of millions of rows) is written while
// the replay goes on. Close writes what is left and waits, and returns
// the first write error (the blocks after it are dropped).
type asyncWriter struct {
	w     io.Writer
	cur   []byte
	full  chan []byte
	free  chan []byte
	done  chan error
	err   error
	close bool
}

const asyncBlock = 1 << 20

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{w: w, full: make(chan []byte, 3), free: make(chan []byte, 4), done: make(chan error, 1)}
	go func() {
		var err error
		for b := range a.full {
			if err == nil {
				_, err = w.Write(b)
			}
			select { // back for reuse, or dropped if enough are waiting
			case a.free <- b[:0]:
			default:
			}
		}
		a.done <- err
	}()
	return a
}

func (a *asyncWriter) Write(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	n := len(p)
	for len(p) > 0 {
		if a.cur == nil {
			select {
			case a.cur = <-a.free:
			default:
				a.cur = make([]byte, 0, asyncBlock)
			}
		}
		k := min(len(p), cap(a.cur)-len(a.cur))
		a.cur = append(a.cur, p[:k]...)
		p = p[k:]
		if len(a.cur) == cap(a.cur) {
			a.full <- a.cur
			a.cur = nil
		}
	}
	return n, nil
}

// Close writes the rest and waits for the writes to end.
func (a *asyncWriter) Close() error {
	if a.close {
		return a.err
	}
	a.close = true
	if len(a.cur) > 0 {
		a.full <- a.cur
		a.cur = nil
	}
	close(a.full)
	if err := <-a.done; err != nil && a.err == nil {
		a.err = err
	}
	return a.err
}
