package msglog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// NDJSON: one JSON object a line. The line's keys and values are scanned
// by hand (scanObject, ndjsonfast.go); a line the scanner does not take
// (escapes, nesting) goes through encoding/json. On more than one core the
// lines are parsed side by side (parallel.go).
func init() {
	register(&inputFormat{name: FormatNDJSON, aliases: []string{"jsonl"}, exts: []string{".ndjson", ".jsonl"}, first: func(b byte) bool { return b == '{' },
		open: func(br *bufio.Reader, o Options) (Reader, error) {
			if o.Workers > 1 {
				return newParallelNDJSON(br, o, o.Workers), nil
			}
			return newNDJSONReader(br, o), nil
		}})
}

type ndjsonReader struct {
	o    Options
	br   *bufio.Reader
	line int
	keys map[string]int     // lower-cased source key -> canonical column
	raw  [numColumns][]byte // the line's values (views), where has
	has  [numColumns]bool
	// given marks the columns the object's keys gave so far; twice is
	// the first given by a second key (-1: none).
	given [numColumns]bool
	twice int
	v     values
	// keyCache remembers the columns of keys met (keyEntry).
	keyCache [64]keySeen
	// lastKeys are the entries of the previous line's keys, by position.
	lastKeys [24]*keySeen
	long     []byte
	slow     bool // tests: always use encoding/json
}

func newNDJSONReader(br *bufio.Reader, o Options) *ndjsonReader {
	r := &ndjsonReader{o: o, br: br, keys: map[string]int{}}
	for key, c := range sourceNames(o.Map) {
		r.keys[key] = colNum[c]
	}
	return r
}

// Read reads the next line into *m.
func (r *ndjsonReader) Read(m *Message) error {
	for {
		b, err := r.br.ReadSlice('\n')
		tooLong := false
		if err == bufio.ErrBufferFull {
			r.long = append(r.long[:0], b...)
			for err == bufio.ErrBufferFull {
				b, err = r.br.ReadSlice('\n')
				if tooLong = tooLong || len(r.long)+len(b) > r.o.maxRecord()+2; !tooLong {
					r.long = append(r.long, b...)
				}
			}
			b = r.long
		}
		if len(b) == 0 && err == io.EOF {
			return io.EOF
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("%s: %w", r.o.Name, err)
		}
		r.line++
		if tooLong || len(b) > r.o.maxRecord() && len(bytes.TrimRight(b, "\r\n")) > r.o.maxRecord() { // read to its end, but not kept
			return &RowError{File: r.o.Name, Line: r.line, Msg: fmt.Sprintf("the line is longer than %d bytes, the most a record may hold (--max-record-bytes)", r.o.maxRecord())}
		}
		b = bytes.TrimSpace(b) // a byte-order mark is NewReader's to drop, once
		if len(b) == 0 {
			continue
		}
		if ok, nested := r.scanObject(b); ok && !r.slow {
			if r.twice >= 0 {
				return &RowError{File: r.o.Name, Line: r.line, Field: Columns[r.twice], Msg: errTwice}
			}
			if nested >= 0 {
				return &RowError{File: r.o.Name, Line: r.line, Field: Columns[nested], Msg: "want a string or a number, not an object or array"}
			}
			return buildRaw(&r.o, r.line, &r.raw, &r.has, m, &r.v)
		}
		var obj map[string]any
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(&obj); err != nil {
			return &RowError{File: r.o.Name, Line: r.line, Msg: notObject(b, err)}
		}
		if d.More() {
			return &RowError{File: r.o.Name, Line: r.line, Msg: "more than one JSON value on the line"}
		}
		dm, err := decodeObject(&r.o, r.line, b)
		if err != nil {
			return err
		}
		*m = dm
		return nil
	}
}
