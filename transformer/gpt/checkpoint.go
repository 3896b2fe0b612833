package gpt

import (
	"encoding/json"
	"fmt"

	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/compute"
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
func LoadCheckpoint(backend compute.Backend, dir string) (*Model, map[string]string, error) {
	ts, meta, err := training.ReadCheckpoint(dir)
	if err != nil {
		return nil, nil, err
	}
	raw, ok := meta[MetaConfig]
	if !ok {
		return nil, nil, fmt.Errorf("gpt.LoadCheckpoint: %s has no %q metadata (not a GPT checkpoint?)", dir, MetaConfig)
	}
	var c Config
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return nil, nil, fmt.Errorf("gpt.LoadCheckpoint: %s: bad config: %w", dir, err)
	}
	if err := c.Validate(); err != nil {
		return nil, nil, fmt.Errorf("gpt.LoadCheckpoint: %s: %w", dir, err)
	}
	store := model.NewStore()
	if err := training.SetVariables(store, ts); err != nil {
		return nil, nil, fmt.Errorf("gpt.LoadCheckpoint: %s: %w", dir, err)
	}
	m, err := newWithStore(backend, c, store)
	return m, meta, err
}
