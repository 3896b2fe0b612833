package atomicfile

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// MaxTempAge is the age after which a temporary file is removed even when its writer might still
// run (a process id reused by another program, a writer on another machine sharing the directory):
// no write of this project takes a day.
const MaxTempAge = 24 * time.Hour

// Clean removes the temporary files of path (".<name>.tmp…" in its directory) whose writer is gone:
// the process id in the name is not running on this machine (or is this process's, but not one of
// its writes in progress), or the file was last modified more than MaxTempAge ago. Files of writers
// that are still running are kept; files that are not named like temporaries are never touched. It returns the names
// removed; errors (a directory that cannot be listed, a file already gone) are ignored. Write calls
// it after every successful write; a program may call it at start-up, too.
func Clean(path string) []string {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	prefix := tempPrefix(path)
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, prefix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		pid, hasPID, ours := parseTemp(strings.TrimPrefix(name, prefix))
		if !ours {
			continue // a user's file that merely starts like a temporary one
		}
		full := filepath.Join(dir, name)
		var stale bool
		switch _, writing := inFlight.Load(full); {
		case writing:
			stale = false // a concurrent write of this process
		case hasPID && pid == os.Getpid():
			stale = true // an earlier process with our id (a restarted container's pid 1)
		default:
			stale = !hasPID || !running(pid) || time.Since(info.ModTime()) > MaxTempAge
		}
		if stale && os.Remove(full) == nil {
			removed = append(removed, name)
		}
	}
	return removed
}

// StaleDir reports whether a temporary directory named "<prefix><pid>-<random>" (as os.MkdirTemp
// makes from the pattern prefix+pid+"-*") belongs to a writer that is gone: no process id in the
// name, a process that is not running, or a directory untouched for more than MaxTempAge.
func StaleDir(name, prefix string, modTime time.Time) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return false
	}
	pid, hasPID, ours := parseTemp(rest)
	if !ours {
		return false
	}
	return !hasPID || (pid != os.Getpid() && !running(pid)) || time.Since(modTime) > MaxTempAge
}

// parseTemp reads what follows ".<name>.tmp" in a temporary file's name: "-<pid>-<random>" (this
// package), or "-<random>" and "<random>" (the project's earlier writers, long gone: hasPID false).
// ours is false for any other name.
func parseTemp(rest string) (pid int, hasPID, ours bool) {
	rest = strings.TrimPrefix(rest, "-")
	first, second, two := strings.Cut(rest, "-")
	if !allDigits(first) || (two && !allDigits(second)) {
		return 0, false, false
	}
	if !two {
		return 0, false, true
	}
	n, err := strconv.Atoi(first)
	if err != nil || n <= 0 {
		return 0, false, true
	}
	return n, true, true
}

// allDigits reports whether s is a non-empty string of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
