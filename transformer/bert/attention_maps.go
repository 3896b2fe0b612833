package bert

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// AttentionMaps returns the self-attention weights of every encoder layer for one batch:
// NumHiddenLayers tensors [batch, heads, seq, seq] (float32, query × key; every row sums to 1 and
// gives 0 to padding keys), HF's output_attentions. Only the embeddings and the encoder run.
// Safe for concurrent use: calls run one at a time.
func (m *Model) AttentionMaps(b Batch) ([]*tensors.Tensor, error) {
	if err := m.Config.Check(b); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.attention == nil {
		exec, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, in []*Node) []*Node {
			out := EncodeSequence(scope.In("bert"), m.Config, in[0], in[1], in[2])
			maps := make([]*Node, len(out.Attentions))
			for i, w := range out.Attentions {
				maps[i] = ConvertDType(w, out.Sequence.DType())
			}
			return maps
		})
		if err != nil {
			return nil, fmt.Errorf("bert.Model.AttentionMaps: %w", err)
		}
		m.attention = exec
	}
	return run("bert.Model.AttentionMaps", m.attention, b)
}
