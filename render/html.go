package render

import (
	"fmt"
	"io"
)

// CompareHTML writes the comparison as a self-contained HTML page (filled in by the html work).
func CompareHTML(w io.Writer, r *CompareReport) error {
	return fmt.Errorf("html output is not available yet")
}
