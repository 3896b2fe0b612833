package gpt_test

import (
	"fmt"

	"github.com/bert2gpt/bert2gpt/transformer/gpt"
)

// ExampleParamCount prints the sizes chapter 01 compares.
func ExampleParamCount() {
	for _, name := range []string{"gpt1", "gpt2", "gpt2-xl", "gpt3-175b"} {
		c, _ := gpt.Preset(name)
		fmt.Printf("%s: %.1fM\n", name, float64(gpt.ParamCount(c))/1e6)
	}
	// Output:
	// gpt1: 116.5M
	// gpt2: 124.4M
	// gpt2-xl: 1557.6M
	// gpt3-175b: 174604.3M
}

// ExampleConfig_Validate shows a configuration error naming the HF field.
func ExampleConfig_Validate() {
	c, _ := gpt.Preset("nanogpt-cpu")
	c.NHead = 3
	fmt.Println(c.Validate())
	// Output: gpt.Config: n_embd = 128 is not divisible by n_head = 3
}

// ExampleSample shows greedy decoding picking the argmax.
func ExampleSample() {
	fmt.Println(gpt.Sample([]float32{0.1, 2.5, -1}, 0, 0, 0, nil))
	// Output: 1
}
