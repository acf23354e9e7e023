package simulate

import (
	"strings"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/window"
)

// states holds the live (business, customer) states. Most pairs pack
// into one integer (the customer's number as msglog.NumberKey, the
// business's index above it), and their states sit inline in one
// open-addressed table with linear probing: a message costs one probe,
// usually one or two cache lines, and a sweep for idle states reads the
// table in order. Pairs that do not pack (a customer that is not a
// number, or past 255 businesses) go to a map.
type states struct {
	slots     []stateSlot
	used      int
	shift     uint // 64 - log2(len(slots))
	other     map[pairKey]*otherState
	biz       map[string]uint64
	recentBiz [4]bizName
	nextBiz   uint8
	sink      uint64 // what touch reads, kept so the loads stay
	// keepNames: each state keeps its own copy of the customer's number
	// (the engine hands it to hooks), in names by key for the table's;
	// otherwise the table holds no strings.
	keepNames bool
	names     map[uint64]string
}

// otherState is a state kept in the map, with its customer's number.
type otherState struct {
	ps       pairState
	customer string
}

type bizName struct {
	name string
	id   uint64
}

type pairKey struct{ business, customer string }

type stateSlot struct {
	key uint64 // 0: empty
	ps  pairState
}

const (
	minSlots   = 1 << 10
	maxBizID   = 255
	bizShift   = 56
	hashFactor = 0x9E3779B97F4A7C15 // Fibonacci hashing
)

func newStates() *states {
	s := &states{other: map[pairKey]*otherState{}, biz: map[string]uint64{}, names: map[uint64]string{}}
	s.resize(minSlots)
	return s
}

func (s *states) resize(n int) {
	old := s.slots
	s.slots = make([]stateSlot, n)
	s.shift = 64
	for m := n; m > 1; m >>= 1 {
		s.shift--
	}
	s.used = 0
	for i := range old {
		if old[i].key != 0 {
			*s.insert(old[i].key) = old[i].ps
		}
	}
}

func (s *states) home(key uint64) int { return int((key * hashFactor) >> s.shift) }

// insert claims an empty slot for key (not present) and returns its state.
func (s *states) insert(key uint64) *pairState {
	mask := len(s.slots) - 1
	i := s.home(key)
	for s.slots[i].key != 0 {
		i = (i + 1) & mask
	}
	s.slots[i].key = key
	s.used++
	return &s.slots[i].ps
}

// bizID is a business's index, 1..255, or 0 past 255 businesses. The
// last few are remembered: a log's rows mostly name a handful.
func (s *states) bizID(business string) uint64 {
	for i := range s.recentBiz {
		if r := &s.recentBiz[i]; r.id != 0 && r.name == business {
			return r.id
		}
	}
	id, ok := s.biz[business]
	if !ok {
		if len(s.biz) >= maxBizID {
			return 0
		}
		id = uint64(len(s.biz) + 1)
		business = strings.Clone(business)
		s.biz[business] = id
	}
	s.recentBiz[s.nextBiz%uint8(len(s.recentBiz))] = bizName{business, id}
	s.nextBiz++
	return id
}

// getKey returns the state of the pair with key (from packKey; ok false
// for pairs kept in the map), the state's own copy of the customer's
// number (if keepNames or if the pair does not pack; else ""), and
// whether the state is new (zero). The pointer is good until the next
// getKey.
func (s *states) getKey(key uint64, ok bool, business, customer string) (*pairState, string, bool) {
	if !ok {
		k := pairKey{business, customer}
		if o := s.other[k]; o != nil {
			return &o.ps, o.customer, false
		}
		k = pairKey{strings.Clone(business), strings.Clone(customer)}
		o := &otherState{customer: k.customer}
		s.other[k] = o
		return &o.ps, o.customer, true
	}
	mask := len(s.slots) - 1
	for i := s.home(key); s.slots[i].key != 0; i = (i + 1) & mask {
		if s.slots[i].key == key {
			name := ""
			if s.keepNames {
				name = s.names[key]
			}
			return &s.slots[i].ps, name, false
		}
	}
	if 4*(s.used+1) > 3*len(s.slots) { // keep the load at most 3/4
		s.resize(2 * len(s.slots))
	}
	ps := s.insert(key)
	name := ""
	if s.keepNames {
		name = strings.Clone(customer)
		s.names[key] = name
	}
	return ps, name, true
}

// packKey is a pair's key in the table, given the customer's
// msglog.NumberKey if known (0: not); false for pairs kept in the map.
func (s *states) packKey(business, customer string, ck uint64) (uint64, bool) {
	if ck == 0 {
		var ok bool
		if ck, ok = msglog.NumberKey(customer); !ok {
			return 0, false
		}
	}
	bid := s.bizID(business)
	return ck | bid<<bizShift, bid != 0
}

// touch reads the slots (home slots of packed keys) where states will be
// needed in a few messages, one load after the other, so that the cache
// misses overlap instead of each getKey waiting for its own. A hint only:
// nothing changes.
func (s *states) touch(slots []int) {
	var sum uint64
	for _, i := range slots {
		if i >= 0 {
			sum += s.slots[i].key // the slot is one cache line
		}
	}
	s.sink += sum
}

// remove empties slot i, moving later entries of its probe run back so
// that every entry stays reachable from its home slot.
func (s *states) remove(i int) {
	mask := len(s.slots) - 1
	j := i
	for {
		j = (j + 1) & mask
		key := s.slots[j].key
		if key == 0 {
			break
		}
		h := s.home(key)
		// Entry j may stay if its home lies cyclically in (i, j].
		if (i < j && i < h && h <= j) || (i > j && (h > i || h <= j)) {
			continue
		}
		s.slots[i] = s.slots[j]
		i = j
	}
	s.slots[i] = stateSlot{}
	s.used--
}

// drop removes the state in slot i and its name.
func (s *states) drop(i int) {
	if s.keepNames {
		delete(s.names, s.slots[i].key)
	}
	s.remove(i)
}

// sweep drops every state idle at t, and shrinks a table left mostly
// empty.
func (s *states) sweep(cfg window.Config, t time.Time) {
	for i := 0; i < len(s.slots); {
		if s.slots[i].key != 0 && s.slots[i].ps.Idle(cfg, t) {
			s.drop(i) // slot i may now hold a later entry: look again
			continue
		}
		i++
	}
	for k, o := range s.other {
		if o.ps.Idle(cfg, t) {
			delete(s.other, k)
		}
	}
	if n := len(s.slots); n > minSlots && 8*s.used < n {
		for n > minSlots && 8*s.used < n {
			n /= 2
		}
		s.resize(n)
	}
}

// live is the number of states held.
func (s *states) live() int { return s.used + len(s.other) }
