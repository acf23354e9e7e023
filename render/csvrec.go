package render

import (
	"encoding/csv"
	"io"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/wacost/wacost/internal/swar"
)

// appendCSVField appends one field as encoding/csv's Writer writes it
// (comma delimiter, "\n" line ends): quoted, with quotes doubled, when it
// holds a comma, a quote or a line break, starts with a space, or is `\.`.
// The ledger writes a record per business message, so it builds its rows
// in one buffer instead of going through csv.Writer field by field.
//
// A cell a spreadsheet would read as a formula is made text first
// (formulaSafe).
func appendCSVField(b []byte, f string) []byte {
	f = formulaSafe(f)
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
	// Eight bytes at a time: does any equal ',', '"', '\n' or '\r'? All
	// four are below '-', which ids, numbers, names and sources seldom hold.
	i := 0
	for ; i+8 <= len(f); i += 8 {
		if w := swar.WordString(f, i); swar.HasLess(w, '-') && special(w) {
			return true
		}
	}
	if i < len(f) { // the last bytes, in a word padded with 'a'
		var tail [8]byte
		for j := range tail {
			tail[j] = 'a'
		}
		copy(tail[:], f[i:])
		if w := swar.Word(tail[:], 0); swar.HasLess(w, '-') && special(w) {
			return true
		}
	}
	if c := f[0]; c > ' ' && c < utf8.RuneSelf {
		return false
	} else if c < utf8.RuneSelf {
		return unicode.IsSpace(rune(c))
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

// formulaSafe is a CSV cell a spreadsheet does not run: one that starts
// with =, +, -, @, a tab or a carriage return gets a leading ' (OWASP's
// advice against CSV injection), unless it is a plain number (-5.00, +1).
func formulaSafe(f string) string {
	if formulaLike(f) {
		return "'" + f
	}
	return f
}

// formulaLike says whether a spreadsheet could read cell f as a formula.
func formulaLike(f string) bool {
	if f == "" {
		return false
	}
	switch f[0] {
	case '=', '+', '-', '@', '\t', '\r':
	default:
		return false
	}
	return !plainNumber(f)
}

// plainNumber says whether f is a decimal number: a sign, digits, maybe
// a point and more digits.
func plainNumber(f string) bool {
	i := 0
	if i < len(f) && (f[i] == '-' || f[i] == '+') {
		i++
	}
	digits, point := 0, false
	for ; i < len(f); i++ {
		switch c := f[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

// csvWriter is a csv.Writer whose cells are made formula-safe.
type csvWriter struct{ *csv.Writer }

func newCSVWriter(w io.Writer) csvWriter { return csvWriter{csv.NewWriter(w)} }

// Write writes one record, each cell through formulaSafe.
func (c csvWriter) Write(rec []string) error {
	safe := rec
	for i, f := range rec {
		if formulaLike(f) {
			if &safe[0] == &rec[0] {
				safe = append([]string(nil), rec...)
			}
			safe[i] = formulaSafe(f)
		}
	}
	return c.Writer.Write(safe)
}

// WriteAll writes every record as Write does, then flushes.
func (c csvWriter) WriteAll(recs [][]string) error {
	for _, r := range recs {
		if err := c.Write(r); err != nil {
			return err
		}
	}
	c.Flush()
	return c.Error()
}

// special reports whether word w holds ',', '"', '\n' or '\r'.
func special(w uint64) bool {
	return swar.Has(w, ',') || swar.Has(w, '"') || swar.Has(w, '\n') || swar.Has(w, '\r')
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
		q.p, q.n, q.needs = p, len(f), csvNeedsQuotes(f) || formulaLike(f)
	}
	if !q.needs {
		return append(b, f...)
	}
	return appendCSVField(b, f)
}

// appendTime appends t as time.RFC3339Nano does, by hand for UTC times of
// the years 1 to 9999 (a ledger row each), else through AppendFormat.
func appendTime(b []byte, t time.Time) []byte {
	if t.Location() != time.UTC {
		return t.AppendFormat(b, time.RFC3339Nano)
	}
	sec := t.Unix()
	days := sec / 86400
	if sec%86400 < 0 {
		days--
	}
	rem := sec - days*86400
	// civil from days (days since 1970-01-01), Howard Hinnant's algorithm
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	if y < 1 || y > 9999 {
		return t.AppendFormat(b, time.RFC3339Nano)
	}
	two := func(b []byte, v int64) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
	b = two(two(b, y/100), y%100)
	b = two(append(b, '-'), m)
	b = two(append(b, '-'), d)
	b = two(append(b, 'T'), rem/3600)
	b = two(append(b, ':'), rem/60%60)
	b = two(append(b, ':'), rem%60)
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, 'Z')
}
