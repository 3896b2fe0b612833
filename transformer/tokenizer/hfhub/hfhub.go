package hfhub

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bert2gpt/bert2gpt/internal/boundedread"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
	"github.com/gomlx/go-huggingface/hub"
	hftok "github.com/gomlx/go-huggingface/tokenizers"
	"github.com/gomlx/go-huggingface/tokenizers/api"
	perrors "github.com/pkg/errors"
)

// Load returns the tokenizer of a Hugging Face repository: it downloads (or finds in the cache)
// tokenizer_config.json and the vocabulary files the repository has, then reads them with LoadDir.
func Load(repo *hub.Repo) (tokenizer.Tokenizer, error) {
	if err := repo.DownloadInfo(false); err != nil {
		return nil, perrors.WithMessagef(err, "hfhub.Load(%s)", repo)
	}
	var names []string
	for _, name := range FileNames {
		if repo.HasFile(name) {
			names = append(names, name)
		}
	}
	// One file at a time: go-huggingface v0.3.1's DownloadFiles updates its download counters
	// from several goroutines without a lock (a data race that `make race` reports).
	dir := ""
	for _, name := range names {
		path, err := repo.DownloadFile(name)
		if err != nil {
			return nil, perrors.WithMessagef(err, "hfhub.Load(%s)", repo)
		}
		dir = filepath.Dir(path)
	}
	if dir == "" || !(contains(names, "vocab.txt") || contains(names, "vocab.json") && contains(names, "merges.txt")) {
		return nil, perrors.Errorf("hfhub.Load(%s): the repository has neither vocab.txt (WordPiece) nor vocab.json + merges.txt (BPE)", repo)
	}
	t, err := LoadDir(dir)
	return t, perrors.WithMessagef(err, "hfhub.Load(%s)", repo)
}

// FileNames are the files of a model directory the tokenizers are read from (each optional).
var FileNames = []string{"tokenizer_config.json", "vocab.txt", "vocab.json", "merges.txt"}

func contains(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}

// LoadDir returns the tokenizer of a model directory (as save_pretrained writes it, a hub snapshot,
// a sentence-transformers model folder): WordPiece if it has vocab.txt, byte-level BPE if it has
// vocab.json and merges.txt. Options and special tokens come from tokenizer_config.json when present
// (read with a size limit; a field used here that has the wrong type is an error naming it; special
// tokens may be strings or AddedToken objects), with Hugging Face's defaults for BERT where a field is
// absent (do_lower_case true, strip_accents following it, tokenize_chinese_chars true).
func LoadDir(dir string) (tokenizer.Tokenizer, error) {
	cfg, err := readConfig(dir)
	if err != nil {
		return nil, err
	}
	has := func(name string) bool {
		st, err := os.Stat(filepath.Join(dir, name))
		return err == nil && st.Mode().IsRegular()
	}
	switch {
	case has("vocab.txt"):
		return tokenizer.LoadWordPiece(filepath.Join(dir, "vocab.txt"), cfg.wordPieceOptions())
	case has("vocab.json") && has("merges.txt"):
		opts := tokenizer.BPEOptions{}
		if cfg.AddPrefixSpace != nil {
			opts.AddPrefixSpace = *cfg.AddPrefixSpace
		}
		return tokenizer.LoadBPE(filepath.Join(dir, "vocab.json"), filepath.Join(dir, "merges.txt"), opts)
	}
	return nil, perrors.Errorf("hfhub.LoadDir: %s has neither vocab.txt (WordPiece) nor vocab.json + merges.txt (BPE)", dir)
}

// MaxLength returns the longest input, in tokens with the special tokens, that the
// tokenizer_config.json in dir allows (model_max_length); 0 when there is no such file or field, or
// when it holds the "no limit" value transformers writes (≥ 1e29).
func MaxLength(dir string) (int, error) {
	cfg, err := readConfig(dir)
	return cfg.ModelMaxLength, err
}

// readConfig parses dir/tokenizer_config.json; no file is the empty configuration.
func readConfig(dir string) (tokenizerConfig, error) {
	path := filepath.Join(dir, "tokenizer_config.json")
	data, err := boundedread.ReadFile(path, boundedread.ConfigLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return tokenizerConfig{}, nil
	} else if err != nil {
		return tokenizerConfig{}, err
	}
	cfg, err := parseTokenizerConfig(data)
	if err != nil {
		return tokenizerConfig{}, perrors.WithMessagef(err, "%s", path)
	}
	return cfg, nil
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
