// Command wacost tells a business what its WhatsApp Business Platform
// traffic costs, and why. See README.md.
package main

import (
	"context"
	"os"
	_ "time/tzdata" // --timezone works on machines without a zone database

	"github.com/wacost/wacost/cmd"
)

func main() {
	os.Exit(cmd.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
