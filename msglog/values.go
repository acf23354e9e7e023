package msglog

import "unsafe"

// values turns one reader's raw field bytes into strings: without a copy
// for the timestamp (build parses it at once), from shared blocks for ids
// and customers (many distinct values; the replay engine keeps one copy
// of each live customer's number), and interned for the rest, whose few
// distinct values are found among each column's last four without hashing.
type values struct {
	intern map[string]string
	recent [numColumns][4]string
	next   [numColumns]uint8
	ids    arena
}

// maxIntern bounds the interning table.
const maxIntern = 1 << 20

var (
	colTimestamp = colNum[ColTimestamp]
	colCustomer  = colNum[ColCustomer]
	colID        = colNum[ColID]
)

// str is the value of canonical column k. A view's bytes must stay put
// until build has run.
func (v *values) str(k int, b []byte) string {
	switch k {
	case colTimestamp:
		return unsafe.String(unsafe.SliceData(b), len(b))
	case colID, colCustomer:
		return v.ids.str(b)
	}
	r := &v.recent[k]
	for i := range r {
		if r[i] == string(b) {
			return r[i]
		}
	}
	s, ok := v.intern[string(b)]
	if !ok {
		if v.intern == nil {
			v.intern = map[string]string{}
		}
		s = string(b)
		if len(v.intern) < maxIntern {
			v.intern[s] = s
		}
	}
	i := v.next[k] & 3
	if i == 0 {
		i = 1 // slot 0 keeps "", the commonest value of optional columns
	}
	r[i] = s
	v.next[k] = i + 1
	return s
}
