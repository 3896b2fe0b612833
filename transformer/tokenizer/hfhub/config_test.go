package hfhub

import (
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
)

// TestParseTokenizerConfig: booleans and special tokens are read (specials as strings or as
// AddedToken objects), null means absent, and a used field of the wrong type is an error naming it
// (it used to be ignored silently, and an AddedToken object failed the whole file).
func TestParseTokenizerConfig(t *testing.T) {
	cfg, err := parseTokenizerConfig([]byte(`{"do_lower_case": false, "strip_accents": null, "tokenize_chinese_chars": true,
		"unk_token": {"__type": "AddedToken", "content": "<unk>", "lstrip": false}, "mask_token": "<mask>", "pad_token": null,
		"model_max_length": 1e30, "added_tokens_decoder": {"0": {"content": "[PAD]"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DoLowerCase == nil || *cfg.DoLowerCase || cfg.StripAccents != nil || cfg.TokenizeChineseChars == nil || !*cfg.TokenizeChineseChars {
		t.Errorf("booleans %+v", cfg)
	}
	if cfg.Specials[tokenizer.Unknown] != "<unk>" || cfg.Specials[tokenizer.Mask] != "<mask>" || len(cfg.Specials) != 2 {
		t.Errorf("specials %v", cfg.Specials)
	}
	if cfg.ModelMaxLength != 0 {
		t.Errorf("model_max_length 1e30 (no limit) read as %d", cfg.ModelMaxLength)
	}
	if cfg, err := parseTokenizerConfig([]byte(`{"model_max_length": 512}`)); err != nil || cfg.ModelMaxLength != 512 {
		t.Errorf("model_max_length 512: %d, %v", cfg.ModelMaxLength, err)
	}
	opts := cfg.wordPieceOptions()
	if opts.Basic.Lowercase || opts.Basic.NoChineseSplit || opts.Specials[tokenizer.Unknown] != "<unk>" || opts.Specials[tokenizer.Pad] != "[PAD]" {
		t.Errorf("options %+v", opts)
	}
	for in, want := range map[string]string{
		`{"do_lower_case": "yes"}`:   `do_lower_case is "yes"`,
		`{"unk_token": 7}`:           "unk_token is 7",
		`{"sep_token": {"id": 3}}`:   "sep_token",
		`[1, 2]`:                     "not a JSON object",
		`null`:                       "not a JSON object",
		`{"add_prefix_space": 1}`:    "add_prefix_space is 1",
		`{"model_max_length": -3}`:   "model_max_length is -3",
		`{"model_max_length": 1.5}`:  "model_max_length is 1.5",
		`{"model_max_length": "x"}`:  `model_max_length is "x"`,
		`{"model_max_length": 1e12}`: "above the limit",
	} {
		if _, err := parseTokenizerConfig([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", in, err, want)
		}
	}
}

// FuzzParseTokenizerConfig: any bytes give a configuration or an error, never a panic; special
// tokens read are never empty.
func FuzzParseTokenizerConfig(f *testing.F) {
	f.Add([]byte(`{"tokenizer_class": "BertTokenizer", "do_lower_case": false}`))
	f.Add([]byte(`{"unk_token": {"content": "<unk>"}, "strip_accents": null}`))
	f.Add([]byte(`{"add_prefix_space": true, "pad_token": "<pad>"}`))
	f.Add([]byte(`{"do_lower_case": "yes"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parseTokenizerConfig(data)
		if err != nil {
			return
		}
		for role, tok := range cfg.Specials {
			if tok == "" {
				t.Fatalf("empty special token for %v", role)
			}
		}
		_ = cfg.wordPieceOptions()
	})
}
