package bert

import (
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/bert2gpt/bert2gpt/backend/weights"
	"github.com/bert2gpt/bert2gpt/datasets"
	"github.com/bert2gpt/bert2gpt/internal/memory"
	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// stepBatches is a train.Dataset of BERT pre-training batches in which batch k depends only on
// (seed, k): a resumed run that starts at step k sees exactly the batches an uninterrupted run
// would have seen, so it continues the same loss curve.
type stepBatches struct {
	name  string
	ds    *datasets.BERTPretraining
	batch int
	seed  uint64
	// Next is the index of the next batch Iter yields; count > 0 stops after that many batches.
	next, count int
}

// Name implements train.Dataset.
func (s *stepBatches) Name() string { return s.name }

// Iter implements train.Dataset: batches next, next+1, … (endless unless count > 0).
func (s *stepBatches) Iter() iter.Seq2[train.Batch, error] {
	return func(yield func(train.Batch, error) bool) {
		for k := s.next; s.count <= 0 || k < s.next+s.count; k++ {
			if !yield(s.Batch(k), nil) {
				return
			}
		}
	}
}

// Batch builds batch k: Inputs [input_ids, token_type_ids, attention_mask int32 [B, T],
// mlm_positions int32 [B, P]]; Labels [mlm_labels int32 [B, P], mlm_weights float32 [B, P],
// nsp_labels int32 [B]], where P = MaxPredictions(T) and row b lists the positions selected for
// prediction (padded with position 0, label IgnoreIndex and weight 0). As in the original BERT
// (max_predictions_per_seq), the MLM head only runs at these P positions, not at all T.
func (s *stepBatches) Batch(k int) train.Batch {
	r := rand.New(rand.NewPCG(s.seed, uint64(k)*0x9E3779B97F4A7C15+1))
	var ids, types, mask, positions, labels, nsp []int32
	var weights []float32
	T, P := 0, 0
	for range s.batch {
		ex := s.ds.Example(r)
		T = len(ex.InputIDs)
		P = MaxPredictions(T)
		ids = append(ids, ex.InputIDs...)
		types = append(types, ex.SegmentIDs...)
		mask = append(mask, ex.AttentionMask...)
		n := 0
		for t, w := range ex.MLMWeights {
			if w > 0 && n < P {
				positions, labels, weights = append(positions, int32(t)), append(labels, ex.MLMLabels[t]), append(weights, w)
				n++
			}
		}
		for ; n < P; n++ {
			positions, labels, weights = append(positions, 0), append(labels, IgnoreIndex), append(weights, 0)
		}
		nsp = append(nsp, ex.NSPLabel)
	}
	B := s.batch
	return train.Batch{
		Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(ids, B, T),
			tensors.FromFlatDataAndDimensions(types, B, T), tensors.FromFlatDataAndDimensions(mask, B, T),
			tensors.FromFlatDataAndDimensions(positions, B, P)},
		Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(labels, B, P),
			tensors.FromFlatDataAndDimensions(weights, B, P), tensors.FromFlatDataAndDimensions(nsp, B)},
	}
}

// MaxPredictions is P, the number of MLM predictions kept per sequence of length T: twice the
// expected 15% plus 2, so that dropping selections beyond P almost never happens (for T = 32:
// P = 11, while the number selected is Binomial(≤30, 0.15), mean 4.5).
func MaxPredictions(T int) int { return int(0.3*float64(T)) + 2 }

// GatherPositions picks, for every row b, the vectors sequence[b, positions[b, p]]:
// sequence [batch, seq, hidden], positions integer [batch, P] → [batch, P, hidden].
func GatherPositions(sequence, positions *Node) *Node {
	g := sequence.Graph()
	batch, seq, hidden := sequence.Shape().Dim(0), sequence.Shape().Dim(1), sequence.Shape().Dim(2)
	P := positions.Shape().Dim(1)
	rowStart := MulScalar(Iota(g, shapes.Make(positions.DType(), batch, P), 0), float64(seq)) // [batch, P]: b·seq
	flat := Reshape(sequence, batch*seq, hidden)                                              // [batch·seq, hidden]
	return Gather(flat, InsertAxes(Add(rowStart, positions), -1))                             // [batch, P, hidden]
}

