package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/bert2gpt/bert2gpt/datasets"
	"github.com/bert2gpt/bert2gpt/internal/memory"
	"github.com/bert2gpt/bert2gpt/transformer/gpt"
	"github.com/bert2gpt/bert2gpt/transformer/pretrained"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/bert2gpt/bert2gpt/transformer/training"
)

// gptGroup holds the subcommands of `bert2gpt gpt`.
var gptGroup = group{name: "gpt", subs: map[string]subcommand{
	"train":    {"train a GPT on shakespeare-char or tang-char (nanoGPT CPU recipe by default; each preset brings its recipe)", gptTrain},
	"eval":     {"estimate train/validation loss of a checkpoint", gptEval},
	"generate": {"stream a continuation of --prompt from a checkpoint or a Hugging Face GPT-2 directory", gptGenerate},
	"params":   {"print the parameter counts of the presets (GPT-1, GPT-2 sizes, GPT-3 175B, nanogpt-cpu)", gptParams},
}}

func init() {
	register("gpt", "GPT: train, eval, generate, params (see `bert2gpt gpt -h`)", func(args []string) error {
		return gptGroup.run(args, os.Stdout)
	})
}

// runGPT runs `bert2gpt gpt args…` writing to stdout (tests capture it).
func runGPT(args []string, stdout io.Writer) error { return gptGroup.run(args, stdout) }

// loadCharData loads the --data corpus (datasets.LoadCharCorpus), naming the flag in its error.
func loadCharData(name string) (*datasets.CharCorpus, error) {
	c, err := datasets.LoadCharCorpus(context.Background(), name)
	if err != nil {
		return nil, fmt.Errorf("--data %q: %w", name, err)
	}
	return c, nil
}

const charVocabFile = "char_vocab.txt"

