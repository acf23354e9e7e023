package replay

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestSpool: what goes in comes out, in order, whether it stays in
// memory (across chunk boundaries) or moves to a temporary file.
func TestSpool(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, limit := range []int{32 << 20, 2*spoolChunk + 12345, 100} {
		s := newSpool(limit)
		var want bytes.Buffer
		for want.Len() < 3*spoolChunk+777 {
			p := make([]byte, rng.IntN(70000))
			for i := range p {
				p[i] = byte(rng.IntN(256))
			}
			if n, err := s.Write(p); err != nil || n != len(p) {
				t.Fatalf("Write: %d, %v", n, err)
			}
			want.Write(p)
		}
		var got bytes.Buffer
		if _, err := s.WriteTo(&got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("limit %d: %d bytes out, %d in, or not the same", limit, got.Len(), want.Len())
		}
		if (s.file != nil) != (limit < want.Len()) {
			t.Errorf("limit %d: file %v after %d bytes", limit, s.file != nil, want.Len())
		}
		s.Close()
	}
}
