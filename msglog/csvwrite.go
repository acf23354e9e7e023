package msglog

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"
)

// CSVWriter writes messages as wacost's CSV, every column of Columns, so
// that reading the file back gives the same messages (a split's parts).
// Free text that a spreadsheet would read as a formula gets a leading '
// (as every CSV wacost writes), which the reader takes off again.
type CSVWriter struct {
	w   *csv.Writer
	rec []string
}

// NewCSVWriter writes the header at once.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	c := &CSVWriter{w: csv.NewWriter(w), rec: make([]string, len(Columns))}
	return c, c.w.Write(Columns)
}

// Write writes one message.
func (c *CSVWriter) Write(m *Message) error {
	r := c.rec
	for i := range r {
		r[i] = ""
	}
	r[colTimestamp] = m.Time.UTC().Format(time.RFC3339Nano)
	if _, isNumber := NumberKey(m.Customer); isNumber && internationalOK(m.Customer) {
		r[colCustomer] = "+" + m.Customer // (the + says it is international, whatever its length)
	} else {
		r[colCustomer] = IDPrefix + guard(m.Customer)
	}
	r[colDirection] = "out"
	if m.Direction == Inbound {
		r[colDirection] = "in"
	}
	r[colType], r[colCategory], r[colCountry] = m.Type, m.Category, m.Country
	r[colBusiness] = guard(m.Business)
	r[colEntryPoint], r[colStatus] = m.EntryPoint.String(), m.Status
	r[colID], r[colAgent], r[colSender], r[colTemplate] = guard(m.ID), guard(m.Agent), m.Sender, guard(m.TemplateName)
	if m.Tokens != 0 {
		r[colTokens] = strconv.FormatUint(uint64(m.Tokens), 10)
	}
	r[colLabel] = guard(m.Label)
	if m.Inferred {
		r[colInferred] = "true"
	}
	if m.Echo {
		r[colEcho] = "true"
	}
	if m.ProviderCurrency != 0 {
		r[colProviderCurrency] = ProviderCurrencies[m.ProviderCurrency]
		r[colProviderPrice] = micros(int64(m.ProviderPrice))
	}
	return c.w.Write(r)
}

// Flush writes what is buffered and returns the first error of any write.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// micros is millionths as a plain decimal: 5000 is "0.005".
func micros(v int64) string {
	s := strconv.FormatInt(v/1e6, 10) + "." + strconv.FormatInt(1e6+v%1e6, 10)[1:]
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// guard is free text as a spreadsheet will not run it: ' before a value
// that starts with =, +, -, or @ (unguard takes it off again).
func guard(s string) string {
	if formulaStart(s) {
		return "'" + s
	}
	return s
}

// unguard is the value guard wrote: a ' before what a spreadsheet would
// take for a formula is taken off.
func unguard(s string) string {
	if len(s) > 1 && s[0] == '\'' && formulaStart(s[1:]) {
		return s[1:]
	}
	return s
}

func formulaStart(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@':
		return true
	}
	return false
}

func internationalOK(d string) bool { ok, _ := international(d); return ok }
