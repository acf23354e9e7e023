package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/simulate"
)

// Formats lists the output formats.
var Formats = []string{"table", "json", "csv", "ndjson", "markdown", "junit", "html"}

// Renderer writes one run's output. With a ledger, Entry is called for each
// business message in replay order, then Finish once.
type Renderer interface {
	Entry(e *simulate.Entry) error
	Finish(r *simulate.Result) error
}

// New returns a renderer for format writing to w.
func New(format string, w io.Writer, ledger bool) (Renderer, error) {
	bw := bufio.NewWriterSize(noLeadingBlank(w), 1<<16)
	switch strings.ToLower(format) {
	case "table", "":
		return &textRenderer{w: bw, ledger: ledger}, nil
	case "plain":
		return &textRenderer{w: bw, ledger: ledger, plain: true}, nil
	case "markdown", "md":
		return &textRenderer{w: bw, ledger: ledger, markdown: true}, nil
	case "json":
		return &jsonRenderer{w: bw, ledger: ledger}, nil
	case "csv":
		return newCSVRenderer(bw, ledger), nil
	case "ndjson":
		return &ndjsonRenderer{w: bw}, nil
	case "junit":
		return &junitRenderer{w: bw}, nil
	case "html":
		return &htmlRenderer{w: bw}, nil
	}
	return nil, fmt.Errorf("unknown output format %q (want %s)", format, strings.Join(Formats, ", "))
}

// junitRenderer writes only the thresholds, as a JUnit XML report.
type junitRenderer struct{ w *bufio.Writer }

func (j *junitRenderer) Entry(*simulate.Entry) error { return nil }

func (j *junitRenderer) Finish(r *simulate.Result) error {
	if err := gate.JUnit(j.w, "wacost", r.Thresholds); err != nil {
		return err
	}
	return j.w.Flush()
}
