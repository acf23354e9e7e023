package msglog

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

type csvReader struct {
	o    Options
	r    *csv.Reader
	ix   columnIndex
	pos  []int // canonical column -> source index (-1 absent)
	want int
}

var colNum = func() map[string]int {
	m := map[string]int{}
	for i, c := range Columns {
		m[c] = i
	}
	return m
}()

func newCSVReader(r io.Reader, o Options) (*csvReader, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty input: want a header row with timestamp, customer and direction", o.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", o.Name, err)
	}
	header = append([]string(nil), header...)
	ix, err := resolveHeader(o, header)
	if err != nil {
		return nil, fmt.Errorf("%s:1: header: %w", o.Name, err)
	}
	c := &csvReader{o: o, r: cr, ix: ix, want: len(header), pos: make([]int, len(Columns))}
	for i := range c.pos {
		c.pos[i] = -1
	}
	for i, canon := range ix.canon {
		if canon != "" {
			c.pos[colNum[canon]] = i
		}
	}
	return c, nil
}

func (c *csvReader) Next() (Message, error) {
	for {
		rec, err := c.r.Read()
		if err == io.EOF {
			return Message{}, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				// A quoting error: encoding/csv goes on with the next record.
				return Message{}, &RowError{File: c.o.Name, Line: pe.Line, Field: fmt.Sprintf("column %d", pe.Column), Msg: pe.Err.Error()}
			}
			return Message{}, fmt.Errorf("%s: %w", c.o.Name, err)
		}
		line, _ := c.r.FieldPos(0)
		if len(rec) == 1 && rec[0] == "" {
			continue // blank line
		}
		if len(rec) != c.want {
			return Message{}, &RowError{File: c.o.Name, Line: line, Msg: fmt.Sprintf("%d fields, but the header has %d", len(rec), c.want)}
		}
		return build(&c.o, line, func(canon string) (string, bool) {
			i := c.pos[colNum[canon]]
			if i < 0 {
				return "", false
			}
			return rec[i], true
		})
	}
}
