package main

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/bert2gpt/bert2gpt/datasets"
)

// TestCLIDevices: `gpt train --devices 2` trains data-parallel and ends where one device ends (same
// global batch); bad --devices values are errors that name the flag, on every backend.
func TestCLIDevices(t *testing.T) {
	if _, err := datasets.TinyShakespeare(context.Background()); err != nil {
		t.Skipf("TinyShakespeare not available: %v", err)
	}
	bin := buildCLI(t)
	base := []string{"gpt", "train", "--iters", "6", "--warmup", "1", "--batch", "4", "--block", "16", "--eval-iters", "2",
		"--eval-every", "0", "--progress=false"}
	for _, c := range []struct {
		args, env []string
		want      []string
	}{
		{[]string{"--devices", "0"}, nil, []string{"--devices 0 must be in [1, 4096]"}},
		{[]string{"--devices", "3"}, nil, []string{"--devices 3 does not divide --batch 4"}},
		{[]string{"--devices", "2"}, []string{"GOMLX_BACKEND=go"}, []string{"--devices 2", "pure-Go backend has 1"}},
		{[]string{"--devices", "2"}, []string{backend.EnvXLACPUDevices + "=zero"}, []string{backend.EnvXLACPUDevices}},
	} {
		stdout, stderr, err := run(t, bin, c.env, append(append([]string(nil), base...), c.args...)...)
		if c.env != nil && strings.Contains(c.env[0], backend.EnvXLACPUDevices) && !strings.HasPrefix(backend.Select().Config, "xla") {
			continue // the variable is read for XLA's CPU plugin only
		}
		failsWith(t, strings.Join(append(c.env, c.args...), " "), stdout, stderr, err, c.want...)
	}
	bertOut, bertErr := runCLI(t, bin, "bert", "pretrain", "--checkpoint", filepath.Join(t.TempDir(), "b"), "--batch", "32", "--devices", "5")
	if bertErr == nil || !strings.Contains(bertOut, "--devices 5 does not divide --batch 32") {
		t.Errorf("bert pretrain --devices 5: %v\n%s", bertErr, bertOut)
	}
	if !strings.HasPrefix(backend.Select().Config, "xla") {
		t.Skip("no XLA plugin: data-parallel training not run")
	}
	losses := map[int]float64{}
	for _, n := range []int{1, 2} {
		stdout, stderr, err := run(t, bin, nil, append(append([]string(nil), base...), "--devices", strconv.Itoa(n))...)
		if err != nil {
			t.Fatalf("--devices %d: %v\n%s", n, err, stderr)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(stdout), &m); err != nil {
			t.Fatalf("--devices %d: %v\n%s", n, err, stdout)
		}
		if m["devices"] != float64(n) {
			t.Errorf("--devices %d: JSON says devices %v", n, m["devices"])
		}
		losses[n] = m["val_loss"].(float64)
	}
	t.Logf("val loss after 6 steps: 1 device %.6f, 2 devices %.6f", losses[1], losses[2])
	if math.Abs(losses[1]-losses[2]) > 1e-5 {
		t.Errorf("val loss: 1 device %.6f, 2 devices %.6f", losses[1], losses[2])
	}
}
