package stream

import (
	"io"
	"math"

	"github.com/wacost/wacost/msglog"
)

// reorder holds up to n messages in replay order and releases the
// earliest, which puts rows that are at most n places out of order back in
// order. Messages stay in the slot they were read into (a reader that
// builds into a given message builds right there); the order is a ring
// of slot pointers kept sorted, filled at its tail: a row in order costs
// one comparison, a row k places late k swaps of two pointers.
//
// Prefetch takes the messages in their slots (lend), so that they cross to
// the replaying goroutine without a copy; Read copies one out.
type reorder struct {
	r     msglog.Reader
	n     int
	order []*msglog.Message // len n: the held messages' slots, earliest at head
	head  int
	count int
	free  []*msglog.Message // slots not in use
	eof   bool
	made  int // slots made
}

// reorderChunk is how many slots are made at a time.
const reorderChunk = 256

// Reorder wraps r with a reorder buffer of n messages (n <= 1: none).
// Row errors pass through at once.
func Reorder(r msglog.Reader, n int) msglog.Reader {
	if n <= 1 {
		return r
	}
	return &reorder{r: r, n: n, order: make([]*msglog.Message, n)}
}

// Read releases the earliest message into *m.
func (b *reorder) Read(m *msglog.Message) error {
	got, err := b.lend()
	if err != nil {
		return err
	}
	*m = *got
	b.giveBack(got)
	return nil
}

// lend releases the earliest message in its slot, which stays out of use
// until giveBack.
func (b *reorder) lend() (*msglog.Message, error) {
	for !b.eof && b.count < b.n {
		if len(b.free) == 0 {
			chunk := make([]msglog.Message, reorderChunk)
			b.made += len(chunk)
			for i := range chunk {
				b.free = append(b.free, &chunk[i])
			}
		}
		slot := b.free[len(b.free)-1]
		err := b.r.Read(slot)
		if err == io.EOF {
			b.eof = true
			break
		}
		if err != nil {
			return nil, err
		}
		b.free = b.free[:len(b.free)-1]
		i := b.head + b.count
		if i >= b.n {
			i -= b.n
		}
		b.order[i] = slot
		b.count++
		b.place(slot)
	}
	if b.count == 0 {
		return nil, io.EOF
	}
	m := b.order[b.head]
	b.order[b.head] = nil
	if b.head++; b.head == b.n {
		b.head = 0
	}
	b.count--
	return m, nil
}

// placeSteps is how many places a new row is moved back one at a time
// before its place is found by bisection.
const placeSteps = 8

// place moves the row just put at the ring's tail back to its
// place: after every held row that is not later. A row in order costs one
// comparison, a row a few places late that many; one further back is
// placed by bisection, and the rows after it move up one each (moves of
// pointers, with no comparisons).
func (b *reorder) place(slot *msglog.Message) {
	at := func(k int) int { // the ring index of the k-th held row
		if k += b.head; k >= b.n {
			k -= b.n
		}
		return k
	}
	k := b.count - 1 // slot's place, counted from the head
	for step := 0; k > 0; step++ {
		if !msglog.Less(slot, b.order[at(k-1)]) {
			return
		}
		if step == placeSteps {
			break
		}
		b.order[at(k)], b.order[at(k-1)] = b.order[at(k-1)], slot
		k--
	}
	if k == 0 {
		return
	}
	// slot goes before the row at k-1: find the first of [0, k-1) it goes
	// before (the held rows are in order, so those it goes before are a
	// run at the end).
	lo, hi := 0, k-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if msglog.Less(slot, b.order[at(mid)]) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	for ; k > lo; k-- {
		b.order[at(k)] = b.order[at(k-1)]
	}
	b.order[at(lo)] = slot
}

// giveBack returns a lent message's slot.
func (b *reorder) giveBack(m *msglog.Message) { b.free = append(b.free, m) }

// merge is a k-way merge of readers that are each in order: each
// reader's head stays in its slot, and the heap orders the readers' numbers
// (moving ints, not 256-byte messages).
type merge struct {
	rs    []msglog.Reader
	heads []msglog.Message // heads[i]: reader i's next message
	heap  []int            // readers with a head, the earliest first
	init  bool
	errs  []error
}

// Merge interleaves several readers by replay order. Each should be in
// order itself; the result is then in order too.
func Merge(rs ...msglog.Reader) msglog.Reader {
	if len(rs) == 1 {
		return rs[0]
	}
	return &merge{rs: rs, heads: make([]msglog.Message, len(rs))}
}

func (m *merge) less(a, b int) bool { return msglog.Less(&m.heads[m.heap[a]], &m.heads[m.heap[b]]) }

// down moves heap entry i down to its place.
func (m *merge) down(i int) {
	n := len(m.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		j := l
		if r := l + 1; r < n && m.less(r, l) {
			j = r
		}
		if !m.less(j, i) {
			return
		}
		m.heap[i], m.heap[j] = m.heap[j], m.heap[i]
		i = j
	}
}

// up moves heap entry i up to its place.
func (m *merge) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !m.less(i, p) {
			return
		}
		m.heap[i], m.heap[p] = m.heap[p], m.heap[i]
		i = p
	}
}

// next reads reader i's next message into its slot; row errors are
// queued. ok is false at its end.
func (m *merge) next(i int) (ok bool, err error) {
	for {
		err := m.rs[i].Read(&m.heads[i])
		if err == io.EOF {
			return false, nil
		}
		if _, isRow := err.(*msglog.RowError); isRow {
			m.errs = append(m.errs, err)
			continue
		}
		return err == nil, err
	}
}

// Read copies the earliest head into *msg and reads its reader's next.
func (m *merge) Read(msg *msglog.Message) error {
	if !m.init {
		m.init = true
		for i := range m.rs {
			ok, err := m.next(i)
			if err != nil {
				return err
			}
			if ok {
				m.heap = append(m.heap, i)
				m.up(len(m.heap) - 1)
			}
		}
	}
	if len(m.errs) > 0 {
		err := m.errs[0]
		m.errs = m.errs[1:]
		return err
	}
	if len(m.heap) == 0 {
		return io.EOF
	}
	i := m.heap[0]
	*msg = m.heads[i]
	ok, err := m.next(i)
	if err != nil {
		return err
	}
	if !ok {
		last := len(m.heap) - 1
		m.heap[0] = m.heap[last]
		m.heap = m.heap[:last]
	}
	m.down(0)
	return nil
}

// Slice is a Reader over messages held in memory.
type Slice struct {
	Msgs []msglog.Message
	i    int
}

// Read copies the slice's next message into *m.
func (s *Slice) Read(m *msglog.Message) error {
	if s.i >= len(s.Msgs) {
		return io.EOF
	}
	*m = s.Msgs[s.i]
	s.i++
	return nil
}

// SortAll reads every message of r into memory and sorts them in replay
// order. Row errors are passed to onErr; a fatal error stops it.
func SortAll(r msglog.Reader, onErr func(error) error) (*Slice, error) {
	// SortExternal with no bound on memory never spills, and returns a *Slice.
	sorted, _, err := SortExternal(r, onErr, math.MaxInt, nil)
	if err != nil {
		return nil, err
	}
	return sorted.(*Slice), nil
}
