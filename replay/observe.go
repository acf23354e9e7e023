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

// tracked is the source a replay's engine reads: the prefetched messages,
// counted for the progress line (in counts, if not nil), and ended once
// stop is set (if not nil: a sibling part failed).
type tracked struct {
	*msglog.Prefetcher
	stop   *atomic.Bool
	counts *Tally
	n      int64 // rows not yet added to counts
}

// trackedBatch is how many rows tracked counts before it adds them to
// its tally.
const trackedBatch = 1024

func (t *tracked) NextRef() (*msglog.Message, error) {
	if t.stop != nil && t.stop.Load() {
		return nil, errStopped
	}
	m, err := t.Prefetcher.NextRef()
	if t.counts != nil {
		if m != nil {
			t.n++
		}
		if t.n == trackedBatch || (err != nil && m == nil) {
			t.counts.Rows.Add(t.n)
			t.n = 0
		}
	}
	return m, err
}

func (t *tracked) Next() (msglog.Message, error) {
	m, err := t.NextRef()
	if m == nil {
		return msglog.Message{}, err
	}
	return *m, err
}

// countingRows counts the messages read through it (a reader off the hot
// path: the whole log is loaded into memory).
type countingRows struct {
	msglog.Reader
	t *Tally
}

func (c countingRows) Next() (msglog.Message, error) {
	m, err := c.Reader.Next()
	if err == nil {
		c.t.Rows.Add(1)
	}
	return m, err
}

// ctxReader ends a reader off the replay's hot path (a sort, a log
// loaded whole) with the cause of ctx once it is done, looked at every
// 4,096 rows.
type ctxReader struct {
	msglog.Reader
	ctx context.Context
	n   int
}

func (c *ctxReader) Next() (msglog.Message, error) {
	if c.n++; c.n&4095 == 0 && c.ctx != nil && c.ctx.Err() != nil {
		return msglog.Message{}, context.Cause(c.ctx)
	}
	return c.Reader.Next()
}
