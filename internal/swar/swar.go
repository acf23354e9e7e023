// Package swar tests eight bytes at a time in one machine word (SIMD
// within a register), for the scanners of the log readers and the ledger
// writer.
package swar

import "encoding/binary"

const (
	ones = 0x0101010101010101
	lows = 0x7f7f7f7f7f7f7f7f
	tops = 0x8080808080808080
)

// Word is the eight bytes of b from i, little-endian (byte i lowest).
func Word(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[i:]) }

// WordString is Word for a string.
func WordString(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// Has reports whether any byte of w is c.
func Has(w uint64, c byte) bool {
	x := w ^ (uint64(c) * ones)
	return (x-ones)&^x&tops != 0
}

// Match has the top bit set in exactly the bytes of w that are c.
func Match(w uint64, c byte) uint64 {
	x := w ^ (uint64(c) * ones)
	return ^((x&lows + lows) | x | lows)
}

// ASCII reports whether no byte of w has its top bit set.
func ASCII(w uint64) bool { return w&tops == 0 }

// HasLess reports whether any byte of w is below n (1 <= n <= 128),
// exactly, whatever the bytes (bytes of 0x80 and above are never below n).
func HasLess(w uint64, n byte) bool { return (w-uint64(n)*ones)&^w&tops != 0 }