func gptTrain(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gpt train", flag.ContinueOnError)
	r := gpt.NanoGPTCPU()
	data := fs.String("data", "shakespeare-char", "corpus: shakespeare-char | tang-char")
	preset := fs.String("preset", "nanogpt-cpu", "model preset: "+strings.Join(gpt.PresetNames(), ", "))
	block := fs.Int("block", 0, "context length (n_positions); 0 = the preset's")
	dropout := fs.Float64("dropout", -1, "dropout for embeddings, attention and residuals; -1 = the preset's")
	positions := fs.String("positions", "", `position encoding: "learned" (GPT-2's table) or "rope" (rotary); "" = the preset's`)
	fs.IntVar(&r.Iters, "iters", r.Iters, "iterations (the cosine schedule ends here); the defaults of this and the other recipe flags are the preset's recipe, shown here for nanogpt-cpu")
	fs.IntVar(&r.StopAt, "stop-at", 0, "stop at this step instead of --iters (resume later with --resume)")
	fs.IntVar(&r.Batch, "batch", r.Batch, "batch size")
	fs.Float64Var(&r.LR, "lr", r.LR, "peak learning rate")
	fs.Float64Var(&r.MinLR, "min-lr", r.MinLR, "final learning rate of the cosine decay")
	fs.IntVar(&r.Warmup, "warmup", r.Warmup, "warm-up steps")
	fs.Float64Var(&r.Beta2, "beta2", r.Beta2, "AdamW β₂")
	fs.Float64Var(&r.WeightDecay, "weight-decay", r.WeightDecay, "AdamW weight decay (matrices only)")
	fs.Float64Var(&r.ClipNorm, "clip", r.ClipNorm, "clip gradients to this global norm (0 = off)")
	fs.IntVar(&r.EvalIters, "eval-iters", r.EvalIters, "batches per loss estimate")
	fs.IntVar(&r.EvalEvery, "eval-every", r.EvalEvery, "estimate losses every that many steps (0 = only at the end)")
	seed := fs.Uint64("seed", r.Seed, "random seed (initialisation and batches)")
	ckpt := fs.String("checkpoint", "", "checkpoint directory (written atomically; an existing one needs --resume or --overwrite)")
	fs.IntVar(&r.CheckpointEvery, "checkpoint-every", 500, "steps between checkpoints")
	resume := fs.Bool("resume", false, "continue from the checkpoint in --checkpoint")
	overwrite := fs.Bool("overwrite", false, "start over, replacing the checkpoint in --checkpoint")
	progress := fs.Bool("progress", true, "show a progress line (on standard error)")
	fs.IntVar(&r.Devices, "devices", 1, devicesUsage)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := given(fs)
	r = presetRecipe(*preset, r, set)
	r.Seed, r.Progress, r.ProgressOut, r.CheckpointDir, r.Log = *seed, *progress, os.Stderr, *ckpt, os.Stderr
	if err := firstErr(
		intFlag("iters", r.Iters, 1, 1<<30), intFlag("stop-at", r.StopAt, 0, r.Iters), intFlag("batch", r.Batch, 1, 1<<16),
		floatFlag("lr", r.LR, math.SmallestNonzeroFloat64, math.Inf(1), false), floatFlag("min-lr", r.MinLR, 0, r.LR, false),
		intFlag("warmup", r.Warmup, 0, math.MaxInt), floatFlag("beta2", r.Beta2, 0, 1, true),
		floatFlag("weight-decay", r.WeightDecay, 0, math.Inf(1), false), floatFlag("clip", r.ClipNorm, 0, math.Inf(1), false),
		intFlag("eval-iters", r.EvalIters, 1, 1<<20), intFlag("eval-every", r.EvalEvery, 0, math.MaxInt),
		intFlag("checkpoint-every", r.CheckpointEvery, 0, math.MaxInt), intFlag("block", *block, 0, gpt.MaxPositions),
		devicesFlag(r.Devices, r.Batch, "batch"),
	); err != nil {
		return err
	}
	switch *positions {
	case "", "learned", "rope":
	default:
		return fmt.Errorf("--positions %s must be \"learned\" or \"rope\"", *positions)
	}
	if *dropout != -1 {
		if err := floatFlag("dropout", *dropout, 0, 1, true); err != nil {
			return fmt.Errorf("%w (or -1 for the preset's)", err)
		}
	}
	resuming, err := checkpointPlan(*ckpt, *resume, *overwrite)
	if err != nil {
		return err
	}
	if err := r.Validate(); err != nil { // the flags above cover it; a backstop
		return err
	}
	cfg, err := gpt.Preset(*preset)
	if err != nil {
		return fmt.Errorf("--preset: %w", err)
	}
	var meta map[string]string
	if resuming { // the model comes from the checkpoint: flags that define it must agree with it
		_, meta, err = training.ReadCheckpoint(*ckpt)
		if err != nil {
			return err
		}
		if err := resumeAgrees(*ckpt, meta, set, *data, *preset, *block, *dropout, *positions); err != nil {
			return err
		}
		*data = meta["data"]
		if meta["preset"] != "" {
			*preset = meta["preset"]
			r = presetRecipe(*preset, r, set) // the checkpoint's preset brings its own recipe (same schedule)
			if err := r.Validate(); err != nil {
				return err
			}
		}
	}
	d, err := loadCharData(*data)
	if err != nil {
		return err
	}
	cfg.VocabSize = d.Tokenizer.VocabSize()
	if *block > 0 {
		cfg.NPositions = *block
	}
	if *dropout >= 0 {
		cfg.ResidPdrop, cfg.EmbdPdrop, cfg.AttnPdrop = *dropout, *dropout, *dropout
	}
	if *positions != "" {
		cfg.Positions = *positions
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("--preset %s: %w", *preset, err)
	}
	if !resuming {
		what := fmt.Sprintf("--preset %s with --batch %d and a context of %d (--block)", *preset, r.Batch, cfg.NPositions)
		if err := memory.Check(what+": training", cfg.TrainingBytes(r.Batch)); err != nil {
			return err
		}
	}
	be, err := openBackend(r.Devices)
	if err != nil {
		return err
	}
	var m *gpt.Model
	if resuming {
		if m, _, err = gpt.LoadCheckpoint(be, *ckpt); err != nil {
			return fmt.Errorf("--resume: %w", err)
		}
		if m.Config.VocabSize != d.Tokenizer.VocabSize() {
			return fmt.Errorf("checkpoint %s has a vocabulary of %d, --data %s %d characters", *ckpt, m.Config.VocabSize, *data, d.Tokenizer.VocabSize())
		}
		fmt.Fprintf(os.Stderr, "resuming from %s at step %s\n", *ckpt, meta["global_step"])
	} else if m, err = gpt.New(be, cfg); err != nil {
		return err
	}
	if *ckpt != "" {
		if err := os.MkdirAll(*ckpt, 0o755); err != nil {
			return err
		}
		if err := d.Tokenizer.Save(filepath.Join(*ckpt, charVocabFile)); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "gpt train: %s, %d train / %d val tokens, vocab %d, %d parameters, batch %d × block %d, %d iterations, %d device(s)\n",
		d.Name, len(d.Train), len(d.Val), m.Config.VocabSize, gpt.ParamCount(m.Config), r.Batch, m.Config.NPositions, r.Iters, max(r.Devices, 1))
	res, err := m.Train(r, d.Train, d.Val, m.CheckpointMeta(map[string]string{"data": d.Name, "preset": *preset}))
	if err != nil {
		return err
	}
	return training.WriteJSONLine(stdout, training.Metrics{
		"step": res.Step, "train_loss": res.TrainLoss, "val_loss": res.ValLoss, "last_batch_loss": res.LastBatch,
		"seconds": res.Seconds, "step_ms": res.StepMS, "data": d.Name, "preset": *preset,
		"params": gpt.ParamCount(m.Config), "backend": be.Name(), "devices": max(r.Devices, 1),
	})
}

