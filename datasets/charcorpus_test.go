package datasets

import (
	"context"
	"strings"
	"testing"
)

func TestNewCharCorpus(t *testing.T) {
	text := strings.Repeat("床前明月光，疑是地上霜。\n", 10)
	c, err := NewCharCorpus("poem", text)
	if err != nil {
		t.Fatal(err)
	}
	trainText, valText := SplitText(text, 0.9)
	if len(c.Train) != len([]rune(trainText)) || len(c.Val) != len([]rune(valText)) {
		t.Fatalf("split %d/%d ids, want %d/%d runes", len(c.Train), len(c.Val), len([]rune(trainText)), len([]rune(valText)))
	}
	got, err := c.Decode(append(append([]int32(nil), c.Train...), c.Val...))
	if err != nil || got != text {
		t.Fatalf("decode(train+val) = %q, %v; want the text back", got, err)
	}
	ids, err := c.Encode("明月")
	if err != nil || len(ids) != 2 {
		t.Fatalf("Encode(明月) = %v, %v", ids, err)
	}
	if _, err := c.Encode("狗"); err == nil {
		t.Fatal("a character outside the vocabulary must be an error")
	}
}

func TestLoadCharCorpusUnknownName(t *testing.T) {
	_, err := LoadCharCorpus(context.Background(), "tang-word")
	if err == nil || !strings.Contains(err.Error(), `"tang-word"`) || !strings.Contains(err.Error(), "tang-char") {
		t.Fatalf("err = %v, want the bad name and the known ones", err)
	}
}

func TestLoadCharCorpusShakespeare(t *testing.T) {
	dir := sharedDataDir(t)
	if dir == "" {
		t.Skip("skipping: no ../shared/data (or $BERT2GPT_DATA_DIR)")
	}
	t.Setenv(EnvDataDir, dir)
	c, err := LoadCharCorpus(context.Background(), "shakespeare-char")
	if err != nil {
		t.Fatal(err)
	}
	// nanoGPT's shakespeare_char: 65 characters, 1,003,854 training and 111,540 validation tokens.
	if c.Tokenizer.VocabSize() != 65 || len(c.Train) != 1003854 || len(c.Val) != 111540 {
		t.Fatalf("V=%d train=%d val=%d, want nanoGPT's 65 / 1003854 / 111540", c.Tokenizer.VocabSize(), len(c.Train), len(c.Val))
	}
}
