package msglog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// errTwice is the row error of a column given by two keys of one object
// (keys that differ only in case, or one key repeated): which to take
// would be a guess, so the row is refused.
const errTwice = "given twice in the object (by keys that differ only in case, or one key repeated)"

// keyValue is one key of a JSON object and its value, in object order.
type keyValue struct {
	key string
	val any
	// notText says why the value as written is not UTF-8 text, or "":
	// encoding/json reads a byte that is not UTF-8 as U+FFFD.
	notText string
}

// objectKeys reads a JSON object (already known to be valid) into its keys
// and values in order, numbers as json.Number.
func objectKeys(raw []byte) ([]keyValue, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	var kvs []keyValue
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		var v any
		start := d.InputOffset()
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
		kv := keyValue{key: key, val: v}
		if span := raw[start:d.InputOffset()]; !utf8.Valid(span) {
			span = bytes.TrimLeft(span, " \t\r\n:")
			if s, ok := bytes.CutPrefix(span, []byte(`"`)); ok {
				span = bytes.TrimSuffix(s, []byte(`"`))
			}
			kv.notText = textProblem(string(span))
		}
		kvs = append(kvs, kv)
	}
	return kvs, nil
}

// notObject is the row error of raw, which objectKeys could not read.
func notObject(raw []byte, err error) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "not a JSON object: " + err.Error()
	}
	switch c := t[0]; {
	case c == '[':
		return "not a JSON object: an array"
	case c == '"':
		return "not a JSON object: a string"
	case c == '-' || c >= '0' && c <= '9':
		return "not a JSON object: a number"
	case c == '{' && errors.Is(err, io.ErrUnexpectedEOF):
		return "not a JSON object: it ends before its closing brace (cut short?)"
	}
	return "not a JSON object: " + err.Error()
}

// decodeObject resolves one JSON object's keys (case-insensitive, mapped)
// against the canonical columns and builds its Message. A column given by
// two keys is a row error.
func decodeObject(o *Options, line int, raw []byte) (Message, error) {
	kvs, err := objectKeys(raw)
	if err != nil {
		return Message{}, &RowError{File: o.Name, Line: line, Msg: notObject(raw, err)}
	}
	keys := sourceNames(o.Map) // lower-cased source key -> canonical column
	given := make(map[string]any, len(Columns))
	for _, kv := range kvs {
		c, ok := keys[strings.ToLower(strings.TrimSpace(kv.key))]
		if !ok {
			continue
		}
		if _, twice := given[c]; twice {
			return Message{}, &RowError{File: o.Name, Line: line, Field: c, Msg: errTwice}
		}
		if kv.notText != "" {
			return Message{}, &RowError{File: o.Name, Line: line, Field: c, Msg: kv.notText}
		}
		given[c] = kv.val
	}
	vals := make(map[string]string, len(Columns))
	for _, c := range Columns {
		switch x := given[c].(type) {
		case nil:
		case string:
			vals[c] = x
		case json.Number:
			vals[c] = x.String()
		case bool:
			vals[c] = fmt.Sprint(x)
		default:
			return Message{Pos: Pos{File: o.Name, Line: line}}, &RowError{File: o.Name, Line: line, Field: c, Msg: "want a string or a number, not an object or array"}
		}
	}
	var has [numColumns]bool
	var arr [numColumns]string
	for c, v := range vals {
		k := colNum[c]
		arr[k], has[k] = v, true
	}
	var m Message
	return build(o, line, &arr, &has, &m)
}

// lineIndex remembers where lines start in the bytes read so far, so that a
// decoder offset can be turned into a line number. It forgets offsets the
// decoder has passed, so its memory stays bounded.
type lineIndex struct {
	r      io.Reader
	read   int64
	starts []int64 // offsets of '\n' not yet passed
	passed int     // lines passed
}

func (l *lineIndex) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.starts = append(l.starts, l.read+int64(i))
		}
	}
	l.read += int64(n)
	return n, err
}

// lineAt returns the 1-based line of offset off (offsets only grow).
// lines is the line the input read so far ends on.
func (l *lineIndex) lines() int { return l.lineAt(l.read) }

func (l *lineIndex) lineAt(off int64) int {
	k := sort.Search(len(l.starts), func(i int) bool { return l.starts[i] >= off })
	l.passed += k
	l.starts = l.starts[k:]
	return l.passed + 1
}

type jsonReader struct {
	o   Options
	li  *lineIndex
	dec *json.Decoder
	end bool
}

func init() {
	register(&inputFormat{name: FormatJSON, exts: []string{".json"}, sniffed: true, first: func(b byte) bool { return b == '[' },
		open: func(br *bufio.Reader, o Options) (Reader, error) { return newJSONReader(br, o) }})
}

func newJSONReader(br *bufio.Reader, o Options) (*jsonReader, error) {
	li := &lineIndex{r: br}
	dec := json.NewDecoder(li)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%s:%d: not JSON: %w", o.Name, li.lineAt(dec.InputOffset()), err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("%s:1: want a JSON array of objects", o.Name)
	}
	return &jsonReader{o: o, li: li, dec: dec}, nil
}

// Read reads the array's next element into *m.
func (r *jsonReader) Read(m *Message) error {
	msg, err := r.next()
	if err == nil {
		*m = msg
	}
	return err
}

func (r *jsonReader) next() (Message, error) {
	if r.end {
		return Message{}, io.EOF
	}
	if !r.dec.More() {
		r.end = true
		if _, err := r.dec.Token(); err != nil {
			return Message{}, fmt.Errorf("%s:%d: %w", r.o.Name, r.li.lineAt(r.dec.InputOffset()), err)
		}
		// One array a file: anything after it is not read silently.
		if _, err := r.dec.Token(); err != io.EOF {
			return Message{}, fmt.Errorf("%s:%d: more after the JSON array (a file holds one array of objects)", r.o.Name, r.li.lineAt(r.dec.InputOffset()))
		}
		return Message{}, io.EOF
	}
	var raw json.RawMessage
	if err := r.dec.Decode(&raw); err != nil {
		r.end = true
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return Message{}, fmt.Errorf("%s:%d: the file ends inside the JSON array (cut short?)", r.o.Name, r.li.lines())
		}
		return Message{}, fmt.Errorf("%s:%d: JSON syntax: %w", r.o.Name, r.li.lineAt(r.dec.InputOffset()), err)
	}
	// raw is the element's own bytes, ending where the decoder now stands.
	line := r.li.lineAt(r.dec.InputOffset() - int64(len(raw)))
	var obj map[string]any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&obj); err != nil {
		return Message{}, &RowError{File: r.o.Name, Line: line, Msg: "array element is not a JSON object"}
	}
	return decodeObject(&r.o, line, raw)
}
