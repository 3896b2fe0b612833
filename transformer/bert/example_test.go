package bert_test

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/bert2gpt/bert2gpt/transformer/bert"
)

// The parameter counts chapter 01 quotes: BERT-base ≈ 110M, BERT-large ≈ 340M.
func ExampleParamCount() {
	fmt.Printf("BERT-base:  %d (%.0fM)\n", bert.ParamCount(bert.BaseConfig()), float64(bert.ParamCount(bert.BaseConfig()))/1e6)
	fmt.Printf("BERT-large: %d (%.0fM)\n", bert.ParamCount(bert.LargeConfig()), float64(bert.ParamCount(bert.LargeConfig()))/1e6)
	// Output:
	// BERT-base:  110106428 (110M)
	// BERT-large: 336226108 (336M)
}

// Loading a Hugging Face BERT directory (config.json + model.safetensors) and running it.
func ExampleLoadPretrained() {
	backend.Log = io.Discard
	b, err := backend.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := bert.LoadPretrained(b, filepath.Join("testdata", "tiny"), bert.PreTrainingHeads, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := m.Forward(bert.Batch{
		InputIDs:      [][]int32{{2, 10, 4, 12, 3}},
		TokenTypeIDs:  [][]int32{{0, 0, 0, 0, 0}},
		AttentionMask: [][]int32{{1, 1, 1, 1, 1}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("MLM logits:", r.MLMLogits.Shape().Dimensions, "NSP logits:", r.NSPLogits.Shape().Dimensions,
		"pooled:", r.Pooled.Shape().Dimensions, "hidden states:", len(r.Hidden))
	// Output:
	// MLM logits: [1 5 40] NSP logits: [1 2] pooled: [1 24] hidden states: 3
}
