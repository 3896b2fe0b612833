package datasets

import (
	"math/rand/v2"
	"sync/atomic"

	"github.com/gomlx/gomlx/core/tensors"
)

// stream holds what every example builder shares: a seed and a counter of passes, so
// that each call to Iter continues with fresh random draws (pass k uses the generator
// seeded by (seed, k)) while the whole sequence stays deterministic; Reset starts again.
type stream struct {
	seed   uint64
	passes atomic.Uint64
}

func (s *stream) nextRand() (*rand.Rand, uint64) {
	k := s.passes.Add(1) - 1
	return rand.New(rand.NewPCG(s.seed, 0x62657274_32677074^(k*0x9E3779B97F4A7C15+k))), k
}

// Reset makes the next Iter produce the same batches as the first one did.
func (s *stream) Reset() { s.passes.Store(0) }

type tensorT = tensors.Tensor

// int32Tensor makes a [dims...] int32 tensor from flat data.
func int32Tensor(data []int32, dims ...int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// float32Tensor makes a [dims...] float32 tensor from flat data.
func float32Tensor(data []float32, dims ...int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(data, dims...)
}
