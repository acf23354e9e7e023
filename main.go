// Command wacost tells a business what its WhatsApp Business Platform
// traffic costs, and why. See README.md.
package main

import (
	"context"
	"os"
	"runtime/debug"
	_ "time/tzdata" // --timezone works on machines without a zone database

	"github.com/wacost/wacost/cmd"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// A replay's heap is mostly live per-customer state and the GC
		// costs about 1% of its time, so collect at 60% growth instead of
		// 100%: the peak stays near 1.6x the live state, not 2x.
		debug.SetGCPercent(60)
	}
	ctx, stop := cmd.SignalContext(context.Background())
	code := cmd.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
