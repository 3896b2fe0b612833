package training_test

import (
	"fmt"
	"os"

	"github.com/bert2gpt/bert2gpt/transformer/training"
)

// ExampleSchedule_At prints nanoGPT's CPU-recipe learning rate at a few steps.
func ExampleSchedule_At() {
	s := training.Schedule{Kind: training.Cosine, PeakLR: 1e-3, MinLR: 1e-4, WarmupSteps: 100, DecaySteps: 2000}
	for _, it := range []int64{0, 50, 100, 1050, 2000} {
		fmt.Printf("it %4d: lr %.6f\n", it, s.At(it))
	}
	// Output:
	// it    0: lr 0.000010
	// it   50: lr 0.000505
	// it  100: lr 0.001000
	// it 1050: lr 0.000550
	// it 2000: lr 0.000100
}

// ExampleDefaultDecay shows which variables get weight decay.
func ExampleDefaultDecay() {
	for _, p := range []string{"/h/0/mlp/c_fc/weight", "/h/0/mlp/c_fc/bias", "/h/0/ln_1/gain", "/wte/weight"} {
		fmt.Println(p, training.DefaultDecay(p))
	}
	// Output:
	// /h/0/mlp/c_fc/weight true
	// /h/0/mlp/c_fc/bias false
	// /h/0/ln_1/gain false
	// /wte/weight false
}

// ExampleWriteJSONLine prints the final metrics object of a command.
func ExampleWriteJSONLine() {
	_ = training.WriteJSONLine(os.Stdout, training.Metrics{"step": 2000, "val_loss": 1.889, "train_loss": 1.767, "seconds": 364.0})
	// Output: {"seconds":364,"step":2000,"train_loss":1.767,"val_loss":1.889}
}
