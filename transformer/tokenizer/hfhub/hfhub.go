package hfhub

import (
	"encoding/json"
	"os"

	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/gomlx/go-huggingface/hub"
	hftok "github.com/gomlx/go-huggingface/tokenizers"
	"github.com/gomlx/go-huggingface/tokenizers/api"
	"github.com/pkg/errors"
)

// Load returns the tokenizer of a Hugging Face repository: WordPiece if it has vocab.txt,
// byte-level BPE if it has vocab.json and merges.txt. WordPiece options and special
// tokens come from tokenizer_config.json when present, with Hugging Face's defaults for
// BERT where a field is absent (do_lower_case true, strip_accents following it,
// tokenize_chinese_chars true).
func Load(repo *hub.Repo) (tokenizer.Tokenizer, error) {
	if err := repo.DownloadInfo(false); err != nil {
		return nil, errors.WithMessagef(err, "hfhub.Load(%s)", repo)
	}
	var cfg *api.Config
	raw := map[string]any{}
	if repo.HasFile("tokenizer_config.json") {
		var err error
		if cfg, err = hftok.GetConfig(repo); err != nil {
			return nil, errors.WithMessagef(err, "hfhub.Load(%s): tokenizer_config.json", repo)
		}
		if b, err := os.ReadFile(cfg.ConfigFile); err == nil {
			_ = json.Unmarshal(b, &raw)
		}
	}
	switch {
	case repo.HasFile("vocab.txt"):
		return loadWordPiece(repo, cfg, raw)
	case repo.HasFile("vocab.json") && repo.HasFile("merges.txt"):
		paths, err := repo.DownloadFiles("vocab.json", "merges.txt")
		if err != nil {
			return nil, errors.WithMessagef(err, "hfhub.Load(%s)", repo)
		}
		opts := tokenizer.BPEOptions{}
		if v, ok := raw["add_prefix_space"].(bool); ok {
			opts.AddPrefixSpace = v
		}
		return tokenizer.LoadBPE(paths[0], paths[1], opts)
	}
	return nil, errors.Errorf("hfhub.Load(%s): the repository has neither vocab.txt (WordPiece) nor vocab.json + merges.txt (BPE)", repo)
}

func loadWordPiece(repo *hub.Repo, cfg *api.Config, raw map[string]any) (tokenizer.Tokenizer, error) {
	path, err := repo.DownloadFile("vocab.txt")
	if err != nil {
		return nil, errors.WithMessagef(err, "hfhub.Load(%s)", repo)
	}
	opts := tokenizer.WordPieceOptions{Basic: tokenizer.BasicOptions{Lowercase: true}, Specials: tokenizer.BERTSpecials()}
	if v, ok := raw["do_lower_case"].(bool); ok {
		opts.Basic.Lowercase = v
	}
	if v, ok := raw["strip_accents"].(bool); ok {
		opts.Basic.StripAccents = tokenizer.Bool(v)
	}
	if v, ok := raw["tokenize_chinese_chars"].(bool); ok {
		opts.Basic.NoChineseSplit = !v
	}
	if cfg != nil {
		for role, tok := range map[tokenizer.Special]string{tokenizer.Unknown: cfg.UnkToken, tokenizer.Pad: cfg.PadToken,
			tokenizer.CLS: cfg.ClsToken, tokenizer.SEP: cfg.SepToken, tokenizer.Mask: cfg.MaskToken} {
			if tok != "" {
				opts.Specials[role] = tok
			}
		}
	}
	return tokenizer.LoadWordPiece(path, opts)
}

// Register adds constructors for the tokenizer classes "BertTokenizer",
// "BertTokenizerFast", "GPT2Tokenizer" and "GPT2TokenizerFast" to go-huggingface's
// registry, so that its tokenizers.New(repo) returns our implementations (adapted with
// tokenizer.AsHuggingFace).
func Register() {
	ctor := func(_ *api.Config, repo *hub.Repo) (api.Tokenizer, error) {
		t, err := Load(repo)
		if err != nil {
			return nil, err
		}
		return tokenizer.AsHuggingFace(t), nil
	}
	for _, name := range []string{"BertTokenizer", "BertTokenizerFast", "GPT2Tokenizer", "GPT2TokenizerFast"} {
		hftok.RegisterTokenizerClass(name, ctor)
	}
}
