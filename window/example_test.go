package window_test

import (
	"fmt"
	"time"

	"github.com/wacost/wacost/window"
)

// A customer arrives from a click-to-WhatsApp ad; the business answers 23
// hours later, which opens a 72-hour free-entry-point window. The 24-hour
// customer-service window closes first.
func ExampleState() {
	cfg := window.DefaultConfig()
	t0 := time.Date(2026, 10, 5, 10, 0, 0, 0, time.UTC)
	var s window.State
	s.Inbound(cfg, t0, window.EntryAd)
	reply := s.Deliver(cfg, t0.Add(23*time.Hour))
	fmt.Println("reply opens FEP:", reply.FEPOpened, "until", reply.FEPEnd.Format(time.RFC3339))
	later := s.Peek(cfg, t0.Add(30*time.Hour))
	fmt.Println("at 30h: window open:", later.InCSW, "free entry point:", later.InFEP)
	// Output:
	// reply opens FEP: true until 2026-10-09T09:00:00Z
	// at 30h: window open: false free entry point: true
}
