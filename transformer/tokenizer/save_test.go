package tokenizer

import (
	"os"
	"path/filepath"
	"testing"
)

// replacedAtomically saves twice to path through save and checks that the second save replaced
// the file instead of rewriting it in place: a hard link to the first file still reads the first
// content (os.WriteFile truncates and rewrites the same inode, so a reader could see a part), the
// new file has mode 0644, and no temporary file is left.
func replacedAtomically(t *testing.T, path string, save func(first bool) error) {
	t.Helper()
	if err := save(true); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	link := path + ".link"
	if err := os.Link(path, link); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	if err := save(false); err != nil {
		t.Fatal(err)
	}
	if old, _ := os.ReadFile(link); string(old) != string(first) {
		t.Errorf("%s was rewritten in place, not replaced atomically", filepath.Base(path))
	}
	if now, _ := os.ReadFile(path); string(now) == string(first) {
		t.Errorf("%s: the second save did not change it", filepath.Base(path))
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("%s: mode %v, %v", filepath.Base(path), info.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if e.Name()[0] == '.' {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	os.Remove(link)
}

// TestSaveIsAtomic: Char, WordPiece and BPE vocabularies are written atomically.
func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	text := func(first bool) string {
		if first {
			return "abc"
		}
		return "abcdef"
	}
	replacedAtomically(t, filepath.Join(dir, "char_vocab.json"), func(first bool) error {
		c, err := TrainChar([]string{text(first)}, Specials{Unknown: "[UNK]"}, 0)
		if err != nil {
			return err
		}
		return c.Save(filepath.Join(dir, "char_vocab.json"))
	})
	replacedAtomically(t, filepath.Join(dir, "vocab.txt"), func(first bool) error {
		tokens := []string{"[PAD]", "[UNK]", "a"}
		if !first {
			tokens = append(tokens, "b")
		}
		v, err := NewVocab(tokens)
		if err != nil {
			return err
		}
		wp, err := NewWordPiece(v, WordPieceOptions{Specials: Specials{Unknown: "[UNK]"}})
		if err != nil {
			return err
		}
		return wp.Save(filepath.Join(dir, "vocab.txt"))
	})
	bpe, err := LoadBPE(filepath.Join("testdata", "bpe", "vocab.json"), filepath.Join("testdata", "bpe", "merges.txt"), BPEOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vocabJSON, merges := filepath.Join(dir, "vocab.json"), filepath.Join(dir, "merges.txt")
	replacedAtomically(t, merges, func(first bool) error {
		if first {
			return os.WriteFile(merges, []byte("#version: 0.2\n"), 0o644)
		}
		return bpe.Save(vocabJSON, merges)
	})
}
