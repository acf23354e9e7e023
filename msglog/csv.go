package msglog

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strings"

	"github.com/wacost/wacost/internal/swar"
)

// csvReader reads CSV logs on a fast path: lines are split on commas by
// hand, and only a line with a quote goes through encoding/csv (with any
// quoted newlines it spans). Values that repeat (business, type, category,
// customers, ...) are interned, so a row costs about one allocation.
type csvReader struct {
	o     Options
	br    *bufio.Reader
	line  int // physical lines read so far
	want  int
	canon []int // per source column: index into Columns, or -1
	// plan lists the source columns read, in the order of Columns (the
	// order buildInto sets them in, so the same field is blamed first).
	plan   []planned
	plain  bool // every row through buildInto (for tests)
	header []string
	comma  byte // the field separator
	fields [][]byte
	vals   [numColumns]string
	has    [numColumns]bool
	v      values
	long   []byte // a line longer than the read buffer
	cust   int    // the source column of the customer's number, or -1
	// pending are lines read again: those after a quoted field that was
	// never closed, served by readLine before the input's next.
	pending [][]byte
}

const numColumns = 19 // len(Columns)

func init() {
	register(&inputFormat{name: FormatCSV, exts: []string{".csv"}, fallback: true, parts: true,
		open: func(br *bufio.Reader, o Options) (Reader, error) { return newCSVReader(br, o) }})
}

// delimiters are the field separators a header is tried with, in order.
var delimiters = []byte{',', ';', '\t', '|'}

// pickDelimiter is the field separator of a CSV log whose header line is
// line: Options.Delimiter if set, else the first of delimiters that
// splits the header into the columns a log needs (a comma if none does,
// whose error then names what the header lacks).
func pickDelimiter(o *Options, line []byte) byte {
	if o.Delimiter != 0 {
		return o.Delimiter
	}
	for _, d := range delimiters {
		cr := csv.NewReader(bytes.NewReader(line))
		cr.Comma, cr.LazyQuotes, cr.FieldsPerRecord = rune(d), true, -1
		if header, err := cr.Read(); err == nil && len(header) > 1 {
			if _, err := resolveHeader(*o, header); err == nil {
				return d
			}
		}
	}
	return ','
}

// MaxColumns is the most columns a CSV log's header may name; each row
// has as many fields as the header, so it bounds a row's fields too.
const MaxColumns = 1024

func newCSVReader(br *bufio.Reader, o Options) (*csvReader, error) {
	c := &csvReader{o: o, br: br, comma: ','}
	var line []byte
	for {
		l, err := c.readLine()
		if err == io.EOF {
			return nil, fmt.Errorf("%s: empty input: want a header row with timestamp, customer and direction", o.Name)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: header: %w", o.Name, err)
		}
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		if sep, ok := bytes.CutPrefix(bytes.TrimSpace(l), []byte("sep=")); ok && len(sep) == 1 {
			if c.o.Delimiter == 0 { // Excel's first line names the separator
				c.o.Delimiter = sep[0]
			}
			continue
		}
		line = append([]byte(nil), l...)
		break
	}
	c.comma = pickDelimiter(&c.o, line)
	fields, _, err := c.recordFrom(line)
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", o.Name, err)
	}
	var header []string
	for _, f := range fields {
		if bytes.IndexByte(f, '\r') >= 0 { // its lines end in CR alone: the whole file would be one header
			return nil, fmt.Errorf("%s: its lines end in a carriage return alone (old Mac line endings); wacost reads LF or CRLF line endings (convert it, e.g. tr '\\r' '\\n')", o.Name)
		}
		header = append(header, string(f))
	}
	if len(header) > MaxColumns {
		return nil, fmt.Errorf("%s:%d: header: %d columns; a log may have at most %d", o.Name, c.line, len(header), MaxColumns)
	}
	ix, err := resolveHeader(o, header)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: header: %w", o.Name, c.line, err)
	}
	c.want, c.header = len(header), header
	c.canon = make([]int, len(header))
	c.cust = -1
	for i, name := range ix.canon {
		c.canon[i] = -1
		if name != "" {
			c.canon[i] = colNum[name]
		}
		if c.canon[i] == colCustomer {
			c.cust = i
		}
	}
	for k := range numColumns {
		for i, ck := range c.canon {
			if ck == k {
				c.plan = append(c.plan, planned{field: i, col: k})
			}
		}
	}
	return c, nil
}

