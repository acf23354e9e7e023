package msglog

import (
	"bytes"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/wacost/wacost/synth"
)

var (
	benchOnce sync.Once
	benchCSV  []byte
	benchND   []byte
)

// benchLogs generates the 1M-row logs once per test binary.
func benchLogs(b *testing.B) ([]byte, []byte) {
	benchOnce.Do(func() {
		var c, n bytes.Buffer
		start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		if err := synth.Write(&c, synth.Options{Rows: 1_000_000, Seed: 1, Start: start, Days: 30}); err != nil {
			b.Fatal(err)
		}
		if err := synth.Write(&n, synth.Options{Rows: 1_000_000, Seed: 1, Start: start, Days: 30, Format: "ndjson"}); err != nil {
			b.Fatal(err)
		}
		benchCSV, benchND = c.Bytes(), n.Bytes()
	})
	return benchCSV, benchND
}

// benchRead reads data whole, into one message (as a replay does).
func benchRead(b *testing.B, data []byte, f Format) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	var rows int
	var m Message
	for i := 0; i < b.N; i++ {
		r, err := NewReader(bytes.NewReader(data), Options{Name: "bench", Format: f})
		if err != nil {
			b.Fatal(err)
		}
		for {
			err := r.Read(&m)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReadCSV1M parses a 1M-row synthetic CSV log.
func BenchmarkReadCSV1M(b *testing.B) {
	c, _ := benchLogs(b)
	benchRead(b, c, FormatCSV)
}

// BenchmarkReadNDJSON1M parses the same log as NDJSON.
func BenchmarkReadNDJSON1M(b *testing.B) {
	_, n := benchLogs(b)
	benchRead(b, n, FormatNDJSON)
}
