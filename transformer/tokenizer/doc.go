// Package tokenizer turns text into token ids and back: a character tokenizer, BERT's
// WordPiece and GPT-2's byte-level BPE, written from scratch for the course
// "从 BERT 到 GPT-3", chapter 06 (分词), and used by the BERT (ch07) and GPT (ch09) code.
//
// All three implement [Tokenizer]. Each can be trained from a corpus
// ([TrainChar], [TrainWordPiece], [TrainBPE]) and saved to / loaded from the file formats
// Hugging Face uses for the same models: vocab.txt for WordPiece ([LoadWordPiece]),
// vocab.json + merges.txt for byte-level BPE ([LoadBPE]). With the same vocabulary files
// the ids equal those of Hugging Face `tokenizers` (checked by the parity tests against
// fixtures made by scripts/reference/tokenizer_fixtures.py).
//
// WordPiece = BERT's basic tokenization (clean control characters, put spaces around CJK
// ideographs, optionally strip accents and lower-case, split on whitespace and
// punctuation) followed by greedy longest-match-first sub-words, continuation pieces
// prefixed with "##", and [UNK] for a word that cannot be covered or is too long.
//
// Byte-level BPE = the GPT-2 pre-tokenization (contractions, letter runs, digit runs,
// other-symbol runs, each with an optional leading space, and whitespace runs that leave
// their last space to the next word), the bytes of each piece mapped to printable
// characters, then the learned merges applied lowest-rank first. Every byte string
// round-trips: Decode(Encode(s)) == s.
//
// Special tokens ([CLS], <|endoftext|>, …) written literally in the text are recognized
// before any other processing, as Hugging Face does for added special tokens.
//
// [AsHuggingFace] adapts a Tokenizer to go-huggingface's tokenizers/api.Tokenizer so it can
// be used wherever that interface is expected; the subpackage hfhub loads these
// tokenizers from Hugging Face repositories through go-huggingface.
package tokenizer
