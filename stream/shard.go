package stream

import "github.com/wacost/wacost/msglog"

// ShardFilter passes only the messages of one shard's customers.
type ShardFilter struct {
	r       msglog.Reader
	i, n    int
	Skipped int64
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
		if msglog.ShardOf(m.Customer, s.n) == s.i {
			return nil
		}
		s.Skipped++
	}
}
