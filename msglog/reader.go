package msglog

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// Format is an input format.
type Format string

// Formats. FormatAuto looks at the file extension, then at the first byte.
const (
	FormatAuto   Format = ""
	FormatCSV    Format = "csv"
	FormatJSON   Format = "json"
	FormatNDJSON Format = "ndjson"
)

// Options configure a Reader.
type Options struct {
	// Name is the file name used in errors ("-" or "stdin" for standard input).
	Name   string
	Format Format
	// Map maps canonical column names to the names used in the file
	// ("timestamp" -> "created_at"). Unmapped canonical names are looked up
	// as themselves. Matching is case-insensitive.
	Map map[string]string
	// Location is the zone of timestamps written without an offset.
	Location *time.Location
	// Index is the input's position among all inputs (orders ties).
	Index int
	// Workers, if above 1, parses NDJSON on that many goroutines (lines
	// are independent); the reader then has a Close to call if it is not
	// read to the end.
	Workers int
	// Part, if its N is above 1, keeps only the rows of the customers in
	// part I (0 to N-1) of N, by PartOf: one of N replays running side by
	// side. CSV only. See csvReader.owner for who reports a bad row.
	Part Part
	// MaxRecordBytes is the most a CSV record or an NDJSON line may hold
	// (0: DefaultMaxRecordBytes); a longer one is a bad row, read past
	// without being kept.
	MaxRecordBytes int
	// DefaultCountry (ISO 3166 alpha-2, one of DialingCountries) reads a
	// customer number written without + or 00 as that country writes its
	// numbers; without it such a number must look international.
	DefaultCountry string
	// Values maps a column's values before they are read: column ->
	// value as written (matched trimmed, in any case) -> value to read.
	Values map[string]map[string]string
	// TimeFormat, if set, is a strftime-style layout (ParseTimeFormat)
	// tried before the timestamp forms wacost reads anyway.
	TimeFormat string
	// Delimiter is the CSV field separator; 0 picks, of , ; tab and |,
	// the first that makes a header with the required columns.
	Delimiter byte
	// Sends (ReadSends) gives the webhook reader the type, category and
	// template of business messages by id; Identities (ReadIdentities)
	// joins business-scoped user ids to numbers.
	Sends      map[string]Send
	Identities map[string]string
	// CountryOf, if set, is the ISO 3166 alpha-2 country of a number
	// (digits, calling code first; "" if unknown). The webhook reader
	// keeps each message's own market with it when a customer's messages
	// move to another identity (ID-02) and when a group's members share
	// one window (G-10).
	CountryOf func(digits string) string
	// Me names the business's authors in a chat export; DateOrder is its
	// dates' order: dmy, mdy, ymd, or auto ("") to tell from the dates.
	Me        []string
	DateOrder string

	// Set by NewReader from the above.
	dialing    *dialing
	valueAt    [numColumns]map[string]string
	timeLayout string
}

// prepare checks the options a reader is opened with and sets what is
// derived from them.
func (o *Options) prepare() error {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Name == "" {
		o.Name = "stdin"
	}
	for canon := range o.Map {
		if _, ok := setters[canon]; !ok {
			return fmt.Errorf("map: %q is not a column of wacost (columns: %s)", canon, strings.Join(Columns, ", "))
		}
	}
	if o.DefaultCountry != "" {
		d, ok := dialingOf(o.DefaultCountry)
		if !ok {
			return fmt.Errorf("default country %q: want one of %s", o.DefaultCountry, strings.Join(DialingCountries(), ", "))
		}
		o.dialing = d
	}
	o.valueAt = [numColumns]map[string]string{}
	for col, vals := range o.Values {
		k, ok := colNum[col]
		if !ok {
			return fmt.Errorf("value: %q is not a column of wacost (columns: %s)", col, strings.Join(Columns, ", "))
		}
		m := make(map[string]string, len(vals))
		for from, to := range vals {
			m[strings.ToLower(strings.TrimSpace(from))] = to
		}
		o.valueAt[k] = m
	}
	if o.TimeFormat != "" {
		layout, err := ParseTimeFormat(o.TimeFormat)
		if err != nil {
			return err
		}
		o.timeLayout = layout
	}
	return nil
}

// DefaultMaxRecordBytes is Options.MaxRecordBytes unless told otherwise.
const DefaultMaxRecordBytes = 1 << 20

// maxRecord is o's MaxRecordBytes.
func (o *Options) maxRecord() int {
	if o.MaxRecordBytes > 0 {
		return o.MaxRecordBytes
	}
	return DefaultMaxRecordBytes
}

// Part is part I (0 to N-1) of N.
type Part struct{ I, N int }

// ErrPartFormat is NewReader's error for a Part of a log that is not CSV.
var ErrPartFormat = errors.New("only a CSV log can be read in parts")

