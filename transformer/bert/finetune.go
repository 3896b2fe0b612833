package bert

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/bert2gpt/bert2gpt/datasets"
	"github.com/bert2gpt/bert2gpt/internal/memory"
	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
)

// FinetuneOptions configures Finetune: sequence classification on top of a BERT encoder.
type FinetuneOptions struct {
	// Model is the BERT configuration (the pre-trained one when Pretrained is set).
	Model Config
	// Pretrained, if set, is a pre-training checkpoint directory whose encoder ("/bert/…")
	// weights initialise the model; otherwise the encoder starts from random weights.
	Pretrained string
	// NumLabels is the number of classes.
	NumLabels int
	// Train and Valid are the labelled examples (token ids without specials).
	Train, Valid []datasets.ClassificationExample
	// Specials are the special token ids.
	Specials Specials
	// SeqLen is T; BatchSize is B; Steps, WarmupSteps, LR, WeightDecay, ClipNorm as in PretrainOptions.
	SeqLen, BatchSize, Steps, WarmupSteps int
	LR, WeightDecay, ClipNorm             float64
	// Seed fixes initialisation, shuffling and dropout.
	Seed uint64
	// CheckpointDir, if set, receives the fine-tuned model (checkpoint.safetensors + config.json).
	CheckpointDir string
	// Progress shows the progress bar (on ProgressOut, if set, as a plain line); Log receives
	// one-line notes.
	Progress    bool
	ProgressOut io.Writer
	Log         io.Writer
	// EvalEvery > 0 evaluates on Valid every that many steps (and at the end) and passes the
	// metrics to OnEval: the points of a validation-accuracy-vs-step curve.
	EvalEvery int
	OnEval    func(m FinetuneMetrics)
	// OnStep, if set, sees the global step and the training loss after every update.
	OnStep func(step int64, loss float64)
	// FreezeEncoder trains the classifier head only (a "linear probe"): the BertModel variables
	// under "/bert/" (embeddings, encoder layers, pooler) are not trainable and keep their
	// initial values — the pre-trained ones, or random ones without Pretrained.
	FreezeEncoder bool
}

// FinetuneMetrics are the results of a fine-tuning run.
type FinetuneMetrics struct {
	Step          int64   `json:"step"`
	TrainLoss     float64 `json:"train_loss"`
	ValidLoss     float64 `json:"val_loss"`
	ValidAccuracy float64 `json:"val_accuracy"`
	ValidExamples int     `json:"val_examples"`
	Pretrained    bool    `json:"pretrained"`
	Seconds       float64 `json:"seconds"`
}

// Metrics converts m to the key/value report of training.WriteJSONLine.
func (m FinetuneMetrics) Metrics() training.Metrics {
	return training.Metrics{"step": m.Step, "train_loss": m.TrainLoss, "val_loss": m.ValidLoss,
		"val_accuracy": m.ValidAccuracy, "val_examples": m.ValidExamples, "pretrained": m.Pretrained, "seconds": m.Seconds}
}

// LoadEncoder copies the encoder weights ("/bert/…" variables) of a checkpoint directory written
// by Pretrain or Finetune into store, leaving heads and optimizer state out. It returns how many
// tensors were copied. Every value must be finite.
func LoadEncoder(store *model.Store, dir string) (int, error) {
	return loadEncoder(store, dir, nil)
}

// loadEncoder is LoadEncoder; with a config c it also requires every encoder variable of c, with
// its shape (a checkpoint with part of an encoder would leave the rest random).
func loadEncoder(store *model.Store, dir string, c *Config) (int, error) {
	ts, _, err := training.ReadCheckpoint(dir)
	if err != nil {
		return 0, err
	}
	file := filepath.Join(dir, training.CheckpointFile)
	if c != nil {
		for p, shape := range variableShapes(*c, PreTrainingHeads, 0, "bert") {
			t, ok := ts[p]
			if !ok {
				return 0, fmt.Errorf("bert.LoadEncoder: %s: missing encoder tensor %q (an incomplete checkpoint, or one of another configuration)", file, p)
			}
			if !shape.Equal(t.Shape()) {
				return 0, fmt.Errorf("bert.LoadEncoder: %s: tensor %q is %s, the model needs %s (%s)", file, p, t.Shape(), shape, shapeHint(*c))
			}
		}
	}
	n := 0
	for path, value := range ts {
		if !strings.HasPrefix(path, "/bert/") {
			continue
		}
		if err := training.CheckFinite(path, value); err != nil {
			return n, fmt.Errorf("bert.LoadEncoder: %s: %w", file, err)
		}
		if v := store.GetVariable(path); v != nil {
			err = v.SetValue(value)
		} else {
			_, err = store.CreateVariable(path, value)
		}
		if err != nil {
			return n, fmt.Errorf("bert.LoadEncoder %s: variable %s: %w", dir, path, err)
		}
		n++
	}
	if n == 0 {
		return 0, fmt.Errorf("bert.LoadEncoder: %s holds no BERT encoder variables (/bert/…)", dir)
	}
	return n, nil
}

