package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/wacost/wacost/simulate"
)

// Formats lists the output formats.
var Formats = []string{"table", "json", "csv", "ndjson", "markdown"}

// Renderer writes one run's output. With a ledger, Entry is called for each
// business message in replay order, then Finish once.
type Renderer interface {
	Entry(e *simulate.Entry) error
	Finish(r *simulate.Result) error
}

// New returns a renderer for format writing to w.
func New(format string, w io.Writer, ledger bool) (Renderer, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	switch strings.ToLower(format) {
	case "table", "":
		return &textRenderer{w: bw, ledger: ledger}, nil
	case "markdown", "md":
		return &textRenderer{w: bw, ledger: ledger, markdown: true}, nil
	case "json":
		return &jsonRenderer{w: bw, ledger: ledger}, nil
	case "csv":
		return newCSVRenderer(bw, ledger), nil
	case "ndjson":
		return &ndjsonRenderer{w: bw}, nil
	}
	return nil, fmt.Errorf("unknown output format %q (want %s)", format, strings.Join(Formats, ", "))
}
