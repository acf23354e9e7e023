package msglog

import (
	"encoding/csv"
	"errors"
	"strings"
)

// The helpers of the readers that read a CSV through encoding/csv (a
// Twilio export, a send log, an identity map).

// headerIndex maps a header's names, trimmed, lower-cased and without a
// byte-order mark, to their columns.
func headerIndex(header []string) map[string]int {
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	return col
}

// cell is rec's trimmed value of the column named name ("" if none).
func cell(rec []string, col map[string]int, name string) string {
	if i, ok := col[name]; ok && i < len(rec) {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

// nextRecord reads cr's next record and the line it starts on, for a
// record that could not be read too (csv.Reader.FieldPos panics then).
func nextRecord(cr *csv.Reader) (rec []string, line int, err error) {
	rec, err = cr.Read()
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		return nil, pe.StartLine, err
	case err != nil:
		return nil, 0, err
	}
	line, _ = cr.FieldPos(0)
	return rec, line, nil
}
