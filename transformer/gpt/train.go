package gpt

import (
	"fmt"
	"io"
	"iter"
	"math"
	"math/rand/v2"
	"time"

	"github.com/bert2gpt/bert2gpt/internal/memory"
	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/bert2gpt/bert2gpt/transformer/training"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// TrainConfig is a GPT training recipe. NanoGPTCPU gives nanoGPT's CPU recipe.
type TrainConfig struct {
	Batch       int     // sequences per step
	Iters       int     // schedule length: the cosine reaches MinLR here; train until this global step
	StopAt      int     // if > 0, stop at this global step instead of Iters (same schedule; resume later)
	LR          float64 // peak learning rate
	MinLR       float64 // learning rate at the end of the cosine
	Warmup      int     // warm-up steps
	Beta1       float64
	Beta2       float64
	WeightDecay float64 // on matrices only (training.DefaultDecay)
	ClipNorm    float64 // global gradient-norm clipping; 0 = off
	EvalIters   int     // batches per loss estimate; 0 = no estimates (OnEval still runs, losses NaN)
	EvalEvery   int     // estimate train/val loss every that many steps (0 = only at the end)
	Seed        uint64  // batches and initialisation
	// Devices > 1 trains data-parallel on that many devices of the model's backend (GoMLX's
	// distributed execution, training.NewDataParallel): each step's Batch rows are split evenly
	// over the devices, the weights are replicated. Batch must be divisible by it; 0 or 1 = one device.
	Devices int
	// Checkpoint trains with gradient checkpointing (LogitsCheckpointed): the same updates, with
	// less activation memory and about one more forward pass of compute per step.
	Checkpoint  bool
	Progress    bool // GoMLX progress bar on stdout, or a progress line on ProgressOut
	ProgressOut io.Writer

	// Monitor records every parameter's gradient norm and update ratio at each step
	// (training.AdamW.Monitor; read them with training.ReadMonitor).
	Monitor bool
	// StopOnNonFinite stops training at the first step whose loss or gradient is NaN or ±Inf, with
	// a *training.NonFiniteError naming the step and the tensor (training.Loop.StopOnNonFinite).
	StopOnNonFinite bool
	// OnStep, if set, sees the global step and the batch loss after every update.
	OnStep func(step int64, loss float64)
	// OnMetrics, if set, sees every step's loss, learning rate and gradient norm before clipping.
	OnMetrics func(training.StepMetrics)
	// OnEval, if set, sees every loss estimate (every EvalEvery steps and at the end).
	OnEval func(EvalResult)
	// Stop, if set, is asked after every step; true ends training there, as at the end (final
	// estimate and checkpoint). The schedule is unchanged (see StopAt for a fixed step).
	Stop func(training.StepMetrics) bool
	// Batches, if set, is the training data instead of windows of the training tokens: a
	// train.Dataset yielding inputs [Batch, n_positions] int32 and targets of the same shape (the
	// next token of each input; negative targets are skipped, see IgnoreIndex). The loss
	// estimates still read the train and validation token streams.
	Batches train.Dataset

	CheckpointDir   string // "" = no checkpoints
	CheckpointEvery int    // steps between checkpoints (0 = only at the end)
	Log             io.Writer
}

// NanoGPTCPU is nanoGPT's recipe for a CPU (README, "I only have a macbook"): batch 12, 2000
// iterations, lr 1e-3 cosine to 1e-4 after 100 warm-up steps, β₂ = 0.99, clipping at 1.0,
// weight decay 0.1 (nanoGPT's default), 20 evaluation batches.
func NanoGPTCPU() TrainConfig {
	return TrainConfig{Batch: 12, Iters: 2000, LR: 1e-3, MinLR: 1e-4, Warmup: 100, Beta1: 0.9, Beta2: 0.99,
		WeightDecay: 0.1, ClipNorm: 1, EvalIters: 20, EvalEvery: 250, Seed: 1337}
}

// Validate reports the first bad value.
func (t TrainConfig) Validate() error {
	switch {
	case t.Batch <= 0:
		return fmt.Errorf("gpt: batch %d must be > 0", t.Batch)
	case t.Iters <= 0:
		return fmt.Errorf("gpt: iters %d must be > 0", t.Iters)
	case t.StopAt < 0:
		return fmt.Errorf("gpt: stop-at %d must be ≥ 0", t.StopAt)
	case t.StopAt > t.Iters:
		return fmt.Errorf("gpt: stop-at %d is past iters %d, where the schedule ends (train to iters instead)", t.StopAt, t.Iters)
	case t.EvalIters < 0:
		return fmt.Errorf("gpt: eval iters %d must be ≥ 0 (0 = no loss estimates)", t.EvalIters)
	case t.EvalEvery < 0 || t.CheckpointEvery < 0:
		return fmt.Errorf("gpt: eval/checkpoint intervals must be ≥ 0")
	case t.Devices < 0:
		return fmt.Errorf("gpt: devices %d must be ≥ 1 (0 = one device)", t.Devices)
	}
	if err := training.CheckBatch(t.Batch, t.Devices); err != nil {
		return fmt.Errorf("gpt: %w", err)
	}
	return t.optimizer().Validate()
}

func (t TrainConfig) target() int {
	if t.StopAt > 0 {
		return t.StopAt
	}
	return t.Iters
}

func (t TrainConfig) optimizer() *training.AdamW {
	return &training.AdamW{
		Schedule: training.Schedule{Kind: training.Cosine, PeakLR: t.LR, MinLR: t.MinLR, WarmupSteps: t.Warmup, DecaySteps: max(t.Iters, t.Warmup+1)},
		Beta1:    t.Beta1, Beta2: t.Beta2, Epsilon: 1e-8, WeightDecay: t.WeightDecay, ClipNorm: t.ClipNorm,
		Monitor: t.Monitor,
	}
}

// StepBatches yields causal-LM batches whose content depends only on (seed, k), k being the
// store's global step when the batch is drawn: a run resumed from a checkpoint at step k sees
// exactly the batches an uninterrupted run sees from step k on. Each row is a random window
// tokens[i : i+T] with target tokens[i+1 : i+T+1], i uniform in [0, len−T−1] (nanoGPT get_batch).
type StepBatches struct {
	Tokens []int32
	SeqLen int
	Batch  int
	Seed   uint64
	Store  *model.Store // where the global step is read; nil = count from 0
	// Count > 0 makes a finite dataset of Count batches drawn with the fixed step numbers 0…Count−1
	// (loss estimates); 0 is an endless training stream.
	Count int
}

// Name implements train.Dataset.
func (d *StepBatches) Name() string { return "gpt-lm-windows" }

// Batch returns the inputs and targets [Batch][SeqLen] of batch k.
func (d *StepBatches) BatchAt(k int64) (inputs, targets [][]int32) {
	rng := rand.New(rand.NewPCG(d.Seed, uint64(k)))
	n := len(d.Tokens) - d.SeqLen
	inputs = make([][]int32, d.Batch)
	targets = make([][]int32, d.Batch)
	for b := range d.Batch {
		i := rng.IntN(n)
		inputs[b] = d.Tokens[i : i+d.SeqLen]
		targets[b] = d.Tokens[i+1 : i+d.SeqLen+1]
	}
	return
}

// Iter implements train.Dataset (training.StepDataset over BatchAt).
func (d *StepBatches) Iter() iter.Seq2[train.Batch, error] {
	return BatchesFrom(d.Store, d.Count, d.BatchAt).Iter()
}

// BatchesFrom is a causal-LM dataset for TrainConfig.Batches (or a loss estimate) whose batch k is
// batchAt(k): inputs and targets [batch][seq] int32, negative targets skipped (IgnoreIndex).
// k is the store's global step (count 0: an endless training stream that resumes exactly), or
// 0…count−1 (count > 0: a fixed evaluation set). StepBatches is BatchesFrom over random windows.
func BatchesFrom(store *model.Store, count int, batchAt func(k int64) (inputs, targets [][]int32)) *training.StepDataset {
	return &training.StepDataset{Label: "gpt-lm-batches", Store: store, Count: count,
		Batch: func(k int64) train.Batch { return batchOf(batchAt(k)) }}
}

// Trainer wires a Model to GoMLX's train.Trainer with the causal-LM loss and AdamW, after checking
// that the training state and activations (Config.TrainingBytes) fit in the available memory.
func (m *Model) Trainer(t TrainConfig) (*train.Trainer, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	c := m.Config
	what := fmt.Sprintf("gpt: training %d parameters with batch %d × block %d", ParamCount(c), t.Batch, c.NPositions)
	if err := memory.Check(what, c.TrainingBytes(t.Batch)); err != nil {
		return nil, err
	}
	var tr *train.Trainer
	err := transformer.Catch("gpt.Model.Trainer", func() error {
		tr = train.NewTrainer(m.Backend, m.Store,
			func(scope *model.Scope, tokens *Node) *Node {
				if t.Checkpoint {
					return LogitsCheckpointed(scope, c, tokens)
				}
				return Logits(scope, c, tokens)
			},
			func(labels, predictions []*Node) *Node { return Loss(predictions[0], labels[0]) },
			t.optimizer(), nil, nil)
		return nil
	})
	return tr, err
}

// EvalResult is one loss estimate of Train: the mean loss over EvalIters batches of the training
// and of the validation tokens at global step Step.
type EvalResult struct {
	Step               int64
	TrainLoss, ValLoss float64
	Elapsed            time.Duration // since Train started
}

// TrainResult is what Train reports (the fields of the final JSON line).
type TrainResult struct {
	Step      int64   `json:"step"`
	TrainLoss float64 `json:"train_loss"` // mean loss over EvalIters train batches at the end
	ValLoss   float64 `json:"val_loss"`   // mean loss over EvalIters validation batches at the end
	LastBatch float64 `json:"last_batch_loss"`
	Seconds   float64 `json:"seconds"`
	StepMS    float64 `json:"step_ms"` // median train-step time of this run
}

// EstimateLoss is nanoGPT's estimate_loss: the mean loss over EvalIters batches (fixed seed, so
// repeated estimates use the same batches).
func EstimateLoss(tr *train.Trainer, tokens []int32, seqLen, batch, evalIters int, seed uint64) (float64, error) {
	ds := &StepBatches{Tokens: tokens, SeqLen: seqLen, Batch: batch, Seed: seed, Count: evalIters}
	out, err := tr.Eval(ds)
	if err != nil {
		return math.NaN(), err
	}
	v := out[0].Value()
	switch x := v.(type) {
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	}
	return math.NaN(), fmt.Errorf("gpt: eval loss of type %T", v)
}

// Train runs the recipe on train/val token streams (block size = n_positions) from the store's
// current global step (0, or where a loaded checkpoint left off) to t.Iters.
func (m *Model) Train(t TrainConfig, trainTokens, valTokens []int32, meta map[string]string) (TrainResult, error) {
	res := TrainResult{TrainLoss: math.NaN(), ValLoss: math.NaN(), LastBatch: math.NaN()}
	T := m.Config.NPositions
	// The token streams feed the default batches (train) and the loss estimates (both): with
	// Batches and EvalIters 0 set, neither is read and both may be nil.
	for name, toks := range map[string][]int32{"train": trainTokens, "validation": valTokens} {
		needed := t.EvalIters > 0 || (name == "train" && t.Batches == nil)
		if needed && len(toks) < T+2 {
			return res, fmt.Errorf("gpt: %s data has %d tokens, need more than block size %d + 1", name, len(toks), T)
		}
	}
	if optimizer.GetGlobalStep(m.Store) == 0 {
		// A fresh run: the initialisation (and dropout) random stream comes from the seed.
		if err := m.Store.SetRNGStateFromSeed(int64(t.Seed)); err != nil {
			return res, err
		}
	}
	tr, err := m.Trainer(t)
	if err != nil {
		return res, err
	}
	start := time.Now()
	estimate := func(step int64) error {
		if t.EvalIters == 0 { // no estimate: only the callback, at the same steps
			if t.OnEval != nil {
				t.OnEval(EvalResult{Step: step, TrainLoss: math.NaN(), ValLoss: math.NaN(), Elapsed: time.Since(start)})
			}
			return nil
		}
		var err error
		if res.TrainLoss, err = EstimateLoss(tr, trainTokens, T, t.Batch, t.EvalIters, t.Seed+1); err != nil {
			return err
		}
		if res.ValLoss, err = EstimateLoss(tr, valTokens, T, t.Batch, t.EvalIters, t.Seed+2); err != nil {
			return err
		}
		if t.Log != nil {
			fmt.Fprintf(t.Log, "step %d: train loss %.4f, val loss %.4f\n", step, res.TrainLoss, res.ValLoss)
		}
		if t.OnEval != nil {
			t.OnEval(EvalResult{Step: step, TrainLoss: res.TrainLoss, ValLoss: res.ValLoss, Elapsed: time.Since(start)})
		}
		return nil
	}
	var source train.Dataset = &StepBatches{Tokens: trainTokens, SeqLen: T, Batch: t.Batch, Seed: t.Seed, Store: m.Store}
	if t.Batches != nil {
		source = t.Batches
	}
	data, err := training.NewDataParallel(m.Backend, m.Store, source, t.Devices)
	if err != nil {
		return res, fmt.Errorf("gpt: %w", err)
	}
	var durations []time.Duration
	last := time.Now()
	loop := &training.Loop{
		Trainer: tr, TargetStep: t.target(), Progress: t.Progress, ProgressOut: t.ProgressOut,
		Data:          data,
		EvalEvery:     t.EvalEvery,
		Eval:          estimate,
		CheckpointDir: t.CheckpointDir, CheckpointEvery: t.CheckpointEvery, Meta: meta, Log: t.Log,
		StopOnNonFinite: t.StopOnNonFinite,
		OnMetrics:       t.OnMetrics, Stop: t.Stop,
		OnStep: func(step int64, loss float64) {
			now := time.Now()
			durations = append(durations, now.Sub(last))
			last = now
			if t.OnStep != nil {
				t.OnStep(step, loss)
			}
		},
	}
	r, err := loop.Run()
	res.Step, res.LastBatch = r.Step, r.TrainLoss
	res.Seconds = time.Since(start).Seconds()
	res.StepMS = medianMS(durations)
	return res, err
}

func medianMS(ds []time.Duration) float64 {
	if len(ds) == 0 {
		return math.NaN()
	}
	s := append([]time.Duration(nil), ds...)
	for i := 1; i < len(s); i++ { // insertion sort: a few thousand values
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return float64(s[len(s)/2].Microseconds()) / 1000
}

// batchOf wraps inputs and targets as a train.Batch.
func batchOf(inputs, targets [][]int32) train.Batch {
	return train.Batch{Inputs: []*tensors.Tensor{tensors.FromValue(inputs)}, Labels: []*tensors.Tensor{tensors.FromValue(targets)}}
}
