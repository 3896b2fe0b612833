package bert

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bert2gpt/bert2gpt/transformer/training"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Head selects which parts of a checkpoint a model uses besides the encoder.
type Head int

const (
	// EncoderOnly is HF's BertModel: embeddings, encoder layers and the pooler, no head.
	EncoderOnly Head = iota
	// PreTrainingHeads are the MLM head (cls.predictions) and the NSP head (cls.seq_relationship).
	PreTrainingHeads
	// ClassifierHead is BertForSequenceClassification's "classifier" Linear layer.
	ClassifierHead
)

// String names the head as the HF class that has it.
func (h Head) String() string {
	switch h {
	case EncoderOnly:
		return "BertModel (encoder only)"
	case PreTrainingHeads:
		return "BertForPreTraining"
	case ClassifierHead:
		return "BertForSequenceClassification"
	}
	return fmt.Sprintf("Head(%d)", int(h))
}

// param is one variable of our model and its name in a Hugging Face checkpoint.
type param struct {
	ours  string // full variable path in the model.Store, e.g. /bert/encoder/layer_0/self_attn/query/weight
	hf    string // HF key, e.g. bert.encoder.layer.0.attention.self.query.weight
	shape []int
	group string // "bert", "cls.predictions", "cls.seq_relationship" or "classifier"
}

// hfParams lists every variable of the model with its HF name (the name map of the loader):
//
//	ours (package transformer layout)            Hugging Face
//	bert/embeddings/word_embeddings/weight       bert.embeddings.word_embeddings.weight
//	bert/embeddings/LayerNorm/{gain,bias}        bert.embeddings.LayerNorm.{weight,bias} (legacy: gamma, beta)
//	bert/encoder/layer_N/self_attn/query         bert.encoder.layer.N.attention.self.query   (key, value alike)
//	bert/encoder/layer_N/self_attn/output        bert.encoder.layer.N.attention.output.dense
//	bert/encoder/layer_N/norm1                   bert.encoder.layer.N.attention.output.LayerNorm
//	bert/encoder/layer_N/ffn/linear1             bert.encoder.layer.N.intermediate.dense
//	bert/encoder/layer_N/ffn/linear2             bert.encoder.layer.N.output.dense
//	bert/encoder/layer_N/norm2                   bert.encoder.layer.N.output.LayerNorm
//	bert/pooler/dense                            bert.pooler.dense
//	cls/predictions/…, cls/seq_relationship      cls.predictions.…, cls.seq_relationship
//	classifier                                   classifier
//
// The MLM decoder weight is the word-embedding table (tied), so cls.predictions.decoder.weight is
// neither read nor written; cls.predictions.bias is the decoder's bias.
func hfParams(c Config, head Head, numLabels int) []param {
	H, I := c.HiddenSize, c.IntermediateSize
	var ps []param
	add := func(group, ours, hf string, shape ...int) {
		ps = append(ps, param{ours: "/" + ours, hf: hf, shape: shape, group: group})
	}
	linear := func(group, ours, hf string, out, in int) {
		add(group, ours+"/weight", hf+".weight", out, in)
		add(group, ours+"/bias", hf+".bias", out)
	}
	norm := func(group, ours, hf string) {
		add(group, ours+"/gain", hf+".weight", H)
		add(group, ours+"/bias", hf+".bias", H)
	}
	add("bert", "bert/embeddings/word_embeddings/weight", "bert.embeddings.word_embeddings.weight", c.VocabSize, H)
	add("bert", "bert/embeddings/position_embeddings/weight", "bert.embeddings.position_embeddings.weight", c.MaxPositionEmbeddings, H)
	add("bert", "bert/embeddings/token_type_embeddings/weight", "bert.embeddings.token_type_embeddings.weight", c.TypeVocabSize, H)
	norm("bert", "bert/embeddings/LayerNorm", "bert.embeddings.LayerNorm")
	for i := range c.NumHiddenLayers {
		ours := fmt.Sprintf("bert/encoder/layer_%d/", i)
		hf := fmt.Sprintf("bert.encoder.layer.%d.", i)
		for _, qkv := range []string{"query", "key", "value"} {
			linear("bert", ours+"self_attn/"+qkv, hf+"attention.self."+qkv, H, H)
		}
		linear("bert", ours+"self_attn/output", hf+"attention.output.dense", H, H)
		norm("bert", ours+"norm1", hf+"attention.output.LayerNorm")
		linear("bert", ours+"ffn/linear1", hf+"intermediate.dense", I, H)
		linear("bert", ours+"ffn/linear2", hf+"output.dense", H, I)
		norm("bert", ours+"norm2", hf+"output.LayerNorm")
	}
	linear("bert", "bert/pooler/dense", "bert.pooler.dense", H, H)
	switch head {
	case PreTrainingHeads:
		linear("cls.predictions", "cls/predictions/transform/dense", "cls.predictions.transform.dense", H, H)
		norm("cls.predictions", "cls/predictions/transform/LayerNorm", "cls.predictions.transform.LayerNorm")
		add("cls.predictions", "cls/predictions/bias", "cls.predictions.bias", c.VocabSize)
		linear("cls.seq_relationship", "cls/seq_relationship", "cls.seq_relationship", 2, H)
	case ClassifierHead:
		linear("classifier", "classifier", "classifier", numLabels, H)
	}
	return ps
}

