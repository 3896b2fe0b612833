package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/bert2gpt/bert2gpt/backend"
	"github.com/bert2gpt/bert2gpt/internal/boundedread"
	"github.com/bert2gpt/bert2gpt/transformer/bert"
	"github.com/bert2gpt/bert2gpt/transformer/pretrained"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
)

func init() {
	register("embed", "sentence embeddings of texts with a pretrained BERT (directory or hub id), as JSON", func(args []string) error {
		return runEmbed(args, os.Stdin, os.Stdout)
	})
}

// textsFlag collects repeated --text values.
type textsFlag []string

func (t *textsFlag) String() string     { return strings.Join(*t, " | ") }
func (t *textsFlag) Set(v string) error { *t = append(*t, v); return nil }

// maxEmbedTexts bounds the texts of one call (a million short texts is a few hundred MB of JSON).
const maxEmbedTexts = 1 << 20

// embedOutput is the JSON the command writes on standard output.
type embedOutput struct {
	Model      string      `json:"model"`
	Commit     string      `json:"commit,omitempty"`
	Dimension  int         `json:"dimension"`
	Pooling    string      `json:"pooling"`
	Normalized bool        `json:"normalized"`
	MaxLength  int         `json:"max_length"`
	Tokens     []int       `json:"tokens"`
	Truncated  []bool      `json:"truncated"`
	Embeddings [][]float32 `json:"embeddings"`
	Seconds    float64     `json:"seconds"`
	Backend    string      `json:"backend"`
}

func runEmbed(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("embed", flag.ContinueOnError)
	src := fs.String("model", "", "model directory (config.json, model.safetensors, vocab.txt…) or Hugging Face hub id, e.g. sentence-transformers/all-MiniLM-L6-v2")
	var texts textsFlag
	fs.Var(&texts, "text", "a text to embed (repeat for several)")
	file := fs.String("file", "", "read texts from this file, one per line (- = standard input)")
	pooling := fs.String("pooling", "model", "mean, cls, or model (what the model's sentence-transformers files say; mean otherwise)")
	normalize := fs.String("normalize", "model", "true, false, or model (what the model's files say)")
	revision := fs.String("revision", "", "hub revision: branch, tag or commit hash (default main)")
	offline := fs.Bool("offline", false, "use the Hugging Face cache only, never the network (also HF_HUB_OFFLINE=1)")
	batch := fs.Int("batch", 32, "texts per batch")
	digits := fs.Int("digits", 9, "significant digits of each number in the output (1 to 9; 9 keeps float32 exactly)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (texts go in --text)", fs.Args())
	}
	if *src == "" {
		return errors.New("--model is required (a directory or a hub id such as sentence-transformers/all-MiniLM-L6-v2)")
	}
	if *file != "" {
		lines, err := readLines(*file, stdin)
		if err != nil {
			return fmt.Errorf("--file: %w", err)
		}
		texts = append(texts, lines...)
	}
	if len(texts) == 0 {
		return errors.New("nothing to embed: give --text TEXT (repeatable) or --file FILE")
	}
	if len(texts) > maxEmbedTexts {
		return fmt.Errorf("%d texts, more than the %d one call embeds", len(texts), maxEmbedTexts)
	}
	if err := firstErr(intFlag("batch", *batch, 1, 4096), intFlag("digits", *digits, 1, 9)); err != nil {
		return err
	}
	var poolingMode *bert.Pooling
	switch *pooling {
	case "model":
	case "mean", "cls":
		p := bert.MeanPooling
		if *pooling == "cls" {
			p = bert.CLSPooling
		}
		poolingMode = &p
	default:
		return fmt.Errorf("--pooling %q must be mean, cls or model", *pooling)
	}
	var norm *bool
	switch *normalize {
	case "model":
	case "true", "false":
		b := *normalize == "true"
		norm = &b
	default:
		return fmt.Errorf("--normalize %q must be true, false or model", *normalize)
	}
	be, err := backend.New()
	if err != nil {
		return err
	}
	p, err := bert.FromPretrained(be, *src, bert.PretrainedOptions{Options: pretrained.Options{Revision: *revision, Offline: *offline}})
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	if poolingMode != nil {
		p.Sentence.Pooling = *poolingMode
	}
	if norm != nil {
		p.Sentence.Normalize = *norm
	}
	p.BatchSize = *batch
	start := time.Now()
	vecs, err := p.Embed(texts)
	if err != nil {
		return err
	}
	out := embedOutput{Model: *src, Commit: p.Files.Commit, Dimension: p.Model.Config.HiddenSize, Pooling: p.Sentence.Pooling.String(),
		Normalized: p.Sentence.Normalize, MaxLength: p.MaxLength, Embeddings: vecs, Seconds: time.Since(start).Seconds(), Backend: be.Name()}
	e, err := tokenizer.EncodeBatch(p.Tokenizer, texts, nil, tokenizer.BatchOptions{MaxLen: p.MaxLength, Padding: tokenizer.NoPadding})
	if err != nil {
		return err
	}
	for _, ids := range e.IDs {
		out.Tokens = append(out.Tokens, len(ids))
	}
	out.Truncated = e.Truncated
	for _, v := range out.Embeddings {
		for i, x := range v {
			r, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', *digits, 32), 32)
			v[i] = float32(r)
		}
	}
	w := bufio.NewWriter(stdout)
	if err := json.NewEncoder(w).Encode(out); err != nil {
		return err
	}
	return w.Flush()
}

// readLines returns the non-empty lines of a file ("-": r), read with a size limit.
func readLines(path string, r io.Reader) ([]string, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(r, boundedread.VocabLimit+1))
		if err == nil && len(data) > boundedread.VocabLimit {
			err = fmt.Errorf("standard input is more than %d bytes", boundedread.VocabLimit)
		}
	} else {
		data, err = boundedread.ReadFile(path, boundedread.VocabLimit)
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimRight(line, "\r"); strings.TrimSpace(line) != "" {
			out = append(out, line)
		}
	}
	return out, nil
}
