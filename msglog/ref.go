package msglog

import "strings"

// Ref is one customer number's identity within the inputs of a replay:
// every row that names the number carries the same *Ref, so a consumer
// can keep its state for the customer on it and skip a lookup by string.
//
// Owner and Slot belong to one consumer at a time (the replay engine
// claims them); a Ref is only a cache, never the only copy of a state:
// two inputs may give the same number two Refs.
type Ref struct {
	// Number is the customer's number, as in Message.Customer.
	Number string
	Owner  any
	Slot   any
}

// Refs interns customer numbers into Refs. Not safe for concurrent use:
// the readers of one replay share it from the goroutine that reads them.
type Refs struct {
	byKey map[uint64]refEntry // numbers of up to 15 digits, as integers
	other map[string]*Ref     // anything else (names used as ids)
}

// refEntry keeps the number beside its Ref, so that interning a row's
// number does not touch the Ref's memory.
type refEntry struct {
	number string
	ref    *Ref
}

// NewRefs returns an empty table.
func NewRefs() *Refs { return &Refs{byKey: map[uint64]refEntry{}, other: map[string]*Ref{}} }

// maxRefs bounds the table: past it, numbers are copied, not interned.
const maxRefs = 1 << 22

// numberKey packs a number of 1 to 15 digits with its length (so that
// leading zeros count) into one integer.
func numberKey(s string) (uint64, bool) {
	if len(s) == 0 || len(s) > 15 {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v | uint64(len(s))<<52, true
}

// attach gives m its customer's Ref and replaces m.Customer with the
// Ref's interned copy, so that m.Customer never points into a reader's
// buffer. Past the table's bound the number is copied instead.
func (t *Refs) attach(m *Message) {
	s := m.Customer
	var r *Ref
	if t == nil {
		// no table: a copy
	} else if k, ok := numberKey(s); ok {
		if e, ok := t.byKey[k]; ok {
			m.Customer, m.Ref = e.number, e.ref
			return
		}
		if len(t.byKey)+len(t.other) < maxRefs {
			r = &Ref{Number: strings.Clone(s)}
			t.byKey[k] = refEntry{r.Number, r}
		}
	} else if r = t.other[s]; r == nil && len(t.byKey)+len(t.other) < maxRefs {
		r = &Ref{Number: strings.Clone(s)}
		t.other[r.Number] = r
	}
	if r == nil {
		m.Customer = strings.Clone(s)
		return
	}
	m.Customer, m.Ref = r.Number, r
}

// Lookup returns number's Ref, made if new (nil past the table's bound).
func (t *Refs) Lookup(number string) *Ref {
	m := Message{Customer: number}
	t.attach(&m)
	return m.Ref
}
