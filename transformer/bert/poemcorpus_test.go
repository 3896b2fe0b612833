package bert

import (
	"testing"

	"github.com/bert2gpt/bert2gpt/datasets"
)

func TestNewPoemCorpus(t *testing.T) {
	train := []datasets.Poem{
		{ID: "1", Lines: []string{"床前明月光，疑是地上霜。", "舉頭望明月，低頭思故鄉。"}},
		{ID: "2", Lines: []string{"春眠不覺曉，處處聞啼鳥。"}},
	}
	valid := []datasets.Poem{{ID: "3", Lines: []string{"明月松間照，清泉石上流。"}}}
	c, err := NewPoemCorpus(train, valid, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Train) != 2 || len(c.Train[0]) != 2 || len(c.Train[0][0]) != 12 || len(c.Valid) != 1 {
		t.Fatalf("documents: train %d (first %d sentences), valid %d", len(c.Train), len(c.Train[0]), len(c.Valid))
	}
	if c.Specials.PAD != 0 || c.Specials.MASK == 0 {
		t.Fatalf("specials %+v: BERT's specials come first", c.Specials)
	}
	// minFreq 2: 明 and 月 (3 times each) are in the vocabulary, 松 (only in valid) is [UNK].
	ming, _ := c.Tokenizer.Encode("明")
	if ming[0] == c.Specials.UNK {
		t.Error("明 appears 3 times and must have its own id")
	}
	if c.Valid[0][0][2] != c.Specials.UNK {
		t.Errorf("松 is not in the training poems and must be [UNK], got id %d", c.Valid[0][0][2])
	}
	// A given tokenizer is used as it is.
	again, err := NewPoemCorpus(valid, nil, c.Tokenizer, 99)
	if err != nil || again.Tokenizer != c.Tokenizer || len(again.Train) != 1 {
		t.Fatalf("with a tokenizer: %v", err)
	}
}
