package tokenizer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/bert2gpt/bert2gpt/internal/atomicfile"
	"github.com/pkg/errors"
)

// BPEOptions configures a byte-level BPE tokenizer.
type BPEOptions struct {
	// Specials maps roles to tokens; nil means [GPT2Specials] if "<|endoftext|>" is in the
	// vocabulary, else none.
	Specials Specials
	// AddPrefixSpace prepends a space to the text when it does not start with one, so the
	// first word is tokenized like the others (GPT-2 itself does not).
	AddPrefixSpace bool
}

// Merge is one learned BPE merge: the pair (A, B) becomes A+B.
type Merge struct{ A, B string }

// BPE is GPT-2's byte-level BPE tokenizer. Create it with [NewBPE], [LoadBPE] or [TrainBPE].
type BPE struct {
	vocabTable
	merges   []Merge
	ranks    map[[2]int]mergeInfo
	byteIDs  [256]int // id of each byte's single-character token, -1 if missing
	opts     BPEOptions
	literals []string

	mu    sync.RWMutex
	cache map[string][]int
}

type mergeInfo struct{ rank, id int }

const maxBPECache = 1 << 16

// NewBPE builds a byte-level BPE tokenizer from a vocabulary and merges (in rank order).
// Each merge's parts and result must be in the vocabulary.
func NewBPE(vocab *Vocab, merges []Merge, opts BPEOptions) (*BPE, error) {
	if vocab == nil {
		return nil, errors.New("NewBPE: nil vocabulary")
	}
	if opts.Specials == nil {
		opts.Specials = Specials{}
		if _, ok := vocab.ID("<|endoftext|>"); ok {
			opts.Specials = GPT2Specials()
		}
	}
	ids, err := specialIDs(vocab, opts.Specials)
	if err != nil {
		return nil, errors.WithMessage(err, "NewBPE")
	}
	b := &BPE{vocabTable: vocabTable{vocab, ids}, merges: append([]Merge(nil), merges...), ranks: make(map[[2]int]mergeInfo, len(merges)),
		opts: opts, literals: opts.Specials.strings(), cache: map[string][]int{}}
	for i := range b.byteIDs {
		b.byteIDs[i] = -1
		if id, ok := vocab.ID(byteToStr[i]); ok {
			b.byteIDs[i] = id
		}
	}
	for rank, m := range merges {
		a, okA := vocab.ID(m.A)
		c, okB := vocab.ID(m.B)
		merged, okM := vocab.ID(m.A + m.B)
		if !okA || !okB || !okM {
			missing := m.A + m.B
			if !okA {
				missing = m.A
			} else if !okB {
				missing = m.B
			}
			return nil, errors.Errorf("NewBPE: merge #%d %q %q: token %q not in vocabulary", rank+1, m.A, m.B, missing)
		}
		if _, dup := b.ranks[[2]int{a, c}]; !dup {
			b.ranks[[2]int{a, c}] = mergeInfo{rank: rank, id: merged}
		}
	}
	return b, nil
}

// ReadVocabJSON reads a vocab.json ({"token": id, …}); name is used in errors.
func ReadVocabJSON(r io.Reader, name string) (*Vocab, error) {
	var m map[string]int
	dec := json.NewDecoder(r)
	if err := dec.Decode(&m); err != nil {
		return nil, errors.Wrapf(err, "parsing %s (want a JSON object of token → id)", name)
	}
	if len(m) == 0 {
		return nil, errors.Errorf("%s: empty vocabulary", name)
	}
	// Insert in id order so errors are deterministic.
	toks := make([]string, 0, len(m))
	for t := range m {
		toks = append(toks, t)
	}
	sort.Slice(toks, func(i, j int) bool { return m[toks[i]] < m[toks[j]] || (m[toks[i]] == m[toks[j]] && toks[i] < toks[j]) })
	v := &Vocab{ids: make(map[string]int, len(m))}
	for _, t := range toks {
		if err := v.set(t, m[t]); err != nil {
			return nil, errors.Wrapf(err, "%s", name)
		}
	}
	return v, nil
}

// ReadMerges reads a merges.txt: an optional "#version" line, then one merge "A B" per
// line. Errors name the file and line.
func ReadMerges(r io.Reader, name string) ([]Merge, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var merges []Merge
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimRight(sc.Text(), "\r")
		if line == 1 && strings.HasPrefix(s, "#version") {
			continue
		}
		if s == "" {
			continue
		}
		parts := strings.Split(s, " ")
		if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
			return nil, errors.Errorf("%s:%d: want two tokens separated by one space, got %q", name, line, s)
		}
		merges = append(merges, Merge{A: parts[0], B: parts[1]})
	}
	if err := sc.Err(); err != nil {
		return nil, errors.Wrapf(err, "reading %s", name)
	}
	return merges, nil
}

