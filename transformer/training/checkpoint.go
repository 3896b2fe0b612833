package training

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// CheckpointFile is the file name of a checkpoint inside its directory.
const CheckpointFile = "checkpoint.safetensors"

// Why not GoMLX's ml/model/checkpoint: its Save creates the .json and .bin files in place, so a
// crash in the middle leaves a half-written newest checkpoint that the next start would pick.
// A checkpoint here is one safetensors file holding every variable of the store (weights,
// optimizer moments, the global step, the dropout RNG state) written with WriteFileAtomic:
// an interrupted save leaves the previous checkpoint intact.

// SaveCheckpoint writes all variables of store, keyed by their full paths, and the metadata
// strings (e.g. the model configuration as JSON) to dir/checkpoint.safetensors atomically.
// The global step is stored in the metadata as "global_step" too.
func SaveCheckpoint(dir string, store *model.Store, meta map[string]string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("SaveCheckpoint: %w", err)
	}
	ts := map[string]*tensors.Tensor{}
	var names []string
	for v := range store.IterVariables() {
		value, err := v.Value()
		if err != nil {
			return fmt.Errorf("SaveCheckpoint: variable %s: %w", v.Path(), err)
		}
		ts[v.Path()] = value
		names = append(names, v.Path())
	}
	all := map[string]string{"format": "bert2gpt-checkpoint-v1"}
	for k, v := range meta {
		all[k] = v
	}
	if v := store.GetVariable(optimizer.GlobalStepVariableName); v != nil {
		all["global_step"] = fmt.Sprint(optimizer.GetGlobalStep(store))
	}
	if err := WriteSafetensors(filepath.Join(dir, CheckpointFile), ts, names, all); err != nil {
		return fmt.Errorf("SaveCheckpoint: %w", err)
	}
	return nil
}

// HasCheckpoint reports whether dir holds a checkpoint.
func HasCheckpoint(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, CheckpointFile))
	return err == nil
}

// ReadCheckpoint reads dir/checkpoint.safetensors: tensors keyed by variable path, and metadata.
func ReadCheckpoint(dir string) (map[string]*tensors.Tensor, map[string]string, error) {
	file := filepath.Join(dir, CheckpointFile)
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("no checkpoint in %s (expected %s)", dir, CheckpointFile)
	}
	return ReadSafetensors(file)
}

// LoadCheckpoint restores a checkpoint written by SaveCheckpoint into store and returns its
// metadata. Variables that already exist get the saved values (shapes must match); the others
// are handed to the store's loader and take their saved values when the model graph creates
// them, so LoadCheckpoint may be called before or after the first graph is built.
func LoadCheckpoint(dir string, store *model.Store) (map[string]string, error) {
	ts, meta, err := ReadCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	if err := SetVariables(store, ts); err != nil {
		return nil, fmt.Errorf("loading %s: %w", filepath.Join(dir, CheckpointFile), err)
	}
	return meta, nil
}

// SetVariables gives store the values in ts (keyed by full variable path): existing variables
// are set now (a shape mismatch is an error naming the variable), the rest through a loader as
// the variables are created.
func SetVariables(store *model.Store, ts map[string]*tensors.Tensor) error {
	pending := map[string]*tensors.Tensor{}
	for path, t := range ts {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		v := store.GetVariable(path)
		if v == nil {
			pending[path] = t
			continue
		}
		if !v.Shape().Equal(t.Shape()) {
			return fmt.Errorf("variable %s has shape %s, the saved tensor %s", path, v.Shape(), t.Shape())
		}
		if err := v.SetValue(t); err != nil {
			return fmt.Errorf("variable %s: %w", path, err)
		}
	}
	if len(pending) > 0 {
		store.SetLoader(&mapLoader{values: pending, next: store.Loader()})
	}
	return nil
}

// mapLoader serves saved values to variables created after loading (model.Loader).
type mapLoader struct {
	values map[string]*tensors.Tensor
	next   model.Loader
}

// LoadVariable implements model.Loader.
func (l *mapLoader) LoadVariable(store *model.Store, fullPath string) (*tensors.Tensor, bool) {
	if t, ok := l.values[fullPath]; ok {
		delete(l.values, fullPath)
		return t, true
	}
	if l.next != nil {
		return l.next.LoadVariable(store, fullPath)
	}
	return nil, false
}

// DeleteVariable implements model.Loader.
func (l *mapLoader) DeleteVariable(store *model.Store, fullPath string) error {
	delete(l.values, fullPath)
	if l.next != nil {
		return l.next.DeleteVariable(store, fullPath)
	}
	return nil
}