// isHeader reports whether a row's fields are the header's names.
func (c *csvReader) isHeader(fields [][]byte) bool {
	for i, f := range fields {
		if !strings.EqualFold(strings.TrimSpace(string(f)), strings.TrimSpace(c.header[i])) {
			return false
		}
	}
	return true
}

// planned is a source column that is read, and its canonical column.
type planned struct{ field, col int }

var colNum = func() map[string]int {
	m := map[string]int{}
	for i, c := range Columns {
		m[c] = i
	}
	return m
}()

// record reads the next record's fields and the line it starts on. The
// fields point into a buffer that the next call reuses.
func (c *csvReader) record() ([][]byte, int, error) {
	line, err := c.readLine()
	if err != nil {
		return nil, 0, err
	}
	return c.recordFrom(line)
}

// recordFrom is record for a record whose first line has just been read.
func (c *csvReader) recordFrom(line []byte) ([][]byte, int, error) {
	start := c.line
	if fields, ok := splitPlain(line, c.fields[:0], c.comma); ok {
		c.fields = fields
		return fields, start, nil
	}
	// Quotes: gather the lines of the whole record (a quoted field may hold
	// line breaks), then let encoding/csv read it. A quote inside a field
	// that does not start with one is a character (LazyQuotes).
	rec := append([]byte(nil), line...)
	open := inQuotedField(line, false, c.comma)
	var more [][]byte // the lines after the first, to read again if the field is never closed
	for open && len(rec) <= c.o.maxRecord() {
		next, err := c.readLine()
		if err == io.EOF {
			break
		}
		if isRowError(err) {
			return nil, start, &RowError{File: c.o.Name, Line: start, Field: "quote", Msg: fmt.Sprintf("a quoted field opened on this line holds a line longer than %d bytes", c.o.maxRecord())}
		}
		if err != nil {
			return nil, 0, err
		}
		more = append(more, append([]byte(nil), next...))
		rec = append(append(rec, '\n'), next...)
		open = inQuotedField(next, true, c.comma)
	}
	if open {
		// Only this line is lost: the ones after it are records of their own.
		c.pending = append(more, c.pending...)
		c.line -= len(more)
		end := "the end of the input"
		if len(rec) > c.o.maxRecord() {
			end = fmt.Sprintf("%d bytes (the most a record may hold)", c.o.maxRecord())
		}
		return nil, start, &RowError{File: c.o.Name, Line: start, Field: "quote", Msg: fmt.Sprintf("a quoted field opened on this line is not closed by %s (read to line %d); the lines after it are read as rows", end, start+len(more))}
	}
	cr := csv.NewReader(bytes.NewReader(rec))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.Comma = rune(c.comma)
	fields, err := cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// The record's first line: where the bad quote opened.
			return nil, start, &RowError{File: c.o.Name, Line: start + pe.StartLine - 1, Field: fmt.Sprintf("column %d", pe.Column), Msg: pe.Err.Error()}
		}
		return nil, start, err
	}
	c.fields = c.fields[:0]
	for _, f := range fields {
		c.fields = append(c.fields, []byte(f))
	}
	return c.fields, start, nil
}

