package tokenizer

// Tokenizer is what every tokenizer of this package provides.
type Tokenizer interface {
	// Encode returns the token ids of text (no [CLS]/[SEP] or BOS/EOS are added).
	Encode(text string) ([]int, error)
	// Tokenize returns the tokens (strings) of text, the same split as Encode.
	Tokenize(text string) ([]string, error)
	// Decode turns ids back into text; an id outside the vocabulary is an error.
	Decode(ids []int) (string, error)
	// VocabSize is the number of ids (the largest id + 1).
	VocabSize() int
	// TokenID returns the id of a token string.
	TokenID(token string) (int, bool)
	// Token returns the token string of an id.
	Token(id int) (string, bool)
	// SpecialID returns the id of a special token role, if the tokenizer has it.
	SpecialID(s Special) (int, bool)
}

// Special names the role of a special token; each tokenizer maps roles to its own
// strings (e.g. WordPiece: [PAD] [UNK] [CLS] [SEP] [MASK]; GPT-2: <|endoftext|>).
type Special int

// Special token roles.
const (
	Pad Special = iota
	Unknown
	CLS  // classification / start of a BERT input
	SEP  // separator / end of a BERT segment
	Mask // the masked-LM mask
	BOS  // beginning of text
	EOS  // end of text
	numSpecials
)

// String returns the role's name.
func (s Special) String() string {
	switch s {
	case Pad:
		return "Pad"
	case Unknown:
		return "Unknown"
	case CLS:
		return "CLS"
	case SEP:
		return "SEP"
	case Mask:
		return "Mask"
	case BOS:
		return "BOS"
	case EOS:
		return "EOS"
	}
	return "Special(?)"
}

// Specials maps roles to token strings; a missing role has no token.
type Specials map[Special]string

// BERTSpecials are the special tokens of BERT's WordPiece vocabularies.
func BERTSpecials() Specials {
	return Specials{Pad: "[PAD]", Unknown: "[UNK]", CLS: "[CLS]", SEP: "[SEP]", Mask: "[MASK]"}
}

// GPT2Specials are GPT-2's: a single <|endoftext|> that begins and ends texts.
func GPT2Specials() Specials {
	return Specials{BOS: "<|endoftext|>", EOS: "<|endoftext|>"}
}

// strings returns the distinct special token strings, in role order.
func (sp Specials) strings() []string {
	var out []string
	seen := map[string]bool{}
	for r := Special(0); r < numSpecials; r++ {
		if t, ok := sp[r]; ok && t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// EncodeIDs is Encode with the ids as int32, the integer type model inputs take (one call from
// text to a row of a batch).
func EncodeIDs(t Tokenizer, text string) ([]int32, error) {
	ids, err := t.Encode(text)
	if err != nil {
		return nil, err
	}
	out := make([]int32, len(ids))
	for i, id := range ids {
		out[i] = int32(id)
	}
	return out, nil
}

// DecodeIDs is Decode for int32 ids (a row of a batch, or generated tokens).
func DecodeIDs(t Tokenizer, ids []int32) (string, error) {
	in := make([]int, len(ids))
	for i, id := range ids {
		in[i] = int(id)
	}
	return t.Decode(in)
}
