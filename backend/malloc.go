package backend

import "os"

// EnvMallocTuning, when "0", leaves the C allocator's settings alone (see tuneHostMalloc).
//
// Why it exists: XLA's CPU runtime allocates its buffers with the C library's malloc on every
// execution — for a training step of the nanoGPT CPU model, one 46 MB block of temporaries and about
// 160 output buffers (GoMLX compiles without input/output aliasing, so the updated weights and
// optimizer moments are new buffers each step). With glibc's defaults a block over 32 MB is always
// served by its own mmap, and freed memory at the top of a heap is handed back to the kernel, so
// every step page-faults ~12,000 fresh, zeroed pages back in: under perf, 17% of a training step's
// CPU samples were in the kernel (page faults, page clearing) and 9% in malloc. Opening an XLA
// backend therefore tells glibc (mallopt) to serve large blocks from its heaps (M_MMAP_MAX = 0),
// never to give freed heap memory back (M_TRIM_THRESHOLD = −1) and to grow heaps 64 MB at a time
// (M_TOP_PAD). Measured on the 2-core machine, interleaved runs: 58–67 ms/step before, 43–52 after.
// The cost: the process keeps its peak C-heap size until it exits.
const EnvMallocTuning = "BERT2GPT_MALLOC_TUNING"

// mallocTopPad is how much extra (bytes) glibc asks the kernel for whenever a heap must grow.
const mallocTopPad = 64 << 20

// maybeTuneHostMalloc applies tuneHostMalloc unless EnvMallocTuning is "0".
func maybeTuneHostMalloc() {
	if os.Getenv(EnvMallocTuning) != "0" {
		tuneHostMalloc()
	}
}
