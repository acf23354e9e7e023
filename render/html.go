package render

import (
	"fmt"
	"io"
)

// CompareHTML writes the comparison as a self-contained HTML page.
func CompareHTML(w io.Writer, r *CompareReport) error {
	return fmt.Errorf("html output is not available yet")
}

// BacklogHTML writes the backlog report as a self-contained HTML page.
func BacklogHTML(w io.Writer, r *BacklogReport) error {
	return fmt.Errorf("html output is not available yet")
}
