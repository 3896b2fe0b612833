package backend

import (
	"runtime"
	"testing"
)

// TestHostMallocTuningServesLargeBlocksFromTheHeap checks what tuneHostMalloc promises: after it, a
// block bigger than glibc's largest mmap threshold (32 MB) no longer gets an mmap of its own, so
// freeing and allocating it again each training step costs no page faults.
func TestHostMallocTuningServesLargeBlocksFromTheHeap(t *testing.T) {
	if runtime.GOOS != "linux" || mmappedChunks() < 0 {
		t.Skip("the tuning applies to glibc only")
	}
	const block = 48 << 20 // the nanoGPT step's temporaries are 46 MB
	if !tuneHostMalloc() {
		t.Fatal("tuneHostMalloc: mallopt refused a setting")
	}
	before := mmappedChunks()
	var during int
	cMallocFree(block, func() { during = mmappedChunks() })
	if during != before {
		t.Errorf("a %d MB malloc after tuning added %d mmapped chunks, want 0 (served from the heap)",
			block>>20, during-before)
	}
}
