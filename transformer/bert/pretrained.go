package bert

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/bert2gpt/bert2gpt/internal/boundedread"
	"github.com/bert2gpt/bert2gpt/transformer/pretrained"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer/hfhub"
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
)

// PretrainedOptions say which parts of a checkpoint FromPretrained loads, and where a hub
// repository's files come from (the embedded pretrained.Options: revision, cache, offline…).
type PretrainedOptions struct {
	pretrained.Options
	// Head is what the model has besides the encoder: EncoderOnly (the zero value) reads the
	// embeddings, the encoder layers and the pooler if the file has one; PreTrainingHeads and
	// ClassifierHead read those heads too.
	Head Head
	// NumLabels is the number of classes of ClassifierHead; 0 means the size of config.json's id2label.
	NumLabels int
	// NewHeads names parts that may be absent from the file and are then initialised randomly:
	// "classifier" (fine-tuning a pre-trained encoder), "cls.predictions", "cls.seq_relationship",
	// "pooler". Any other tensor the model needs and the file lacks is an error naming it.
	NewHeads []string
	// EditConfig, if not nil, changes the configuration read from config.json before the model is
	// built (chapter 13 swaps GELU for ReLU to see what the activation is worth).
	EditConfig func(c *Config)
}

// Pretrained is a checkpoint loaded by FromPretrained: the model, the tokenizer of the same files,
// and what those files say about inputs and sentence embeddings.
type Pretrained struct {
	Model     *Model
	Tokenizer *tokenizer.WordPiece
	// MaxLength is the most tokens per input, [CLS] and [SEP] included: sentence_bert_config.json's
	// max_seq_length, else tokenizer_config.json's model_max_length, and at most
	// max_position_embeddings. Encode and Embed truncate to it.
	MaxLength int
	// Sentence is the sentence-embedding recipe: a sentence-transformers model's pooling
	// (1_Pooling/config.json) and whether modules.json ends with Normalize; mean pooling without
	// normalisation for other checkpoints. Change it to embed differently.
	Sentence EmbedOptions
	// LowercaseInput lower-cases texts before tokenizing (sentence_bert_config.json's do_lower_case).
	LowercaseInput bool
	// BatchSize is how many texts Embed runs at once (32, as sentence-transformers).
	BatchSize int
	// Files are where the checkpoint was found.
	Files *pretrained.Files
}

// Files FromPretrained reads. Sentence-transformers models also have modules.json,
// sentence_bert_config.json and the pooling module's config.json.
var (
	requiredFiles = []string{"config.json", "model.safetensors", "vocab.txt"}
	optionalFiles = []string{"tokenizer_config.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json"}
)

// FromPretrained loads a BERT checkpoint and its tokenizer. src is a directory (config.json,
// model.safetensors, vocab.txt; tokenizer_config.json and a sentence-transformers model's
// modules.json, sentence_bert_config.json and pooling config are read when present) or a hub id such
// as "bert-base-chinese" or "sentence-transformers/all-MiniLM-L6-v2", fetched into the Hugging Face
// cache (pretrained.Fetch: revision, offline mode). Files saved from BertModel (no "bert." prefix),
// BertForPreTraining and TF conversions (LayerNorm gamma/beta) load alike.
//
// By default the model is encoder-only: the weights of heads are not read, and no head runs. A head
// asked for in o.Head must be in the file, unless named in o.NewHeads. Errors name the file and the
// tensor or field.
func FromPretrained(backend compute.Backend, src string, o PretrainedOptions) (*Pretrained, error) {
	if o.Head != EncoderOnly && o.Head != PreTrainingHeads && o.Head != ClassifierHead {
		return nil, fmt.Errorf("bert.FromPretrained: unknown head %d", o.Head)
	}
	for _, h := range o.NewHeads {
		if !slices.Contains([]string{"classifier", "cls.predictions", "cls.seq_relationship", "pooler"}, h) {
			return nil, fmt.Errorf("bert.FromPretrained: NewHeads: %q is not a head (want classifier, cls.predictions, cls.seq_relationship or pooler)", h)
		}
	}
	files, err := pretrained.Fetch(src, requiredFiles, optionalFiles, o.Options)
	if err != nil {
		if strings.Contains(err.Error(), "model.safetensors") {
			err = fmt.Errorf("%w (this package reads safetensors weights only, not pytorch_model.bin)", err)
		}
		return nil, fmt.Errorf("bert.FromPretrained: %w", err)
	}
	p, err := loadPretrained(backend, files, o)
	if err != nil {
		return nil, fmt.Errorf("bert.FromPretrained %s: %w", files, err)
	}
	return p, nil
}

