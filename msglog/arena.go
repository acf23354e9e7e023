package msglog

import "unsafe"

// Arena makes strings that are unique per row (message ids, numbers, the
// ledger's sources) out of large shared blocks: one allocation per block instead of one per row, and the
// blocks hold no pointers for the garbage collector to scan. A block's
// bytes are never written again once a string points at them, and it is
// freed when no string points into it any more.
type Arena struct {
	block []byte
	// Block is the size of a block, 64 KiB if 0. Many readers alive at
	// once (the runs of a merge) want small ones: each keeps the blocks
	// its current and last messages point into.
	Block int
}

const arenaBlock = 64 << 10

// Str returns b as a string in the arena (a long b gets its own memory).
func (a *Arena) Str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	size := a.Block
	if size <= 0 {
		size = arenaBlock
	}
	if len(b) > size/8 {
		return string(b)
	}
	if len(a.block)+len(b) > cap(a.block) {
		a.block = make([]byte, 0, size)
	}
	n := len(a.block)
	a.block = append(a.block, b...)
	return unsafe.String(&a.block[n], len(b))
}