// inQuotedField says whether a record is inside a quoted field at the end
// of line, which began inside one if in: as encoding/csv reads with
// LazyQuotes, a field is quoted when its first byte is a quote, "" in it is
// a quote, and a quote closes it only before a comma or the line's end.
func inQuotedField(line []byte, in bool, comma byte) bool {
	fieldStart := !in
	for i := 0; i < len(line); i++ {
		c := line[i]
		if in {
			if c == '"' {
				switch {
				case i+1 < len(line) && line[i+1] == '"':
					i++ // an escaped quote
				case i+1 == len(line) || line[i+1] == comma:
					in = false
				}
			}
			continue
		}
		switch {
		case c == comma:
			fieldStart = true
			continue
		case c == '"' && fieldStart:
			in = true
		}
		fieldStart = false
	}
	return in
}

// readLine returns the next physical line without its line ending: a line
// to read again first, else the input's next.
func (c *csvReader) readLine() ([]byte, error) {
	if len(c.pending) > 0 {
		line := c.pending[0]
		c.pending = c.pending[1:]
		c.line++
		return line, nil
	}
	line, err := c.br.ReadSlice('\n')
	tooLong := false
	if err == bufio.ErrBufferFull {
		c.long = append(c.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = c.br.ReadSlice('\n')
			if tooLong = tooLong || len(c.long)+len(line) > c.o.maxRecord()+2; !tooLong {
				c.long = append(c.long, line...)
			}
		}
		line = c.long
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	if tooLong || len(line) > c.o.maxRecord() && len(bytes.TrimRight(line, "\r\n")) > c.o.maxRecord() { // read to its end, but not kept: memory stays bounded
		c.line++
		return nil, &RowError{File: c.o.Name, Line: c.line, Msg: fmt.Sprintf("the line is longer than %d bytes, the most a record may hold (--max-record-bytes)", c.o.maxRecord())}
	}
	if len(line) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	c.line++
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// Read reads the next row into *m.
func (c *csvReader) Read(m *Message) error {
	for {
		var fields [][]byte
		var line int
		var err error
		decided := false // this part's row, by quickPart
		if c.o.Part.N > 1 {
			raw, rerr := c.readLine()
			if isRowError(rerr) && !c.owns(nil, nil, rerr) {
				continue // a line too long: part 0's to report
			}
			if rerr != nil {
				return c.fail(rerr)
			}
			if p, ok := c.quickPart(raw); ok {
				if p != c.o.Part.I {
					continue // another part's customer
				}
				decided = true
			}
			fields, line, err = c.recordFrom(raw)
		} else {
			fields, line, err = c.record()
		}
		if err != nil {
			if err = c.fail(err); isRowError(err) && !decided && !c.owns(nil, nil, err) {
				continue // another part's bad row (a fatal error is every part's)
			}
			return err
		}
		if len(fields) == 1 && len(bytes.TrimSpace(fields[0])) == 0 {
			continue // a blank line, or one of spaces: no data
		}
		if len(fields) != c.want {
			err = &RowError{File: c.o.Name, Line: line, Msg: fmt.Sprintf("%d fields, but the header has %d", len(fields), c.want)}
			if !decided && !c.owns(nil, nil, err) {
				continue
			}
			return err
		}
		if !c.plain {
			err = c.build(fields, line, m)
		} else {
			c.has = [numColumns]bool{}
			for i, f := range fields {
				k := c.canon[i]
				if k < 0 {
					continue
				}
				c.has[k] = true
				c.vals[k] = c.v.str(k, f)
			}
			err = buildInto(&c.o, line, &c.vals, &c.has, m, &c.v)
		}
		if err != nil && c.isHeader(fields) {
			err = &RowError{File: c.o.Name, Line: line, Msg: "the header row again (logs joined one after another?)"}
		}
		if c.o.Part.N > 1 && !decided && (err == nil || isRowError(err)) && !c.owns(fields, m, err) {
			continue
		}
		return err
	}
}

// fail is a reading error as NextInto returns it: io.EOF and row errors
// as they are, anything else with the file's name.
func (c *csvReader) fail(err error) error {
	var re *RowError
	if err == io.EOF || errors.As(err, &re) {
		return err
	}
	return fmt.Errorf("%s: %w", c.o.Name, err)
}

// quickPart is the part of a line's customer, read without splitting the
// line, if the line has no quote and the customer's number is written
// as 6 to 15 digits, maybe after a '+' (its digits are then the number
// NormalizeNumber gives). ok is false for any other line.
func (c *csvReader) quickPart(line []byte) (part int, ok bool) {
	if c.cust < 0 || bytes.IndexByte(line, '"') >= 0 {
		return 0, false
	}
	f := line
	for range c.cust {
		i := bytes.IndexByte(f, c.comma)
		if i < 0 {
			return 0, false
		}
		f = f[i+1:]
	}
	if i := bytes.IndexByte(f, c.comma); i >= 0 {
		f = f[:i]
	}
	if len(f) > 0 && f[0] == '+' {
		f = f[1:]
	}
	if len(f) < 6 || len(f) > 15 || (f[0] == '0' && f[1] == '0') { // 00: NormalizeNumber strips it
		return 0, false
	}
	h := uint64(fnvOffset) // PartOf's hash, while the digits are checked
	for _, b := range f {
		if b-'0' > 9 {
			return 0, false
		}
		h = fnvStep(h, b)
	}
	return int(h % uint64(c.o.Part.N)), true
}

// owns says whether this part reads a row that quickPart did not place,
// given its fields (nil if it has none) and the message or error it gave:
// the part of its customer's number, read as the message has it or else
// from its field; part 0 if there is none. Every part decides the same,
// so the parts together read each row, and report each bad one, once.
func (c *csvReader) owns(fields [][]byte, m *Message, err error) bool {
	part := 0
	switch {
	case fields == nil || c.cust < 0:
	case err == nil:
		part = PartOf(m.Customer, c.o.Part.N)
	default:
		if d, msg := NormalizeNumber(string(fields[c.cust])); msg == "" {
			part = PartOf(d, c.o.Part.N)
		}
	}
	return part == c.o.Part.I
}

// splitPlain splits a line without quotes at its field separators
// (comma), in one pass of eight bytes at a time; ok is false if the line
// holds a quote.
func splitPlain(line []byte, fields [][]byte, comma byte) (_ [][]byte, ok bool) {
	from, i := 0, 0
	var quotes uint64 // any quote byte seen sets a bit
	for ; i+8 <= len(line); i += 8 {
		w := swar.Word(line, i)
		quotes |= swar.Match(w, '"')
		for m := swar.Match(w, comma); m != 0; m &= m - 1 {
			at := i + bits.TrailingZeros64(m)/8
			fields = append(fields, line[from:at])
			from = at + 1
		}
	}
	if i < len(line) { // the last bytes, in a word padded with zeros
		var tail [8]byte
		copy(tail[:], line[i:])
		w := swar.Word(tail[:], 0)
		quotes |= swar.Match(w, '"')
		for m := swar.Match(w, comma); m != 0; m &= m - 1 {
			at := i + bits.TrailingZeros64(m)/8
			fields = append(fields, line[from:at])
			from = at + 1
		}
	}
	return append(fields, line[from:]), quotes == 0
}

// build is buildInto for a CSV row, column by column in c.plan's order:
// the usual spellings of each column are read from the field's bytes at
// once, anything else as buildInto reads it. Every column of the plan is
// in every row (the header has the required ones).
func (c *csvReader) build(fields [][]byte, line int, m *Message) error {
	*m = Message{}
	m.Pos = Pos{File: c.o.Name, Line: line, Seq: int64(c.o.Index)<<40 | int64(line)}
	v := &c.v
	for _, p := range c.plan {
		b := fields[p.field]
		if setUsual(&c.o, p.col, b, m, v) {
			continue
		}
		if err := setColumn(&c.o, line, p.col, v.str(p.col, b), m, v); err != nil {
			return err
		}
	}
	return finishRow(&c.o, line, m)
}
