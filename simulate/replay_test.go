package simulate

import (
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/stream"
)

func synthMessages(t testing.TB, rows int64, seed uint64) []msglog.Message {
	t.Helper()
	return synthFrom(t, rows, seed, time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC), 20)
}

func resultJSON(t testing.TB, ledger []Entry, r Result) string {
	b, err := json.Marshal(struct {
		L []Entry
		R Result
	}{ledger, r})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestUnsortedEqualsSorted(t *testing.T) {
	env := newEnv(t)
	ms := synthMessages(t, 5000, 3)
	sortedLedger, sortedRes := replay(t, env.opts(), ms)
	if sortedRes.Summary.Billed == 0 || sortedRes.Summary.Free == 0 || sortedRes.Summary.LateReplies == 0 {
		t.Fatalf("the synthetic log should exercise billed, free and late messages: %+v", sortedRes.Summary)
	}
	shuffled := append([]msglog.Message(nil), ms...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })

	// Streaming the shuffled rows must notice the disorder...
	e, _ := New(env.opts())
	err := Run(e, &stream.Slice{Msgs: shuffled}, func(error) error { return nil })
	if !errors.Is(err, ErrOutOfOrder) {
		t.Fatalf("want ErrOutOfOrder, got %v", err)
	}
	// ...and after a sort, give exactly the same ledger and totals.
	sl, err := stream.SortAll(&stream.Slice{Msgs: shuffled}, nil)
	if err != nil {
		t.Fatal(err)
	}
	gotLedger, gotRes := replay(t, env.opts(), sl.Msgs)
	if resultJSON(t, gotLedger, gotRes) != resultJSON(t, sortedLedger, sortedRes) {
		t.Fatal("unsorted input replayed differently from sorted input")
	}
}

func TestSplitFilesMergeToTheSameResult(t *testing.T) {
	// Inbound and outbound rows in two files (a common export shape):
	// merged, they replay as the single log does.
	env := newEnv(t)
	ms := synthMessages(t, 3000, 4)
	wantLedger, wantRes := replay(t, env.opts(), ms)
	var in, out []msglog.Message
	for _, m := range ms {
		if m.Direction == msglog.Inbound {
			in = append(in, m)
		} else {
			out = append(out, m)
		}
	}
	merged := stream.Merge(&stream.Slice{Msgs: out}, &stream.Slice{Msgs: in})
	var got []msglog.Message
	for {
		var m msglog.Message
		err := merged.Read(&m)
		if err == io.EOF {
			break
		}
		got = append(got, m)
	}
	gotLedger, gotRes := replay(t, env.opts(), got)
	if resultJSON(t, gotLedger, gotRes) != resultJSON(t, wantLedger, wantRes) {
		t.Fatal("two merged files replayed differently from one")
	}
}

func TestStateIsEvicted(t *testing.T) {
	// Memory is bounded by live state: after a quiet week every window has
	// closed, and the engine holds no customer state any more.
	env := newEnv(t)
	ms := synthMessages(t, 70000, 5)
	e, _ := New(env.opts())
	if err := Run(e, stream.Reorder(&stream.Slice{Msgs: ms}, 64), func(err error) error { return err }); err != nil {
		t.Fatal(err)
	}
	last := ms[len(ms)-1].Time
	peak := e.Live()
	e.evict(last.Add(7 * 24 * time.Hour))
	if e.Live() != 0 {
		t.Fatalf("%d states left after every window closed", e.Live())
	}
	customers := map[string]bool{}
	for _, m := range ms {
		customers[m.Business+m.Customer] = true
	}
	if peak >= len(customers) {
		t.Fatalf("live states %d should be fewer than the %d pairs seen: idle ones are dropped", peak, len(customers))
	}
}