// resumeAgrees reports a flag given with --resume that disagrees with the checkpoint: the model
// and its data come from the checkpoint, and a flag that asked for another would be ignored.
// presetRecipe is the training recipe of a run: the preset's own (gpt.Recipe) for every recipe flag
// that was not given on the command line, the flag's value for those that were.
func presetRecipe(preset string, flags gpt.TrainConfig, set map[string]bool) gpt.TrainConfig {
	r := gpt.Recipe(preset)
	given := func(name string) bool { return set[name] }
	if given("iters") {
		r.Iters = flags.Iters
	}
	if given("batch") {
		r.Batch = flags.Batch
	}
	if given("lr") {
		r.LR = flags.LR
	}
	if given("min-lr") {
		r.MinLR = flags.MinLR
	}
	if given("warmup") {
		r.Warmup = flags.Warmup
	}
	if given("beta2") {
		r.Beta2 = flags.Beta2
	}
	if given("weight-decay") {
		r.WeightDecay = flags.WeightDecay
	}
	if given("clip") {
		r.ClipNorm = flags.ClipNorm
	}
	if given("eval-iters") {
		r.EvalIters = flags.EvalIters
	}
	if given("eval-every") {
		r.EvalEvery = flags.EvalEvery
	}
	// Not part of a recipe: always the flags' values.
	r.StopAt, r.CheckpointEvery, r.Devices = flags.StopAt, flags.CheckpointEvery, flags.Devices
	return r
}

func resumeAgrees(dir string, meta map[string]string, set map[string]bool, data, preset string, block int, dropout float64, positions string) error {
	c, err := gpt.ConfigFromMeta(meta)
	if err != nil {
		return fmt.Errorf("--resume: %s: %w", dir, err)
	}
	switch {
	case set["data"] && data != meta["data"]:
		return fmt.Errorf("--data %s: checkpoint %s was trained on %q (leave out --data with --resume)", data, dir, meta["data"])
	case set["preset"] && preset != meta["preset"]:
		return fmt.Errorf("--preset %s: checkpoint %s is a %q model (leave out --preset with --resume, or --overwrite to start over)", preset, dir, meta["preset"])
	case set["block"] && block != 0 && block != c.NPositions:
		return fmt.Errorf("--block %d: checkpoint %s has a context of %d (leave out --block with --resume, or --overwrite to start over)", block, dir, c.NPositions)
	case set["dropout"] && dropout >= 0 && (dropout != c.ResidPdrop || dropout != c.EmbdPdrop || dropout != c.AttnPdrop):
		return fmt.Errorf("--dropout %g: checkpoint %s was trained with dropout %g (leave out --dropout with --resume)", dropout, dir, c.ResidPdrop)
	case set["positions"] && positions != "" && c.PositionEncoding() != (gpt.Config{Positions: positions, NPositions: c.NPositions, InitializerRange: c.InitializerRange, RopeTheta: c.RopeTheta}).PositionEncoding():
		return fmt.Errorf("--positions %s: checkpoint %s has positions %q (leave out --positions with --resume, or --overwrite to start over)", positions, dir, c.Positions)
	}
	return nil
}

