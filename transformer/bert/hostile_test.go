package bert

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bert2gpt/bert2gpt/internal/memory"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/gomlx/core/tensors"
)

// wantErr fails unless err mentions every part.
func wantErr(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one mentioning %q", what, parts)
		return
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not mention %q", what, err, p)
		}
	}
}

// TestConfigBounds: num_hidden_layers 1e8 and friends fail in Validate, naming the field and the
// bound (fill-mask used to run for minutes with memory growing); NaN probabilities are rejected.
func TestConfigBounds(t *testing.T) {
	for field, v := range map[string]int{"num_hidden_layers": 100_000_000, "vocab_size": 1 << 30, "hidden_size": 1 << 20,
		"intermediate_size": 1 << 30, "max_position_embeddings": 1 << 40, "type_vocab_size": 1 << 20, "num_attention_heads": 1 << 20} {
		raw := map[string]any{"vocab_size": 30, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
			"intermediate_size": 16, "max_position_embeddings": 16}
		raw[field] = v
		data, _ := json.Marshal(raw)
		_, err := ParseConfig(data)
		wantErr(t, field, err, field, "above the limit", "bert.Max")
	}
	for _, name := range []string{"tiny", "mini", "base", "large"} {
		if c, err := Preset(name, 0); err != nil || c.Validate() != nil {
			t.Errorf("preset %s: %v %v", name, err, c.Validate())
		}
	}
	c := TinyConfig(30)
	c.HiddenDropoutProb, c.LayerNormEps, c.InitializerRange = math.NaN(), math.Inf(1), math.NaN()
	wantErr(t, "NaN", c.Validate(), "hidden_dropout_prob", "layer_norm_eps", "initializer_range")
}

// TestCheckpointMustBeComplete: a checkpoint without its encoder, with the wrong head, with NaN
// weights or with a vocabulary of another size is an error (it used to run on random weights).
func TestCheckpointMustBeComplete(t *testing.T) {
	b := testBackend(t)
	dir, po, saved := toyPretrained(t, b)
	if _, err := LoadCheckpoint(b, dir, PreTrainingHeads, 0); err != nil {
		t.Fatalf("the complete checkpoint: %v", err)
	}
	rewrite := func(edit func(ts map[string]*tensors.Tensor)) {
		t.Helper()
		ts := map[string]*tensors.Tensor{}
		for k, v := range saved {
			ts[k] = v
		}
		edit(ts)
		if err := training.WriteSafetensors(filepath.Join(dir, training.CheckpointFile), ts, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	rewrite(func(ts map[string]*tensors.Tensor) {
		for k := range ts {
			if strings.HasPrefix(k, "/bert/encoder/") {
				delete(ts, k)
			}
		}
	})
	_, err := LoadCheckpoint(b, dir, PreTrainingHeads, 0)
	wantErr(t, "no encoder", err, "missing tensor", "/bert/encoder/layer_0/")
	_, _, err = Finetune(b, FinetuneOptions{Model: po.Model, Pretrained: dir, NumLabels: 2, Train: toyClassification(toyDocs(20, 3)),
		Valid: toyClassification(toyDocs(4, 4)), Specials: po.Specials, SeqLen: 14, BatchSize: 4, Steps: 1, LR: 1e-3})
	wantErr(t, "fine-tuning from it", err, "missing encoder tensor", "/bert/encoder/layer_0/")

	rewrite(func(ts map[string]*tensors.Tensor) {})
	_, err = LoadCheckpoint(b, dir, ClassifierHead, 2)
	wantErr(t, "classifier asked, pre-training heads found", err, `missing tensor "/classifier/bias"`)

	rewrite(func(ts map[string]*tensors.Tensor) {
		v := tensors.MustCopyFlatData[float32](ts["/cls/predictions/bias"])
		v[3] = float32(math.Inf(-1))
		ts["/cls/predictions/bias"] = tensors.FromFlatDataAndDimensions(v, len(v))
	})
	_, err = LoadCheckpoint(b, dir, PreTrainingHeads, 0)
	wantErr(t, "-Inf", err, `"/cls/predictions/bias"`, "non-finite")

	rewrite(func(ts map[string]*tensors.Tensor) {})
	tok, err := tokenizer.TrainChar([]string{"床前明月光"}, tokenizer.BERTSpecials(), 0) // 10 tokens, the model has 30
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveVocab(dir, tok); err != nil {
		t.Fatal(err)
	}
	_, err = LoadCheckpoint(b, dir, PreTrainingHeads, 0)
	wantErr(t, "vocabulary", err, "vocabulary has 10 tokens", "vocab_size is 30")
}

// TestNewChecksMemory: BERT-large under a 1 GiB limit is refused before anything is built.
func TestNewChecksMemory(t *testing.T) {
	t.Setenv(memory.EnvLimit, "1G")
	_, err := New(testBackend(t), LargeConfig(), PreTrainingHeads, 0)
	wantErr(t, "BERT-large", err, "336226108 parameters", "1.3 GB", memory.EnvLimit)
}

// TestConcurrentForward: 4 goroutines run Forward on a fresh model; each gets what a lone call gets.
func TestConcurrentForward(t *testing.T) {
	c := TinyConfig(30)
	c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers = 16, 32, 1
	m, err := New(testBackend(t), c, PreTrainingHeads, 0)
	if err != nil {
		t.Fatal(err)
	}
	batch := func(n int) Batch {
		ids, types, mask := make([]int32, n), make([]int32, n), make([]int32, n)
		for i := range ids {
			ids[i], mask[i] = int32(i%30), 1
		}
		return Batch{InputIDs: [][]int32{ids}, TokenTypeIDs: [][]int32{types}, AttentionMask: [][]int32{mask}}
	}
	got := make([]*Result, 4)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i], errs[i] = m.Forward(batch(3 + i)) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		alone, err := m.Forward(batch(3 + i))
		if err != nil {
			t.Fatal(err)
		}
		a, b := tensors.MustCopyFlatData[float32](got[i].MLMLogits), tensors.MustCopyFlatData[float32](alone.MLMLogits)
		for j := range a {
			if a[j] != b[j] {
				t.Fatalf("goroutine %d: logits differ from a lone call", i)
			}
		}
	}
}
