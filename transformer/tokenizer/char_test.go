package tokenizer

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/internal/boundedread"
)

func TestCharTokenizer(t *testing.T) {
	c, err := TrainChar([]string{"床前明月光，疑是地上霜。", "hello\nworld"}, Specials{Pad: "[PAD]", Unknown: "[UNK]"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := c.SpecialID(Pad); id != 0 {
		t.Errorf("[PAD] id %d, want 0", id)
	}
	toks, _ := c.Tokenize("明月[PAD]\n光")
	if !reflect.DeepEqual(toks, []string{"明", "月", "[PAD]", "\n", "光"}) {
		t.Errorf("tokens %q", toks)
	}
	ids, _ := c.Encode("月亮")
	unk, _ := c.SpecialID(Unknown)
	if len(ids) != 2 || ids[1] != unk {
		t.Errorf("unknown char: %v", ids)
	}
	text := "床前明月光，hello"
	ids, _ = c.Encode(text)
	if back, err := c.Decode(ids); err != nil || back != text {
		t.Errorf("round trip %q, %v", back, err)
	}
	if _, err := c.Decode([]int{999}); err == nil {
		t.Error("bad id accepted")
	}
	path := filepath.Join(t.TempDir(), "char.json")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	c2, err := LoadChar(path)
	if err != nil {
		t.Fatal(err)
	}
	ids2, _ := c2.Encode(text)
	if !reflect.DeepEqual(ids, ids2) || c2.VocabSize() != c.VocabSize() {
		t.Error("save/load changed the tokenizer")
	}
	// No Unknown token: an unseen character is an error that names it.
	c3, _ := TrainChar([]string{"abc"}, nil, 0)
	if _, err := c3.Encode("abz"); err == nil || !strings.Contains(err.Error(), "'z'") {
		t.Errorf("want error naming 'z', got %v", err)
	}
}

func TestTrainWordPiece(t *testing.T) {
	corpus := []string{corpusText(t)}
	wp, err := TrainWordPiece(corpus, WordPieceTrainOptions{VocabSize: 600, WordPieceOptions: WordPieceOptions{Basic: BasicOptions{Lowercase: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if wp.VocabSize() < 600 {
		t.Errorf("vocab size %d", wp.VocabSize())
	}
	// Every training word is covered without [UNK], and the pieces rebuild it.
	unk, _ := wp.SpecialID(Unknown)
	for _, w := range PreTokenize(BasicOptions{Lowercase: true}.Normalize(corpus[0])) {
		ids, _ := wp.Encode(w)
		for _, id := range ids {
			if id == unk {
				t.Fatalf("training word %q has [UNK]", w)
			}
		}
		if dec, _ := wp.Decode(ids); dec != w {
			t.Fatalf("word %q decodes to %q", w, dec)
		}
	}
	// Merges shorten the encoding of frequent words.
	ids, _ := wp.Encode("citizens")
	if len(ids) >= len("citizens") {
		toks, _ := wp.Tokenize("citizens")
		t.Errorf("citizens → %q", toks)
	}
	again, _ := TrainWordPiece(corpus, WordPieceTrainOptions{VocabSize: 600, WordPieceOptions: WordPieceOptions{Basic: BasicOptions{Lowercase: true}}})
	if !reflect.DeepEqual(again.Vocab().Tokens(), wp.Vocab().Tokens()) {
		t.Error("training is not deterministic")
	}
	path := filepath.Join(t.TempDir(), "vocab.txt")
	if err := wp.Save(path); err != nil {
		t.Fatal(err)
	}
	wp2, err := LoadWordPiece(path, WordPieceOptions{Basic: BasicOptions{Lowercase: true}})
	if err != nil || !reflect.DeepEqual(wp2.Vocab().Tokens(), wp.Vocab().Tokens()) {
		t.Fatalf("save/load: %v", err)
	}
}

func TestTrainBPE(t *testing.T) {
	corpus := []string{corpusText(t)}
	b, err := TrainBPE(corpus, BPETrainOptions{VocabSize: 600})
	if err != nil {
		t.Fatal(err)
	}
	if b.VocabSize() != 600 {
		t.Errorf("vocab size %d", b.VocabSize())
	}
	ids, err := b.Encode(corpus[0])
	if err != nil {
		t.Fatal(err)
	}
	if dec, _ := b.Decode(ids); dec != corpus[0] {
		t.Fatal("round trip failed")
	}
	if ratio := float64(len(corpus[0])) / float64(len(ids)); ratio < 2 {
		t.Errorf("compression %.2f bytes/token, want > 2", ratio)
	}
	dir := t.TempDir()
	if err := b.Save(filepath.Join(dir, "vocab.json"), filepath.Join(dir, "merges.txt")); err != nil {
		t.Fatal(err)
	}
	b2, err := LoadBPE(filepath.Join(dir, "vocab.json"), filepath.Join(dir, "merges.txt"), BPEOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ids2, _ := b2.Encode(corpus[0])
	if !reflect.DeepEqual(ids, ids2) {
		t.Error("save/load changed the encoding")
	}
	if eot, ok := b2.SpecialID(EOS); !ok || eot != 0 {
		t.Errorf("<|endoftext|> id %d %v", eot, ok)
	}
}

func TestAsHuggingFace(t *testing.T) {
	wp, err := LoadWordPiece(filepath.Join("testdata", "wordpiece", "vocab.txt"), WordPieceOptions{Basic: BasicOptions{Lowercase: true}})
	if err != nil {
		t.Fatal(err)
	}
	hf := AsHuggingFace(wp)
	ids := hf.Encode("Hello world")
	want, _ := wp.Encode("Hello world")
	if !reflect.DeepEqual(ids, want) {
		t.Error("adapter changes ids")
	}
	cls, _ := wp.SpecialID(CLS)
	if got, err := hf.SpecialTokenID(0 /* api.TokBeginningOfSentence */); err != nil || got != cls {
		t.Errorf("BOS → %d, %v; want [CLS] %d", got, err, cls)
	}
}

func corpusText(t testing.TB) string {
	t.Helper()
	data, err := readFile(filepath.Join("testdata", "corpus.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestLoadCharRejects: vocabularies that cannot be a character vocabulary are errors naming the
// file; a file far larger than any vocabulary is refused before it is read.
func TestLoadCharRejects(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"empty":     `{"tokens": []}`,
		"duplicate": `{"tokens": ["a", "a"]}`,
		"word":      `{"tokens": ["ab"]}`,
		"role":      `{"tokens": ["x"], "specials": {"Bogus": "x"}}`,
		"json":      `{"tokens": [`,
	} {
		p := filepath.Join(dir, name+".json")
		os.WriteFile(p, []byte(content), 0o644)
		if _, err := LoadChar(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v", name, err)
		}
	}
	big := filepath.Join(dir, "big.json")
	f, _ := os.Create(big)
	f.Truncate(boundedread.VocabLimit + 1)
	f.Close()
	if _, err := LoadChar(big); err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Errorf("a %d-byte file: %v", boundedread.VocabLimit+1, err)
	}
}
