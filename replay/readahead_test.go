package replay

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

// TestReadAhead: what is read through the read-ahead is the input, byte
// for byte, whatever the sizes of the reads on either side; an error
// after some data comes after that data; Close closes the input, also
// before the end.
func TestReadAhead(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, readAheadBlock - 1, readAheadBlock, 3*readAheadBlock + 12345, 9 * readAheadBlock} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.IntN(256))
		}
		short := data[:min(size, 5000)]
		for _, tc := range []struct {
			src  io.Reader
			want []byte
		}{
			{bytes.NewReader(data), data},
			{iotest.HalfReader(bytes.NewReader(data)), data},
			{iotest.OneByteReader(bytes.NewReader(short)), short},
		} {
			src, want := tc.src, tc.want
			c := &closeCounter{Reader: src}
			a := newReadAhead(c)
			var got bytes.Buffer
			buf := make([]byte, 1+rng.IntN(70000))
			for {
				n, err := a.Read(buf)
				got.Write(buf[:n])
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := a.Close(); err != nil || c.closed != 1 {
				t.Fatalf("close: %v, %d closes", err, c.closed)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("size %d: read %d bytes, not the input", size, got.Len())
			}
		}
	}
	// An error after some data.
	boom := errors.New("disk on fire")
	a := newReadAhead(&closeCounter{Reader: io.MultiReader(bytes.NewReader([]byte("abc")), iotest.ErrReader(boom))})
	all, err := io.ReadAll(a)
	if string(all) != "abc" || !errors.Is(err, boom) {
		t.Fatalf("read %q, %v", all, err)
	}
	a.Close()
	// Closed early, with blocks still coming: no hang, the input closed.
	c := &closeCounter{Reader: bytes.NewReader(make([]byte, 20*readAheadBlock))}
	a = newReadAhead(c)
	a.Read(make([]byte, 10))
	if err := a.Close(); err != nil || c.closed != 1 {
		t.Fatalf("early close: %v, %d closes", err, c.closed)
	}
}
