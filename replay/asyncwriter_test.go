package replay

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// TestAsyncWriter: what goes in comes out in order, across blocks; a
// write error comes back from Close.
func TestAsyncWriter(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var got, want bytes.Buffer
	a := newAsyncWriter(&got)
	for want.Len() < 5*asyncBlock+123 {
		p := make([]byte, rng.IntN(3*asyncBlock/2))
		for i := range p {
			p[i] = byte(rng.IntN(256))
		}
		if n, err := a.Write(p); n != len(p) || err != nil {
			t.Fatalf("Write: %d %v", n, err)
		}
		want.Write(p)
	}
	if err := a.Close(); err != nil || !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("Close: %v; %d bytes out of %d, or not the same", err, got.Len(), want.Len())
	}
	bad := newAsyncWriter(failingWriter{})
	bad.Write(make([]byte, 3*asyncBlock))
	if err := bad.Close(); err == nil || err.Error() != "disk full" {
		t.Fatalf("Close after a failed write: %v", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
