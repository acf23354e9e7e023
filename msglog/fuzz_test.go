package msglog

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// accepted fails t if m, a message a reader accepted, is not valid in
// every field: what the readers promise the engine.
func accepted(t *testing.T, m *Message) {
	t.Helper()
	switch {
	case m.Time.IsZero() || m.Time.Year() < MinYear || m.Time.Year() > MaxYear:
		t.Fatalf("accepted time %v", m.Time)
	case m.Direction != Inbound && m.Direction != Outbound:
		t.Fatalf("accepted direction %v", m.Direction)
	case !messageTypes[m.Type] || m.Template != (m.Type == "template"):
		t.Fatalf("accepted type %q (template %v)", m.Type, m.Template)
	case m.Pos.Line < 1:
		t.Fatalf("accepted a row without a line: %+v", m.Pos)
	}
	if d, msg := NormalizeNumber(m.Customer); msg != "" || d != m.Customer {
		t.Fatalf("customer %q not normalised (%q %s)", m.Customer, d, msg)
	}
	for _, s := range []string{m.ID, m.Agent, m.TemplateName, m.Business} {
		if msg := textProblem(s); msg != "" {
			t.Fatalf("accepted text %s", msg)
		}
	}
	if m.Country != "" && (len(m.Country) != 2 || !countryCodes[int(m.Country[0]-'A')*26+int(m.Country[1]-'A')]) {
		t.Fatalf("accepted country %q", m.Country)
	}
}

// readsAccepted reads in as format to its end or a fatal error: every
// message it gives must be valid (accepted), after fix (if not nil).
func readsAccepted(t *testing.T, in string, o Options, fix func(*Message)) {
	r, err := NewReader(strings.NewReader(in), o)
	if err != nil {
		return
	}
	for i := 0; i < 100000; i++ {
		var m Message
		if err := r.Read(&m); err != nil {
			if isRowError(err) {
				continue
			}
			return
		}
		if fix != nil {
			fix(&m)
		}
		accepted(t, &m)
	}
	t.Fatal("reader did not end")
}

// FuzzJSON: a JSON array of objects is read to its end or to a fatal
// error; every element is a message or a row error with its line.
func FuzzJSON(f *testing.F) {
	f.Add(`[{"timestamp":"2026-10-01T10:00:00Z","customer":"5511987654321","direction":"in"}]`)
	f.Add(`[{"timestamp":1759313000,"customer":5511987654321,"direction":"out","type":"template","category":"utility"},{"x":1},3]`)
	f.Add(`[{"timestamp":"2026-10-01T10:00:00Z","customer":"5511987654321","Customer":"5511987654322","direction":"in"}][]`)
	f.Add("[\n{\"timestamp\":\"2026-10-01 10:00\",\"customer\":\"+55 11 98765-4321\",\"direction\":\"in\",\"id\":\"\xff\"}\n]")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewReader(strings.NewReader(in), Options{Name: "f.json", Format: FormatJSON})
		if err != nil {
			return
		}
		for i := 0; i < 10000; i++ {
			var m Message
			err := r.Read(&m)
			if err == io.EOF {
				return
			}
			var re *RowError
			if errors.As(err, &re) {
				if re.Line < 1 || !strings.HasPrefix(err.Error(), "f.json:") {
					t.Fatalf("row error without a position: %v", err)
				}
				continue
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "f.json") {
					t.Fatalf("an error that does not name the file: %v", err)
				}
				return
			}
			accepted(t, &m)
		}
		t.Fatal("reader did not end")
	})
}

// FuzzNDJSONAccounting: every line of an NDJSON log with something on it
// is a message or a row error, never both and never neither, on one
// goroutine and on several, with the same verdict line by line.
func FuzzNDJSONAccounting(f *testing.F) {
	f.Add("{\"timestamp\":\"2026-10-01T10:00:00Z\",\"customer\":\"5511987654321\",\"direction\":\"in\"}\n\n{\"timestamp\":1,\"customer\":\"x\"}\n")
	f.Add("\ufeff{\"timestamp\":\"2026-10-01T10:00:00Z\",\"customer\":\"5511987654321\",\"direction\":\"out\",\"type\":\"HSM\",\"category\":\"Utility\"}\r\n  \r\n[1]\n")
	f.Add("{\"timestamp\":\"2026-10-01T10:00:00Z\",\"customer\":\"00919876543210\",\"direction\":\"in\",\"id\":\"a\\u0000b\"}")
	f.Fuzz(func(t *testing.T, in string) {
		text := strings.TrimPrefix(in, "\ufeff") // what NewReader checks is text: its first 4 KiB
		text = text[:min(len(text), 4096)]
		// UTF-16's byte-order mark is looked for after a UTF-8 one is dropped.
		if strings.Count(text, "\x00") > len(text)/8 || strings.HasPrefix(text, "\xff\xfe") || strings.HasPrefix(text, "\xfe\xff") || strings.HasPrefix(in, "\x1f\x8b") {
			return // refused as a whole: not UTF-8 text, or gzip (read as what it holds)
		}
		rows := 0
		for i, line := range strings.Split(in, "\n") {
			b := bytes.TrimSpace([]byte(line))
			if i == 0 {
				b = bytes.TrimPrefix(b, []byte("\ufeff"))
			}
			if len(b) > 0 {
				rows++
			}
		}
		var verdicts [2][]int // line of each message, minus line of each row error
		for w, workers := range []int{1, 3} {
			r, err := NewReader(strings.NewReader(in), Options{Name: "f.ndjson", Format: FormatNDJSON, Workers: workers, MaxRecordBytes: 4096})
			if err != nil {
				t.Fatalf("NDJSON refused: %v", err)
			}
			for {
				var m Message
				err := r.Read(&m)
				if err == io.EOF {
					break
				}
				var re *RowError
				if errors.As(err, &re) {
					verdicts[w] = append(verdicts[w], -re.Line)
					continue
				}
				if err != nil {
					t.Fatalf("fatal error on NDJSON: %v", err)
				}
				accepted(t, &m)
				verdicts[w] = append(verdicts[w], m.Pos.Line)
			}
			if c, ok := r.(io.Closer); ok {
				c.Close()
			}
			if len(verdicts[w]) != rows {
				t.Fatalf("%d workers: %d lines with something on them, %d messages and row errors", workers, rows, len(verdicts[w]))
			}
		}
		for i := range verdicts[0] {
			if verdicts[0][i] != verdicts[1][i] {
				t.Fatalf("row %d: one goroutine says %d, three %d", i, verdicts[0][i], verdicts[1][i])
			}
		}
	})
}