func (o FinetuneOptions) validate() error {
	if err := o.Model.Validate(); err != nil {
		return err
	}
	switch {
	case o.NumLabels < 2:
		return fmt.Errorf("bert.Finetune: NumLabels must be ≥ 2, got %d", o.NumLabels)
	case len(o.Train) == 0 || len(o.Valid) == 0:
		return fmt.Errorf("bert.Finetune: need training and validation examples (have %d and %d)", len(o.Train), len(o.Valid))
	case o.SeqLen < 3 || o.SeqLen > o.Model.MaxPositionEmbeddings:
		return fmt.Errorf("bert.Finetune: SeqLen %d must be in [3, max_position_embeddings %d]", o.SeqLen, o.Model.MaxPositionEmbeddings)
	case o.BatchSize < 1 || o.Steps < 1 || o.WarmupSteps < 0 || o.WarmupSteps >= o.Steps || o.LR <= 0:
		return fmt.Errorf("bert.Finetune: bad BatchSize %d / Steps %d / WarmupSteps %d / LR %g", o.BatchSize, o.Steps, o.WarmupSteps, o.LR)
	}
	for i, ex := range append(append([]datasets.ClassificationExample(nil), o.Train...), o.Valid...) {
		if ex.Label < 0 || ex.Label >= o.NumLabels {
			return fmt.Errorf("bert.Finetune: example %d has label %d outside [0, %d)", i, ex.Label, o.NumLabels)
		}
	}
	return nil
}

func (o FinetuneOptions) dataset(name string, examples []datasets.ClassificationExample, train bool) (*datasets.Classification, error) {
	s := o.Specials
	cfg := datasets.ClassificationConfig{Examples: examples, MaxLen: o.SeqLen, BatchSize: o.BatchSize,
		CLS: s.CLS, SEP: s.SEP, PAD: s.PAD, Seed: o.Seed}
	if train {
		cfg.Shuffle, cfg.Epochs, cfg.DropRemainder = true, 0, true
	} else {
		cfg.Epochs = 1
	}
	return datasets.NewClassification(name, cfg)
}

