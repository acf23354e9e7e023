package simulate

import (
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/wacost/wacost/msglog"
)

// TestRefsChangeNothing replays one log with no Refs, with the reader's
// Refs, and with each row's Ref drawn from two tables or left out (as
// when inputs have tables of their own), while states are evicted every
// 64 messages or so and some customers talk to a second business: the ledger
// and the result are the same every time, and a second engine over the
// same rows (as compare runs scenarios) gets them too.
func TestRefsChangeNothing(t *testing.T) {
	env := newEnv(t)
	base := synthMessages(t, 20000, 11)
	for i := range base {
		if i%7 == 3 {
			base[i].Business = "second"
		}
	}
	sort.SliceStable(base, func(i, j int) bool { return msglog.Less(&base[i], &base[j]) })
	run := func(ms []msglog.Message) string {
		t.Helper()
		o := env.opts()
		var ledger []Entry
		o.Ledger = func(e *Entry) error { ledger = append(ledger, *e); return nil }
		e, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		e.evictEvery, e.nextEvict = 64, 64
		for i := range ms {
			if err := e.Add(&ms[i]); err != nil {
				t.Fatalf("message %d: %v", i+1, err)
			}
		}
		return resultJSON(t, ledger, e.Result())
	}
	plain := append([]msglog.Message(nil), base...)
	for i := range plain {
		plain[i].Ref = nil
	}
	want := run(plain)

	if base[0].Ref == nil {
		t.Fatal("the reader gave no Refs")
	}
	if got := run(base); got != want {
		t.Error("the reader's Refs change the result")
	}
	if got := run(base); got != want {
		t.Error("a second engine over the same rows gets another result")
	}

	tables := []*msglog.Refs{msglog.NewRefs(), msglog.NewRefs()}
	mixed := append([]msglog.Message(nil), base...)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range mixed {
		m := &mixed[i]
		m.Ref = nil
		if k := rng.IntN(3); k < 2 {
			m.Ref = tables[k].Lookup(m.Customer)
		}
	}
	if got := run(mixed); got != want {
		t.Error("Refs from two tables, or none, change the result")
	}
}
