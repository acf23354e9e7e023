package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDeployCommands runs the shard command of each manifest in deploy/
// locally, once per index with the scheduler's index variable set, on a
// generated log in place of the shared volume, and checks that merging
// the shards gives byte for byte what one run gives.
func TestDeployCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds wacost")
	}
	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "wacost"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	wacost := filepath.Join(bin, "wacost")
	run := func(dir string, env []string, args ...string) []byte {
		t.Helper()
		c := exec.Command(args[0], args[1:]...)
		c.Dir, c.Env = dir, append(append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH")), env...)
		out, err := c.Output()
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out
	}
	for _, c := range []struct {
		file, mount, index string
		first              int
	}{
		{"k8s-indexed-job.yaml", "/data/", "JOB_COMPLETION_INDEX", 0},
		{"slurm-array.sh", "/shared/", "SLURM_ARRAY_TASK_ID", 1},
		{"aws-batch-array.json", "/mnt/efs/", "AWS_BATCH_JOB_ARRAY_INDEX", 0},
	} {
		t.Run(c.file, func(t *testing.T) {
			cmd := shardCommand(t, filepath.Join("deploy", c.file))
			dir := t.TempDir() + "/"
			log := run(dir, nil, wacost, "generate", "--rows", "3000", "--seed", "9")
			os.WriteFile(dir+"log.csv", log, 0o644)
			cmd = strings.ReplaceAll(cmd, c.mount, dir)
			for i := 0; i < 8; i++ {
				run(dir, []string{c.index + "=" + strconv.Itoa(c.first+i)}, "bash", "-c", cmd)
			}
			parts, _ := filepath.Glob(dir + "part-*.json")
			if len(parts) != 8 {
				t.Fatalf("%d partials, want 8: %v", len(parts), parts)
			}
			merged := run(dir, nil, append([]string{wacost, "merge", "--format", "json", "-q"}, parts...)...)
			whole := run(dir, nil, wacost, "simulate", dir+"log.csv", "--format", "json", "-q")
			if string(merged) != string(whole) {
				t.Fatal("the merged shards differ from the whole run")
			}
		})
	}
}

// shardCommand is a manifest's shard command: the line after a
// "wacost-shard-command" comment, or the JSON container command's script.
func shardCommand(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".json") {
		var def struct {
			ContainerProperties struct{ Command []string } `json:"containerProperties"`
		}
		if err := json.Unmarshal(b, &def); err != nil || len(def.ContainerProperties.Command) != 3 {
			t.Fatalf("%s: %v %+v", path, err, def)
		}
		return def.ContainerProperties.Command[2]
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		if strings.Contains(sc.Text(), "wacost-shard-command") && sc.Scan() {
			return strings.TrimPrefix(strings.TrimSpace(sc.Text()), "- ")
		}
	}
	t.Fatalf("%s: no wacost-shard-command", path)
	return ""
}

// TestREADMEParallelRecipe runs the README's GNU parallel recipe (split,
// a shard per part side by side, merge) as it is written, on a generated
// NDJSON log in place of log.ndjson, and checks that its result is byte
// for byte one run's. CI installs GNU parallel; without it (elsewhere)
// the test skips and says so.
func TestREADMEParallelRecipe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds wacost")
	}
	if _, err := exec.LookPath("parallel"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("GNU parallel is not installed: .ci/run installs it (apt-get install parallel)")
		}
		t.Skip("GNU parallel is not installed (apt-get install parallel)")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	sec := string(readme)[strings.Index(string(readme), "## Scale-out"):]
	start := strings.Index(sec, "```sh\nwacost split")
	if start < 0 {
		t.Fatal("README's Scale-out section has no sh block that starts with wacost split")
	}
	block := sec[start+len("```sh\n"):]
	block = block[:strings.Index(block, "```")]
	if !strings.Contains(block, "parallel wacost simulate") {
		t.Fatalf("the recipe runs no shards with parallel:\n%s", block)
	}
	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "wacost"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	sh := func(script string) []byte {
		t.Helper()
		c := exec.Command("bash", "-euo", "pipefail", "-c", script)
		c.Dir, c.Env = dir, append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", script, err, out)
		}
		return out
	}
	sh("wacost generate --rows 20000 --seed 11 --customers 800 --format ndjson > log.ndjson")
	sh(block)
	got, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want := sh("wacost simulate log.ndjson --format json -q"); string(got) != string(want) {
		t.Fatalf("the recipe's result differs from one run:\n%s\nwant\n%s", got, want)
	}
	if parts, _ := filepath.Glob(filepath.Join(dir, "parts", "part-*-of-4.csv")); len(parts) != 4 {
		t.Fatalf("%d parts, want 4", len(parts))
	}
}
