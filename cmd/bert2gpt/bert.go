package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/bert2gpt/bert2gpt/datasets"
	"github.com/bert2gpt/bert2gpt/internal/atomicfile"
	"github.com/bert2gpt/bert2gpt/internal/boundedread"
	"github.com/bert2gpt/bert2gpt/internal/memory"
	"github.com/bert2gpt/bert2gpt/transformer/bert"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/bert2gpt/bert2gpt/transformer/training"
)

// bertGroup holds the subcommands of `bert2gpt bert`.
var bertGroup = group{name: "bert", subs: map[string]subcommand{
	"pretrain":  {"pre-train BERT (MLM + NSP) on Tang poems; resumes from --checkpoint", bertPretrain},
	"eval":      {"MLM/NSP validation metrics of a pre-trained checkpoint", bertEval},
	"finetune":  {"fine-tune (or train from scratch) a Tang-vs-Song poem classifier", bertFinetune},
	"fill-mask": {"top-k candidates with probabilities for each [MASK] in --text", bertFillMask},
	"export":    {"write a checkpoint as a Hugging Face BertForPreTraining directory", bertExport},
}}

func init() {
	register("bert", "BERT: pretrain, eval, finetune, fill-mask, export", func(args []string) error {
		return bertGroup.run(args, os.Stdout)
	})
}

// dataArgs select the Tang-poem corpus; they are stored in the checkpoint (data.json) so that
// `eval` and `finetune` see the same vocabulary and split.
type dataArgs struct {
	MaxPoems  int     `json:"max_poems"`
	ValidFrac float64 `json:"valid_fraction"`
	MinFreq   int     `json:"min_freq"`
	SeqLen    int     `json:"seq_len"`
	Batch     int     `json:"batch"`
}

func (d *dataArgs) register(fs *flag.FlagSet) {
	fs.IntVar(&d.MaxPoems, "max-poems", 0, "use only the first N Tang poems (0: all 57,603)")
	fs.Float64Var(&d.ValidFrac, "valid-fraction", 0.05, "fraction of poems held out for validation (by a hash of the poem id)")
	fs.IntVar(&d.MinFreq, "min-freq", 3, "characters seen fewer times become [UNK]")
	fs.IntVar(&d.SeqLen, "seq-len", 32, "sequence length T ([CLS] A [SEP] B [SEP] + padding)")
	fs.IntVar(&d.Batch, "batch", 32, "batch size")
}

func (d dataArgs) check() error {
	switch {
	case d.MaxPoems < 0:
		return fmt.Errorf("--max-poems must be ≥ 0, got %d", d.MaxPoems)
	case !(d.ValidFrac > 0 && d.ValidFrac < 1):
		return fmt.Errorf("--valid-fraction must be in (0, 1), got %g", d.ValidFrac)
	case d.MinFreq < 0:
		return fmt.Errorf("--min-freq must be ≥ 0, got %d", d.MinFreq)
	case d.SeqLen < 5 || d.SeqLen > bert.MaxPositions:
		return fmt.Errorf("--seq-len must be in [5, %d], got %d", bert.MaxPositions, d.SeqLen)
	case d.Batch < 1 || d.Batch > maxBatch:
		return fmt.Errorf("--batch must be in [1, %d], got %d", maxBatch, d.Batch)
	}
	return nil
}

// maxBatch bounds --batch (and the batch of a data.json).
const maxBatch = 1 << 16

// dataFile is the record of a pre-training run's data arguments in its checkpoint directory.
const dataFile = "data.json"

// vocabFlags are the data flags that made the vocabulary and the split: a resumed run keeps them.
var vocabFlags = []string{"max-poems", "valid-fraction", "min-freq"}

func tangPoems(maxPoems int) ([]datasets.Poem, error) {
	poems, err := datasets.TangPoems(context.Background())
	if err != nil {
		return nil, err
	}
	if maxPoems > 0 && maxPoems < len(poems) {
		poems = poems[:maxPoems]
	}
	return poems, nil
}

// parseFlags parses args and rejects positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return nil
}

