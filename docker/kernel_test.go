package docker

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestKernelShowsErrorsWithoutGoroutineDumps: a notebook cell that stops on an error (a chapter's
// must(err) when TinyShakespeare is neither downloadable nor on disk) shows the message alone. The
// kernel script (scripts/gonb-kernel, with a stand-in for gonb that runs such a cell) sets
// GOTRACEBACK=none unless the user chose a value.
func TestKernelShowsErrorsWithoutGoroutineDumps(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"gonb-kernel", "goenv.sh"} {
		b, err := os.ReadFile(filepath.Join("..", "scripts", f))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(root, "scripts"), 0o755)
		if err := os.WriteFile(filepath.Join(root, "scripts", f), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The cell: what a chapter does with a missing corpus.
	cell := filepath.Join(root, "cell")
	os.MkdirAll(cell, 0o755)
	os.WriteFile(filepath.Join(cell, "go.mod"), []byte("module cell\n\ngo 1.21\n"), 0o644)
	os.WriteFile(filepath.Join(cell, "main.go"), []byte(`package main

import "errors"

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func main() {
	must(errors.New("tinyshakespeare/input.txt is not available: offline ($BERT2GPT_OFFLINE is set); download it"))
}
`), 0o644)
	bin := filepath.Join(root, "cellbin")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = cell
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the cell: %v\n%s", err, out)
	}
	// gonb stands in: it runs the cell the way GoNB does, with the environment it was started with.
	os.MkdirAll(filepath.Join(root, ".bin"), 0o755)
	os.WriteFile(filepath.Join(root, ".bin", "gonb"), []byte("#!/bin/sh\nexec "+bin+"\n"), 0o755)

	run := func(env ...string) string {
		cmd := exec.Command(filepath.Join(root, "scripts", "gonb-kernel"), "--kernel", "connection.json")
		cmd.Env = append(append(os.Environ(), "GOTRACEBACK="), env...) // empty: as if unset
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err == nil {
			t.Fatal("the cell did not fail")
		}
		return out.String()
	}
	out := run()
	if !strings.Contains(out, "tinyshakespeare/input.txt is not available") || strings.Contains(out, "goroutine") {
		t.Errorf("the cell's output is not the message alone:\n%s", out)
	}
	if out := run("GOTRACEBACK=single"); !strings.Contains(out, "goroutine 1") {
		t.Errorf("GOTRACEBACK=single chosen by the user was not kept:\n%s", out)
	}
}
