package hfhub

import (
	"github.com/bert2gpt/bert2gpt/internal/boundedread"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/gomlx/go-huggingface/hub"
	hftok "github.com/gomlx/go-huggingface/tokenizers"
	"github.com/gomlx/go-huggingface/tokenizers/api"
	"github.com/pkg/errors"
)

// Load returns the tokenizer of a Hugging Face repository: WordPiece if it has vocab.txt,
// byte-level BPE if it has vocab.json and merges.txt. WordPiece options and special
// tokens come from tokenizer_config.json when present (read with a size limit; a field Load
// uses that has the wrong type is an error naming it; special tokens may be strings or
// AddedToken objects), with Hugging Face's defaults for BERT where a field is absent
// (do_lower_case true, strip_accents following it, tokenize_chinese_chars true).
func Load(repo *hub.Repo) (tokenizer.Tokenizer, error) {
	if err := repo.DownloadInfo(false); err != nil {
		return nil, errors.WithMessagef(err, "hfhub.Load(%s)", repo)
	}
	cfg := tokenizerConfig{}
	if repo.HasFile("tokenizer_config.json") {
		path, err := repo.DownloadFile("tokenizer_config.json")
		if err != nil {
			return nil, errors.WithMessagef(err, "hfhub.Load(%s)", repo)
		}
		data, err := boundedread.ReadFile(path, boundedread.ConfigLimit)
		if err != nil {
			return nil, errors.WithMessagef(err, "hfhub.Load(%s)", repo)
		}
		if cfg, err = parseTokenizerConfig(data); err != nil {
			return nil, errors.WithMessagef(err, "hfhub.Load(%s): tokenizer_config.json", repo)
		}
	}
	switch {
	case repo.HasFile("vocab.txt"):
		return loadWordPiece(repo, cfg)
	case repo.HasFile("vocab.json") && repo.HasFile("merges.txt"):
		// One file at a time: go-huggingface v0.3.1's DownloadFiles updates its download counters
		// from several goroutines without a lock (a data race that `make race` reports).
		var paths [2]string
		for i, name := range []string{"vocab.json", "merges.txt"} {
			var err error
			if paths[i], err = repo.DownloadFile(name); err != nil {
				return nil, errors.WithMessagef(err, "hfhub.Load(%s)", repo)
			}
		}
		opts := tokenizer.BPEOptions{}
		if cfg.AddPrefixSpace != nil {
			opts.AddPrefixSpace = *cfg.AddPrefixSpace
		}
		return tokenizer.LoadBPE(paths[0], paths[1], opts)
	}
	return nil, errors.Errorf("hfhub.Load(%s): the repository has neither vocab.txt (WordPiece) nor vocab.json + merges.txt (BPE)", repo)
}

func loadWordPiece(repo *hub.Repo, cfg tokenizerConfig) (tokenizer.Tokenizer, error) {
	path, err := repo.DownloadFile("vocab.txt")
	if err != nil {
		return nil, errors.WithMessagef(err, "hfhub.Load(%s)", repo)
	}
	return tokenizer.LoadWordPiece(path, cfg.wordPieceOptions())
}

// wordPieceOptions applies the configuration to BERT's defaults (do_lower_case true, strip_accents
// following it, tokenize_chinese_chars true, BERT's special tokens).
func (cfg tokenizerConfig) wordPieceOptions() tokenizer.WordPieceOptions {
	opts := tokenizer.WordPieceOptions{Basic: tokenizer.BasicOptions{Lowercase: true}, Specials: tokenizer.BERTSpecials()}
	if cfg.DoLowerCase != nil {
		opts.Basic.Lowercase = *cfg.DoLowerCase
	}
	if cfg.StripAccents != nil {
		opts.Basic.StripAccents = tokenizer.Bool(*cfg.StripAccents)
	}
	if cfg.TokenizeChineseChars != nil {
		opts.Basic.NoChineseSplit = !*cfg.TokenizeChineseChars
	}
	for role, tok := range cfg.Specials {
		opts.Specials[role] = tok
	}
	return opts
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
