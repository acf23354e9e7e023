package simulate

import (
	"bytes"
	"testing"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/stream"
	"github.com/wacost/wacost/synth"
)

// BenchmarkReplay1M replays 1M parsed messages (windows, markets, regimes,
// cards, aggregates; no ledger).
func BenchmarkReplay1M(b *testing.B) { benchReplay(b, false) }

// BenchmarkSimulateCSV1M is the whole path: read CSV, order, replay, on
// one goroutine; BenchmarkSimulateCSV1MPrefetch parses on a second one.
func BenchmarkSimulateCSV1M(b *testing.B) { benchSimulateCSV(b, false) }

// BenchmarkSimulateCSV1MPrefetch is the path wacost simulate takes.
func BenchmarkSimulateCSV1MPrefetch(b *testing.B) { benchSimulateCSV(b, true) }

func benchSimulateCSV(b *testing.B, prefetch bool) {
	env := newEnv(b)
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Rows: 1_000_000, Seed: 1, Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Days: 30}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := msglog.NewReader(bytes.NewReader(data), msglog.Options{Name: "bench.csv"})
		if err != nil {
			b.Fatal(err)
		}
		e, _ := New(env.opts())
		var src msglog.Reader = stream.Reorder(r, 4096)
		if prefetch {
			p := stream.Prefetch(src, 1024)
			defer p.Stop()
			src = p
		}
		if err := Run(e, src, func(err error) error { return err }); err != nil {
			b.Fatal(err)
		}
		_ = e.Result()
	}
	b.ReportMetric(float64(1_000_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReplay1MLedger is BenchmarkReplay1M with a ledger hook that
// keeps a copy of each record, as the asynchronous ledger does.
func BenchmarkReplay1MLedger(b *testing.B) { benchReplay(b, true) }

func benchReplay(b *testing.B, ledger bool) {
	env := newEnv(b)
	ms := synthMessages(b, 1_000_000, 1)
	var last Entry
	o := env.opts()
	if ledger {
		o.Ledger = func(e *Entry) error { last = *e; return nil }
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e, err := New(o)
		if err != nil {
			b.Fatal(err)
		}
		for j := range ms {
			if err := e.Add(&ms[j]); err != nil {
				b.Fatal(err)
			}
		}
		_ = e.Result()
	}
	_ = last
	b.ReportMetric(float64(len(ms)*b.N)/b.Elapsed().Seconds(), "rows/s")
}
