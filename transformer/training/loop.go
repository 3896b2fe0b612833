package training

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/gomlx/gomlx/ui/commandline"
)

// Loop runs a GoMLX train.Trainer to a target global step with the things every course model
// needs: a progress bar, periodic evaluation, periodic atomic checkpoints and resume.
//
// Resume: load a checkpoint into the trainer's store first (LoadCheckpoint); the global step
// comes back with it, and Run continues from there to TargetStep. With a dataset whose batch k
// depends only on (seed, k) — see StepDataset — the resumed run sees the same batches as an
// uninterrupted one and continues the same loss curve.
type Loop struct {
	Trainer    *train.Trainer
	Data       train.Dataset
	TargetStep int // train until the global step reaches this

	Progress bool // show GoMLX's progress bar (ui/commandline) on stdout, or a line on ProgressOut
	// ProgressOut, if set, receives a plain progress line instead of GoMLX's bar (which always
	// writes to standard output): the command line sends it to standard error, so that standard
	// output carries only the final JSON line.
	ProgressOut io.Writer

	// EvalEvery > 0 calls Eval every that many global steps (and always at the end).
	EvalEvery int
	Eval      func(step int64) error

	// CheckpointDir, when set, receives a checkpoint every CheckpointEvery steps (if > 0) and at the end.
	CheckpointDir   string
	CheckpointEvery int
	Meta            map[string]string // stored with every checkpoint (e.g. the model config)

	// OnStep, if set, sees the global step and the batch loss after every update.
	OnStep func(step int64, loss float64)
	// OnMetrics, if set, sees every step's StepMetrics (loss, learning rate, gradient norm); it
	// costs two scalar reads per step.
	OnMetrics func(StepMetrics)
	// Stop, if set, is asked after every step; when it returns true the run ends there as if
	// TargetStep had been reached: the final Eval and checkpoint run and Run returns no error
	// (a loss target, a time budget, a learning curve that has flattened, …).
	Stop func(StepMetrics) bool

	// StopOnNonFinite stops the run as soon as a step's loss, or the global gradient norm AdamW
	// recorded, is NaN or ±Inf: Run returns a *NonFiniteError naming the step and the tensor (the
	// loss; with AdamW.Monitor, the first parameter whose gradient is not finite) and listing the
	// parameters the update turned non-finite. No checkpoint is written for that step. It reads
	// one scalar per step. (Without it GoMLX's loop still stops on a NaN or infinite loss, with an
	// error that names neither the global step nor a tensor; a NaN gradient under a finite loss
	// goes unnoticed until it has spread into the weights and the next loss.)
	StopOnNonFinite bool

	// Log receives one-line notes (checkpoints); nil = io.Discard.
	Log io.Writer
}

// Result summarises a Run.
type Result struct {
	Step      int64         // global step at the end
	TrainLoss float64       // loss of the last batch (NaN if no step ran)
	Steps     int           // updates done by this Run
	Elapsed   time.Duration // wall time of this Run
}

// Run trains to TargetStep. Errors (including GoMLX panics) come back as errors.
func (l *Loop) Run() (res Result, err error) {
	start := time.Now()
	res.TrainLoss = nanValue()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("training.Loop: %v", r)
		}
	}()
	log := l.Log
	if log == nil {
		log = io.Discard
	}
	store := l.Trainer.Store()
	first := optimizer.GetGlobalStep(store)
	loop := train.NewLoop(l.Trainer)
	var line *progressLine
	switch {
	case l.Progress && l.ProgressOut != nil:
		line = newProgressLine(l.ProgressOut, first, int64(l.TargetStep))
		defer line.end()
	case l.Progress:
		commandline.AttachProgressBar(loop)
	}
	lastLoss := nanValue()
	var stopped error // the NonFiniteError that stopped the run, returned as it is
	loop.OnStep("bert2gpt", 0, func(loop *train.Loop, metrics []*tensors.Tensor) error {
		step := optimizer.GetGlobalStep(store)
		if len(metrics) > 0 {
			lastLoss = scalarFloat(metrics[0])
		}
		if l.OnStep != nil {
			l.OnStep(step, lastLoss)
		}
		var sm StepMetrics
		if l.OnMetrics != nil || l.Stop != nil {
			var err error
			if sm, err = stepMetrics(store, step, lastLoss); err != nil {
				return err
			}
		}
		if l.OnMetrics != nil {
			l.OnMetrics(sm)
		}
		if l.StopOnNonFinite {
			if err := checkFiniteStep(store, step, lastLoss); err != nil {
				stopped = err
				return err
			}
		}
		if line != nil {
			line.step(step, lastLoss)
		}
		stop := l.Stop != nil && l.Stop(sm)
		final := int(step) >= l.TargetStep || stop
		if l.Eval != nil && l.EvalEvery > 0 && step%int64(l.EvalEvery) == 0 && !final {
			if err := l.Eval(step); err != nil {
				return err
			}
		}
		if l.CheckpointDir != "" && l.CheckpointEvery > 0 && step%int64(l.CheckpointEvery) == 0 && !final {
			if err := SaveCheckpoint(l.CheckpointDir, store, l.Meta); err != nil {
				return err
			}
			fmt.Fprintf(log, "checkpoint: step %d → %s\n", step, l.CheckpointDir)
		}
		if stop {
			return errStopRequested
		}
		return nil
	})
	if _, err := loop.RunToGlobalStep(l.Data, l.TargetStep); err != nil && !errors.Is(err, errStopRequested) {
		res.Step = optimizer.GetGlobalStep(store)
		res.Steps, res.TrainLoss, res.Elapsed = int(res.Step-first), lastLoss, time.Since(start)
		if stopped != nil {
			return res, stopped
		}
		return res, err
	}
	res.Step = optimizer.GetGlobalStep(store)
	res.Steps = int(res.Step - first)
	res.TrainLoss = lastLoss
	if l.Eval != nil {
		if err := l.Eval(res.Step); err != nil {
			return res, err
		}
	}
	if l.CheckpointDir != "" {
		if err := SaveCheckpoint(l.CheckpointDir, store, l.Meta); err != nil {
			return res, err
		}
		fmt.Fprintf(log, "checkpoint: step %d → %s\n", res.Step, l.CheckpointDir)
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

func scalarFloat(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return nanValue()
}
