package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Help says what each command does: exit 3 only where --threshold is,
// simulate's --format names partial; merge takes -q as simulate does and
// otherwise repeats the notes on stderr.
func TestHelpAndQuiet(t *testing.T) {
	for cmd, three := range map[string]bool{"simulate": true, "sla": true, "compare": true, "reconcile": true, "merge": true, "backlog": false, "generate": false, "tariff": false} {
		r := wacost(t, "", cmd, "--help")
		if got := strings.Contains(r.stdout, "3  a --threshold was crossed"); got != three || !strings.Contains(r.stdout, "130, 143") {
			t.Errorf("%s --help: exit 3 listed %v, want %v", cmd, got, three)
		}
	}
	if r := wacost(t, "", "simulate", "--help"); !strings.Contains(r.stdout, "markdown, junit, partial") {
		t.Errorf("simulate --help: --format does not name partial")
	}
	p := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(p, []byte(wacost(t, "", "simulate", sample, "--format", "partial", "-q").stdout), 0o644)
	loud, quiet := wacost(t, "", "merge", p), wacost(t, "", "merge", p, "-q")
	if loud.code != 0 || quiet.code != 0 || !strings.Contains(loud.stderr, "wacost: note: ") || strings.Contains(quiet.stderr, "note") || loud.stdout != quiet.stdout {
		t.Fatalf("merge: exit %d/%d, stderr %q / %q", loud.code, quiet.code, loud.stderr, quiet.stderr)
	}
}