func gptEval(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gpt eval", flag.ContinueOnError)
	ckpt := fs.String("checkpoint", "", "checkpoint directory (required)")
	data := fs.String("data", "", "corpus; default: the one the checkpoint was trained on")
	batch := fs.Int("batch", 12, "batch size")
	evalIters := fs.Int("eval-iters", 20, "batches per loss estimate")
	seed := fs.Uint64("seed", gpt.NanoGPTCPU().Seed, "seed of the evaluation batches")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ckpt == "" {
		return errors.New("--checkpoint DIR is required")
	}
	if err := firstErr(intFlag("batch", *batch, 1, 1<<16), intFlag("eval-iters", *evalIters, 1, 1<<20)); err != nil {
		return err
	}
	start := time.Now()
	be, err := backend.New()
	if err != nil {
		return err
	}
	m, meta, err := gpt.LoadCheckpoint(be, *ckpt)
	if err != nil {
		return fmt.Errorf("--checkpoint: %w", err)
	}
	if *data == "" {
		*data = meta["data"]
	}
	d, err := loadCharData(*data)
	if err != nil {
		return err
	}
	if d.Tokenizer.VocabSize() != m.Config.VocabSize {
		return fmt.Errorf("--data %s has %d characters, the checkpoint's vocabulary %d", *data, d.Tokenizer.VocabSize(), m.Config.VocabSize)
	}
	r := gpt.NanoGPTCPU()
	r.Batch, r.EvalIters = *batch, *evalIters
	tr, err := m.Trainer(r)
	if err != nil {
		return err
	}
	T := m.Config.NPositions
	trainLoss, err := gpt.EstimateLoss(tr, d.Train, T, *batch, *evalIters, *seed+1)
	if err != nil {
		return err
	}
	valLoss, err := gpt.EstimateLoss(tr, d.Val, T, *batch, *evalIters, *seed+2)
	if err != nil {
		return err
	}
	var step int64
	fmt.Sscan(meta["global_step"], &step)
	return training.WriteJSONLine(stdout, training.Metrics{"step": step, "train_loss": trainLoss, "val_loss": valLoss,
		"seconds": time.Since(start).Seconds(), "data": *data, "backend": be.Name()})
}

