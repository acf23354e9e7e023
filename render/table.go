package render

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteTable writes a plain table of strings in one of the formats: table
// and markdown for people (columns in right right-aligned), csv with the
// header, json as an array of objects keyed by the header names.
func WriteTable(w io.Writer, format string, header []string, right map[int]bool, rows [][]string) error {
	return WriteCounts(w, format, header, right, nil, rows)
}

// WriteCounts is WriteTable where the columns in counts hold whole
// numbers: JSON writes them as numbers, not strings.
func WriteCounts(w io.Writer, format string, header []string, right, counts map[int]bool, rows [][]string) error {
	bw := bufio.NewWriter(w)
	switch strings.ToLower(format) {
	case "table", "", "markdown", "md", "plain":
		t := &textRenderer{w: bw, markdown: format == "markdown" || format == "md", plain: format == "plain"}
		t.table(header, right, rows)
	case "csv":
		c := newCSVWriter(bw)
		c.Write(header)
		c.WriteAll(rows)
		if err := c.Error(); err != nil {
			return err
		}
	case "json":
		objs := make([]map[string]any, 0, len(rows))
		for _, r := range rows {
			o := map[string]any{}
			for i, h := range header {
				if i >= len(r) {
					continue
				}
				o[h] = r[i]
				if n, err := strconv.ParseInt(r[i], 10, 64); err == nil && counts[i] {
					o[h] = n
				}
			}
			objs = append(objs, o)
		}
		b, err := json.MarshalIndent(objs, "", "  ")
		if err != nil {
			return err
		}
		bw.Write(b)
		bw.WriteByte('\n')
	default:
		return fmt.Errorf("unknown output format %q (want table, markdown, csv or json)", format)
	}
	return bw.Flush()
}

// AlignDecimals pads decimal strings with trailing zeros to the same
// number of decimals, so that right-aligned they line up on the point.
// Other values ("-", "") are left alone. It never rounds.
func AlignDecimals(vals []string) []string {
	max := 0
	for _, v := range vals {
		if i := strings.IndexByte(v, '.'); i >= 0 && len(v)-i-1 > max {
			max = len(v) - i - 1
		}
	}
	out := make([]string, len(vals))
	for j, v := range vals {
		out[j] = v
		if i := strings.IndexByte(v, '.'); i >= 0 {
			out[j] = v + strings.Repeat("0", max-(len(v)-i-1))
		}
	}
	return out
}
