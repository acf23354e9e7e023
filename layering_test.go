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
var engine = []string{"window", "pricing", "simulate", "msglog", "stream", "synth", "gate", "sla", "scenario", "reconcile", "internal/swar"}

var forbidden = []string{"os", "os/exec", "github.com/spf13/cobra", "github.com/spf13/viper", "github.com/olekukonko/tablewriter"}

// The replay pipeline opens files and temporary files (os), but knows
// nothing of the command line, its configuration or the renderers.
var pipeline = []string{"replay"}

var pipelineForbidden = []string{"github.com/spf13/cobra", "github.com/spf13/viper", "github.com/olekukonko/tablewriter",
	"github.com/wacost/wacost/cmd", "github.com/wacost/wacost/render"}

func TestPipelineLayering(t *testing.T) {
	forbid(t, pipeline, pipelineForbidden, "the replay pipeline")
}

// forbid reports each import of a package in dirs that is one of bad, or
// below one; who names the packages in the message.
func forbid(t *testing.T, dirs, bad []string, who string) {
	t.Helper()
	for _, dir := range dirs {
		for f, imports := range importsOf(t, dir) {
			for _, p := range imports {
				for _, b := range bad {
					if p == b || strings.HasPrefix(p, b+"/") {
						t.Errorf("%s imports %s: %s must not", f, p, who)
					}
				}
			}
		}
	}
}

// importsOf lists the imports of each non-test Go file in dir.
func importsOf(t *testing.T, dir string) map[string][]string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	out := map[string][]string{}
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
			out[f] = append(out[f], strings.Trim(imp.Path.Value, `"`))
		}
	}
	return out
}

func TestEngineLayering(t *testing.T) {
	forbid(t, engine, forbidden, "engine packages")
	for _, dir := range engine {
		for f, imports := range importsOf(t, dir) {
			for _, p := range imports {
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
