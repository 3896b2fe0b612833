//go:build unix

package atomicfile

import (
	"errors"
	"math"
	"syscall"
)

// running reports whether a process with this id exists on this machine (signal 0 probes it; a
// process of another user answers EPERM, which still means it exists).
func running(pid int) bool {
	if pid <= 0 || pid > math.MaxInt32 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