// HFName is one variable of the model and the name of its tensor in a Hugging Face checkpoint.
type HFName struct {
	// Ours is the variable's path in the model.Store, e.g. /bert/encoder/layer_0/self_attn/query/weight.
	Ours string
	// HF is the tensor's key in a BertForPreTraining file, e.g.
	// bert.encoder.layer.0.attention.self.query.weight (BertModel files have no "bert." prefix).
	HF string
	// Shape is the tensor's shape (the same in both: Linear weights are [out, in] in both).
	Shape []int
	// Part is what it belongs to: "bert" (embeddings and encoder layers), "pooler",
	// "cls.predictions", "cls.seq_relationship" or "classifier" (PretrainedOptions.NewHeads' names).
	Part string
}

// NameMap lists the variables of a BERT with config c and head, and their Hugging Face names: the
// name map every loader and ExportHF use (chapter 13 prints it).
func NameMap(c Config, head Head, numLabels int) []HFName {
	var out []HFName
	for _, p := range hfParams(c, head, numLabels) {
		out = append(out, HFName{Ours: p.ours, HF: p.hf, Shape: slices.Clone(p.shape), Part: loadUnit(p)})
	}
	return out
}

// hfCandidates are the keys under which a checkpoint may store p: with or without the "bert."
// prefix (BertModel is saved without it) and with the legacy LayerNorm names gamma/beta of
// TF-converted checkpoints.
func hfCandidates(p param) []string {
	names := []string{p.hf}
	if strings.Contains(p.hf, "LayerNorm.") {
		names = append(names, strings.NewReplacer("LayerNorm.weight", "LayerNorm.gamma", "LayerNorm.bias", "LayerNorm.beta").Replace(p.hf))
	}
	if strings.HasPrefix(p.hf, "bert.") {
		for _, n := range names[:len(names)] { // the range is evaluated once: appending is safe
			names = append(names, strings.TrimPrefix(n, "bert."))
		}
	}
	return names
}

// LoadSafetensors reads the variables of a BERT with config c and the given head from a Hugging
// Face model.safetensors into store (creating or overwriting them). The encoder must be complete;
// a head group (MLM, NSP, classifier) is either read completely or, if the file has none of its
// tensors, left to random initialisation (reported in the returned list of missing groups).
// Errors name the tensor: missing, wrong shape, non-float or unknown dtype, a NaN or infinite
// value, truncated file. (FromPretrained is stricter: a head it is asked for must be in the file
// unless named in PretrainedOptions.NewHeads.)
func LoadSafetensors(store *model.Store, c Config, path string, head Head, numLabels int) (missingGroups []string, err error) {
	values, missingGroups, err := readHF(path, c, head, numLabels, func(unit string) bool { return unit != "bert" && unit != "pooler" })
	if err != nil {
		return nil, fmt.Errorf("bert.LoadSafetensors: %w", err)
	}
	if err := setValues(store, values); err != nil {
		return nil, fmt.Errorf("bert.LoadSafetensors: %w", err)
	}
	return missingGroups, nil
}

// loadUnit is the part of the model a parameter belongs to for loading: its group ("bert",
// "cls.predictions", "cls.seq_relationship", "classifier"), except the pooler, which is "pooler"
// (a BertModel may be saved without it).
func loadUnit(p param) string {
	if strings.HasPrefix(p.hf, "bert.pooler.") {
		return "pooler"
	}
	return p.group
}

