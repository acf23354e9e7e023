package stream

import "github.com/wacost/wacost/msglog"

// ShardFilter passes only the messages of one shard's customers, and
// fingerprints every message it reads (its own and the others').
type ShardFilter struct {
	r       msglog.Reader
	i, n    int
	Skipped int64
	// Rows counts the messages read; Digest is the sum of their
	// fingerprints (RowPrint), whatever order they came in.
	Rows   int64
	Digest uint64
}

// Shard keeps the messages whose customer is in shard i of n; the others
// are counted in Skipped. Row errors pass through (every shard reports
// the same bad rows).
func Shard(r msglog.Reader, i, n int) *ShardFilter { return &ShardFilter{r: r, i: i, n: n} }

// Read reads the next message of the shard into *m.
func (s *ShardFilter) Read(m *msglog.Message) error {
	for {
		if err := s.r.Read(m); err != nil {
			return err
		}
		s.Rows++
		s.Digest += RowPrint(m)
		if msglog.ShardOf(m.Customer, s.n) == s.i {
			return nil
		}
		s.Skipped++
	}
}

// RowPrint is a 64-bit fingerprint of what places and prices a message:
// its time, customer, direction, whether it is a template, and its
// position (file and line). Summed over a log it tells two logs apart in
// any order they are read (the shards of a log read it alike).
func RowPrint(m *msglog.Message) uint64 {
	x := uint64(m.Time.UnixNano())
	x = mix(x ^ m.CustomerKey)
	x = mix(x ^ uint64(m.Pos.Seq))
	x ^= uint64(m.Direction) << 1
	if m.Template {
		x ^= 1
	}
	return mix(x)
}

// mix is splitmix64's finalizer: every input bit moves every output bit.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
