package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The engine packages take plain values and return plain values: no CLI,
// config, terminal or operating-system dependencies (DEVELOPERS.md).
var engine = []string{"window", "pricing", "simulate", "msglog", "synth", "gate", "sla", "scenario", "internal/swar"}

var forbidden = []string{"os", "os/exec", "github.com/spf13/cobra", "github.com/spf13/viper", "github.com/olekukonko/tablewriter"}

func TestEngineLayering(t *testing.T) {
	for _, dir := range engine {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		if len(files) == 0 {
			t.Fatalf("no Go files in %s", dir)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				p := strings.Trim(imp.Path.Value, `"`)
				for _, bad := range forbidden {
					if p == bad || strings.HasPrefix(p, bad+"/") {
						t.Errorf("%s imports %s: engine packages must not", f, p)
					}
				}
				if dir == "window" && strings.HasPrefix(p, "github.com/wacost/") {
					t.Errorf("%s imports %s: window is a leaf package", f, p)
				}
				if strings.Contains(p, "wacost/cmd") || strings.Contains(p, "wacost/render") {
					t.Errorf("%s imports %s: the engine must not depend on the CLI", f, p)
				}
			}
		}
	}
}
