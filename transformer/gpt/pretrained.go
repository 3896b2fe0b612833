package gpt

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bert2gpt/bert2gpt/transformer/pretrained"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer/hfhub"
	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/ml/model"
)

// PretrainedOptions say where a hub repository's files come from (revision, cache, offline…; see
// pretrained.Options). Nothing is needed for a local directory.
type PretrainedOptions struct {
	pretrained.Options
}

// Pretrained is a GPT-2 checkpoint loaded by FromPretrained: the model and the tokenizer of the
// same files — GPT-2's byte-level BPE (vocab.json + merges.txt), or BERT's WordPiece (vocab.txt) for
// the Chinese GPT-2 models of UER (uer/gpt2-chinese-cluecorpussmall: GPT-2 blocks, BERT's Chinese
// vocabulary, texts that start with [CLS]).
type Pretrained struct {
	Model     *Model
	Tokenizer tokenizer.Tokenizer
	// Files are where the checkpoint was found.
	Files *pretrained.Files
}

// FromPretrained loads a GPT-2 checkpoint (HF's GPT2LMHeadModel: config.json, model.safetensors)
// and its tokenizer from a directory or a hub id such as "gpt2" or
// "uer/gpt2-chinese-cluecorpussmall", fetched into the Hugging Face cache (pretrained.Fetch:
// revision, offline mode). Errors name the file and the tensor or field.
func FromPretrained(backend compute.Backend, src string, o PretrainedOptions) (*Pretrained, error) {
	files, err := pretrained.Fetch(src, []string{"config.json", "model.safetensors"}, hfhub.FileNames, o.Options)
	if err != nil {
		if strings.Contains(err.Error(), "model.safetensors") {
			err = fmt.Errorf("%w (this package reads safetensors weights only, not pytorch_model.bin)", err)
		}
		return nil, fmt.Errorf("gpt.FromPretrained: %w", err)
	}
	p, err := loadPretrained(backend, files)
	if err != nil {
		return nil, fmt.Errorf("gpt.FromPretrained %s: %w", files, err)
	}
	return p, nil
}

func loadPretrained(backend compute.Backend, files *pretrained.Files) (*Pretrained, error) {
	c, err := LoadConfig(files.Path("config.json"))
	if err != nil {
		return nil, err
	}
	if c.ModelType != "" && c.ModelType != "gpt2" {
		return nil, fmt.Errorf("config.json: model_type is %q, not a GPT-2", c.ModelType)
	}
	tok, err := hfhub.LoadDir(files.Dir)
	if err != nil {
		return nil, err
	}
	if tok.VocabSize() > c.VocabSize {
		return nil, fmt.Errorf("the tokenizer has %d tokens, more than config.json's vocab_size %d", tok.VocabSize(), c.VocabSize)
	}
	values, err := readHF(files.Path("model.safetensors"), c)
	if err != nil {
		return nil, err
	}
	store := model.NewStore()
	if err := training.SetVariables(store, values); err != nil {
		return nil, err
	}
	m, err := newWithStore(backend, c, store)
	if err != nil {
		return nil, err
	}
	return &Pretrained{Model: m, Tokenizer: tok, Files: files}, nil
}

// EncodePrompt returns the token ids of a prompt: the BPE ids for GPT-2; [CLS] followed by the
// WordPiece ids for a model with a BERT vocabulary (UER's Chinese GPT-2 saw every text start with
// [CLS] in training).
func (p *Pretrained) EncodePrompt(text string) ([]int32, error) {
	ids, err := p.Tokenizer.Encode(text)
	if err != nil {
		return nil, err
	}
	var out []int32
	if _, ok := p.Tokenizer.(*tokenizer.WordPiece); ok {
		if cls, ok := p.Tokenizer.SpecialID(tokenizer.CLS); ok {
			out = append(out, int32(cls))
		}
	}
	for _, id := range ids {
		out = append(out, int32(id))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("gpt: the prompt %q encodes to no tokens", text)
	}
	return out, nil
}

// Decode turns generated ids into text. Byte-level BPE decodes exactly. For a WordPiece vocabulary
// special tokens are dropped, "##" pieces are glued to the previous token, and tokens are joined
// without the spaces BERT's decoder puts between Chinese characters (a space stays only between two
// alphanumeric tokens, as between English words).
func (p *Pretrained) Decode(ids []int32) (string, error) {
	ints := make([]int, len(ids))
	for i, id := range ids {
		ints[i] = int(id)
	}
	wp, ok := p.Tokenizer.(*tokenizer.WordPiece)
	if !ok {
		return p.Tokenizer.Decode(ints)
	}
	special := map[int]bool{}
	for _, s := range []tokenizer.Special{tokenizer.Pad, tokenizer.CLS, tokenizer.SEP, tokenizer.Mask} {
		if id, ok := wp.SpecialID(s); ok {
			special[id] = true
		}
	}
	var sb strings.Builder
	prev := rune(0)
	for i, id := range ints {
		t, ok := wp.Token(id)
		if !ok {
			return "", fmt.Errorf("gpt: id %d (position %d) is not in the vocabulary", id, i)
		}
		if special[id] {
			continue
		}
		piece, cont := strings.CutPrefix(t, "##")
		first, _ := utf8.DecodeRuneInString(piece)
		if !cont && wordRune(prev) && wordRune(first) {
			sb.WriteByte(' ')
		}
		sb.WriteString(piece)
		prev, _ = utf8.DecodeLastRuneInString(piece)
	}
	return sb.String(), nil
}

// wordRune: a letter or digit of a script written with spaces between words (not a CJK ideograph).
func wordRune(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !tokenizer.IsCJK(r) && !unicode.Is(unicode.Han, r)
}

// Generate continues the prompt text and returns the new text (see Model.Generate for the options;
// the prompt is encoded by EncodePrompt).
func (p *Pretrained) Generate(prompt string, o GenerateOptions) (string, error) {
	ids, err := p.EncodePrompt(prompt)
	if err != nil {
		return "", err
	}
	out, err := p.Model.Generate(ids, o)
	if err != nil {
		return "", err
	}
	return p.Decode(out)
}