// PreTrainingAt is PreTraining with the MLM head applied only at the given positions
// ([batch, P]): it returns MLM logits [batch, P, vocab] and NSP logits [batch, 2].
func PreTrainingAt(scope *model.Scope, c Config, inputIDs, tokenTypeIDs, attentionMask, positions *Node) (mlm, nsp *Node) {
	out := Encode(scope.In("bert"), c, inputIDs, tokenTypeIDs, attentionMask)
	cls := scope.In("cls")
	mlm = MLMLogits(cls.In("predictions"), c, GatherPositions(out.Sequence, positions), out.WordEmbeddings)
	nsp = NSPLogits(cls.In("seq_relationship"), c, out.Pooled)
	return mlm, nsp
}

// Specials are the ids of BERT's special tokens in a vocabulary.
type Specials struct {
	PAD, UNK, CLS, SEP, MASK int
}

// PretrainOptions configures Pretrain.
type PretrainOptions struct {
	// Model is the BERT configuration (validated).
	Model Config
	// Train and Valid are documents of sentences of token ids (no specials), e.g. poems of lines;
	// next-sentence pairs are consecutive sentences of one document (datasets.BERTPretraining).
	Train, Valid [][][]int
	// Specials are the special token ids.
	Specials Specials
	// SeqLen is the sequence length T ([CLS] A [SEP] B [SEP] and padding); BatchSize is B.
	SeqLen, BatchSize int
	// Steps is the global step to train to; WarmupSteps of linear warm-up, then linear decay to 0 at Steps.
	Steps, WarmupSteps int
	// LR is the peak learning rate; WeightDecay AdamW's λ; ClipNorm the maximum global gradient norm.
	LR, WeightDecay, ClipNorm float64
	// EvalEvery > 0 evaluates on the validation batches every that many steps (always at the end);
	// EvalBatches is the number of validation batches (fixed, the same at every evaluation).
	EvalEvery, EvalBatches int
	// CheckpointDir, if set, receives checkpoints every CheckpointEvery steps and at the end; if it
	// holds a checkpoint already, training resumes from it.
	CheckpointDir   string
	CheckpointEvery int
	// Seed fixes the initialisation and the data.
	Seed uint64
	// Progress shows GoMLX's progress bar on stdout, or a progress line on ProgressOut if set;
	// Log receives one-line notes (evaluations, checkpoints); nil discards them.
	Progress    bool
	ProgressOut io.Writer
	Log         io.Writer
	// StopAt > 0 ends the run at that global step (the schedule still runs to Steps): an
	// interruption, for tests and for training in slices.
	StopAt int
	// OnStep, if set, sees the global step and training loss after every update.
	OnStep func(step int64, loss float64)
	// OnMetrics, if set, sees every step's loss, learning rate and gradient norm before clipping.
	OnMetrics func(training.StepMetrics)
	// OnEval, if set, sees every validation evaluation (MLM and NSP parts, accuracies), with Step
	// set; it needs EvalBatches > 0 and Valid.
	OnEval func(PretrainMetrics)
	// Stop, if set, is asked after every step; true ends training there, as at the end (final
	// evaluation and checkpoint).
	Stop func(training.StepMetrics) bool
	// Batches, if set, is the training data instead of batches drawn from Train: a train.Dataset
	// whose batches have Pretrain's layout (inputs: input ids, token types, attention mask,
	// positions to predict; labels: their original ids, their weights, NSP labels — as
	// datasets.BERTPretraining makes them).
	Batches train.Dataset
	// Devices > 1 trains data-parallel on that many devices of the backend (GoMLX's distributed
	// execution, training.NewDataParallel): each batch's BatchSize rows are split evenly over the
	// devices and the weights are replicated. BatchSize must be divisible by it; 0 or 1 = one device.
	Devices int
}