// readHF reads from a Hugging Face model.safetensors the values of the variables of a BERT with
// config c and head, keyed by variable path. A unit (see loadUnit) for which optional is true may be
// absent as a whole: it is then listed in missing and has no values. Any other missing tensor, a
// partly present unit, a wrong shape, a non-float dtype, a NaN or an infinity is an error naming
// the tensor. Tensors the model does not use (other heads, buffers such as position_ids) are ignored.
func readHF(path string, c Config, head Head, numLabels int, optional func(unit string) bool) (values map[string]*tensors.Tensor, missing []string, err error) {
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	file, _, err := training.ReadSafetensors(path)
	if err != nil {
		return nil, nil, err
	}
	byUnit := map[string][]param{}
	var order []string
	for _, p := range hfParams(c, head, numLabels) {
		u := loadUnit(p)
		if _, seen := byUnit[u]; !seen {
			order = append(order, u)
		}
		byUnit[u] = append(byUnit[u], p)
	}
	values = map[string]*tensors.Tensor{}
	for _, unit := range order {
		found := 0
		for _, p := range byUnit[unit] {
			if _, t := lookup(file, p); t != nil {
				found++
			}
		}
		if found == 0 && optional(unit) {
			missing = append(missing, unit)
			continue
		}
		for _, p := range byUnit[unit] {
			name, t := lookup(file, p)
			if t == nil {
				return nil, nil, fmt.Errorf("%s: missing tensor %q", path, p.hf)
			}
			if !slices.Equal(t.Shape().Dimensions, p.shape) {
				return nil, nil, fmt.Errorf("%s: tensor %q has shape %v, want %v (config: %s)", path, name, t.Shape().Dimensions, p.shape, shapeHint(c))
			}
			data, err := training.Float32Values(t)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: tensor %q: %w", path, name, err)
			}
			value := tensors.FromFlatDataAndDimensions(data, p.shape...)
			if err := training.CheckFinite(name, value); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", path, err)
			}
			values[p.ours] = value
		}
	}
	return values, missing, nil
}

// setValues gives the variables of store the values (creating the variables that do not exist).
func setValues(store *model.Store, values map[string]*tensors.Tensor) error {
	for path, value := range values {
		var err error
		if v := store.GetVariable(path); v != nil {
			err = v.SetValue(value) // the shape was checked against the config
		} else {
			_, err = store.CreateVariable(path, value)
		}
		if err != nil {
			return fmt.Errorf("variable %s: %w", path, err)
		}
	}
	return nil
}

// lookup finds p's tensor under any of its Hugging Face names (current or legacy), returning the
// name found.
func lookup(file map[string]*tensors.Tensor, p param) (string, *tensors.Tensor) {
	for _, n := range hfCandidates(p) {
		if t, ok := file[n]; ok {
			return n, t
		}
	}
	return "", nil
}

func shapeHint(c Config) string {
	return fmt.Sprintf("vocab_size=%d hidden_size=%d intermediate_size=%d max_position_embeddings=%d type_vocab_size=%d",
		c.VocabSize, c.HiddenSize, c.IntermediateSize, c.MaxPositionEmbeddings, c.TypeVocabSize)
}

// ExportHF writes dir/config.json and dir/model.safetensors in Hugging Face's BertForPreTraining
// (or, with ClassifierHead, BertForSequenceClassification; with EncoderOnly, BertModel) layout, so that
// transformers' from_pretrained(dir) loads the model. Every variable of the name map must exist
// in store.
func ExportHF(dir string, store *model.Store, c Config, head Head, numLabels int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bert.ExportHF: %w", err)
	}
	ts := map[string]*tensors.Tensor{}
	for _, p := range hfParams(c, head, numLabels) {
		v := store.GetVariable(p.ours)
		if v == nil && head == EncoderOnly && loadUnit(p) == "pooler" {
			continue // a BertModel without a pooler
		}
		if v == nil {
			return fmt.Errorf("bert.ExportHF: the model has no variable %s (for %s)", p.ours, p.hf)
		}
		value, err := v.Value()
		if err != nil {
			return fmt.Errorf("bert.ExportHF: variable %s: %w", p.ours, err)
		}
		ts[p.hf] = value
	}
	if head == EncoderOnly {
		c.Architectures = []string{"BertModel"}
	}
	if head == ClassifierHead {
		c.Architectures = []string{"BertForSequenceClassification"}
		c.ID2Label = map[string]string{}
		for i := range numLabels {
			c.ID2Label[fmt.Sprint(i)] = fmt.Sprintf("LABEL_%d", i)
		}
	}
	if err := training.WriteSafetensors(filepath.Join(dir, "model.safetensors"), ts, nil, map[string]string{"format": "pt"}); err != nil {
		return fmt.Errorf("bert.ExportHF: %w", err)
	}
	if err := c.Save(filepath.Join(dir, "config.json")); err != nil {
		return fmt.Errorf("bert.ExportHF: %w", err)
	}
	return nil
}
