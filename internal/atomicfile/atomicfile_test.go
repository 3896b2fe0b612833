package atomicfile

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// names lists the entries of dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// TestWriteFailureKeepsOld: an error or a panic in fill leaves the old file and no temporary.
func TestWriteFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	if err := WriteBytes(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	if err := WriteBuffered(path, func(w io.Writer) error { w.Write([]byte("ne")); return boom }); !errors.Is(err, boom) {
		t.Fatalf("error %v, want the writer's", err)
	}
	func() {
		defer func() { _ = recover() }()
		_ = Write(path, func(f *os.File) error { f.Write([]byte("ne")); panic("bug") })
	}()
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("content %q after failed writes", b)
	}
	if got := names(t, dir); len(got) != 1 {
		t.Fatalf("files left behind: %v", got)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != Mode {
		t.Errorf("mode %v, want %v", info.Mode().Perm(), Mode)
	}
	if err := WriteBytes(filepath.Join(dir, "sub", "new.txt"), []byte("x")); err != nil {
		t.Errorf("a missing directory is created: %v", err)
	}
}

// TestCleanKeepsLiveAndForeignFiles: Clean removes temporaries of dead writers and of the
// project's earlier naming, keeps those of running processes, of writes in progress here, and
// files that are only named alike.
func TestCleanKeepsLiveAndForeignFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "checkpoint.safetensors")
	touch := func(name string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A process id that is not running: a child that has exited.
	child := exec.Command(os.Args[0], "-test.run=^$")
	if err := child.Run(); err != nil {
		t.Fatal(err)
	}
	dead := child.ProcessState.Pid()
	parent := os.Getppid() // running
	for _, n := range []string{
		".checkpoint.safetensors.tmp-" + itoa(dead) + "-123",   // dead writer: removed
		".checkpoint.safetensors.tmp-987654321",                // earlier naming: removed
		".checkpoint.safetensors.tmp42",                        // bert's earlier naming: removed
		".checkpoint.safetensors.tmp-" + itoa(parent) + "-777", // running writer: kept
		".checkpoint.safetensors.tmpl",                         // not a temporary: kept
		".checkpoint.safetensors.tmp-notes.txt",                // not a temporary: kept
		".other.tmp-" + itoa(dead) + "-1",                      // another target's: kept
	} {
		touch(n)
	}
	old := ".checkpoint.safetensors.tmp-" + itoa(parent) + "-888" // running, but a day old: removed
	touch(old)
	past := time.Now().Add(-MaxTempAge - time.Hour)
	if err := os.Chtimes(filepath.Join(dir, old), past, past); err != nil {
		t.Fatal(err)
	}
	got := Clean(path)
	want := map[string]bool{
		".checkpoint.safetensors.tmp-" + itoa(dead) + "-123": true, ".checkpoint.safetensors.tmp-987654321": true,
		".checkpoint.safetensors.tmp42": true, old: true,
	}
	if len(got) != len(want) {
		t.Errorf("removed %v, want %v", got, want)
	}
	for _, n := range got {
		if !want[n] {
			t.Errorf("removed %s", n)
		}
	}
	if left := names(t, dir); len(left) != 4 {
		t.Errorf("left %v", left)
	}
	// A write in progress in this process is kept by a concurrent Clean.
	err := Write(path, func(f *os.File) error {
		if removed := Clean(path); len(removed) != 0 {
			t.Errorf("Clean during a write removed %v", removed)
		}
		_, err := f.Write([]byte("data"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestKilledWriterIsCleaned: a writer killed with SIGKILL in the middle of a write leaves its
// temporary file; the next successful write of the same file removes it.
func TestKilledWriterIsCleaned(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL")
	}
	if target := os.Getenv("ATOMICFILE_TEST_WRITER"); target != "" {
		_ = Write(target, func(f *os.File) error {
			f.Write(make([]byte, 1<<16))
			os.Stdout.WriteString("writing\n")
			select {} // until killed
		})
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	if err := WriteBytes(path, []byte("v1")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterIsCleaned$")
	cmd.Env = append(os.Environ(), "ATOMICFILE_TEST_WRITER="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "writing\n" {
		t.Fatalf("writer said %q", line)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if left := names(t, dir); len(left) != 2 {
		t.Fatalf("after the kill: %v, want the file and a temporary", left)
	}
	if b, _ := os.ReadFile(path); string(b) != "v1" {
		t.Fatalf("the killed write changed the file: %q", b)
	}
	if err := WriteBytes(path, []byte("v2")); err != nil {
		t.Fatal(err)
	}
	if left := names(t, dir); len(left) != 1 || left[0] != "model.safetensors" {
		t.Fatalf("after the next write: %v", left)
	}
}