func bertPretrain(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bert pretrain", flag.ContinueOnError)
	var d dataArgs
	d.register(fs)
	dir := fs.String("checkpoint", "", "checkpoint directory (required); an existing checkpoint needs --resume or --overwrite")
	resume := fs.Bool("resume", false, "continue the checkpoint in --checkpoint (its model, vocabulary and data split)")
	overwrite := fs.Bool("overwrite", false, "start over, replacing the checkpoint in --checkpoint")
	size := fs.String("size", "tiny", "model size: tiny (L2 H128), mini (L4 H256), base, large")
	layers := fs.Int("layers", 0, "override num_hidden_layers (0: the size's)")
	hidden := fs.Int("hidden", 0, "override hidden_size (intermediate = 4×hidden; 0: the size's)")
	heads := fs.Int("heads", 0, "override num_attention_heads (0: the size's)")
	steps := fs.Int("steps", 1000, "train to this global step")
	warmup := fs.Int("warmup", 100, "linear warm-up steps")
	lr := fs.Float64("lr", 1e-3, "peak learning rate (linear decay to 0 at --steps)")
	wd := fs.Float64("weight-decay", 0.01, "AdamW weight decay")
	clip := fs.Float64("clip", 1.0, "maximum global gradient norm (0: no clipping)")
	evalEvery := fs.Int("eval-every", 200, "evaluate every N steps (and at the end)")
	evalBatches := fs.Int("eval-batches", 20, "validation batches per evaluation")
	ckptEvery := fs.Int("checkpoint-every", 200, "save a checkpoint every N steps (and at the end)")
	seed := fs.Uint64("seed", 1, "random seed (initialisation, data, dropout)")
	noProgress := fs.Bool("no-progress", false, "hide the progress line (written to standard error)")
	devices := fs.Int("devices", 1, devicesUsage)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("--checkpoint DIR is required")
	}
	set := given(fs)
	if err := firstErr(d.check(), intFlag("layers", *layers, 0, bert.MaxLayers), intFlag("hidden", *hidden, 0, bert.MaxIntermediateSize/4),
		intFlag("heads", *heads, 0, bert.MaxHeads), intFlag("steps", *steps, 1, 1<<30), warmupFlag(*warmup, *steps),
		floatFlag("lr", *lr, math.SmallestNonzeroFloat64, math.Inf(1), false), floatFlag("weight-decay", *wd, 0, math.Inf(1), false),
		floatFlag("clip", *clip, 0, math.Inf(1), false), intFlag("eval-every", *evalEvery, 0, math.MaxInt),
		intFlag("eval-batches", *evalBatches, 0, 1<<20), intFlag("checkpoint-every", *ckptEvery, 0, math.MaxInt),
		devicesFlag(*devices, d.Batch, "batch")); err != nil {
		return err
	}
	cfg, err := bert.Preset(*size, 0)
	if err != nil {
		return fmt.Errorf("--size: %w", err)
	}
	if *layers > 0 {
		cfg.NumHiddenLayers = *layers
	}
	if *hidden > 0 {
		cfg.HiddenSize, cfg.IntermediateSize = *hidden, 4**hidden
	}
	if *heads > 0 {
		cfg.NumAttentionHeads = *heads
	}
	if d.SeqLen > cfg.MaxPositionEmbeddings && !*resume {
		return fmt.Errorf("--seq-len %d is longer than the %s model's max_position_embeddings %d", d.SeqLen, *size, cfg.MaxPositionEmbeddings)
	}
	resuming, err := checkpointPlan(*dir, *resume, *overwrite)
	if err != nil {
		return err
	}
	var tok *tokenizer.Char
	if resuming { // the model, vocabulary and split come from the checkpoint
		if cfg, tok, d, err = resumePretrain(*dir, set, d, cfg, *size, *layers, *hidden, *heads); err != nil {
			return err
		}
		if d.SeqLen > cfg.MaxPositionEmbeddings {
			return fmt.Errorf("--seq-len %d is longer than the checkpoint's max_position_embeddings %d", d.SeqLen, cfg.MaxPositionEmbeddings)
		}
	} else if *overwrite { // Pretrain resumes from a checkpoint it finds: this run starts over
		if err := os.Remove(filepath.Join(*dir, checkpointFile)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	poems, err := tangPoems(d.MaxPoems)
	if err != nil {
		return err
	}
	trainPoems, validPoems := datasets.SplitPoems(poems, d.ValidFrac)
	corpus, err := bert.NewPoemCorpus(trainPoems, validPoems, tok, d.MinFreq) // tok nil: a new vocabulary
	if err != nil {
		return err
	}
	if tok == nil {
		tok = corpus.Tokenizer
		cfg.VocabSize = tok.VocabSize()
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("--size %s with --layers/--hidden/--heads: %w", *size, err)
	}
	what := fmt.Sprintf("--size %s (%d parameters) with --batch %d × --seq-len %d: training", *size, bert.ParamCount(cfg), d.Batch, d.SeqLen)
	if err := memory.Check(what, cfg.TrainingBytes(d.Batch, d.SeqLen)); err != nil {
		return err
	}
	if !resuming {
		if err := bert.SaveVocab(*dir, tok); err != nil {
			return err
		}
	}
	raw, _ := json.MarshalIndent(d, "", "  ")
	if err := atomicfile.WriteBytes(filepath.Join(*dir, dataFile), append(raw, '\n')); err != nil {
		return err
	}
	b, err := openBackend(*devices)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "BERT %s: %d layers, hidden %d, %d heads, vocab %d, %d parameters; %d train / %d valid poems\n",
		*size, cfg.NumHiddenLayers, cfg.HiddenSize, cfg.NumAttentionHeads, cfg.VocabSize, bert.ParamCount(cfg), len(trainPoems), len(validPoems))
	_, m, err := bert.Pretrain(b, bert.PretrainOptions{Model: cfg, Train: corpus.Train, Valid: corpus.Valid, Specials: corpus.Specials,
		SeqLen: d.SeqLen, BatchSize: d.Batch, Steps: *steps, WarmupSteps: *warmup, LR: *lr, WeightDecay: *wd, ClipNorm: *clip,
		EvalEvery: *evalEvery, EvalBatches: *evalBatches, CheckpointDir: *dir, CheckpointEvery: *ckptEvery, Seed: *seed,
		Progress: !*noProgress, ProgressOut: os.Stderr, Log: stdout, Devices: *devices})
	if err != nil {
		return err
	}
	return training.WriteJSONLine(stdout, m.Metrics())
}

