package bert

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
)

// LoadCheckpoint opens a model saved by Pretrain or Finetune in dir: config.json and
// checkpoint.safetensors (the optimizer state in it is loaded too but unused by inference). The
// checkpoint must hold exactly the variables of the model with this config and head (plus training
// state), with finite values (training.CheckModelTensors): a checkpoint without its encoder, or
// with the classifier where the pre-training heads are asked for, is an error, not a model running
// on random weights. A character vocabulary in dir (VocabFile) must fit the config (CheckVocab).
func LoadCheckpoint(backend compute.Backend, dir string, head Head, numLabels int) (*Model, error) {
	c, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	if !training.HasCheckpoint(dir) {
		return nil, fmt.Errorf("bert.LoadCheckpoint: %s has no %s", dir, training.CheckpointFile)
	}
	if _, err := os.Stat(filepath.Join(dir, VocabFile)); err == nil {
		tok, err := LoadVocab(dir)
		if err != nil {
			return nil, fmt.Errorf("bert.LoadCheckpoint: %w", err)
		}
		if err := c.CheckVocab(tok); err != nil {
			return nil, fmt.Errorf("bert.LoadCheckpoint: %s: %w", dir, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("bert.LoadCheckpoint: %w", err)
	}
	m, err := New(backend, c, head, numLabels)
	if err != nil {
		return nil, err
	}
	ts, _, err := training.ReadCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, training.CheckpointFile)
	if err := training.CheckModelTensors(file, ts, variableShapes(c, head, numLabels, "")); err != nil {
		return nil, fmt.Errorf("bert.LoadCheckpoint: %w (config.json: %s)", err, shapeHint(c))
	}
	if err := training.SetVariables(m.Store, ts); err != nil {
		return nil, fmt.Errorf("bert.LoadCheckpoint: loading %s: %w", file, err)
	}
	return m, nil
}

// variableShapes lists the model's variables (store paths) and shapes for a head; group, if not
// empty, keeps only that group ("bert" for the encoder).
func variableShapes(c Config, head Head, numLabels int, group string) map[string]shapes.Shape {
	out := map[string]shapes.Shape{}
	for _, p := range hfParams(c, head, numLabels) {
		if group == "" || p.group == group {
			out[p.ours] = shapes.Make(dtypes.Float32, p.shape...)
		}
	}
	return out
}

// CheckVocab reports a vocabulary that does not fit the model: a size other than vocab_size, or
// a [PAD] id other than pad_token_id.
func (c Config) CheckVocab(tok tokenizer.Tokenizer) error {
	if tok.VocabSize() != c.VocabSize {
		return fmt.Errorf("the vocabulary has %d tokens, the model's vocab_size is %d", tok.VocabSize(), c.VocabSize)
	}
	if pad, ok := tok.SpecialID(tokenizer.Pad); ok && pad != c.PadTokenID {
		return fmt.Errorf("the vocabulary's [PAD] is id %d, the model's pad_token_id is %d", pad, c.PadTokenID)
	}
	return nil
}
