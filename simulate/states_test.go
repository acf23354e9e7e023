package simulate

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/wacost/wacost/window"
)

// TestStatesTable drives the state table with random messages and sweeps
// against a plain map: every pair finds its own state (numbers, names,
// past 255 businesses), new pairs are new, and a sweep drops exactly the
// idle ones, through growth, shrinking and probe runs that wrap around.
func TestStatesTable(t *testing.T) {
	cfg := window.DefaultConfig()
	rng := rand.New(rand.NewPCG(9, 10))
	s := newStates()
	s.keepNames = true               // each state holds its customer's number, checked below
	model := map[pairKey]time.Time{} // last inbound per live pair
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	businesses := []string{"15550100001", "15550100002", "default"}
	for i := 0; i < 300; i++ {
		businesses = append(businesses, fmt.Sprintf("waba-%d", i)) // past 255: the map
	}
	customer := func() string {
		switch n := rng.IntN(4000); {
		case n < 40:
			return fmt.Sprintf("name-%d", n) // not a number: the map
		case n < 60:
			return fmt.Sprintf("0%d", n) // leading zeros count
		default:
			return fmt.Sprintf("%d", 5511900000000+n)
		}
	}
	for step := 0; step < 200000; step++ {
		now = now.Add(time.Duration(rng.IntN(90)) * time.Second)
		if rng.IntN(5000) == 0 {
			s.sweep(cfg, now)
			for k, last := range model {
				if !now.Before(last.Add(cfg.CSW)) {
					delete(model, k)
				}
			}
			if s.live() != len(model) {
				t.Fatalf("step %d: %d states after the sweep, want %d", step, s.live(), len(model))
			}
			continue
		}
		b := businesses[rng.IntN(3)]
		if rng.IntN(50) == 0 {
			b = businesses[rng.IntN(len(businesses))]
		}
		k := pairKey{b, customer()}
		ps, name, isNew := s.get(k.business, k.customer)
		last, had := model[k]
		if isNew == had {
			t.Fatalf("step %d: %v new=%v, but the model had it=%v", step, k, isNew, had)
		}
		if name != k.customer {
			t.Fatalf("step %d: state of %s holds %s", step, k.customer, name)
		}
		if had {
			if end := ps.Peek(cfg, now).CSWEnd; !end.Equal(last.Add(cfg.CSW)) {
				t.Fatalf("step %d: %v window ends %s, want %s: another pair's state", step, k, end, last.Add(cfg.CSW))
			}
		}
		ps.Inbound(cfg, now, window.EntryNone)
		model[k] = now
	}
	if s.live() != len(model) || len(s.other) == 0 || s.used == 0 || len(s.names) != s.used {
		t.Fatalf("%d states (%d in the table, %d in the map), want %d", s.live(), s.used, len(s.other), len(model))
	}
}

// get is getKey for a pair given by its strings (tests).
func (s *states) get(business, customer string) (*pairState, string, bool) {
	key, ok := s.pack(business, customer)
	return s.getKey(key, ok, business, customer)
}

// pack is packKey without a number key at hand (tests).
func (s *states) pack(business, customer string) (uint64, bool) {
	return s.packKey(business, customer, 0)
}
