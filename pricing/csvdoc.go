package pricing

import (
	"bufio"
	"encoding/csv"
	"io"
	"strings"
)

// csvDoc is a CSV file with leading `#` comment lines, read whole: card
// and tier files are small.
type csvDoc struct {
	comments []string // the comment lines' text, without '#'
	recs     [][]string
	lines    []int // recs[i] starts on file line lines[i]
}

// directive returns the value of a "# key: value" comment line.
func (d *csvDoc) directive(key string) (string, int, bool) {
	for i, c := range d.comments {
		if k, v, ok := strings.Cut(c, ":"); ok && strings.EqualFold(strings.TrimSpace(k), key) {
			return strings.TrimSpace(v), i + 1, true
		}
	}
	return "", 0, false
}

func readCSVDoc(r io.Reader, file string) (*csvDoc, error) {
	br := bufio.NewReader(r)
	d := &csvDoc{}
	var body strings.Builder
	for {
		s, err := br.ReadString('\n')
		if s != "" {
			if t := strings.TrimSpace(s); body.Len() == 0 && strings.HasPrefix(t, "#") {
				d.comments = append(d.comments, strings.TrimSpace(strings.TrimPrefix(t, "#")))
			} else {
				body.WriteString(s)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &FileError{File: file, Err: err}
		}
	}
	offset := len(d.comments)
	cr := csv.NewReader(strings.NewReader(body.String()))
	cr.FieldsPerRecord = -1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return d, nil
		}
		if err != nil {
			return nil, csvErr(file, offset, err)
		}
		ln, _ := cr.FieldPos(0)
		if len(d.recs) == 0 && len(rec) > 0 {
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
		}
		d.recs = append(d.recs, rec)
		d.lines = append(d.lines, ln+offset)
	}
}