// Reader is the one protocol of messages, for input formats and the
// stages over them alike (reorder, merge, shard, prefetch, sort): Read
// fills the caller's message with the next one, so that a reader builds
// each message where its caller keeps it. It returns a *RowError for a
// row that cannot be read (the message is then in any state; call Read
// again to go on), io.EOF at the end; any other error is fatal.
type Reader interface {
	Read(m *Message) error
}

// buffered is a Reader of a log read whole (its statuses or dates settled
// only at its end): its bad rows first, then its messages.
type buffered struct {
	msgs []Message
	errs []error
	i, e int
}

func (b *buffered) Read(m *Message) error {
	if b.e < len(b.errs) {
		b.e++
		return b.errs[b.e-1]
	}
	if b.i == len(b.msgs) {
		return io.EOF
	}
	*m = b.msgs[b.i]
	b.i++
	return nil
}

// Noter is a Reader that says what it had to assume of its input: notes
// for the run's result.
type Noter interface{ Notes() []string }

// BusinessNumberer is a Reader whose businesses are ids (a webhook log's
// phone-number ids): BusinessNumbers gives each id's phone number, digits
// only, as the log showed it.
type BusinessNumberer interface{ BusinessNumbers() map[string]string }

// NewReader opens a log. The format comes from o.Format, else from the
// file extension, else from the first non-blank byte: '[' a JSON array,
// '{' NDJSON, anything else CSV.
func NewReader(r io.Reader, o Options) (Reader, error) {
	if err := o.prepare(); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(r, 1<<16)
	name := o.Name
	if b, _ := br.Peek(2); len(b) == 2 && b[0] == 0x1f && b[1] == 0x8b { // gzip
		if o.Part.N > 1 {
			return nil, fmt.Errorf("%s: %w (it is compressed)", o.Name, ErrPartFormat)
		}
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", o.Name, err)
		}
		br = bufio.NewReaderSize(gzipErrors{zr, o.Name}, 1<<16)
		name = strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".GZ")
	}
	if b, _ := br.Peek(3); string(b) == "\ufeff" {
		br.Discard(3) // a UTF-8 byte-order mark, as spreadsheet exports write
	}
	if err := checkText(br, o.Name); err != nil {
		return nil, err
	}
	f, err := detect(br, o, strings.ToLower(filepath.Ext(name)))
	if err != nil {
		return nil, err
	}
	if o.Part.N > 1 && !f.parts {
		return nil, fmt.Errorf("%s: %w", o.Name, ErrPartFormat)
	}
	if o.Part.N > 1 && (o.Part.I < 0 || o.Part.I >= o.Part.N) {
		return nil, fmt.Errorf("part %d of %d: want 0 to %d", o.Part.I, o.Part.N, o.Part.N-1)
	}
	return f.open(br, o)
}

// checkText refuses an input that is not UTF-8 text: UTF-16 (by its
// byte-order mark, or the NUL bytes of its ASCII) or binary, from the
// first bytes read (up to 4 KiB). Read as UTF-8, every row would give a
// confusing error.
func checkText(br *bufio.Reader, name string) error {
	b, _ := br.Peek(min(br.Buffered(), 4096)) // what is read already: a read error stays the reader's
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		return fmt.Errorf("%s: is UTF-16 text; wacost reads UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)", name)
	case bytes.Count(b, []byte{0}) > len(b)/8: // UTF-16's ASCII is half NULs; a stray NUL is its row's error
		return fmt.Errorf("%s: holds NUL bytes (UTF-16 without a byte-order mark, or not text); wacost reads UTF-8 text", name)
	}
	return nil
}

// gzipErrors names the file in the errors of its decompression (a file
// cut short, a bad checksum), which are fatal.
type gzipErrors struct {
	r    io.Reader
	name string
}

func (g gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%s: gzip: %w", g.name, err)
	}
	return n, err
}

// firstByte peeks the first byte that is not white space or a BOM (0 if none).
func firstByte(br *bufio.Reader) (byte, error) {
	for n := 64; ; n *= 2 {
		b, err := br.Peek(n)
		t := bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\ufeff")), " \t\r\n")
		if len(t) > 0 {
			return t[0], nil
		}
		if err == io.EOF || err == bufio.ErrBufferFull || len(b) < n {
			if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
				return 0, err
			}
			return 0, nil
		}
	}
}

// columnIndex resolves the canonical columns against a file's header.
type columnIndex struct {
	// canon[i] is the canonical name of source column i, or "".
	canon []string
}

// sourceNames maps the lower-cased name each canonical column is read
// from to the column: its own name, or the one m maps it from. A mapped
// name wins over a column's own (--map timestamp=id reads timestamps from
// "id", and no column then gives the ids).
func sourceNames(m map[string]string) map[string]string {
	want := map[string]string{}
	for _, c := range Columns {
		if _, mapped := m[c]; !mapped {
			want[c] = c
		}
	}
	for _, c := range Columns {
		if src, mapped := m[c]; mapped {
			want[strings.ToLower(strings.TrimSpace(src))] = c
		}
	}
	return want
}

