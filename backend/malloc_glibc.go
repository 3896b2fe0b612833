//go:build linux && cgo

package backend

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
static int tune_malloc(int top_pad) {
	// Every call must succeed (mallopt returns 1 on success).
	return mallopt(M_MMAP_MAX, 0) && mallopt(M_TRIM_THRESHOLD, -1) && mallopt(M_TOP_PAD, top_pad);
}
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33)
static int mmapped_chunks(void) { return (int)mallinfo2().hblks; }
#else
static int mmapped_chunks(void) { return mallinfo().hblks; } // glibc before 2.33 has no mallinfo2
#endif
#else
static int tune_malloc(int top_pad) { return 0; }
static int mmapped_chunks(void) { return -1; }
#endif
*/
import "C"

import "sync"

var tuneOnce sync.Once

// tuneHostMalloc sets glibc's allocator up for XLA's allocation pattern (see EnvMallocTuning) and
// reports whether it did. It runs once per process; later calls return the first answer.
func tuneHostMalloc() bool {
	tuneOnce.Do(func() { mallocTuned = C.tune_malloc(C.int(mallocTopPad)) == 1 })
	return mallocTuned
}

var mallocTuned bool

// mmappedChunks is glibc's count of live allocations served by their own mmap (mallinfo2().hblks),
// or -1 where the C library is not glibc. Tests use it to see that tuneHostMalloc took effect.
func mmappedChunks() int { return int(C.mmapped_chunks()) }

// cMallocFree allocates n bytes with the C allocator, touches them, calls during, and frees them.
func cMallocFree(n int, during func()) {
	p := C.malloc(C.size_t(n))
	if p == nil {
		panic("backend: C.malloc failed")
	}
	defer C.free(p)
	*(*byte)(p) = 1
	during()
}
