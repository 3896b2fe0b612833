package hfhub

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/pkg/errors"
)

// tokenizerConfig is what Load reads from a repository's tokenizer_config.json; a nil option was
// absent (or null) and keeps Hugging Face's default.
type tokenizerConfig struct {
	DoLowerCase          *bool
	StripAccents         *bool
	TokenizeChineseChars *bool
	AddPrefixSpace       *bool
	// Specials maps roles to the tokens the file names (unk_token, pad_token, cls_token,
	// sep_token, mask_token), given as a string or as an AddedToken object {"content": …}.
	Specials map[tokenizer.Special]string
	// ModelMaxLength is model_max_length; 0 when absent, null, or transformers' "no limit" value
	// (int(1e30), any value ≥ 1e29).
	ModelMaxLength int
}

// specialFields are the special-token fields of tokenizer_config.json that Load uses.
var specialFields = []struct {
	name string
	role tokenizer.Special
}{{"unk_token", tokenizer.Unknown}, {"pad_token", tokenizer.Pad}, {"cls_token", tokenizer.CLS},
	{"sep_token", tokenizer.SEP}, {"mask_token", tokenizer.Mask}}

// parseTokenizerConfig reads the fields Load uses from the JSON of a tokenizer_config.json. Other
// fields are ignored; a used field of the wrong type is an error naming it and its value.
func parseTokenizerConfig(data []byte) (tokenizerConfig, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return tokenizerConfig{}, errors.Wrap(err, "not a JSON object")
	}
	if raw == nil {
		return tokenizerConfig{}, errors.New("not a JSON object (null)")
	}
	cfg := tokenizerConfig{Specials: map[tokenizer.Special]string{}}
	for _, f := range []struct {
		name string
		dst  **bool
	}{{"do_lower_case", &cfg.DoLowerCase}, {"strip_accents", &cfg.StripAccents},
		{"tokenize_chinese_chars", &cfg.TokenizeChineseChars}, {"add_prefix_space", &cfg.AddPrefixSpace}} {
		v, ok := raw[f.name]
		if !ok || string(v) == "null" {
			continue
		}
		var b bool
		if err := json.Unmarshal(v, &b); err != nil {
			return tokenizerConfig{}, fmt.Errorf("%s is %s, want true, false or null", f.name, clip(v))
		}
		*f.dst = &b
	}
	if v, ok := raw["model_max_length"]; ok && string(v) != "null" {
		var n float64
		if err := json.Unmarshal(v, &n); err != nil || n < 1 || n != math.Trunc(n) {
			return tokenizerConfig{}, fmt.Errorf("model_max_length is %s, want a positive integer", clip(v))
		}
		if n < 1e29 { // transformers writes int(1e30) for "no limit"
			if n > maxModelLength {
				return tokenizerConfig{}, fmt.Errorf("model_max_length %s is above the limit %d", clip(v), maxModelLength)
			}
			cfg.ModelMaxLength = int(n)
		}
	}
	for _, f := range specialFields {
		v, ok := raw[f.name]
		if !ok || string(v) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			var added struct {
				Content *string `json:"content"`
			}
			if err := json.Unmarshal(v, &added); err != nil || added.Content == nil {
				return tokenizerConfig{}, fmt.Errorf("%s is %s, want a token string or {\"content\": token}", f.name, clip(v))
			}
			s = *added.Content
		}
		if s != "" {
			cfg.Specials[f.role] = s
		}
	}
	return cfg, nil
}

// maxModelLength bounds model_max_length (the largest position table a model may have, bert.MaxPositions
// and gpt.MaxPositions).
const maxModelLength = 1 << 20

// clip shortens a JSON value for an error message.
func clip(v json.RawMessage) string {
	if len(v) > 40 {
		return string(v[:40]) + "…"
	}
	return string(v)
}
