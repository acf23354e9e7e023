package window

import (
	"testing"
	"time"
)

func BenchmarkInboundDeliver(b *testing.B) {
	cfg := DefaultConfig()
	var s State
	t := t0
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		t = t.Add(time.Minute)
		if i%3 == 0 {
			s.Inbound(cfg, t, EntryNone)
		} else {
			_ = s.Deliver(cfg, t)
		}
	}
}
