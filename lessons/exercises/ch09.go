package exercises

import (
	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Check9_1 checks exercise 9.1: causalMask(7) must be the 7×7 mask transformer.CausalMask builds
// (true where position i may see position j, i.e. j ≤ i). A nil mask (the blank) is "not
// answered".
func Check9_1(be compute.Backend, causalMask func(T int) [][]bool) Result {
	const T = 7
	flat := tensors.MustCopyFlatData[float32](graph.MustExecOnce(be, func(x *graph.Node) *graph.Node {
		m := transformer.CausalMask(x.Graph(), T, T) // [1, 1, T, T], bool
		return graph.Reshape(graph.ConvertDType(m, dtypes.Float32), T, T)
	}, float32(0)))
	got := causalMask(T)
	switch {
	case got == nil:
		return notAnswered("9.1", "实现 myCausalMask")
	case len(got) != T:
		return wrong("9.1", "不对：应有 %d 行，你的有 %d 行。", T, len(got))
	}
	ok := true
	for i := range T {
		if len(got[i]) != T {
			ok = false
			continue
		}
		for j := range T {
			if got[i][j] != (flat[i*T+j] == 1) {
				ok = false
			}
		}
	}
	if !ok {
		return wrong("9.1", "不对。第 i 行应当在 j ≤ i 处为 true，其余为 false。")
	}
	return correct("9.1", "")
}
