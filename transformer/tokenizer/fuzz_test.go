package tokenizer

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

var (
	fuzzOnce sync.Once
	fuzzBPE  *BPE
	fuzzWP   *WordPiece
	fuzzChar *Char
)

func fuzzTokenizers(t testing.TB) {
	fuzzOnce.Do(func() {
		var err error
		fuzzBPE, err = LoadBPE(filepath.Join("testdata", "bpe", "vocab.json"), filepath.Join("testdata", "bpe", "merges.txt"), BPEOptions{})
		if err != nil {
			panic(err)
		}
		fuzzWP, err = LoadWordPiece(filepath.Join("testdata", "wordpiece", "vocab.txt"), WordPieceOptions{Basic: BasicOptions{Lowercase: true}})
		if err != nil {
			panic(err)
		}
		fuzzChar, err = TrainChar([]string{"床前明月光 hello"}, Specials{Unknown: "[UNK]"}, 0)
		if err != nil {
			panic(err)
		}
	})
}

var fuzzSeeds = []string{
	"", " ", "  \n", "Hello, world!", "床前明月光，疑是地上霜。", "don't 's  'll", "a\xffb\xc3", "\x00\x01\x7f",
	"😀🎉 emoji", "<|endoftext|>x<|endoftext|>", "[CLS] a [SEP]", "\u3000\u00a0\u2028", "e\u0301", strings.Repeat("ab ", 40),
	"\xe4\xb8", "İ ǅ ß", " \t\n x", "x   ", "1,234.5 ¥",
}

func FuzzBPERoundTrip(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzTokenizers(t)
		ids, err := fuzzBPE.Encode(s)
		if err != nil {
			t.Fatalf("Encode(%q): %v", s, err)
		}
		back, err := fuzzBPE.Decode(ids)
		if err != nil || back != s {
			t.Fatalf("Decode(Encode(%q)) = %q, %v", s, back, err)
		}
	})
}

func FuzzGPT2PreTokenize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pieces := GPT2PreTokenize(s)
		if strings.Join(pieces, "") != s {
			t.Fatalf("pieces of %q do not concatenate back: %q", s, pieces)
		}
		for _, p := range pieces {
			if p == "" {
				t.Fatalf("empty piece in %q", pieces)
			}
		}
	})
}

func FuzzWordPieceAndChar(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzTokenizers(t)
		ids, err := fuzzWP.Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fuzzWP.Decode(ids); err != nil {
			t.Fatal(err)
		}
		ids, err = fuzzChar.Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := fuzzChar.Decode(ids); err != nil || (utf8.ValidString(s) && !strings.Contains(s, "\ufffd") && len(back) > 0 && !strings.Contains(back, "[UNK]") && back != s) {
			t.Fatalf("char round trip %q → %q, %v", s, back, err)
		}
		// Decoding arbitrary ids never panics.
		raw := []int{len(s), -len(s), 0, 1 << 30}
		_, _ = fuzzWP.Decode(raw)
		_, _ = fuzzBPE.Decode(raw)
		_, _ = fuzzChar.Decode(raw)
	})
}

func FuzzLoaders(f *testing.F) {
	f.Add([]byte("[PAD]\n[UNK]\nhello\n##lo\n"), []byte(`{"a":0,"b":1,"ab":2}`), []byte("#version: 0.2\na b\n"))
	f.Add([]byte("a\na\n"), []byte(`{"a":-1}`), []byte("a b c\n"))
	f.Add([]byte(""), []byte(`[1,2]`), []byte("a\n"))
	f.Add([]byte("\xff\n"), []byte(`{"a":0,"b":0}`), []byte("x y\n"))
	f.Add([]byte("[UNK]\r\n"), []byte(`{"a":99999999999}`), []byte("#version: 0.2\n\n"))
	f.Fuzz(func(t *testing.T, vocabTxt, vocabJSON, merges []byte) {
		if v, err := ReadVocabTxt(bytes.NewReader(vocabTxt), "vocab.txt"); err == nil {
			if wp, err := NewWordPiece(v, WordPieceOptions{}); err == nil {
				_, _ = wp.Encode(string(vocabTxt))
			}
		}
		v, errV := ReadVocabJSON(bytes.NewReader(vocabJSON), "vocab.json")
		m, errM := ReadMerges(bytes.NewReader(merges), "merges.txt")
		if errV == nil && errM == nil {
			if b, err := NewBPE(v, m, BPEOptions{}); err == nil {
				_, _ = b.Encode(string(merges))
			}
		}
	})
}

