package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildCLI compiles the command once per test binary into a temporary directory.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bert2gpt")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestCLIBackendAndUsage(t *testing.T) {
	bin := buildCLI(t)
	out, err := exec.Command(bin, "backend").Output()
	if err != nil {
		t.Fatalf("bert2gpt backend: %v", err)
	}
	if !strings.HasPrefix(string(out), "bert2gpt backend: ") {
		t.Errorf("unexpected output %q", out)
	}
	cmd := exec.Command(bin, "no-such-command")
	cmd.Env = os.Environ()
	msg, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("unknown command: want exit status 2, got %v", err)
	}
	if !strings.Contains(string(msg), `unknown command "no-such-command"`) || !strings.Contains(string(msg), "backend") {
		t.Errorf("unknown command should name it and list the commands, got:\n%s", msg)
	}
}

// TestRunCommandCatchesPanics: a panic inside a command becomes an error without a stack trace.
func TestRunCommandCatchesPanics(t *testing.T) {
	t.Setenv("BERT2GPT_DEBUG", "")
	err := runCommand(command{run: func([]string) error { panic("index out of range\ngoroutine 1 [running]:\nmain.f()") }}, nil)
	if err == nil || !strings.Contains(err.Error(), "internal error: index out of range") || strings.Contains(err.Error(), "goroutine") {
		t.Errorf("error %v", err)
	}
}
