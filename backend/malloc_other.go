//go:build !(linux && cgo)

package backend

// tuneHostMalloc does nothing outside Linux with cgo: the allocator settings it changes are glibc's.
func tuneHostMalloc() bool { return false }

func mmappedChunks() int { return -1 }

func cMallocFree(n int, during func()) { during() }
