package bert

import (
	"testing"

	"github.com/bert2gpt/bert2gpt/datasets"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
)

// FuzzParseConfig (bert.LoadConfig): any config.json gives a valid configuration or an error,
// never a panic; what validates has a bounded parameter list and sizes without overflow.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		`{"vocab_size": 21128, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
		  "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "max_position_embeddings": 512,
		  "type_vocab_size": 2, "layer_norm_eps": 1e-12, "initializer_range": 0.02, "pad_token_id": 0, "model_type": "bert"}`,
		`{"vocab_size": 30, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 16}`,
		`{"vocab_size": 30, "hidden_size": 8, "num_hidden_layers": 100000000, "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 16}`,
		`{"vocab_size": 30, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 16,
		  "id2label": {"0": "tang", "1": "song"}, "hidden_act": "gelu_new", "pad_token_id": 29}`,
		`{"hidden_act": "swish", "pad_token_id": -1}`, `null`, `[1]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted config does not validate: %v", err)
		}
		if ParamCount(c) <= 0 || c.WeightBytes() <= 0 || c.TrainingBytes(32, min(c.MaxPositionEmbeddings, 512)) < -1 {
			t.Fatalf("sizes: %d parameters, %d bytes", ParamCount(c), c.WeightBytes())
		}
		if n := len(hfParams(c, PreTrainingHeads, 0)); n != 16*c.NumHiddenLayers+14 {
			t.Fatalf("%d parameters listed for %d layers", n, c.NumHiddenLayers)
		}
	})
}

// FuzzLoadVocab (a checkpoint's char_vocab.json): any file gives a vocabulary or an error; one that
// loads either lacks a special token (an error from SpecialsOf) or encodes poems with ids inside
// the vocabulary.
func FuzzLoadVocab(f *testing.F) {
	f.Add([]byte(`{"tokens": ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "床", "前"], "specials": {"Pad": "[PAD]", "Unknown": "[UNK]", "CLS": "[CLS]", "SEP": "[SEP]", "Mask": "[MASK]"}}`))
	f.Add([]byte(`{"tokens": ["[PAD]", "床"], "specials": {"Pad": "[PAD]"}}`))
	f.Add([]byte(`{"tokens": ["[MASK]"], "specials": {"Mask": "[MASK]", "CLS": "[MASK]", "SEP": "[MASK]", "Pad": "[MASK]", "Unknown": "[MASK]"}}`))
	f.Add([]byte(`{"tokens": []}`))
	poems := []datasets.Poem{{ID: "1", Lines: []string{"床前明月光，疑是地上霜。", "[MASK][CLS]"}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := tokenizer.ParseChar(data) // LoadVocab after reading the file (in memory: fast)
		if err != nil {
			return
		}
		if _, err := SpecialsOf(tok); err != nil {
			return
		}
		docs, err := EncodePoems(tok, poems)
		if err != nil {
			return // a character outside the vocabulary and no [UNK]: an error, as it should be
		}
		for _, doc := range docs {
			for _, sentence := range doc {
				for _, id := range sentence {
					if id < 0 || id >= tok.VocabSize() {
						t.Fatalf("id %d outside the vocabulary of %d", id, tok.VocabSize())
					}
				}
			}
		}
		c := TinyConfig(tok.VocabSize())
		if pad, _ := tok.SpecialID(tokenizer.Pad); c.CheckVocab(tok) != nil && pad == c.PadTokenID {
			t.Fatalf("CheckVocab rejects a vocabulary of the config's size: %v", c.CheckVocab(tok))
		}
	})
}
