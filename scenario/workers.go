package scenario

import (
	"runtime"
	"sync"

	"github.com/wacost/wacost/msglog"
)

// adder takes the messages of a log in replay order (lent: it copies
// what it keeps).
type adder interface {
	add(m *msglog.Message) error
}

// workers feed several adders the same messages side by side: the
// messages go in batches to one goroutine per group of adders (as many
// groups as cores), and each group takes every message in order. An
// adder's error stops its group and is returned by the next add, or by
// finish.
type workers struct {
	chans []chan []msglog.Message
	wg    sync.WaitGroup
	mu    sync.Mutex
	err   error
	batch []msglog.Message
	done  bool
}

// workerBatch is how many messages go to the workers at a time.
const workerBatch = 512

// startWorkers shares the adders out among the cores.
func startWorkers(as []adder) *workers {
	w := &workers{}
	n := min(runtime.GOMAXPROCS(0), len(as))
	groups := make([][]adder, n)
	for i, a := range as {
		groups[i%n] = append(groups[i%n], a)
	}
	for _, g := range groups {
		ch := make(chan []msglog.Message, 4)
		w.chans = append(w.chans, ch)
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for b := range ch {
				if w.failed() != nil {
					continue // drained until the end
				}
				if err := feed(g, b); err != nil {
					w.mu.Lock()
					if w.err == nil {
						w.err = err
					}
					w.mu.Unlock()
				}
			}
		}()
	}
	w.batch = make([]msglog.Message, 0, workerBatch)
	return w
}

func feed(g []adder, b []msglog.Message) error {
	for i := range b {
		for _, a := range g {
			if err := a.add(&b[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *workers) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// add hands a copy of m to every adder.
func (w *workers) add(m *msglog.Message) error {
	if len(w.chans) == 0 {
		return nil
	}
	w.batch = append(w.batch, *m)
	if len(w.batch) == workerBatch {
		if err := w.failed(); err != nil {
			return err
		}
		w.flush()
	}
	return nil
}

// flush sends the batch (read by every group, written by none).
func (w *workers) flush() {
	if len(w.batch) == 0 {
		return
	}
	for _, ch := range w.chans {
		ch <- w.batch
	}
	w.batch = make([]msglog.Message, 0, workerBatch)
}

// finish sends the rest, waits for every adder, and returns the first error.
func (w *workers) finish() error {
	if !w.done {
		w.flush()
	}
	w.stop()
	return w.failed()
}

// stop ends the goroutines (what is sent is still taken).
func (w *workers) stop() {
	if w.done {
		return
	}
	w.done = true
	for _, ch := range w.chans {
		close(ch)
	}
	w.wg.Wait()
}
