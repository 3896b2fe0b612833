package bert

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bert2gpt/bert2gpt/datasets"
	"github.com/bert2gpt/bert2gpt/internal/atomicfile"
	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
)

// VocabFile is the character vocabulary inside a BERT checkpoint directory (tokenizer.Char JSON);
// vocab.txt (one token per line, HF/bert-base-chinese format) is written next to it.
const VocabFile = "char_vocab.json"

// SpecialsOf returns the ids of [PAD], [UNK], [CLS], [SEP], [MASK] in tok, or an error naming the
// missing one.
func SpecialsOf(tok tokenizer.Tokenizer) (Specials, error) {
	var s Specials
	for _, p := range []struct {
		role tokenizer.Special
		dst  *int
	}{{tokenizer.Pad, &s.PAD}, {tokenizer.Unknown, &s.UNK}, {tokenizer.CLS, &s.CLS}, {tokenizer.SEP, &s.SEP}, {tokenizer.Mask, &s.MASK}} {
		id, ok := tok.SpecialID(p.role)
		if !ok {
			return s, fmt.Errorf("the tokenizer has no %v token", p.role)
		}
		*p.dst = id
	}
	return s, nil
}

// TrainCharVocab builds a character vocabulary from poems as bert-base-chinese treats Chinese:
// one token per character, BERT's specials first ([PAD] = 0), characters seen fewer than minFreq
// times become [UNK].
func TrainCharVocab(poems []datasets.Poem, minFreq int) (*tokenizer.Char, error) {
	texts := make([]string, len(poems))
	for i, p := range poems {
		texts[i] = p.Text()
	}
	return tokenizer.TrainChar(texts, tokenizer.BERTSpecials(), minFreq)
}

// EncodePoems turns poems into BERT documents: one document per poem, one sentence per line
// (a couplet such as 床前明月光，疑是地上霜。), each the character ids.
func EncodePoems(tok tokenizer.Tokenizer, poems []datasets.Poem) ([][][]int, error) {
	return datasets.EncodeDocs(datasets.PoemDocs(poems), tok.Encode)
}

// SaveVocab writes tok into dir as VocabFile and vocab.txt.
func SaveVocab(dir string, tok *tokenizer.Char) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := tok.Save(filepath.Join(dir, VocabFile)); err != nil {
		return err
	}
	lines := make([]string, tok.VocabSize())
	for id := range lines {
		lines[id], _ = tok.Token(id)
	}
	return atomicfile.WriteBytes(filepath.Join(dir, "vocab.txt"), []byte(strings.Join(lines, "\n")+"\n"))
}

// LoadVocab reads the character vocabulary of a checkpoint directory.
func LoadVocab(dir string) (*tokenizer.Char, error) {
	return tokenizer.LoadChar(filepath.Join(dir, VocabFile))
}
