package swar

import (
	"math/bits"
	"testing"
)

// TestWordTests: every test agrees with a byte loop, for each byte value
// at each position among neighbours that could borrow into it.
func TestWordTests(t *testing.T) {
	fills := []byte{0, 1, ',', '-', 0x7f, 0x80, 0xff}
	for _, fill := range fills {
		for pos := 0; pos < 8; pos++ {
			for v := 0; v < 256; v++ {
				b := []byte{fill, fill, fill, fill, fill, fill, fill, fill}
				b[pos] = byte(v)
				w := Word(b, 0)
				if w != WordString(string(b), 0) {
					t.Fatal("Word and WordString differ")
				}
				for _, c := range []byte{',', '"', '\\', 0, 0xff} {
					has, match := false, uint64(0)
					for i, x := range b {
						if x == c {
							has = true
							match |= 0x80 << (8 * i)
						}
					}
					if Has(w, c) != has || Match(w, c) != match {
						t.Fatalf("%x, %q: Has %v Match %x, want %v %x", b, c, Has(w, c), Match(w, c), has, match)
					}
				}
				ascii, less := true, false
				for _, x := range b {
					ascii = ascii && x < 0x80
					less = less || x < 0x20
				}
				if ASCII(w) != ascii {
					t.Fatalf("%x: ASCII %v", b, ASCII(w))
				}
				if ascii && HasLess(w, 0x20) != less {
					t.Fatalf("%x: HasLess %v, want %v", b, HasLess(w, 0x20), less)
				}
			}
		}
	}
	if bits.TrailingZeros64(Match(Word([]byte("ab,cd,ef"), 0), ','))/8 != 2 {
		t.Fatal("the first match's byte")
	}
}

// TestHasLessAnyBytes: HasLess tells exactly whether a byte is below n,
// also in words with bytes of 0x80 and above (UTF-8), for n up to 128.
func TestHasLessAnyBytes(t *testing.T) {
	x := uint64(0x9E3779B97F4A7C15)
	alphabet := []byte{0, 1, 0x1f, 0x20, ',', '-', '.', 'a', 0x7f, 0x80, 0x81, 0xc3, 0xff}
	for n := 0; n < 300000; n++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		var b [8]byte
		for i := range b {
			b[i] = alphabet[(x>>(5*i))%uint64(len(alphabet))]
		}
		w := Word(b[:], 0)
		for _, lim := range []byte{1, 0x20, '-', 0x80} {
			less := false
			for _, c := range b {
				less = less || c < lim
			}
			if HasLess(w, lim) != less {
				t.Fatalf("%x below %#x: HasLess %v", b, lim, !less)
			}
		}
	}
}
