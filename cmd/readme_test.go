package cmd

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEExamples runs each command the README shows with its output
// ("$ wacost ..." in a code block) and checks that the lines shown are
// lines of the real output, in order ("..." stands for lines left out;
// trailing spaces aside; the README shows a terminal, whose tables have a
// rule under the header that piped output leaves out).
func TestREADMEExamples(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(".."); err != nil { // the README's paths are from the repository's root
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	lines := strings.Split(string(b), "\n")
	n := 0
	for i := 0; i < len(lines); i++ {
		cmdLine, ok := strings.CutPrefix(lines[i], "$ wacost ")
		if !ok {
			continue
		}
		var shown []string
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			shown = append(shown, strings.TrimRight(lines[i], " "))
		}
		n++
		r := wacost(t, "", strings.Fields(cmdLine)...)
		if r.code != 0 {
			t.Errorf("wacost %s: exit %d %s", cmdLine, r.code, r.stderr)
			continue
		}
		out := strings.Split(r.stdout, "\n")
		j := 0
		for _, want := range shown {
			if want == "..." || want == "" || strings.Trim(want, "─") == "" {
				continue // the rule under a header is drawn on a terminal only
			}
			for j < len(out) && strings.TrimRight(out[j], " ") != want {
				j++
			}
			if j == len(out) {
				t.Errorf("wacost %s: the README shows %q, which its output lacks (or has earlier)", cmdLine, want)
				break
			}
			j++
		}
	}
	if n < 4 {
		t.Fatalf("%d examples with output found in the README", n)
	}
}
