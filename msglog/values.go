package msglog

import (
	"time"
	"unsafe"
)

// values turns one reader's raw field bytes into strings: without a copy
// for the timestamp (build parses it at once), from shared blocks for ids
// and customers (many distinct values; the replay engine keeps one copy
// of each live customer's number), and interned for the rest, whose few
// distinct values are found among each column's last four without hashing.
type values struct {
	intern map[string]string
	recent [numColumns][4]string
	next   [numColumns]uint8
	ids    Arena
	// the last four business values (interned) and the numbers set from
	// them; bizNext is the entry to replace next
	bizRaw, bizVal [4]string
	bizN, bizNext  int
	// the date of the last 2006-01-02T15:04:05Z timestamp, and its midnight
	day      [10]byte
	dayUnix  int64
	dayKnown bool
}

// business is the business set from a value met lately, if raw is one.
func (v *values) business(raw string) (string, bool) {
	for i := range v.bizN {
		if v.bizRaw[i] == raw {
			return v.bizVal[i], true
		}
	}
	return "", false
}

// keepBusiness remembers the business set from an interned value.
func (v *values) keepBusiness(raw, val string) {
	v.bizRaw[v.bizNext], v.bizVal[v.bizNext] = raw, val
	v.bizNext = (v.bizNext + 1) % len(v.bizRaw)
	v.bizN = min(v.bizN+1, len(v.bizRaw))
}

// sameDay reads a 2006-01-02T15:04:05Z timestamp of the day remembered
// (the commonest case: a log's rows come day by day), without the date
// arithmetic; ok is false for anything else.
func (v *values) sameDay(s string) (time.Time, bool) {
	if !v.dayKnown || !utcShape(s) || s[:10] != string(v.day[:]) {
		return time.Time{}, false
	}
	sec, ok := clock(s)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(v.dayUnix+int64(sec), 0).UTC(), true
}

// rememberDay keeps the date of a timestamp just read, if it has the
// shape sameDay reads.
func (v *values) rememberDay(s string, t time.Time) {
	if !utcShape(s) || t.Location() != time.UTC {
		return
	}
	u := t.Unix()
	copy(v.day[:], s[:10])
	v.dayUnix, v.dayKnown = u-(u%86400+86400)%86400, true
}

// maxIntern bounds the interning table.
const maxIntern = 1 << 20

// The canonical columns' indexes in Columns (TestColumnIndexes checks them).
const (
	colTimestamp = iota
	colCustomer
	colDirection
	colType
	colCategory
	colCountry
	colBusiness
	colEntryPoint
	colStatus
	colID
	colAgent
	colSender
	colTemplate
	colTokens
	colLabel
	colInferred
	colEcho
	colProviderCurrency
	colProviderPrice
)

// str is the value of canonical column k. A view's bytes must stay put
// until build has run.
func (v *values) str(k int, b []byte) string {
	switch k {
	case colTimestamp:
		return unsafe.String(unsafe.SliceData(b), len(b))
	case colID, colCustomer:
		return v.ids.Str(b)
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
