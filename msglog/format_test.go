package msglog

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

// tsvReader is a format written for the test: tab-separated lines of
// timestamp, customer and direction, through the CSV reader's setters.
type tsvReader struct {
	sc   *bufio.Scanner
	o    Options
	line int
}

func (r *tsvReader) Read(m *Message) error {
	for r.sc.Scan() {
		r.line++
		f := strings.Split(r.sc.Text(), "\t")
		if len(f) != 3 {
			return &RowError{File: r.o.Name, Line: r.line, Msg: "want 3 fields"}
		}
		var vals [numColumns]string
		var has [numColumns]bool
		for i, c := range []int{colTimestamp, colNum[ColCustomer], colNum[ColDirection]} {
			vals[c], has[c] = f[i], true
		}
		return buildInto(&r.o, r.line, &vals, &has, m, nil)
	}
	return io.EOF
}

// A format is a Reader and a registration: NewReader finds it by name, by
// extension and by its first byte, and it reads as every format does.
func TestRegisteredFormat(t *testing.T) {
	saved := formats
	defer func() { formats = saved }()
	register(&inputFormat{name: "tsv", exts: []string{".tsv"}, first: func(b byte) bool { return b == '~' },
		open: func(br *bufio.Reader, o Options) (Reader, error) {
			br.Discard(1) // the test's marker byte
			return &tsvReader{sc: bufio.NewScanner(br), o: o}, nil
		}})
	in := "~2026-10-01T10:00:00Z\t5511987654321\tin\n2026-10-01T10:05:00Z\t5511987654321\tout\nbad\n"
	for _, o := range []Options{{Name: "log.tsv"}, {Name: "stdin"}, {Name: "x.txt", Format: "tsv"}} {
		r, err := NewReader(strings.NewReader(in), o)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		var got []string
		var rowErr *RowError
		for {
			m, err := next(r)
			if err == io.EOF {
				break
			}
			if errors.As(err, &rowErr) {
				got = append(got, "error:"+rowErr.Msg)
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, m.Direction.String()+"@"+m.Time.Format("15:04"))
		}
		if strings.Join(got, " ") != "in@10:00 out@10:05 error:want 3 fields" {
			t.Errorf("%+v: %v", o, got)
		}
	}
	if f, err := ParseFormat("TSV"); err != nil || f != "tsv" {
		t.Errorf("ParseFormat: %q %v", f, err)
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), formatNames()) {
		t.Errorf("an unknown format names the registered ones: %v", err)
	}
	if _, err := NewReader(strings.NewReader(in), Options{Name: "log.tsv", Part: Part{I: 0, N: 2}}); !errors.Is(err, ErrPartFormat) {
		t.Errorf("a format without parts: %v", err)
	}
}
