package training

import (
	. "github.com/gomlx/gomlx/core/graph"
)

// GlobalNorm returns ‖g‖ = √(Σ_i Σ_j g_ij²) over all the gradient tensors, a scalar in the dtype of
// the first gradient (the sum is done in float32 or wider).
func GlobalNorm(grads []*Node) *Node {
	var total *Node
	for _, gr := range grads {
		sq := ReduceAllSum(Square(gr))
		if total == nil {
			total = sq
		} else {
			total = Add(total, ConvertDType(sq, total.DType()))
		}
	}
	return Sqrt(total)
}

// ClipByGlobalNorm scales all gradients by one factor so that their global norm is at most maxNorm,
// as PyTorch's torch.nn.utils.clip_grad_norm_:
//
//	norm  = √(Σ ‖g_i‖²)
//	scale = min(1, maxNorm / (norm + 1e-6))
//	g_i  ← scale · g_i
//
// It returns the clipped gradients and the norm before clipping. maxNorm ≤ 0 disables clipping
// (the gradients are returned as they are, the norm is still computed).
func ClipByGlobalNorm(grads []*Node, maxNorm float64) (clipped []*Node, norm *Node) {
	norm = GlobalNorm(grads)
	if maxNorm <= 0 {
		return grads, norm
	}
	scale := MinScalar(Reciprocal(MulScalar(AddScalar(norm, 1e-6), 1/maxNorm)), 1) // min(1, maxNorm/(norm+ε))
	clipped = make([]*Node, len(grads))
	for i, gr := range grads {
		clipped[i] = Mul(gr, ConvertDType(scale, gr.DType()))
	}
	return clipped, norm
}