// Validate reports the first bad option.
func (o PretrainOptions) Validate() error {
	if err := o.Model.Validate(); err != nil {
		return err
	}
	switch {
	case o.SeqLen < 5 || o.SeqLen > o.Model.MaxPositionEmbeddings:
		return fmt.Errorf("bert.Pretrain: SeqLen %d must be in [5, max_position_embeddings %d]", o.SeqLen, o.Model.MaxPositionEmbeddings)
	case o.BatchSize < 1:
		return fmt.Errorf("bert.Pretrain: BatchSize must be ≥ 1, got %d", o.BatchSize)
	case o.Steps < 1:
		return fmt.Errorf("bert.Pretrain: Steps must be ≥ 1, got %d", o.Steps)
	case o.WarmupSteps < 0 || o.WarmupSteps >= o.Steps:
		return fmt.Errorf("bert.Pretrain: WarmupSteps %d must be in [0, Steps %d)", o.WarmupSteps, o.Steps)
	case o.LR <= 0:
		return fmt.Errorf("bert.Pretrain: LR must be positive, got %g", o.LR)
	case o.EvalBatches < 0:
		return fmt.Errorf("bert.Pretrain: EvalBatches must be ≥ 0, got %d", o.EvalBatches)
	case o.Model.TypeVocabSize < 2:
		return fmt.Errorf("bert.Pretrain: next-sentence pairs need type_vocab_size ≥ 2, got %d", o.Model.TypeVocabSize)
	case o.Devices < 0:
		return fmt.Errorf("bert.Pretrain: Devices %d must be ≥ 1 (0 = one device)", o.Devices)
	}
	if err := training.CheckBatch(o.BatchSize, o.Devices); err != nil {
		return fmt.Errorf("bert.Pretrain: %w", err)
	}
	return nil
}

func (o PretrainOptions) dataset(name string, docs [][][]int, seed uint64) (*datasets.BERTPretraining, error) {
	s := o.Specials
	return datasets.NewBERTPretraining(name, datasets.BERTConfig{
		Docs: docs, MaxLen: o.SeqLen, BatchSize: o.BatchSize, CLS: s.CLS, SEP: s.SEP, PAD: s.PAD, Seed: seed,
		Mask: datasets.MaskConfig{VocabSize: o.Model.VocabSize, MaskID: s.MASK, Specials: []int{s.UNK}},
	})
}

// PretrainMetrics are the results of a pre-training run or an evaluation.
type PretrainMetrics struct {
	Step      int64   `json:"step"`
	TrainLoss float64 `json:"train_loss,omitempty"` // MLM + NSP loss of the last training batch
	// Validation: MLM loss over the predicted positions, its perplexity exp(loss), MLM accuracy
	// (argmax = original token at predicted positions), NSP loss and accuracy.
	MLMLoss       float64 `json:"val_mlm_loss"`
	MLMPerplexity float64 `json:"val_mlm_perplexity"`
	MLMAccuracy   float64 `json:"val_mlm_accuracy"`
	NSPLoss       float64 `json:"val_nsp_loss"`
	NSPAccuracy   float64 `json:"val_nsp_accuracy"`
	Predictions   int     `json:"val_mlm_predictions"` // number of predicted positions evaluated
	Examples      int     `json:"val_examples"`
	Seconds       float64 `json:"seconds"`
}

// Metrics converts m to the key/value report of training.WriteJSONLine.
func (m PretrainMetrics) Metrics() training.Metrics {
	raw, _ := json.Marshal(m)
	out := training.Metrics{}
	_ = json.Unmarshal(raw, &out)
	return out
}

// pretrainModelFn is the ModelFn of the trainer: inputs → [mlm logits, nsp logits].
func pretrainModelFn(c Config) func(scope *model.Scope, spec any, inputs []*Node) []*Node {
	return func(scope *model.Scope, _ any, inputs []*Node) []*Node {
		mlm, nsp := PreTrainingAt(scope, c, inputs[0], inputs[1], inputs[2], inputs[3])
		return []*Node{mlm, nsp}
	}
}