func gptGenerate(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gpt generate", flag.ContinueOnError)
	ckpt := fs.String("checkpoint", "", "checkpoint directory written by `gpt train`")
	hf := fs.String("hf", "", "Hugging Face GPT-2: a directory (config.json, model.safetensors, vocab.json + merges.txt or vocab.txt) or a hub id such as gpt2 or uer/gpt2-chinese-cluecorpussmall")
	revision := fs.String("revision", "", "with --hf ID: hub revision (branch, tag or commit hash; default main)")
	offline := fs.Bool("offline", false, "with --hf ID: use the Hugging Face cache only, never the network (also HF_HUB_OFFLINE=1)")
	prompt := fs.String("prompt", "\n", "text to continue")
	o := gpt.GenerateOptions{}
	fs.IntVar(&o.MaxNewTokens, "max-new-tokens", 200, "tokens to generate")
	fs.Float64Var(&o.Temperature, "temperature", 0.8, "sampling temperature (0 = greedy)")
	fs.IntVar(&o.TopK, "top-k", 0, "sample among the k most likely tokens (0 = all)")
	fs.Float64Var(&o.TopP, "top-p", 0, "nucleus sampling: smallest set with this probability (0 = off)")
	fs.Uint64Var(&o.Seed, "seed", 1337, "sampling seed")
	fs.BoolVar(&o.NoCache, "no-cache", false, "recompute the whole window per token (slow baseline)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*ckpt == "") == (*hf == "") {
		return errors.New("give exactly one of --checkpoint DIR or --hf DIR|ID")
	}
	if *hf == "" && (*revision != "" || *offline) {
		return errors.New("--revision and --offline go with --hf")
	}
	if err := firstErr(intFlag("max-new-tokens", o.MaxNewTokens, 1, gpt.MaxNewTokensLimit),
		floatFlag("temperature", o.Temperature, 0, math.Inf(1), false), intFlag("top-k", o.TopK, 0, math.MaxInt),
		floatFlag("top-p", o.TopP, 0, 1, false)); err != nil {
		return err
	}
	if err := o.Validate(); err != nil { // the flags above cover it; a backstop
		return err
	}
	be, err := backend.New()
	if err != nil {
		return err
	}
	var m *gpt.Model
	var tok tokenizer.Tokenizer
	encode := func(text string) ([]int32, error) { // the prompt's ids
		ids, err := tok.Encode(text)
		out := make([]int32, len(ids))
		for i, id := range ids {
			out[i] = int32(id)
		}
		return out, err
	}
	decode := func(ids []int32) (string, error) {
		ints := make([]int, len(ids))
		for i, id := range ids {
			ints[i] = int(id)
		}
		return tok.Decode(ints)
	}
	if *ckpt != "" {
		if m, _, err = gpt.LoadCheckpoint(be, *ckpt); err != nil {
			return fmt.Errorf("--checkpoint: %w", err)
		}
		if tok, err = tokenizer.LoadChar(filepath.Join(*ckpt, charVocabFile)); err != nil {
			return fmt.Errorf("loading the checkpoint's tokenizer: %w", err)
		}
		if tok.VocabSize() != m.Config.VocabSize {
			return fmt.Errorf("--checkpoint %s: %s has %d characters, the model's vocabulary %d", *ckpt, charVocabFile, tok.VocabSize(), m.Config.VocabSize)
		}
	} else {
		pre, err := gpt.FromPretrained(be, *hf, gpt.PretrainedOptions{Options: pretrained.Options{Revision: *revision, Offline: *offline}})
		if err != nil {
			return fmt.Errorf("--hf: %w", err)
		}
		m, tok, encode, decode = pre.Model, pre.Tokenizer, pre.EncodePrompt, pre.Decode
	}
	p, err := encode(*prompt)
	if err != nil {
		return err
	}
	if len(p) == 0 {
		return errors.New("--prompt encodes to no tokens")
	}
	if len(p) > m.Config.NPositions {
		return fmt.Errorf("--prompt (%d tokens) is longer than the context of %d", len(p), m.Config.NPositions)
	}
	fmt.Fprint(stdout, *prompt)
	var generated []int32
	printed := ""
	o.OnToken = func(id int32) error {
		generated = append(generated, id)
		text, err := decode(generated) // decode the whole tail: a byte-level token may end mid-character
		if err != nil {
			return err
		}
		if strings.HasPrefix(text, printed) && !strings.HasSuffix(text, "\uFFFD") {
			fmt.Fprint(stdout, text[len(printed):])
			printed = text
		}
		return nil
	}
	start := time.Now()
	out, err := m.Generate(p, o)
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintln(stdout)
	return training.WriteJSONLine(os.Stderr, training.Metrics{"new_tokens": len(out), "seconds": secs,
		"tokens_per_second": float64(len(out)) / secs, "cache": !o.NoCache, "backend": be.Name()})
}

func gptParams(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("takes no arguments, got %q", args)
	}
	for _, n := range gpt.PresetNames() {
		c, _ := gpt.Preset(n)
		fmt.Fprintf(stdout, "%-12s layers %3d  width %6d  heads %3d  context %5d  vocab %6d  parameters %15d\n",
			n, c.NLayer, c.NEmbd, c.NHead, c.NPositions, c.VocabSize, gpt.ParamCount(c))
	}
	return nil
}
