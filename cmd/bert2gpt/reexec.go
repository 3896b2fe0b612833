package main

import (
	"os"
	"syscall"

	"github.com/bert2gpt/bert2gpt/backend"
)

// reexecWithoutSlowExp restarts the command with GODEBUG=cpu.fma=off when this build would
// otherwise run math.Exp ~100× slower on the pure-Go backend (see backend.GODEBUGNoFMA): GODEBUG is
// read only when a Go program starts, so the setting cannot be made from inside. It returns (and the
// command goes on as it is) when nothing needs doing or the restart fails.
func reexecWithoutSlowExp() {
	if !backend.SlowExpTrap() {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	_ = syscall.Exec(exe, os.Args, backend.WithoutSlowExp(os.Environ())) // returns only on failure
}