func TestMalformedFilesGiveErrors(t *testing.T) {
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"dup vocab.txt", func() error { _, err := ReadVocabTxt(strings.NewReader("a\nb\na\n"), "v.txt"); return err }, "v.txt:3"},
		{"empty vocab.txt", func() error { _, err := ReadVocabTxt(strings.NewReader(""), "v.txt"); return err }, "empty"},
		{"bad json", func() error { _, err := ReadVocabJSON(strings.NewReader("{"), "v.json"); return err }, "v.json"},
		{"neg id", func() error { _, err := ReadVocabJSON(strings.NewReader(`{"a":-3}`), "v.json"); return err }, "-3"},
		{"merge 3 parts", func() error { _, err := ReadMerges(strings.NewReader("#version: 0.2\na b c\n"), "m.txt"); return err }, "m.txt:2"},
		{"merge oov", func() error {
			v, _ := NewVocab([]string{"a", "b"})
			_, err := NewBPE(v, []Merge{{"a", "b"}}, BPEOptions{})
			return err
		}, `"ab"`},
		{"wordpiece no unk", func() error {
			v, _ := NewVocab([]string{"a"})
			_, err := NewWordPiece(v, WordPieceOptions{Specials: Specials{}})
			return err
		}, "Unknown"},
		{"missing special", func() error {
			v, _ := NewVocab([]string{"a", "[UNK]"})
			_, err := NewWordPiece(v, WordPieceOptions{})
			return err
		}, `Pad "[PAD]" is not in the vocabulary`},
		{"missing file", func() error { _, err := LoadWordPiece("no/such/vocab.txt", WordPieceOptions{}); return err }, "no/such/vocab.txt"},
		{"bpe missing byte", func() error {
			v, _ := NewVocab([]string{"a"})
			b, _ := NewBPE(v, nil, BPEOptions{})
			_, err := b.Encode("ab")
			return err
		}, "0x62"},
	}
	for _, c := range cases {
		err := c.err()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", c.name, err, c.want)
		}
	}
}

// FuzzParseChar: any bytes give a character vocabulary or an error, never a panic; a vocabulary
// that loads saves and loads back the same, and encodes and decodes text.
func FuzzParseChar(f *testing.F) {
	f.Add([]byte(`{"tokens": ["[PAD]", "[UNK]", "a", "床"], "specials": {"Pad": "[PAD]", "Unknown": "[UNK]"}}`))
	f.Add([]byte(`{"tokens": ["a", "a"]}`))
	f.Add([]byte(`{"tokens": ["ab"], "specials": {"Mask": "ab"}}`))
	f.Add([]byte(`{"tokens": [""], "specials": {"Pad": ""}}`))
	f.Add([]byte(`{"tokens": ["x"], "specials": {"Bogus": "x"}}`))
	f.Add([]byte(`{"tokens": null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseChar(data)
		if err != nil {
			return
		}
		if c.VocabSize() < 1 || c.VocabSize() > maxCharTokens {
			t.Fatalf("vocabulary of %d tokens", c.VocabSize())
		}
		path := filepath.Join(t.TempDir(), "char_vocab.json")
		if err := c.Save(path); err != nil {
			t.Fatalf("Save: %v", err)
		}
		back, err := LoadChar(path)
		if err != nil {
			t.Fatalf("a saved vocabulary does not load: %v", err)
		}
		if a, b := c.Vocab().Tokens(), back.Vocab().Tokens(); strings.Join(a, "\x00") != strings.Join(b, "\x00") {
			t.Fatalf("round trip changed the tokens: %q → %q", a, b)
		}
		for _, text := range []string{string(data), "床前明月光 [UNK] ab"} {
			ids, err := c.Encode(text)
			if err != nil {
				continue // a character outside the vocabulary and no Unknown token
			}
			if _, err := c.Decode(ids); err != nil {
				t.Fatalf("Decode(Encode(%q)): %v", text, err)
			}
		}
	})
}