// LoadBPE reads vocab.json and merges.txt (GPT-2 / Hugging Face format).
func LoadBPE(vocabJSON, mergesTxt string, opts BPEOptions) (*BPE, error) {
	vb, err := os.ReadFile(vocabJSON)
	if err != nil {
		return nil, err
	}
	v, err := ReadVocabJSON(bytes.NewReader(vb), vocabJSON)
	if err != nil {
		return nil, err
	}
	mb, err := os.ReadFile(mergesTxt)
	if err != nil {
		return nil, err
	}
	merges, err := ReadMerges(bytes.NewReader(mb), mergesTxt)
	if err != nil {
		return nil, err
	}
	b, err := NewBPE(v, merges, opts)
	return b, errors.WithMessagef(err, "loading %s and %s", vocabJSON, mergesTxt)
}

// Save writes vocab.json and merges.txt, each atomically.
func (b *BPE) Save(vocabJSON, mergesTxt string) error {
	m := make(map[string]int, len(b.vocab.ids))
	for t, id := range b.vocab.ids {
		m[t] = id
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(vocabJSON, buf.Bytes()); err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString("#version: 0.2\n")
	for _, mg := range b.merges {
		sb.WriteString(mg.A + " " + mg.B + "\n")
	}
	return atomicfile.WriteBytes(mergesTxt, []byte(sb.String()))
}

// Merges returns the merges in rank order.
func (b *BPE) Merges() []Merge { return append([]Merge(nil), b.merges...) }

// Encode implements [Tokenizer]. It fails only if the vocabulary lacks a byte's token
// (vocabularies trained by [TrainBPE] or GPT-2's have all 256).
func (b *BPE) Encode(text string) ([]int, error) {
	var ids []int
	err := b.encode(text, func(id int) { ids = append(ids, id) })
	return ids, err
}

// Tokenize implements [Tokenizer].
func (b *BPE) Tokenize(text string) ([]string, error) {
	var toks []string
	err := b.encode(text, func(id int) { toks = append(toks, b.vocab.tokens[id]) })
	return toks, err
}

func (b *BPE) encode(text string, emit func(int)) error {
	if b.opts.AddPrefixSpace && text != "" && text[0] != ' ' {
		text = " " + text
	}
	for _, seg := range splitSpecials(text, b.literals) {
		if seg.special {
			id, _ := b.vocab.ID(seg.text)
			emit(id)
			continue
		}
		for i := 0; i < len(seg.text); {
			n := gpt2PieceLen(seg.text[i:])
			ids, err := b.encodePiece(seg.text[i : i+n])
			if err != nil {
				return err
			}
			for _, id := range ids {
				emit(id)
			}
			i += n
		}
	}
	return nil
}

// encodePiece applies the merges to one pre-tokenized piece: start from its bytes and
// repeatedly merge the adjacent pair of lowest rank (all its occurrences, left to right).
func (b *BPE) encodePiece(piece string) ([]int, error) {
	b.mu.RLock()
	ids, ok := b.cache[piece]
	b.mu.RUnlock()
	if ok {
		return ids, nil
	}
	syms := make([]int, len(piece))
	for i := 0; i < len(piece); i++ {
		id := b.byteIDs[piece[i]]
		if id < 0 {
			return nil, errors.Errorf("BPE: byte 0x%02x (token %q) is not in the vocabulary", piece[i], byteToStr[piece[i]])
		}
		syms[i] = id
	}
	for len(syms) > 1 {
		best := mergeInfo{rank: -1}
		var bestPair [2]int
		for i := 0; i+1 < len(syms); i++ {
			p := [2]int{syms[i], syms[i+1]}
			if m, ok := b.ranks[p]; ok && (best.rank < 0 || m.rank < best.rank) {
				best, bestPair = m, p
			}
		}
		if best.rank < 0 {
			break
		}
		out := syms[:0]
		for i := 0; i < len(syms); i++ {
			if i+1 < len(syms) && syms[i] == bestPair[0] && syms[i+1] == bestPair[1] {
				out = append(out, best.id)
				i++
			} else {
				out = append(out, syms[i])
			}
		}
		syms = out
	}
	b.mu.Lock()
	if len(b.cache) >= maxBPECache {
		clear(b.cache)
	}
	b.cache[piece] = syms
	b.mu.Unlock()
	return syms, nil
}

// Decode implements [Tokenizer]: the tokens' characters are mapped back to bytes, so
// Decode(Encode(s)) == s for every string, valid UTF-8 or not. Special tokens decode to
// their literal text.
func (b *BPE) Decode(ids []int) (string, error) {
	var buf []byte
	for i, id := range ids {
		t, ok := b.vocab.Token(id)
		if !ok {
			return "", errors.Errorf("BPE.Decode: id %d (position %d) not in vocabulary of size %d", id, i, b.vocab.Size())
		}
		if _, isSpecial := b.specialOf(id); isSpecial {
			buf = append(buf, t...)
			continue
		}
		for _, r := range t {
			c, ok := runeToByte[r]
			if !ok {
				return "", errors.Errorf("BPE.Decode: token %q (id %d) has a character that is not a byte-level symbol", t, id)
			}
			buf = append(buf, c)
		}
	}
	return string(buf), nil
}
