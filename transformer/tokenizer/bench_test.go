package tokenizer

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The throughput benchmarks compare with HF tokenizers on the same texts and vocabulary
// files; scripts/bench/tokenizer_bench.py writes them into $BERT2GPT_BENCH_DIR:
//
//	.venv-ref/bin/python scripts/bench/tokenizer_bench.py /tmp/bert2gpt-tokbench
//	BERT2GPT_BENCH_DIR=/tmp/bert2gpt-tokbench GOEXPERIMENT=simd go test ./transformer/tokenizer -run XXX -bench Throughput -benchtime 5x

func benchDir(b *testing.B) string {
	dir := os.Getenv("BERT2GPT_BENCH_DIR")
	if dir == "" {
		b.Skip("set BERT2GPT_BENCH_DIR (see scripts/bench/tokenizer_bench.py)")
	}
	return dir
}

func benchText(b *testing.B, path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Skip(err)
	}
	return string(data)
}

func BenchmarkThroughputBPETinyShakespeare(b *testing.B) {
	dir := benchDir(b)
	tok, err := LoadBPE(filepath.Join(dir, "bpe", "vocab.json"), filepath.Join(dir, "bpe", "merges.txt"), BPEOptions{})
	if err != nil {
		b.Fatal(err)
	}
	shared := filepath.Join("..", "..", "..", "shared", "data", "tinyshakespeare", "input.txt")
	if d := os.Getenv("BERT2GPT_DATA_DIR"); d != "" {
		shared = filepath.Join(d, "tinyshakespeare", "input.txt")
	}
	text := benchText(b, shared)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for range b.N {
		ids, err := tok.Encode(text)
		if err != nil || len(ids) == 0 {
			b.Fatal(err)
		}
	}
}

func BenchmarkThroughputWordPieceTang(b *testing.B) {
	dir := benchDir(b)
	tok, err := LoadWordPiece(filepath.Join(dir, "wordpiece", "vocab.txt"), WordPieceOptions{Basic: BasicOptions{Lowercase: true}})
	if err != nil {
		b.Fatal(err)
	}
	text := benchText(b, filepath.Join(dir, "tang.txt"))
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for range b.N {
		ids, err := tok.Encode(text)
		if err != nil || len(ids) == 0 {
			b.Fatal(err)
		}
	}
}

func benchLines(b *testing.B, tok Tokenizer, text string) {
	lines := strings.Split(text, "\n")
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for range b.N {
		for _, l := range lines {
			if _, err := tok.Encode(l); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkThroughputLinesBPETinyShakespeare(b *testing.B) {
	dir := benchDir(b)
	tok, err := LoadBPE(filepath.Join(dir, "bpe", "vocab.json"), filepath.Join(dir, "bpe", "merges.txt"), BPEOptions{})
	if err != nil {
		b.Fatal(err)
	}
	benchLines(b, tok, benchText(b, shakespearePath()))
}

func BenchmarkThroughputLinesWordPieceTang(b *testing.B) {
	dir := benchDir(b)
	tok, err := LoadWordPiece(filepath.Join(dir, "wordpiece", "vocab.txt"), WordPieceOptions{Basic: BasicOptions{Lowercase: true}})
	if err != nil {
		b.Fatal(err)
	}
	benchLines(b, tok, benchText(b, filepath.Join(dir, "tang.txt")))
}

func shakespearePath() string {
	if d := os.Getenv("BERT2GPT_DATA_DIR"); d != "" {
		return filepath.Join(d, "tinyshakespeare", "input.txt")
	}
	return filepath.Join("..", "..", "..", "shared", "data", "tinyshakespeare", "input.txt")
}

// TestBenchParity checks, on the benchmark texts and vocabularies, that our ids equal the
// ids HF tokenizers wrote (skipped unless $BERT2GPT_BENCH_DIR is set).
func TestBenchParity(t *testing.T) {
	dir := os.Getenv("BERT2GPT_BENCH_DIR")
	if dir == "" {
		t.Skip("set BERT2GPT_BENCH_DIR (see scripts/bench/tokenizer_bench.py)")
	}
	bpe, err := LoadBPE(filepath.Join(dir, "bpe", "vocab.json"), filepath.Join(dir, "bpe", "merges.txt"), BPEOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wp, err := LoadWordPiece(filepath.Join(dir, "wordpiece", "vocab.txt"), WordPieceOptions{Basic: BasicOptions{Lowercase: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, text string
		tok        Tokenizer
	}{{"bpe_tinyshakespeare", shakespearePath(), bpe}, {"wordpiece_tang", filepath.Join(dir, "tang.txt"), wp}} {
		text, err := os.ReadFile(c.text)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join(dir, c.name+".ids.int32"))
		if err != nil {
			t.Fatal(err)
		}
		want := make([]int, len(raw)/4)
		for i := range want {
			want[i] = int(int32(binary.LittleEndian.Uint32(raw[4*i:])))
		}
		got, err := c.tok.Encode(string(text))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d ids, HF %d", c.name, len(got), len(want))
		}
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Errorf("%s: first difference at token %d: %d vs HF %d", c.name, i, got[i], want[i])
				break
			}
		}
		t.Logf("%s: %d ids compared", c.name, len(want))
	}
}
