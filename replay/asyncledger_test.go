package replay

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wacost/wacost/simulate"
)

type recordingRenderer struct {
	ids      []string
	failAt   int // fail the Entry with this index (0: never)
	finished bool
}

var errRender = errors.New("disk full")

func (r *recordingRenderer) Entry(e *simulate.Entry) error {
	if r.failAt > 0 && len(r.ids)+1 == r.failAt {
		return errRender
	}
	r.ids = append(r.ids, e.ID)
	return nil
}

func (r *recordingRenderer) Finish(*simulate.Result) error { r.finished = true; return nil }

// TestAsyncLedger: records are rendered in order, each as it was when
// queued (the caller reuses its record), before the result; a rendering
// error stops the queueing and is returned; a stopped ledger renders no
// result.
func TestAsyncLedger(t *testing.T) {
	rr := &recordingRenderer{}
	a := NewAsyncLedger(rr)
	var e simulate.Entry
	n := 3*asyncLedgerBatch + 17
	for i := range n {
		e.ID = fmt.Sprintf("m%d", i)
		if err := a.Entry(&e); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Finish(&simulate.Result{}); err != nil {
		t.Fatal(err)
	}
	if len(rr.ids) != n || !rr.finished {
		t.Fatalf("%d records rendered, finished %v", len(rr.ids), rr.finished)
	}
	for i, id := range rr.ids {
		if id != fmt.Sprintf("m%d", i) {
			t.Fatalf("record %d is %s", i, id)
		}
	}

	fail := &recordingRenderer{failAt: 700}
	a = NewAsyncLedger(fail)
	var err error
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; err == nil && time.Now().Before(deadline); i++ {
		e.ID = fmt.Sprintf("m%d", i)
		err = a.Entry(&e)
	}
	if !errors.Is(err, errRender) {
		t.Fatalf("queueing went on after the renderer failed: %v", err)
	}
	if err := a.Finish(&simulate.Result{}); !errors.Is(err, errRender) || fail.finished || len(fail.ids) != 699 {
		t.Fatalf("finish after a failure: %v, finished %v, %d rendered", err, fail.finished, len(fail.ids))
	}

	stopped := &recordingRenderer{}
	a = NewAsyncLedger(stopped)
	a.Entry(&e)
	a.Stop()
	a.Stop()
	if stopped.finished || len(stopped.ids) != 1 {
		t.Fatalf("stop: finished %v, %d rendered", stopped.finished, len(stopped.ids))
	}
}
