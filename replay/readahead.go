package replay

import "io"

// readAhead reads r on a goroutine of its own, in blocks of 1 MiB, up to
// readAheadBlocks ahead of the parser: the system calls (and, when the
// file is not in the page cache, the kernel's work to bring it in) run
// beside the parsing instead of in its turn. Close stops the reading and
// closes r.
type readAhead struct {
	r    io.ReadCloser
	full chan block
	free chan []byte
	done chan struct{}
	cur  []byte // the block being read, from off
	off  int
	err  error // the error after the block, io.EOF at the end
}

type block struct {
	b   []byte
	err error
}

const (
	readAheadBlock  = 1 << 20
	readAheadBlocks = 2
)

func newReadAhead(r io.ReadCloser) *readAhead {
	a := &readAhead{r: r, full: make(chan block, readAheadBlocks), free: make(chan []byte, readAheadBlocks+2), done: make(chan struct{})}
	go func() {
		defer close(a.full)
		for {
			var b []byte
			select {
			case b = <-a.free:
			default:
				b = make([]byte, readAheadBlock)
			}
			n, err := io.ReadFull(r, b[:cap(b)])
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			select {
			case a.full <- block{b[:n], err}:
			case <-a.done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return a
}

func (a *readAhead) Read(p []byte) (int, error) {
	for a.off == len(a.cur) {
		if a.err != nil {
			return 0, a.err
		}
		if a.cur != nil {
			select { // the used block, back for reuse
			case a.free <- a.cur:
			default:
			}
			a.cur = nil
		}
		blk, ok := <-a.full
		if !ok {
			a.err = io.ErrClosedPipe // read after Close
			return 0, a.err
		}
		a.cur, a.off, a.err = blk.b, 0, blk.err
	}
	n := copy(p, a.cur[a.off:])
	a.off += n
	return n, nil
}

// Close stops the reading goroutine (it ends after its current read) and
// closes the underlying reader.
func (a *readAhead) Close() error {
	select {
	case <-a.done:
	default:
		close(a.done)
	}
	return a.r.Close()
}
