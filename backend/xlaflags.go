package backend

import (
	"os"
	"path/filepath"
	"strings"
)

// EnvXLAOneDNN, when "1", makes XLA's CPU plugin compile matrix products with oneDNN (XLAOneDNNFlags)
// instead of its default XNNPACK/YNNPACK kernels. It is off by default because XLA's oneDNN dot
// fusion is experimental and, in the plugin setup installs, kills the process (SIGILL after
// "partition compile failed") on a graph as common as plain SGD: θ − c·(x·W), a subtraction whose
// second operand is a matrix product, fails to compile in oneDNN; θ + (−c)·(x·W) compiles.
// bert2gpt's own trainers (training.AdamW) never build that pattern, and `make test` runs the parity
// suite and the CLI's tests with oneDNN on; the bert2gpt command, which runs only the library's own
// graphs, turns it on unless BERT2GPT_XLA_ONEDNN is set (to anything but "1" to keep it off).
//
// What it buys, measured on the 2-core machine in interleaved runs of the nanoGPT CPU training step
// (batch 12 × 64, 4 layers, width 128): 54.3 ms/step with XLA's defaults, 45.8 with oneDNN (six runs
// each); the parity suite passes unchanged with it (float32, bound 1e-5). scripts/bench/train_step.py
// measures both. Other flags tried and not kept (no gain beyond the noise): the
// concurrency-optimised scheduler, XNNPACK off, YNNPACK fusions off, fast math, single-threaded
// Eigen, the FAST_RUNTIME preset, oneDNN element-wise fusions.
const EnvXLAOneDNN = "BERT2GPT_XLA_ONEDNN"

// oneDNNRequested reports whether EnvXLAOneDNN is "1".
func oneDNNRequested() bool { return os.Getenv(EnvXLAOneDNN) == "1" }

// XLAOneDNNFlags are the XLA compiler flags EnvXLAOneDNN=1 adds to XLA_FLAGS.
const XLAOneDNNFlags = "--xla_cpu_use_onednn=true --xla_cpu_experimental_onednn_fusion_type=dot"

// EnvXLAFlags is XLA's own variable, read once by the plugin when it is loaded.
const EnvXLAFlags = "XLA_FLAGS"

// isXLACPU reports whether an "xla:…" configuration may load XLA's CPU plugin: "xla" (the first
// plugin found), "xla:cpu" (also versioned, "cpu_v0.83.1"), or a plugin file whose name says cpu
// (pjrt_c_api_cpu_plugin.so). CPU flags are ignored by other plugins, so a guess costs nothing.
func isXLACPU(config string) bool {
	name, plugin, _ := strings.Cut(config, ":")
	if name != "xla" {
		return false
	}
	plugin, _, _ = strings.Cut(plugin, ",") // options after the plugin, if any
	base := filepath.Base(plugin)
	return plugin == "" || strings.HasPrefix(plugin, "cpu") || strings.HasPrefix(base, "pjrt_c_api_cpu")
}

// addXLAFlags puts flags in front of XLA_FLAGS (once), before the plugin is loaded. Flags already in
// XLA_FLAGS come after them, so a user's own setting wins (XLA keeps the last value of a flag).
func addXLAFlags(flags string) {
	current := os.Getenv(EnvXLAFlags)
	if strings.Contains(current, flags) {
		return
	}
	os.Setenv(EnvXLAFlags, strings.TrimSpace(flags+" "+current))
}
