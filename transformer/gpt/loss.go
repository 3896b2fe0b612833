package gpt

import (
	"fmt"

	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// IgnoreIndex marks target positions that do not count in the loss (PyTorch/HF convention).
const IgnoreIndex = -100

// Loss is the causal-LM cross-entropy (computed in float32 for lower-precision logits), the mean
// over the counted positions of
//
//	−log softmax(logits[b, t])[targets[b, t]]
//
// logits [batch, seq, V], targets [batch, seq] int32 (targets[b, t] = tokens[b, t+1]; negative
// targets such as IgnoreIndex are skipped). Returns a scalar.
func Loss(logits, targets *Node) *Node {
	if dt := logits.DType(); dt != dtypes.Float32 && dt != dtypes.Float64 {
		logits = ConvertDType(logits, dtypes.Float32) // lower-precision models: the loss in float32
	}
	valid := GreaterOrEqual(targets, ScalarZero(targets.Graph(), targets.DType()))
	w := ConvertDType(valid, logits.DType())     // [batch, seq]: 1 where counted
	nll := transformer.TokenNLL(logits, targets) // [batch, seq]; ignored targets are weighted out
	return Div(ReduceAllSum(Mul(nll, w)), MaxScalar(ReduceAllSum(w), 1))
}

// Loss returns the mean causal-LM cross-entropy of inputs [batch][seq] against targets
// [batch][seq] (targets[b][t] is the token after inputs[b][t]; negative targets are skipped).
func (m *Model) Loss(inputs, targets [][]int32) (float64, error) {
	if err := m.Config.CheckTokens(inputs); err != nil {
		return 0, err
	}
	if len(targets) != len(inputs) || len(targets[0]) != len(inputs[0]) {
		return 0, fmt.Errorf("gpt: targets must have the shape of the inputs")
	}
	var loss float64
	err := transformer.Catch("gpt.Model.Loss", func() error {
		m.mu.Lock()
		if m.loss == nil { // built once; the Exec compiles one graph per batch shape and keeps it
			c := m.Config
			e, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, in, tg *Node) *Node {
				return ConvertDType(Loss(Logits(scope, c, in), tg), dtypes.Float64)
			})
			if err != nil {
				m.mu.Unlock()
				return err
			}
			m.loss = e
		}
		exec := m.loss
		m.mu.Unlock()
		shape := tokenShape(len(inputs), len(inputs[0]))
		if err := m.prepare(exec, shape, shape); err != nil {
			return err
		}
		out, err := exec.Call1(tensors.FromValue(inputs), tensors.FromValue(targets))
		if err != nil {
			return err
		}
		loss = out.Value().(float64)
		return nil
	})
	return loss, err
}
