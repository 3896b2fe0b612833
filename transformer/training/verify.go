package training

import (
	"encoding/binary"
	"fmt"
	"math"
	"path"
	"sort"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// CheckModelTensors verifies the tensors of a checkpoint (ts, keyed by variable path, as
// ReadCheckpoint returns them) against the variables a model needs (want: path → shape), so that a
// damaged or mismatched checkpoint is an error and not a model running partly on random weights:
//
//   - every wanted variable is present, with its shape and dtype;
//   - every other tensor is training state of such a model: the global step, the RNG state, the
//     trainer's and metrics' counters, the optimizer's learning rate and gradient norm, AdamW's
//     moments (Scope/adamw/<variable>/m and v) and SGD's momentum (Scope/sgd/<variable>/momentum)
//     of wanted variables, with their shapes, and the Monitor statistics (scalars
//     Scope/monitor/<variable>/grad_norm and update_ratio);
//   - every floating-point value is finite, except the Monitor statistics (diagnostics: an update
//     ratio is +Inf for a parameter that starts at zero).
//
// Errors name the file, the tensor and the count of further missing tensors.
func CheckModelTensors(file string, ts map[string]*tensors.Tensor, want map[string]shapes.Shape) error {
	var missing []string
	for p := range want {
		if _, ok := ts[p]; !ok {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		more := ""
		if len(missing) > 1 {
			more = fmt.Sprintf(" and %d more of the %d the model needs", len(missing)-1, len(want))
		}
		return fmt.Errorf("%s: missing tensor %q%s (an incomplete checkpoint, or one of another configuration)", file, missing[0], more)
	}
	names := make([]string, 0, len(ts))
	for p := range ts {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		t := ts[p]
		if s, ok := want[p]; ok {
			if !s.Equal(t.Shape()) {
				return fmt.Errorf("%s: tensor %q is %s, the model needs %s", file, p, t.Shape(), s)
			}
		} else if err := checkTrainingState(p, t, want); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if strings.HasPrefix(p, monitorScope+"/") {
			continue
		}
		if err := CheckFinite(p, t); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	return nil
}

// checkTrainingState accepts the non-model tensors a training run stores with the model.
func checkTrainingState(p string, t *tensors.Tensor, want map[string]shapes.Shape) error {
	scalar := t.Shape().Rank() == 0
	switch {
	case p == "/"+optimizer.GlobalStepVariableName, p == "/trainer/train_last_global_step":
		if scalar && t.DType().IsInt() {
			return nil
		}
	case p == "/"+model.RNGStateVariableName:
		if t.DType() == dtypes.Uint64 && t.Shape().Rank() == 1 {
			return nil
		}
	case strings.HasPrefix(p, "/metrics/"), p == "/"+Scope+"/learning_rate", p == "/"+Scope+"/grad_norm":
		if scalar {
			return nil
		}
	case strings.HasPrefix(p, "/"+Scope+"/adamw/"):
		dir, moment := path.Split(strings.TrimPrefix(p, "/"+Scope+"/adamw"))
		if s, ok := want[strings.TrimSuffix(dir, "/")]; ok && (moment == "m" || moment == "v") {
			if !s.Equal(t.Shape()) {
				return fmt.Errorf("optimizer state %q is %s, its variable %s", p, t.Shape(), s)
			}
			return nil
		}
	case strings.HasPrefix(p, "/"+Scope+"/sgd/"):
		dir, name := path.Split(strings.TrimPrefix(p, "/"+Scope+"/sgd"))
		if s, ok := want[strings.TrimSuffix(dir, "/")]; ok && name == "momentum" {
			if !s.Equal(t.Shape()) {
				return fmt.Errorf("optimizer state %q is %s, its variable %s", p, t.Shape(), s)
			}
			return nil
		}
	case strings.HasPrefix(p, monitorScope+"/"):
		dir, name := path.Split(strings.TrimPrefix(p, monitorScope))
		if _, ok := want[strings.TrimSuffix(dir, "/")]; ok && scalar && (name == "grad_norm" || name == "update_ratio") {
			return nil
		}
	}
	return fmt.Errorf("unexpected tensor %q %s (not a variable of this model's configuration, nor its training state)", p, t.Shape())
}

// CheckFinite returns an error naming the tensor and the first position of a NaN or infinite
// value, for floating-point tensors (other dtypes pass).
func CheckFinite(name string, t *tensors.Tensor) error {
	bad, at := 0.0, -1
	switch t.DType() {
	case dtypes.Float32: // read in place: checkpoints are large
		err := t.ConstBytes(func(data []byte) {
			for i := 0; i+4 <= len(data); i += 4 {
				x := float64(math.Float32frombits(binary.LittleEndian.Uint32(data[i:])))
				if math.IsNaN(x) || math.IsInf(x, 0) {
					bad, at = x, i/4
					return
				}
			}
		})
		if err != nil {
			return fmt.Errorf("tensor %q: %w", name, err)
		}
	case dtypes.Float64:
		flat, err := tensors.CopyFlatData[float64](t)
		if err != nil {
			return fmt.Errorf("tensor %q: %w", name, err)
		}
		for i, x := range flat {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				bad, at = x, i
				break
			}
		}
	case dtypes.Float16, dtypes.BFloat16:
		flat, err := Float32Values(t)
		if err != nil {
			return fmt.Errorf("tensor %q: %w", name, err)
		}
		for i, x := range flat {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				bad, at = float64(x), i
				break
			}
		}
	}
	if at >= 0 {
		return fmt.Errorf("tensor %q has a non-finite value %g at flat index %d", name, bad, at)
	}
	return nil
}