func loadPretrained(backend compute.Backend, files *pretrained.Files, o PretrainedOptions) (*Pretrained, error) {
	c, err := LoadConfig(files.Path("config.json"))
	if err != nil {
		return nil, err
	}
	if c.ModelType != "" && c.ModelType != "bert" {
		return nil, fmt.Errorf("config.json: model_type is %q, not a BERT", c.ModelType)
	}
	if o.EditConfig != nil {
		o.EditConfig(&c)
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("EditConfig: %w", err)
		}
	}
	numLabels := o.NumLabels
	if o.Head == ClassifierHead && numLabels == 0 {
		numLabels = len(c.ID2Label)
	}
	m, err := New(backend, c, o.Head, numLabels)
	if err != nil {
		return nil, err
	}
	newHeads := map[string]bool{}
	for _, h := range o.NewHeads {
		newHeads[h] = true
	}
	values, missing, err := readHF(files.Path("model.safetensors"), c, o.Head, numLabels, func(unit string) bool {
		return newHeads[unit] || (unit == "pooler" && o.Head == EncoderOnly)
	})
	if err != nil {
		return nil, err
	}
	if o.Head == EncoderOnly && slices.Contains(missing, "pooler") && !newHeads["pooler"] {
		m.NoPooler = true
	}
	if err := setValues(m.Store, values); err != nil {
		return nil, err
	}

	tok, err := hfhub.LoadDir(files.Dir)
	if err != nil {
		return nil, err
	}
	wp, ok := tok.(*tokenizer.WordPiece)
	if !ok {
		return nil, fmt.Errorf("the tokenizer is %T, not BERT's WordPiece", tok)
	}
	if wp.VocabSize() > c.VocabSize {
		return nil, fmt.Errorf("vocab.txt has %d tokens, more than config.json's vocab_size %d", wp.VocabSize(), c.VocabSize)
	}
	if pad, ok := wp.SpecialID(tokenizer.Pad); ok && pad != c.PadTokenID {
		return nil, fmt.Errorf("vocab.txt's [PAD] is id %d, config.json's pad_token_id is %d", pad, c.PadTokenID)
	}
	for _, s := range []tokenizer.Special{tokenizer.CLS, tokenizer.SEP} {
		if _, ok := wp.SpecialID(s); !ok {
			return nil, fmt.Errorf("the tokenizer has no %s token", s)
		}
	}
	p := &Pretrained{Model: m, Tokenizer: wp, MaxLength: c.MaxPositionEmbeddings, BatchSize: 32, Files: files}
	if n, err := hfhub.MaxLength(files.Dir); err != nil {
		return nil, err
	} else if n > 0 {
		p.MaxLength = min(n, p.MaxLength)
	}
	if err := p.readSentenceConfig(files); err != nil {
		return nil, err
	}
	return p, nil
}

// readSentenceConfig reads a sentence-transformers model's modules.json, sentence_bert_config.json
// and pooling config. Modules other than Transformer, Pooling and Normalize, and pooling modes other
// than mean and [CLS], are errors: the embeddings would not be the model's.
func (p *Pretrained) readSentenceConfig(files *pretrained.Files) error {
	var sbert struct {
		MaxSeqLength *int  `json:"max_seq_length"`
		DoLowerCase  *bool `json:"do_lower_case"`
	}
	if found, err := readJSON(files, "sentence_bert_config.json", &sbert); err != nil {
		return err
	} else if found {
		if sbert.MaxSeqLength != nil {
			if *sbert.MaxSeqLength < 3 {
				return fmt.Errorf("sentence_bert_config.json: max_seq_length %d is too small", *sbert.MaxSeqLength)
			}
			p.MaxLength = min(*sbert.MaxSeqLength, p.Model.Config.MaxPositionEmbeddings)
		}
		p.LowercaseInput = sbert.DoLowerCase != nil && *sbert.DoLowerCase
	}
	var modules []struct {
		Path string `json:"path"`
		Type string `json:"type"`
	}
	found, err := readJSON(files, "modules.json", &modules)
	if err != nil || !found {
		return err
	}
	poolingDir := ""
	for _, mod := range modules {
		switch kind := mod.Type[strings.LastIndex(mod.Type, ".")+1:]; kind {
		case "Transformer":
		case "Pooling":
			poolingDir = mod.Path
		case "Normalize":
			p.Sentence.Normalize = true
		default:
			return fmt.Errorf("modules.json: module %q is not supported (Transformer, Pooling and Normalize are)", mod.Type)
		}
	}
	if poolingDir == "" {
		return nil
	}
	name := path.Join(poolingDir, "config.json")
	if path.Clean(name) != name || strings.HasPrefix(name, "..") || path.IsAbs(name) {
		return fmt.Errorf("modules.json: pooling path %q leaves the model directory", poolingDir)
	}
	var pooling map[string]any
	if found, err := readJSON(files, name, &pooling); err != nil {
		return err
	} else if !found {
		return fmt.Errorf("modules.json names a pooling module, but %s is missing (a hub repository's is fetched only from 1_Pooling/)", name)
	}
	var modes []string
	for k, v := range pooling {
		if on, ok := v.(bool); ok && on && strings.HasPrefix(k, "pooling_mode_") {
			modes = append(modes, k)
		}
	}
	switch {
	case len(modes) == 1 && modes[0] == "pooling_mode_mean_tokens":
		p.Sentence.Pooling = MeanPooling
	case len(modes) == 1 && modes[0] == "pooling_mode_cls_token":
		p.Sentence.Pooling = CLSPooling
	default:
		slices.Sort(modes)
		return fmt.Errorf("%s: pooling %v is not supported (one of pooling_mode_mean_tokens, pooling_mode_cls_token)", name, modes)
	}
	return nil
}

