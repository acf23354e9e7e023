package render

import (
	"github.com/wacost/wacost/internal/swar"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// appendCSVField appends one field as encoding/csv's Writer writes it
// (comma delimiter, "\n" line ends): quoted, with quotes doubled, when it
// holds a comma, a quote or a line break, starts with a space, or is `\.`.
// The ledger writes a record per business message, so it builds its rows
// in one buffer instead of going through csv.Writer field by field.
func appendCSVField(b []byte, f string) []byte {
	if !csvNeedsQuotes(f) {
		return append(b, f...)
	}
	b = append(b, '"')
	for i := 0; i < len(f); i++ {
		if f[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, f[i])
	}
	return append(b, '"')
}

func csvNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	// Eight bytes at a time: does any equal ',', '"', '\n' or '\r'?
	i := 0
	for ; i+8 <= len(f); i += 8 {
		w := swar.WordString(f, i)
		if swar.Has(w, ',') || swar.Has(w, '"') || swar.Has(w, '\n') || swar.Has(w, '\r') {
			return true
		}
	}
	for ; i < len(f); i++ {
		switch f[i] {
		case ',', '"', '\n', '\r':
			return true
		}
	}
	if f[0] < utf8.RuneSelf {
		return unicode.IsSpace(rune(f[0]))
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

// appendCSVRecord appends fields as one record and its line end.
func appendCSVRecord(b []byte, fields ...string) []byte {
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, f)
	}
	return append(b, '\n')
}

// quoted remembers whether one string needs quotes: the same string
// (same bytes in memory) is not scanned twice in a row.
type quoted struct {
	p     *byte
	n     int
	needs bool
}

func (q *quoted) append(b []byte, f string) []byte {
	if p := unsafe.StringData(f); p != q.p || len(f) != q.n {
		q.p, q.n, q.needs = p, len(f), csvNeedsQuotes(f)
	}
	if !q.needs {
		return append(b, f...)
	}
	return appendCSVField(b, f)
}