// resumePretrain reads what a resumed pre-training run continues with — config.json, the
// vocabulary and data.json of dir — and reports a flag given with --resume that disagrees with
// them (it would be ignored). Data flags not given take the checkpoint's values; --seq-len and
// --batch may change.
func resumePretrain(dir string, set map[string]bool, d dataArgs, want bert.Config, size string, layers, hidden, heads int) (bert.Config, *tokenizer.Char, dataArgs, error) {
	cfg, err := bert.LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return cfg, nil, d, fmt.Errorf("--resume: %w", err)
	}
	tok, err := bert.LoadVocab(dir)
	if err != nil {
		return cfg, nil, d, fmt.Errorf("--resume: %w", err)
	}
	if err := cfg.CheckVocab(tok); err != nil {
		return cfg, nil, d, fmt.Errorf("--resume: %s: %w", dir, err)
	}
	saved, err := readDataArgs(dir)
	if err != nil {
		return cfg, nil, d, fmt.Errorf("--resume: %w", err)
	}
	for _, f := range []struct {
		name      string
		given, is int
	}{{"layers", layers, cfg.NumHiddenLayers}, {"hidden", hidden, cfg.HiddenSize}, {"heads", heads, cfg.NumAttentionHeads}} {
		if set[f.name] && f.given != 0 && f.given != f.is {
			return cfg, nil, d, fmt.Errorf("--%s %d: the checkpoint in %s has %d; leave out --%s with --resume, or --overwrite to start over", f.name, f.given, dir, f.is, f.name)
		}
	}
	if set["size"] && (want.HiddenSize != cfg.HiddenSize || want.NumHiddenLayers != cfg.NumHiddenLayers || want.NumAttentionHeads != cfg.NumAttentionHeads ||
		want.IntermediateSize != cfg.IntermediateSize || want.MaxPositionEmbeddings != cfg.MaxPositionEmbeddings) {
		return cfg, nil, d, fmt.Errorf("--size %s: the checkpoint in %s is another model (L%d H%d A%d, %d positions); leave out --size with --resume, or --overwrite to start over",
			size, dir, cfg.NumHiddenLayers, cfg.HiddenSize, cfg.NumAttentionHeads, cfg.MaxPositionEmbeddings)
	}
	for _, name := range vocabFlags {
		var same bool
		switch name {
		case "max-poems":
			same = d.MaxPoems == saved.MaxPoems
		case "valid-fraction":
			same = d.ValidFrac == saved.ValidFrac
		case "min-freq":
			same = d.MinFreq == saved.MinFreq
		}
		if set[name] && !same {
			return cfg, nil, d, fmt.Errorf("--%s: the checkpoint in %s was made with another value (see its %s), which fixed its vocabulary and split; leave out --%s with --resume", name, dir, dataFile, name)
		}
	}
	d.MaxPoems, d.ValidFrac, d.MinFreq = saved.MaxPoems, saved.ValidFrac, saved.MinFreq
	if !set["seq-len"] {
		d.SeqLen = saved.SeqLen
	}
	if !set["batch"] {
		d.Batch = saved.Batch
	}
	return cfg, tok, d, nil
}