func resolveHeader(o Options, header []string) (columnIndex, error) {
	want := sourceNames(o.Map)
	ix := columnIndex{canon: make([]string, len(header))}
	seen := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		c, ok := want[h]
		if !ok {
			continue
		}
		if j, dup := seen[c]; dup {
			return ix, fmt.Errorf("columns %d and %d both give %q", j+1, i+1, c)
		}
		seen[c] = i
		ix.canon[i] = c
	}
	var missing []string
	for _, c := range required {
		if _, ok := seen[c]; !ok {
			name := c
			if m, ok := o.Map[c]; ok {
				name = fmt.Sprintf("%s (mapped from %q)", c, m)
			}
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return ix, fmt.Errorf("missing required column %s (header has: %s; map other names with --map %s=NAME)",
			strings.Join(missing, ", "), strings.Join(header, ","), strings.SplitN(missing[0], " ", 2)[0])
	}
	for c, src := range o.Map {
		if _, ok := seen[c]; !ok {
			return ix, fmt.Errorf("map: %s=%s: no column %q in the header", c, src, src)
		}
	}
	return ix, nil
}

// setterAt holds the setter of each canonical column, by index.
var setterAt = func() [numColumns]fieldSetter {
	var a [numColumns]fieldSetter
	for i, c := range Columns {
		a[i] = setters[c]
	}
	return a
}()

var requiredAt = func() []int {
	var r []int
	for _, c := range required {
		r = append(r, colNum[c])
	}
	return r
}()

// buildInto turns one row's canonical values (vals[k] where has[k]) into a
// Message, or a RowError.
//
// It builds into *m, a scratch message its caller owns, so that no row
// allocates one.
//
// v, when not nil, remembers between rows what repeats: the business
// number as set, and the day of RFC 3339 UTC timestamps.
func buildInto(o *Options, line int, vals *[numColumns]string, has *[numColumns]bool, m *Message, v *values) error {
	*m = Message{}
	m.Pos = Pos{File: o.Name, Line: line, Seq: int64(o.Index)<<40 | int64(line)}
	for k := 0; k < numColumns; k++ {
		if !has[k] {
			continue
		}
		if err := setColumn(o, line, k, vals[k], m, v); err != nil {
			return err
		}
	}
	for _, k := range requiredAt {
		if !has[k] {
			return &RowError{File: o.Name, Line: line, Field: Columns[k], Msg: "missing"}
		}
	}
	return finishRow(o, line, m)
}

// setColumn sets canonical column k of *m from its value, using and
// keeping what v remembers (v may be nil).
func setColumn(o *Options, line, k int, val string, m *Message, v *values) error {
	if vm := o.valueAt[k]; vm != nil {
		if to, ok := vm[strings.ToLower(strings.TrimSpace(val))]; ok {
			val, v = to, nil // what v remembers is of values as written
		}
	}
	if v != nil {
		switch k {
		case colTimestamp:
			if t, ok := v.sameDay(val); ok {
				m.Time = t
				return nil
			}
		case colBusiness:
			if biz, ok := v.business(val); ok {
				m.Business = biz
				return nil
			}
		}
	}
	if msg := setterAt[k](m, val, o); msg != "" {
		e := &RowError{File: o.Name, Line: line, Field: Columns[k], Msg: msg}
		if k == colCustomer { // for MaskedError; val may be a view of the reader's memory
			e.Value = strings.Clone(val)
		}
		return e
	}
	if v != nil {
		switch k {
		case colTimestamp:
			v.rememberDay(val, m.Time)
		case colBusiness:
			v.keepBusiness(val, m.Business)
		}
	}
	return nil
}

// finishRow checks what needs several fields, once a row's are set.
func finishRow(o *Options, line int, m *Message) error {
	if f, msg := finish(m); msg != "" {
		return &RowError{File: o.Name, Line: line, Field: f, Msg: msg}
	}
	return nil
}

// buildRaw is buildInto over a row's raw values (views into its line,
// valid until it returns): the usual spellings of each column are read
// straight from the bytes (setUsual), the rest as buildInto reads them.
func buildRaw(o *Options, line int, raw *[numColumns][]byte, has *[numColumns]bool, m *Message, v *values) error {
	*m = Message{}
	m.Pos = Pos{File: o.Name, Line: line, Seq: int64(o.Index)<<40 | int64(line)}
	for k := 0; k < numColumns; k++ {
		if !has[k] || setUsual(o, k, raw[k], m, v) {
			continue
		}
		if err := setColumn(o, line, k, v.str(k, raw[k]), m, v); err != nil {
			return err
		}
	}
	for _, k := range requiredAt {
		if !has[k] {
			return &RowError{File: o.Name, Line: line, Field: Columns[k], Msg: "missing"}
		}
	}
	return finishRow(o, line, m)
}

// build is buildInto returning a copy of the message.
func build(o *Options, line int, vals *[numColumns]string, has *[numColumns]bool, m *Message) (Message, error) {
	if err := buildInto(o, line, vals, has, m, nil); err != nil {
		return Message{}, err
	}
	return *m, nil
}
