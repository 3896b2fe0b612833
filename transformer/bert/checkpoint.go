package bert

import (
	"fmt"
	"path/filepath"

	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/compute"
)

// LoadCheckpoint opens a model saved by Pretrain or Finetune in dir: config.json and
// checkpoint.safetensors (the optimizer state in it is loaded too but unused by inference).
func LoadCheckpoint(backend compute.Backend, dir string, head Head, numLabels int) (*Model, error) {
	c, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	if !training.HasCheckpoint(dir) {
		return nil, fmt.Errorf("bert.LoadCheckpoint: %s has no %s", dir, training.CheckpointFile)
	}
	m, err := New(backend, c, head, numLabels)
	if err != nil {
		return nil, err
	}
	if _, err := training.LoadCheckpoint(dir, m.Store); err != nil {
		return nil, err
	}
	return m, nil
}
