package tokenizer

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/bert2gpt/bert2gpt/internal/atomicfile"
	"github.com/pkg/errors"
)

// WordPieceOptions configures a WordPiece tokenizer.
type WordPieceOptions struct {
	// Basic configures BERT's basic tokenization (lower-casing, accents…).
	Basic BasicOptions
	// Specials maps roles to tokens; nil means [BERTSpecials]. The Unknown token must exist.
	Specials Specials
	// ContinuationPrefix marks a piece that continues a word; "" means "##".
	ContinuationPrefix string
	// MaxInputCharsPerWord: longer words become [UNK]; 0 means 100.
	MaxInputCharsPerWord int
}

// WordPiece is BERT's tokenizer. Create it with [NewWordPiece], [LoadWordPiece] or
// [TrainWordPiece].
type WordPiece struct {
	vocabTable
	opts     WordPieceOptions
	literals []string // special tokens recognized literally in text
	unk      int
}

// NewWordPiece makes a WordPiece tokenizer over vocab.
func NewWordPiece(vocab *Vocab, opts WordPieceOptions) (*WordPiece, error) {
	if vocab == nil {
		return nil, errors.New("NewWordPiece: nil vocabulary")
	}
	if opts.Specials == nil {
		opts.Specials = BERTSpecials()
	}
	if opts.ContinuationPrefix == "" {
		opts.ContinuationPrefix = "##"
	}
	if opts.MaxInputCharsPerWord == 0 {
		opts.MaxInputCharsPerWord = 100
	}
	if opts.MaxInputCharsPerWord < 0 {
		return nil, errors.Errorf("NewWordPiece: MaxInputCharsPerWord %d < 0", opts.MaxInputCharsPerWord)
	}
	ids, err := specialIDs(vocab, opts.Specials)
	if err != nil {
		return nil, errors.WithMessage(err, "NewWordPiece")
	}
	unk, ok := ids[Unknown]
	if !ok {
		return nil, errors.New("NewWordPiece: WordPiece needs an Unknown special token")
	}
	return &WordPiece{vocabTable: vocabTable{vocab, ids}, opts: opts, literals: opts.Specials.strings(), unk: unk}, nil
}

// ReadVocabTxt reads a vocab.txt: one token per line, the line number (from 0) is its id.
// Errors name the file (name) and line.
func ReadVocabTxt(r io.Reader, name string) (*Vocab, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	v := &Vocab{ids: map[string]int{}}
	id := 0
	for sc.Scan() {
		tok := strings.TrimRight(sc.Text(), "\r")
		if !utf8.ValidString(tok) {
			return nil, errors.Errorf("%s:%d: token is not valid UTF-8", name, id+1)
		}
		if err := v.set(tok, id); err != nil {
			return nil, errors.Wrapf(err, "%s:%d", name, id+1)
		}
		id++
	}
	if err := sc.Err(); err != nil {
		return nil, errors.Wrapf(err, "reading %s", name)
	}
	if id == 0 {
		return nil, errors.Errorf("%s: empty vocabulary", name)
	}
	return v, nil
}

// LoadWordPiece reads a vocab.txt (Hugging Face / Google BERT format).
func LoadWordPiece(vocabTxt string, opts WordPieceOptions) (*WordPiece, error) {
	data, err := os.ReadFile(vocabTxt)
	if err != nil {
		return nil, err
	}
	v, err := ReadVocabTxt(bytes.NewReader(data), vocabTxt)
	if err != nil {
		return nil, err
	}
	wp, err := NewWordPiece(v, opts)
	return wp, errors.WithMessagef(err, "loading %s", vocabTxt)
}

// Save writes the vocabulary as vocab.txt (one token per line, in id order), atomically.
func (wp *WordPiece) Save(vocabTxt string) error {
	var sb strings.Builder
	for id, t := range wp.vocab.tokens {
		if !wp.vocab.has[id] || strings.ContainsAny(t, "\n\r") {
			return errors.Errorf("saving %s: token id %d (%q) cannot be written to a vocab.txt", vocabTxt, id, t)
		}
		sb.WriteString(t)
		sb.WriteByte('\n')
	}
	return atomicfile.WriteBytes(vocabTxt, []byte(sb.String()))
}

// Encode implements [Tokenizer].
func (wp *WordPiece) Encode(text string) ([]int, error) {
	var ids []int
	wp.encode(text, func(id int) { ids = append(ids, id) })
	return ids, nil
}

// Tokenize implements [Tokenizer].
func (wp *WordPiece) Tokenize(text string) ([]string, error) {
	var toks []string
	wp.encode(text, func(id int) { toks = append(toks, wp.vocab.tokens[id]) })
	return toks, nil
}

func (wp *WordPiece) encode(text string, emit func(int)) {
	for _, seg := range splitSpecials(text, wp.literals) {
		if seg.special {
			id, _ := wp.vocab.ID(seg.text)
			emit(id)
			continue
		}
		for _, w := range PreTokenize(wp.opts.Basic.Normalize(seg.text)) {
			wp.encodeWord(w, emit)
		}
	}
}

// encodeWord: greedy longest match first; the whole word is [UNK] if any part fails.
func (wp *WordPiece) encodeWord(word string, emit func(int)) {
	if utf8.RuneCountInString(word) > wp.opts.MaxInputCharsPerWord {
		emit(wp.unk)
		return
	}
	var pieces [16]int
	out := pieces[:0]
	var buf []byte
	for start := 0; start < len(word); {
		end, found := len(word), -1
		for end > start {
			var cand string
			if start > 0 {
				buf = append(append(buf[:0], wp.opts.ContinuationPrefix...), word[start:end]...)
				cand = unsafeString(buf)
			} else {
				cand = word[start:end]
			}
			if id, ok := wp.vocab.ids[cand]; ok {
				found = id
				break
			}
			_, size := utf8.DecodeLastRuneInString(word[start:end])
			end -= size
		}
		if found < 0 {
			emit(wp.unk)
			return
		}
		out = append(out, found)
		start = end
	}
	for _, id := range out {
		emit(id)
	}
}

// Decode implements [Tokenizer]: tokens are joined with spaces, and a continuation piece
// is glued to the previous token without its "##". Lower-casing and accent stripping are
// of course not undone.
func (wp *WordPiece) Decode(ids []int) (string, error) {
	var sb strings.Builder
	for i, id := range ids {
		t, ok := wp.vocab.Token(id)
		if !ok {
			return "", errors.Errorf("WordPiece.Decode: id %d (position %d) not in vocabulary of size %d", id, i, wp.vocab.Size())
		}
		if rest, cont := strings.CutPrefix(t, wp.opts.ContinuationPrefix); cont && i > 0 {
			sb.WriteString(rest)
			continue
		}
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(t)
	}
	return sb.String(), nil
}