// pretrainLoss is L_MLM + L_NSP.
func pretrainLoss(labels, predictions []*Node) *Node {
	return Add(MaskedLMLoss(predictions[0], labels[0], labels[1]), NSPLoss(predictions[1], labels[2]))
}

// Evaluator computes the validation metrics of a pre-training model on fixed batches.
type Evaluator struct {
	exec    *model.Exec
	batches []train.Batch
}

// NewEvaluator prepares numBatches validation batches of o's shape from docs (seeded by seed,
// so every evaluation sees the same examples) for the model in store.
func NewEvaluator(backend compute.Backend, store *model.Store, o PretrainOptions, docs [][][]int, numBatches int, seed uint64) (*Evaluator, error) {
	ds, err := o.dataset("valid", docs, seed)
	if err != nil {
		return nil, err
	}
	steps := &stepBatches{ds: ds, batch: o.BatchSize, seed: seed}
	e := &Evaluator{}
	for k := range numBatches {
		e.batches = append(e.batches, steps.Batch(k))
	}
	c := o.Model
	backend = weights.AsParameters(backend) // the same wrapper as the model's: see bert.New
	e.exec, err = model.NewExec(backend, store, func(scope *model.Scope, in []*Node) []*Node {
		mlm, nsp := PreTrainingAt(scope, c, in[0], in[1], in[2], in[3])
		return evalSums(mlm, nsp, in[4], in[5], in[6])
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Run evaluates the model on the validation batches.
func (e *Evaluator) Run() (PretrainMetrics, error) {
	var sums [6]float64
	err := transformer.Catch("bert evaluation", func() error {
		for _, b := range e.batches {
			args := []any{b.Inputs[0], b.Inputs[1], b.Inputs[2], b.Inputs[3], b.Labels[0], b.Labels[1], b.Labels[2]}
			outs, err := e.exec.Call(args...)
			if err != nil {
				return err
			}
			for i, o := range outs {
				sums[i] += float64(o.Value().(float32))
			}
		}
		return nil
	})
	if err != nil {
		return PretrainMetrics{}, err
	}
	m := PretrainMetrics{Predictions: int(sums[1]), Examples: int(sums[5])}
	if sums[1] > 0 {
		m.MLMLoss = sums[0] / sums[1]
		m.MLMPerplexity = math.Exp(m.MLMLoss)
		m.MLMAccuracy = sums[2] / sums[1]
	}
	if sums[5] > 0 {
		m.NSPLoss = sums[3] / sums[5]
		m.NSPAccuracy = sums[4] / sums[5]
	}
	return m, nil
}

// Pretrain trains BERT with the masked-LM and next-sentence losses (AdamW, linear warm-up then
// linear decay, clipping by global norm) on o.Train, evaluating on o.Valid, and returns the
// model and the final validation metrics. With a checkpoint in o.CheckpointDir it resumes: the
// weights, AdamW moments and global step come back, and the batches continue where they stopped.
func Pretrain(backend compute.Backend, o PretrainOptions) (*Model, PretrainMetrics, error) {
	start := time.Now()
	if err := o.Validate(); err != nil {
		return nil, PretrainMetrics{}, err
	}
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	what := fmt.Sprintf("bert.Pretrain: training %d parameters with batch %d × %d tokens", ParamCount(o.Model), o.BatchSize, o.SeqLen)
	if err := memory.Check(what, o.Model.TrainingBytes(o.BatchSize, o.SeqLen)); err != nil {
		return nil, PretrainMetrics{}, err
	}
	m, err := New(backend, o.Model, PreTrainingHeads, 0)
	if err != nil {
		return nil, PretrainMetrics{}, err
	}
	seedStore(m.Store, o.Seed)
	if o.CheckpointDir != "" {
		if err := os.MkdirAll(o.CheckpointDir, 0o755); err != nil {
			return nil, PretrainMetrics{}, err
		}
		if err := o.Model.Save(filepath.Join(o.CheckpointDir, "config.json")); err != nil {
			return nil, PretrainMetrics{}, err
		}
	}
	if o.CheckpointDir != "" && training.HasCheckpoint(o.CheckpointDir) {
		if _, err := training.LoadCheckpoint(o.CheckpointDir, m.Store); err != nil {
			return nil, PretrainMetrics{}, err
		}
		fmt.Fprintf(log, "resuming from %s at step %d\n", o.CheckpointDir, optimizer.GetGlobalStep(m.Store))
	}
	source := o.Batches
	if source == nil {
		ds, err := o.dataset("train", o.Train, o.Seed)
		if err != nil {
			return nil, PretrainMetrics{}, err
		}
		source = &stepBatches{name: "bert-pretraining", ds: ds, batch: o.BatchSize, seed: o.Seed, next: int(optimizer.GetGlobalStep(m.Store))}
	}
	data, err := training.NewDataParallel(m.Backend, m.Store, source, o.Devices)
	if err != nil {
		return nil, PretrainMetrics{}, fmt.Errorf("bert.Pretrain: %w", err)
	}
	adamw := training.NewAdamW(training.Schedule{Kind: training.Linear, PeakLR: o.LR, WarmupSteps: o.WarmupSteps, DecaySteps: o.Steps})
	adamw.WeightDecay, adamw.ClipNorm = o.WeightDecay, o.ClipNorm
	if err := adamw.Validate(); err != nil {
		return nil, PretrainMetrics{}, err
	}
	trainer := train.NewTrainer(m.Backend, m.Store, pretrainModelFn(o.Model), pretrainLoss, adamw, nil, nil)
	var eval *Evaluator
	if o.EvalBatches > 0 && len(o.Valid) > 0 {
		if eval, err = NewEvaluator(m.Backend, m.Store, o, o.Valid, o.EvalBatches, o.Seed^0x76616c6964); err != nil {
			return nil, PretrainMetrics{}, err
		}
	}
	var last PretrainMetrics
	meta, _ := json.Marshal(o.Model)
	target := o.Steps
	if o.StopAt > 0 && o.StopAt < target {
		target = o.StopAt
	}
	loop := &training.Loop{Trainer: trainer, Data: data, TargetStep: target, Progress: o.Progress, ProgressOut: o.ProgressOut, OnStep: o.OnStep,
		OnMetrics: o.OnMetrics, Stop: o.Stop,
		EvalEvery: o.EvalEvery, CheckpointDir: o.CheckpointDir, CheckpointEvery: o.CheckpointEvery,
		Meta: map[string]string{"bert_config": string(meta)}, Log: log}
	if eval != nil {
		loop.Eval = func(step int64) error {
			r, err := eval.Run()
			if err != nil {
				return err
			}
			r.Step = step
			last = r
			if o.OnEval != nil {
				o.OnEval(r)
			}
			fmt.Fprintf(log, "step %d: val MLM loss %.4f (ppl %.1f, acc %.3f), NSP loss %.4f (acc %.3f)\n",
				step, r.MLMLoss, r.MLMPerplexity, r.MLMAccuracy, r.NSPLoss, r.NSPAccuracy)
			return nil
		}
	}
	res, err := loop.Run()
	if err != nil {
		return nil, PretrainMetrics{}, fmt.Errorf("bert.Pretrain: %w", err)
	}
	last.Step, last.TrainLoss, last.Seconds = res.Step, res.TrainLoss, time.Since(start).Seconds()
	return m, last, nil
}

// seedStore makes variable initialisation and dropout deterministic (seed 0 is replaced by 1:
// GoMLX reads 0 as "pick a random seed").
func seedStore(store *model.Store, seed uint64) {
	s := int64(seed & math.MaxInt64)
	if s == 0 {
		s = 1
	}
	store.RootScope().SetParam(model.ParamInitialSeed, s)
	_ = store.SetRNGStateFromSeed(s)
}
