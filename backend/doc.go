// Package backend picks the GoMLX compute backend for every notebook, test and command of bert2gpt.
//
// GoMLX can run a graph on two engines:
//
//   - "xla": OpenXLA through a PJRT plugin (a shared library named pjrt_c_api_<name>_plugin.so).
//     It compiles the whole graph (fusing element-wise work) and is the fast choice on CPU and GPU.
//   - "go":  a pure-Go interpreter of the graph. Slower, but it needs nothing outside the Go toolchain.
//
// The choice, in order (see Select):
//
//  1. GOMLX_BACKEND, when set, wins. "go" alone gets the safe parallelism setting added (below).
//  2. Otherwise XLA, when a PJRT plugin file is found on this machine: in BERT2GPT_PJRT_DIR,
//     PJRT_PLUGIN_LIBRARY_PATH, the checkout's .tools/pjrt (where scripts/setup.sh puts XLA's CPU plugin,
//     found by walking up from the working directory), ~/.local/lib/go-xla or /usr/local/lib/go-xla. GPU plugins (cuda) are
//     preferred to CPU ones. Nothing is ever downloaded unless BERT2GPT_XLA_AUTOINSTALL=1.
//  3. Otherwise the pure-Go backend with "parallelism=-1".
//
// Why parallelism=-1: with its default worker pool, the Go backend (github.com/gomlx/compute v0.1.2)
// can deadlock on attention-heavy graphs. Measured here: training a 4-layer pre-LN stack (batch 12,
// seq 64, width 128, 4 heads) for 40 steps hung in about half of the runs with the default pool, and
// never with parallelism=-1, which lifts the cap on concurrently running ops. TestTrainAttentionDoesNotHang
// trains that stack under a timeout: it fails (instead of hanging CI) if the trap returns.
//
// Why not GoMLX's own default: GoMLX picks "xla" and, when no plugin is installed, tries to download
// one from the internet; without network access it fails and does not fall back.
//
// New prints one line that says which backend was chosen and why, e.g.
//
//	bert2gpt backend: go (parallelism=-1) — no PJRT plugin found; set GOMLX_BACKEND=xla:cpu to force XLA
package backend
