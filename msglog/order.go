package msglog

import (
	"container/heap"
	"io"
	"math"
)

// reorder holds up to n messages in replay order and releases the
// earliest, which puts rows that are at most n places out of order back in
// order. The window is a ring kept sorted, filled at its tail: a row in
// order costs one comparison and one copy in, a row k places late k swaps.
type reorder struct {
	r     Reader
	n     int
	ring  []Message // len n
	head  int       // the earliest held message
	count int
	eof   bool
	tmp   Message
}

// Reorder wraps r with a reorder buffer of n messages (n <= 1: none).
// Row errors pass through at once.
func Reorder(r Reader, n int) Reader {
	if n <= 1 {
		return r
	}
	return &reorder{r: r, n: n, ring: make([]Message, n)}
}

func (b *reorder) Next() (Message, error) {
	return valueOf(b.NextRef())
}

// NextRef releases the earliest message, in place: it stays good until
// the next call (whose first new row takes its slot).
func (b *reorder) NextRef() (*Message, error) {
	for !b.eof && b.count < b.n {
		m, err := nextRef(b.r, &b.tmp)
		if err == io.EOF {
			b.eof = true
			break
		}
		if err != nil {
			return nil, err
		}
		i := (b.head + b.count) % b.n
		b.ring[i] = *m
		b.count++
		for i != b.head {
			prev := i - 1
			if prev < 0 {
				prev = b.n - 1
			}
			if !Less(&b.ring[i], &b.ring[prev]) {
				break
			}
			b.ring[i], b.ring[prev] = b.ring[prev], b.ring[i]
			i = prev
		}
	}
	if b.count == 0 {
		return nil, io.EOF
	}
	m := &b.ring[b.head]
	b.head = (b.head + 1) % b.n
	b.count--
	return m, nil
}

// merge is a k-way merge of readers that are each in order.
type merge struct {
	rs    []Reader
	heads []Message
	src   []int // src[i]: reader of heads[i]
	init  bool
	errs  []error
}

// Merge interleaves several readers by replay order. Each should be in
// order itself; the result is then in order too.
func Merge(rs ...Reader) Reader {
	if len(rs) == 1 {
		return rs[0]
	}
	return &merge{rs: rs}
}

type headHeap struct{ m *merge }

func (h headHeap) Len() int           { return len(h.m.heads) }
func (h headHeap) Less(i, j int) bool { return Less(&h.m.heads[i], &h.m.heads[j]) }
func (h headHeap) Swap(i, j int) {
	h.m.heads[i], h.m.heads[j] = h.m.heads[j], h.m.heads[i]
	h.m.src[i], h.m.src[j] = h.m.src[j], h.m.src[i]
}
func (h headHeap) Push(x any) {}
func (h headHeap) Pop() any {
	n := len(h.m.heads) - 1
	h.m.heads, h.m.src = h.m.heads[:n], h.m.src[:n]
	return nil
}

// fill reads reader i's next message into the heap; row errors are queued.
func (m *merge) fill(i int) error {
	for {
		msg, err := m.rs[i].Next()
		if err == io.EOF {
			return nil
		}
		if _, ok := err.(*RowError); ok {
			m.errs = append(m.errs, err)
			continue
		}
		if err != nil {
			return err
		}
		m.heads = append(m.heads, msg)
		m.src = append(m.src, i)
		heap.Fix(headHeap{m}, len(m.heads)-1)
		return nil
	}
}

func (m *merge) Next() (Message, error) {
	if !m.init {
		m.init = true
		for i := range m.rs {
			if err := m.fill(i); err != nil {
				return Message{}, err
			}
		}
	}
	if len(m.errs) > 0 {
		err := m.errs[0]
		m.errs = m.errs[1:]
		return Message{}, err
	}
	if len(m.heads) == 0 {
		return Message{}, io.EOF
	}
	msg, i := m.heads[0], m.src[0]
	heap.Pop(headHeap{m})
	if err := m.fill(i); err != nil {
		return Message{}, err
	}
	return msg, nil
}

// Slice is a Reader over messages held in memory.
type Slice struct {
	Msgs []Message
	i    int
}

// Next returns the next message of the slice.
func (s *Slice) Next() (Message, error) {
	if s.i >= len(s.Msgs) {
		return Message{}, io.EOF
	}
	s.i++
	return s.Msgs[s.i-1], nil
}

// SortAll reads every message of r into memory and sorts them in replay
// order. Row errors are passed to onErr; a fatal error stops it.
func SortAll(r Reader, onErr func(error) error) (*Slice, error) {
	// SortExternal with no bound on memory never spills, and returns a *Slice.
	sorted, _, err := SortExternal(r, onErr, math.MaxInt, nil)
	if err != nil {
		return nil, err
	}
	return sorted.(*Slice), nil
}
