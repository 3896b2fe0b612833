package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/gomlx/compute"
)

// Flag checks shared by the subcommands. Every error names the flag and the value given, so that
// a user (or a script) sees which argument to change; a flag that was given is never ignored.

// given returns the names of the flags set on the command line.
func given(fs *flag.FlagSet) map[string]bool {
	out := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { out[f.Name] = true })
	return out
}

// intFlag checks lo ≤ v ≤ hi for --name.
func intFlag(name string, v, lo, hi int) error {
	switch {
	case v < lo && hi == math.MaxInt:
		return fmt.Errorf("--%s %d must be ≥ %d", name, v, lo)
	case v < lo || v > hi:
		return fmt.Errorf("--%s %d must be in [%d, %d]", name, v, lo, hi)
	}
	return nil
}

// floatFlag checks that --name is a finite number in [lo, hi] (hi excluded if openHi).
func floatFlag(name string, v, lo, hi float64, openHi bool) error {
	ok := !math.IsNaN(v) && !math.IsInf(v, 0) && v >= lo && (v < hi || (!openHi && v == hi))
	if ok {
		return nil
	}
	closing := "]"
	if openHi {
		closing = ")"
	}
	if math.IsInf(hi, 1) {
		return fmt.Errorf("--%s %g must be a finite number ≥ %g", name, v, lo)
	}
	return fmt.Errorf("--%s %g must be in [%g, %g%s", name, v, lo, hi, closing)
}

// warmupFlag checks 0 ≤ --warmup < --steps (a linear schedule warms up, then decays to 0 at --steps).
func warmupFlag(warmup, steps int) error {
	if warmup < 0 {
		return fmt.Errorf("--warmup %d must be ≥ 0", warmup)
	}
	if warmup >= steps {
		return fmt.Errorf("--warmup %d must be < --steps %d", warmup, steps)
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkpointFile is the file whose presence makes a directory hold a checkpoint.
const checkpointFile = "checkpoint.safetensors"

// checkpointPlan decides what a training command does with --checkpoint dir: resume it (--resume,
// the directory must hold a checkpoint), start over (--overwrite), or start a new one (the
// directory must not hold a checkpoint: the CLI never overwrites one it was not told to).
func checkpointPlan(dir string, resume, overwrite bool) (resuming bool, err error) {
	if resume && overwrite {
		return false, errors.New("--resume and --overwrite exclude each other: continue the checkpoint or start over, not both")
	}
	if dir == "" {
		switch {
		case resume:
			return false, errors.New("--resume needs --checkpoint DIR")
		case overwrite:
			return false, errors.New("--overwrite needs --checkpoint DIR")
		}
		return false, nil
	}
	_, statErr := os.Stat(filepath.Join(dir, checkpointFile))
	exists := statErr == nil
	switch {
	case resume && !exists:
		return false, fmt.Errorf("--resume: --checkpoint %s holds no checkpoint to continue (leave out --resume to start one)", dir)
	case exists && !resume && !overwrite:
		return false, fmt.Errorf("--checkpoint %s already holds a checkpoint: pass --resume to continue it or --overwrite to start over", dir)
	}
	return resume, nil
}

// devicesUsage is the help text of --devices.
const devicesUsage = "train data-parallel on N devices (GoMLX distributed execution: each step's batch split over N devices, weights replicated); XLA only: its CPU plugin makes N host devices, a GPU plugin has one per GPU"

// maxDevices bounds --devices.
const maxDevices = 1 << 12

// devicesFlag checks --devices against its range and the batch it splits (--batch, named batchFlag).
func devicesFlag(devices, batch int, batchFlag string) error {
	if err := intFlag("devices", devices, 1, maxDevices); err != nil {
		return err
	}
	if batch%devices != 0 {
		return fmt.Errorf("--devices %d does not divide --%s %d: every device takes --%s/--devices rows", devices, batchFlag, batch, batchFlag)
	}
	return nil
}

// openBackend opens the process-wide backend with the devices --devices asks for.
func openBackend(devices int) (compute.Backend, error) {
	if devices <= 1 {
		return backend.New()
	}
	b, err := backend.NewDevices(devices)
	if err != nil {
		return nil, fmt.Errorf("--devices %d: %w", devices, err)
	}
	return b, nil
}