// readJSON decodes the checkpoint file name into v, reporting whether it exists.
func readJSON(files *pretrained.Files, name string, v any) (bool, error) {
	raw, err := boundedread.ReadFile(files.Path(name), boundedread.ConfigLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("%s: %w", name, err)
	}
	return true, nil
}

// Encode tokenizes texts (and, if pairs is not nil, pairs[i] after texts[i]) into a batch padded to
// its longest row: [CLS] text [SEP] (pair [SEP]), truncated to MaxLength tokens.
func (p *Pretrained) Encode(texts, pairs []string) (Batch, error) {
	e, err := p.encode(texts, pairs, tokenizer.PadLongest)
	if err != nil {
		return Batch{}, err
	}
	return Batch{InputIDs: e.IDs, TokenTypeIDs: e.TypeIDs, AttentionMask: e.AttentionMask}, nil
}

func (p *Pretrained) encode(texts, pairs []string, padding tokenizer.Padding) (*tokenizer.Encoding, error) {
	if p.LowercaseInput {
		texts, pairs = lower(texts), lower(pairs)
	}
	return tokenizer.EncodeBatch(p.Tokenizer, texts, pairs, tokenizer.BatchOptions{MaxLen: p.MaxLength, Padding: padding})
}

func lower(texts []string) []string {
	if texts == nil {
		return nil
	}
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = strings.ToLower(t)
	}
	return out
}

// Embed returns the sentence embedding of each text as p.Sentence says (for a sentence-transformers
// model, what its SentenceTransformer.encode returns). Texts run BatchSize at a time, longest first,
// each batch padded to a multiple of 8 tokens (fewer distinct shapes to compile; padding does not
// change the result).
func (p *Pretrained) Embed(texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	e, err := p.encode(texts, nil, tokenizer.NoPadding)
	if err != nil {
		return nil, fmt.Errorf("bert.Pretrained.Embed: %w", err)
	}
	order := make([]int, len(texts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(e.IDs[b]) - len(e.IDs[a]) })
	size := max(p.BatchSize, 1)
	out := make([][]float32, len(texts))
	for start := 0; start < len(order); start += size {
		rows := order[start:min(start+size, len(order))]
		width := min((len(e.IDs[rows[0]])+7)/8*8, max(p.MaxLength, len(e.IDs[rows[0]])), p.Model.Config.MaxPositionEmbeddings)
		var b Batch
		for _, r := range rows {
			ids, types, mask := padRow(e.IDs[r], width, int32(p.Model.Config.PadTokenID)), padRow(e.TypeIDs[r], width, 0), padRow(e.AttentionMask[r], width, 0)
			b.InputIDs, b.TokenTypeIDs, b.AttentionMask = append(b.InputIDs, ids), append(b.TokenTypeIDs, types), append(b.AttentionMask, mask)
		}
		t, err := p.Model.SentenceEmbeddings(b, p.Sentence)
		if err != nil {
			return nil, fmt.Errorf("bert.Pretrained.Embed: %w", err)
		}
		vecs := t.Value().([][]float32)
		_ = t.FinalizeAll()
		for i, r := range rows {
			out[r] = vecs[i]
		}
	}
	return out, nil
}

func padRow(row []int32, width int, pad int32) []int32 {
	out := make([]int32, width)
	n := copy(out, row)
	for i := n; i < width; i++ {
		out[i] = pad
	}
	return out
}

// Values returns a [batch, seq, hidden] tensor (such as Result.LastHiddenState) as nested slices,
// each row cut to its real tokens (attention mask 1).
func Values(t *tensors.Tensor, attentionMask [][]int32) [][][]float32 {
	v := t.Value().([][][]float32)
	for i := range v {
		n := 0
		for _, m := range attentionMask[i] {
			n += int(m)
		}
		v[i] = v[i][:n]
	}
	return v
}