// Finetune trains a sequence classifier (BertForSequenceClassification) with cross-entropy and
// AdamW, starting from a pre-trained encoder when o.Pretrained is set, and reports the validation
// loss and accuracy.
func Finetune(backend compute.Backend, o FinetuneOptions) (*Model, FinetuneMetrics, error) {
	start := time.Now()
	if err := o.validate(); err != nil {
		return nil, FinetuneMetrics{}, err
	}
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	what := fmt.Sprintf("bert.Finetune: training %d parameters with batch %d × %d tokens", ParamCount(o.Model), o.BatchSize, o.SeqLen)
	if err := memory.Check(what, o.Model.TrainingBytes(o.BatchSize, o.SeqLen)); err != nil {
		return nil, FinetuneMetrics{}, err
	}
	m, err := New(backend, o.Model, ClassifierHead, o.NumLabels)
	if err != nil {
		return nil, FinetuneMetrics{}, err
	}
	seedStore(m.Store, o.Seed)
	if o.Pretrained != "" {
		n, err := loadEncoder(m.Store, o.Pretrained, &o.Model)
		if err != nil {
			return nil, FinetuneMetrics{}, err
		}
		fmt.Fprintf(log, "encoder initialised from %s (%d tensors)\n", o.Pretrained, n)
	}
	trainData, err := o.dataset("finetune-train", o.Train, true)
	if err != nil {
		return nil, FinetuneMetrics{}, err
	}
	adamw := training.NewAdamW(training.Schedule{Kind: training.Linear, PeakLR: o.LR, WarmupSteps: o.WarmupSteps, DecaySteps: o.Steps})
	adamw.WeightDecay, adamw.ClipNorm = o.WeightDecay, o.ClipNorm
	c, labels := o.Model, o.NumLabels
	freeze := o.FreezeEncoder
	modelFn := func(scope *model.Scope, _ any, in []*Node) []*Node {
		logits := SequenceClassification(scope, c, in[0], in[1], in[2], labels)
		if freeze { // the variables exist now (created on first use); the optimizer skips them
			freezeEncoder(m.Store)
		}
		return []*Node{logits}
	}
	lossFn := func(lbl, pred []*Node) *Node { return NSPLoss(pred[0], lbl[0]) } // mean cross-entropy
	trainer := train.NewTrainer(m.Backend, m.Store, modelFn, lossFn, adamw, nil, nil)
	valid, err := o.dataset("finetune-valid", o.Valid, false)
	if err != nil {
		return nil, FinetuneMetrics{}, err
	}
	eval, err := m.classifierEval()
	if err != nil {
		return nil, FinetuneMetrics{}, err
	}
	var lastLoss float64
	loop := &training.Loop{Trainer: trainer, Data: trainData, TargetStep: o.Steps, Progress: o.Progress, ProgressOut: o.ProgressOut,
		CheckpointDir: o.CheckpointDir, Log: log, EvalEvery: o.EvalEvery,
		OnStep: func(step int64, loss float64) {
			lastLoss = loss
			if o.OnStep != nil {
				o.OnStep(step, loss)
			}
		}}
	if o.EvalEvery > 0 && o.OnEval != nil {
		loop.Eval = func(step int64) error {
			loss, acc, n, err := eval(valid)
			if err != nil {
				return err
			}
			o.OnEval(FinetuneMetrics{Step: step, TrainLoss: lastLoss, ValidLoss: loss, ValidAccuracy: acc,
				ValidExamples: n, Pretrained: o.Pretrained != "", Seconds: time.Since(start).Seconds()})
			return nil
		}
	}
	res, err := loop.Run()
	if err != nil {
		return nil, FinetuneMetrics{}, fmt.Errorf("bert.Finetune: %w", err)
	}
	if o.CheckpointDir != "" {
		if err := o.Model.Save(o.CheckpointDir + "/config.json"); err != nil {
			return nil, FinetuneMetrics{}, err
		}
	}
	loss, acc, n, err := eval(valid)
	if err != nil {
		return nil, FinetuneMetrics{}, err
	}
	return m, FinetuneMetrics{Step: res.Step, TrainLoss: res.TrainLoss, ValidLoss: loss, ValidAccuracy: acc,
		ValidExamples: n, Pretrained: o.Pretrained != "", Seconds: time.Since(start).Seconds()}, nil
}

// freezeEncoder marks every BertModel variable ("/bert/…") of store as not trainable, so that
// the optimizer neither computes its gradient nor applies weight decay to it.
func freezeEncoder(store *model.Store) {
	for v := range store.IterVariables() {
		if strings.HasPrefix(v.Path(), "/bert/") {
			v.SetTrainable(false)
		}
	}
}

// EvalClassifier returns the mean cross-entropy and accuracy of a classifier model over one pass
// of ds (batches as datasets.Classification yields them) and the number of examples.
func (m *Model) EvalClassifier(ds train.Dataset) (loss, accuracy float64, n int, err error) {
	eval, err := m.classifierEval()
	if err != nil {
		return 0, 0, 0, err
	}
	return eval(ds)
}

// classifierEval compiles the evaluation graph once and returns a function that runs it over
// one pass of a dataset (EvalClassifier's result), for repeated evaluations during training.
func (m *Model) classifierEval() (func(ds train.Dataset) (loss, accuracy float64, n int, err error), error) {
	if m.Head != ClassifierHead {
		return nil, fmt.Errorf("bert.EvalClassifier: the model has no classifier head")
	}
	c, labels := m.Config, m.NumLabels
	exec, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, in []*Node) []*Node {
		logits := SequenceClassification(scope, c, in[0], in[1], in[2], labels)
		nll := transformer.TokenNLL(logits, in[3])
		correct := ConvertDType(Equal(ArgMax(logits, -1, in[3].DType()), in[3]), logits.DType())
		return []*Node{ReduceAllSum(nll), ReduceAllSum(correct)}
	})
	if err != nil {
		return nil, err
	}
	return func(ds train.Dataset) (loss, accuracy float64, n int, err error) {
		var sumLoss, sumCorrect float64
		err = transformer.Catch("bert.EvalClassifier", func() error {
			for b, err := range ds.Iter() {
				if err != nil {
					return err
				}
				outs, err := exec.Call(b.Inputs[0], b.Inputs[1], b.Inputs[2], b.Labels[0])
				if err != nil {
					return err
				}
				sumLoss += float64(outs[0].Value().(float32))
				sumCorrect += float64(outs[1].Value().(float32))
				n += b.Labels[0].Shape().Dim(0)
			}
			return nil
		})
		if err != nil || n == 0 {
			return 0, 0, n, err
		}
		return sumLoss / float64(n), sumCorrect / float64(n), n, nil
	}, nil
}