// readDataArgs reads and checks the data.json a pretrain run left in dir.
func readDataArgs(dir string) (dataArgs, error) {
	path := filepath.Join(dir, dataFile)
	raw, err := boundedread.ReadFile(path, boundedread.ConfigLimit)
	if err != nil {
		return dataArgs{}, fmt.Errorf("%s is not a `bert pretrain` checkpoint: %w", dir, err)
	}
	d, err := parseDataArgs(raw)
	if err != nil {
		return d, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// parseDataArgs reads the JSON of a data.json: every field present and within the bounds of its
// flag (a data.json is read back by eval and resume; its sizes must not be trusted blindly).
func parseDataArgs(raw []byte) (dataArgs, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return dataArgs{}, err
	}
	for _, k := range []string{"max_poems", "valid_fraction", "min_freq", "seq_len", "batch"} {
		if _, ok := fields[k]; !ok {
			return dataArgs{}, fmt.Errorf("no %q", k)
		}
	}
	var d dataArgs
	if err := json.Unmarshal(raw, &d); err != nil {
		return dataArgs{}, err
	}
	if err := d.check(); err != nil {
		return dataArgs{}, fmt.Errorf("%w (the flag's value recorded here)", err)
	}
	return d, nil
}

func bertEval(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bert eval", flag.ContinueOnError)
	dir := fs.String("checkpoint", "", "checkpoint directory of `bert pretrain` (required)")
	batches := fs.Int("eval-batches", 50, "validation batches")
	seed := fs.Uint64("seed", 7, "seed of the validation examples (pairs and masks)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("--checkpoint DIR is required")
	}
	if *batches < 1 {
		return fmt.Errorf("--eval-batches must be ≥ 1, got %d", *batches)
	}
	d, err := readDataArgs(*dir)
	if err != nil {
		return fmt.Errorf("--checkpoint: %w", err)
	}
	tok, err := bert.LoadVocab(*dir)
	if err != nil {
		return fmt.Errorf("--checkpoint: %w", err)
	}
	specials, err := bert.SpecialsOf(tok)
	if err != nil {
		return err
	}
	poems, err := tangPoems(d.MaxPoems)
	if err != nil {
		return err
	}
	_, validPoems := datasets.SplitPoems(poems, d.ValidFrac)
	validDocs, err := bert.EncodePoems(tok, validPoems)
	if err != nil {
		return err
	}
	start := time.Now()
	b, err := backend.New()
	if err != nil {
		return err
	}
	m, err := bert.LoadCheckpoint(b, *dir, bert.PreTrainingHeads, 0)
	if err != nil {
		return fmt.Errorf("--checkpoint: %w", err)
	}
	ev, err := bert.NewEvaluator(b, m.Store, bert.PretrainOptions{Model: m.Config, Specials: specials, SeqLen: d.SeqLen, BatchSize: d.Batch},
		validDocs, *batches, *seed)
	if err != nil {
		return err
	}
	r, err := ev.Run()
	if err != nil {
		return err
	}
	ckpt, _, err := training.ReadCheckpoint(*dir)
	if err == nil {
		if s, ok := ckpt["/global_step"]; ok {
			r.Step = int64(toFloat(s.Value()))
		}
	}
	r.Seconds = time.Since(start).Seconds()
	fmt.Fprintf(stdout, "validation (%d examples, %d masked positions): MLM loss %.4f, perplexity %.1f, accuracy %.3f; NSP loss %.4f, accuracy %.3f\n",
		r.Examples, r.Predictions, r.MLMLoss, r.MLMPerplexity, r.MLMAccuracy, r.NSPLoss, r.NSPAccuracy)
	return training.WriteJSONLine(stdout, r.Metrics())
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case float32:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

func bertFillMask(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bert fill-mask", flag.ContinueOnError)
	dir := fs.String("checkpoint", "", "checkpoint directory of `bert pretrain` (required)")
	text := fs.String("text", "", `text with one or more [MASK], e.g. "床前明月[MASK]" (required)`)
	topK := fs.Int("top-k", 5, "candidates per [MASK]")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || *text == "" {
		return errors.New("--checkpoint DIR and --text TEXT are required")
	}
	if *topK < 1 {
		return fmt.Errorf("--top-k must be ≥ 1, got %d", *topK)
	}
	tok, err := bert.LoadVocab(*dir)
	if err != nil {
		return fmt.Errorf("--checkpoint: %w", err)
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	m, err := bert.LoadCheckpoint(b, *dir, bert.PreTrainingHeads, 0)
	if err != nil {
		return fmt.Errorf("--checkpoint: %w", err)
	}
	preds, err := m.FillMask(tok, *text, *topK)
	if err != nil {
		return err
	}
	for _, p := range preds {
		fmt.Fprintf(stdout, "[MASK] at token %d:\n", p.Position)
		for i, c := range p.Candidates {
			fmt.Fprintf(stdout, "  %d. %s  %.4f  %s\n", i+1, c.Token, c.Probability, strings.Replace(*text, "[MASK]", c.Token, 1))
		}
	}
	return nil
}

func bertExport(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bert export", flag.ContinueOnError)
	dir := fs.String("checkpoint", "", "checkpoint directory of `bert pretrain` (required)")
	out := fs.String("out", "", "output directory for config.json, model.safetensors, vocab.txt (required)")
	overwrite := fs.Bool("overwrite", false, "replace a model already in --out")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || *out == "" {
		return errors.New("--checkpoint DIR and --out DIR are required")
	}
	if _, err := os.Stat(filepath.Join(*out, "model.safetensors")); err == nil && !*overwrite {
		return fmt.Errorf("--out %s already holds a model.safetensors: pass --overwrite to replace it", *out)
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	m, err := bert.LoadCheckpoint(b, *dir, bert.PreTrainingHeads, 0)
	if err != nil {
		return fmt.Errorf("--checkpoint: %w", err)
	}
	// Variables restored through the loader exist once a graph was built: run one tiny batch.
	if _, err := m.Forward(bert.Batch{InputIDs: [][]int32{{0}}, TokenTypeIDs: [][]int32{{0}}, AttentionMask: [][]int32{{1}}}); err != nil {
		return err
	}
	if err := m.ExportHF(*out); err != nil {
		return err
	}
	if tok, err := bert.LoadVocab(*dir); err == nil {
		if err := bert.SaveVocab(*out, tok); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "exported %s → %s (config.json, model.safetensors, vocab.txt)\n", *dir, *out)
	return nil
}

func bertFinetune(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bert finetune", flag.ContinueOnError)
	pre := fs.String("pretrained", "", "pre-training checkpoint: its vocabulary and config, and (unless --from-scratch) its encoder weights (required)")
	scratch := fs.Bool("from-scratch", false, "same model and vocabulary, random initial weights (the baseline)")
	out := fs.String("checkpoint", "", "directory for the fine-tuned model (optional; an existing checkpoint needs --overwrite)")
	overwrite := fs.Bool("overwrite", false, "replace the checkpoint in --checkpoint")
	perClass := fs.Int("per-class", 2000, "poems per class (Tang = 0, Song = 1), sampled with --seed")
	seqLen := fs.Int("seq-len", 64, "sequence length: [CLS] first characters of the poem [SEP]")
	batch := fs.Int("batch", 32, "batch size")
	steps := fs.Int("steps", 300, "training steps")
	warmup := fs.Int("warmup", 30, "linear warm-up steps")
	lr := fs.Float64("lr", 2e-4, "peak learning rate")
	seed := fs.Uint64("seed", 1, "random seed")
	noProgress := fs.Bool("no-progress", false, "hide the progress line (written to standard error)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *pre == "" {
		return errors.New("--pretrained DIR is required (with --from-scratch only its vocabulary and config are used)")
	}
	if err := firstErr(intFlag("per-class", *perClass, 10, math.MaxInt), intFlag("seq-len", *seqLen, 3, bert.MaxPositions),
		intFlag("batch", *batch, 1, maxBatch), intFlag("steps", *steps, 1, 1<<30), warmupFlag(*warmup, *steps),
		floatFlag("lr", *lr, math.SmallestNonzeroFloat64, math.Inf(1), false)); err != nil {
		return err
	}
	if *out != "" {
		if _, err := checkpointPlan(*out, false, *overwrite); err != nil {
			return err
		}
	} else if *overwrite {
		return errors.New("--overwrite needs --checkpoint DIR")
	}
	tok, err := bert.LoadVocab(*pre)
	if err != nil {
		return fmt.Errorf("--pretrained: %w", err)
	}
	specials, err := bert.SpecialsOf(tok)
	if err != nil {
		return err
	}
	cfg, err := bert.LoadConfig(filepath.Join(*pre, "config.json"))
	if err != nil {
		return fmt.Errorf("--pretrained: %w", err)
	}
	if err := cfg.CheckVocab(tok); err != nil {
		return fmt.Errorf("--pretrained %s: %w", *pre, err)
	}
	if *seqLen > cfg.MaxPositionEmbeddings {
		return fmt.Errorf("--seq-len %d is longer than max_position_embeddings %d", *seqLen, cfg.MaxPositionEmbeddings)
	}
	f, err := datasets.NewFetcher()
	if err != nil {
		return err
	}
	var trainEx, validEx []datasets.ClassificationExample
	for label, dyn := range []datasets.Dynasty{datasets.Tang, datasets.Song} {
		poems, err := f.Poems(context.Background(), dyn)
		if err != nil {
			return err
		}
		r := rand.New(rand.NewPCG(*seed, uint64(label)))
		r.Shuffle(len(poems), func(i, j int) { poems[i], poems[j] = poems[j], poems[i] })
		poems = poems[:min(*perClass, len(poems))]
		tr, va := datasets.SplitPoems(poems, 0.1)
		for _, part := range []struct {
			poems []datasets.Poem
			dst   *[]datasets.ClassificationExample
		}{{tr, &trainEx}, {va, &validEx}} {
			for _, p := range part.poems {
				ids, err := tok.Encode(strings.Join(p.Lines, ""))
				if err != nil {
					return err
				}
				*part.dst = append(*part.dst, datasets.ClassificationExample{A: ids[:min(len(ids), *seqLen-2)], Label: label})
			}
		}
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	opts := bert.FinetuneOptions{Model: cfg, NumLabels: 2, Train: trainEx, Valid: validEx, Specials: specials,
		SeqLen: *seqLen, BatchSize: *batch, Steps: *steps, WarmupSteps: *warmup, LR: *lr, WeightDecay: 0.01, ClipNorm: 1,
		Seed: *seed, CheckpointDir: *out, Progress: !*noProgress, ProgressOut: os.Stderr, Log: stdout}
	if !*scratch {
		opts.Pretrained = *pre
	}
	fmt.Fprintf(stdout, "Tang vs Song: %d train / %d valid poems; %s\n", len(trainEx), len(validEx),
		map[bool]string{true: "encoder from scratch", false: "encoder from " + *pre}[*scratch])
	_, m, err := bert.Finetune(b, opts)
	if err != nil {
		return err
	}
	return training.WriteJSONLine(stdout, m.Metrics())
}
