package gpt

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"

	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// MetaConfig is the checkpoint metadata key holding the model Config as JSON.
const MetaConfig = "gpt_config"

// CheckpointMeta returns the metadata to store with a checkpoint: the config plus extra entries.
func (m *Model) CheckpointMeta(extra map[string]string) map[string]string {
	data, _ := json.Marshal(m.Config)
	meta := map[string]string{MetaConfig: string(data)}
	for k, v := range extra {
		meta[k] = v
	}
	return meta
}

// LoadCheckpoint rebuilds a model from a checkpoint directory written during training (weights,
// optimizer state and global step come back, so training can resume). It returns the metadata too.
// The checkpoint must hold exactly the tensors of the model its configuration describes (plus
// training state), with finite values: see training.CheckModelTensors.
func LoadCheckpoint(backend compute.Backend, dir string) (*Model, map[string]string, error) {
	return loadCheckpoint(backend, dir, "gpt.LoadCheckpoint", false)
}

// loadCheckpoint reads and checks a training checkpoint and builds the model on its tensors: all
// of them (resume), or only the model's variables (weightsOnly: LoadWeights).
func loadCheckpoint(backend compute.Backend, dir, who string, weightsOnly bool) (*Model, map[string]string, error) {
	ts, meta, err := training.ReadCheckpoint(dir)
	if err != nil {
		return nil, nil, err
	}
	c, err := ConfigFromMeta(meta)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %s: %w", who, dir, err)
	}
	want := c.variableShapes()
	if err := training.CheckModelTensors(filepath.Join(dir, training.CheckpointFile), ts, want); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", who, err)
	}
	if weightsOnly { // drop the optimizer state, the global step and the training metrics
		maps.DeleteFunc(ts, func(name string, _ *tensors.Tensor) bool { _, ok := want[name]; return !ok })
	}
	store := model.NewStore()
	if err := training.SetVariables(store, ts); err != nil {
		return nil, nil, fmt.Errorf("%s: %s: %w", who, dir, err)
	}
	m, err := newWithStore(backend, c, store)
	return m, meta, err
}

// ConfigFromMeta reads and validates the model configuration stored in a checkpoint's metadata
// (MetaConfig, JSON).
func ConfigFromMeta(meta map[string]string) (Config, error) {
	raw, ok := meta[MetaConfig]
	if !ok {
		return Config{}, fmt.Errorf("no %q metadata (not a GPT checkpoint?)", MetaConfig)
	}
	var c Config
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return Config{}, fmt.Errorf("bad %s metadata: %w", MetaConfig, err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s metadata: %w", MetaConfig, err)
	}
	return c, nil
}

// variableShapes lists the model's variables (paths of the store) and their shapes.
func (c Config) variableShapes() map[string]shapes.Shape {
	out := map[string]shapes.Shape{}
	for _, e := range hfNames(c) {
		out[e.ours] = shapes.Make(dtypes.Float32, e.shape...)
	}
	return out
}

// LoadWeights rebuilds only the model from a training checkpoint: its weights, without the
// optimizer state, the global step or the training metrics, so that training it again starts a
// fresh run (step 0, new AdamW moments, the schedule from the start) — fine-tuning a pre-trained
// model (chapter 11). It returns the checkpoint's metadata too.
func LoadWeights(backend compute.Backend, dir string) (*Model, map[string]string, error) {
	return loadCheckpoint(backend, dir, "gpt.LoadWeights", true)
}
