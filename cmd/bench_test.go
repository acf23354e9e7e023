package cmd

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkSimulateUnsorted replays a generated log of 200k rows whose
// rows are out of order: shuffled within runs of 2,000 rows (inside the
// reorder buffer: streamed in order), and reversed (a full sort, then the
// replay).
func BenchmarkSimulateUnsorted(b *testing.B) {
	var gen, errb bytes.Buffer
	if code := Run(context.Background(), []string{"generate", "--seed", "5", "--rows", "200000", "--customers", "5000", "--days", "20", "--start", "2025-08-01"}, strings.NewReader(""), &gen, &errb); code != 0 {
		b.Fatal(errb.String())
	}
	lines := strings.Split(strings.TrimSpace(gen.String()), "\n")
	header, rows := lines[0], lines[1:]
	shuffled := append([]string(nil), rows...)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < len(shuffled); i += 2000 {
		w := shuffled[i:min(i+2000, len(shuffled))]
		rng.Shuffle(len(w), func(i, j int) { w[i], w[j] = w[j], w[i] })
	}
	reversed := append([]string(nil), rows...)
	for i, j := 0, len(reversed)-1; i < j; i, j = i+1, j-1 {
		reversed[i], reversed[j] = reversed[j], reversed[i]
	}
	dir := b.TempDir()
	for _, c := range []struct {
		name string
		rows []string
	}{{"shuffled-in-2000", shuffled}, {"reversed", reversed}} {
		path := filepath.Join(dir, c.name+".csv")
		if err := os.WriteFile(path, []byte(header+"\n"+strings.Join(c.rows, "\n")+"\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				var out, errb bytes.Buffer
				if code := Run(context.Background(), []string{"simulate", path, "--regime", "2025-07", "--format", "csv", "-q"}, strings.NewReader(""), &out, &errb); code != 0 {
					b.Fatal(errb.String())
				}
			}
			b.ReportMetric(float64(len(rows)*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
