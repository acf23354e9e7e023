package replay

import (
	"context"
	"io"
	"sync/atomic"

	"github.com/wacost/wacost/msglog"
)

// Tally is what a phase of the replay has read. Each phase has its own,
// so that the readers of one that ended (whose goroutines may still read
// a little) do not count in the next.
type Tally struct {
	Bytes atomic.Int64 // read, over every copy of the inputs being read
	Rows  atomic.Int64 // handed to the engine
	Reads int64        // copies of the inputs read side by side (parts)
}

// observerOf is the run's observer: the plan's, or one that only passes
// stderr through.
func observerOf(p *Plan, ins []*input) Observer {
	if p.Progress != nil {
		if o := p.Progress(inputSize(ins)); o != nil {
			return o
		}
	}
	return nopObserver{p.Stderr}
}

// nopObserver shows nothing; its Write is the plan's Stderr's.
type nopObserver struct{ io.Writer }

func (nopObserver) Begin(string, int) {}
func (nopObserver) Tally() *Tally     { return nil }
func (nopObserver) End()              {}

// countingReader counts the bytes read through it.
type countingReader struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.ReadCloser.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// ctxReader ends a reader off the replay's hot path (a sort, a log
// loaded whole) with the cause of ctx once it is done, looked at every
// 4,096 rows.
type ctxReader struct {
	msglog.Reader
	ctx context.Context
	n   int
}

func (c *ctxReader) Read(m *msglog.Message) error {
	if c.n++; c.n&4095 == 0 && c.ctx != nil && c.ctx.Err() != nil {
		return context.Cause(c.ctx)
	}
	return c.Reader.Read(m)
}
