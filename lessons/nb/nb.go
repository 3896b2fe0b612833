// Package nb is what every chapter's first cell needs, so that a set-up cell is a few lines: the
// backend, quick mode, a work directory that carries results from cell to cell (each GoNB cell is
// a new process), a JSON cache of expensive results, an error helper and text ↔ ids.
//
//	be := nb.Backend()                       // XLA if its plugin is installed, else pure Go; quiet
//	steps := nb.Pick(3000, 30)               // full run vs BERT2GPT_QUICK=1
//	dir := nb.WorkDir("ch09")                // $TMPDIR/bert2gpt-ch09, created
//	res := nb.Cached(dir, "run.json", train) // computed once, read back by later cells
//	ids := nb.IDs(tok, "床前明月光")           // []int32, ready for a batch
package nb

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/bert2gpt/bert2gpt/internal/atomicfile"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/gomlx/compute"
)

// QuickEnv is the environment variable of quick mode: BERT2GPT_QUICK=1 shrinks every experiment
// to a few steps, only to check that a chapter runs (CI runs every chapter so).
const QuickEnv = "BERT2GPT_QUICK"

// Quick reports whether the chapter runs in quick mode.
func Quick() bool { return os.Getenv(QuickEnv) == "1" }

// Pick returns full in a full run and quick in quick mode.
func Pick[T any](full, quick T) T {
	if Quick() {
		return quick
	}
	return full
}

// Backend returns the course's backend (backend.New: XLA when its plugin is installed, else the
// pure-Go backend) without the line backend.New prints to standard error; it panics if none can
// be opened.
func Backend() compute.Backend {
	backend.Log = io.Discard
	return backend.MustNew()
}

// Must panics with err if it is not nil: in a notebook cell an error should stop the cell with
// its message (the kernel prints it without a stack trace).
func Must(err error) {
	if err != nil {
		panic(err)
	}
}

// Must1 returns v, or panics with err (for calls that return a value and an error).
func Must1[T any](v T, err error) T {
	Must(err)
	return v
}

// WorkDir returns $TMPDIR/bert2gpt-<name>, created if needed: where a chapter keeps models and
// results between cells.
func WorkDir(name string) string {
	dir := filepath.Join(os.TempDir(), "bert2gpt-"+name)
	Must(os.MkdirAll(dir, 0o755))
	return dir
}

// SaveJSON writes v as indented JSON to dir/name, atomically (a crash never leaves half a file).
func SaveJSON(dir, name string, v any) error {
	js, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return fmt.Errorf("nb.SaveJSON %s: %w", name, err)
	}
	return atomicfile.WriteBytes(filepath.Join(dir, name), js)
}

// LoadJSON reads dir/name into v.
func LoadJSON(dir, name string, v any) error {
	js, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return fmt.Errorf("nb.LoadJSON: %w (run the cell that writes it first)", err)
	}
	if err := json.Unmarshal(js, v); err != nil {
		return fmt.Errorf("nb.LoadJSON %s: %w", filepath.Join(dir, name), err)
	}
	return nil
}

// Cached returns the result stored in dir/name if there is one, else computes it, stores it and
// returns it: an expensive experiment runs once, and a later cell (or a re-run of the chapter's
// prose) reads it back. Delete the file to compute it again.
func Cached[T any](dir, name string, compute func() T) T {
	var v T
	if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
		Must(LoadJSON(dir, name, &v))
		return v
	}
	v = compute()
	Must(SaveJSON(dir, name, v))
	return v
}

// IDs returns the token ids of text as int32 (tokenizer.EncodeIDs), panicking on an error.
func IDs(t tokenizer.Tokenizer, text string) []int32 { return Must1(tokenizer.EncodeIDs(t, text)) }

// Text returns the text of int32 ids (tokenizer.DecodeIDs), panicking on an error.
func Text(t tokenizer.Tokenizer, ids []int32) string { return Must1(tokenizer.DecodeIDs(t, ids)) }
