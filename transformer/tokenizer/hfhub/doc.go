// Package hfhub loads this project's tokenizers (package tokenizer) the way Hugging Face stores
// them: LoadDir reads a model directory (vocab.txt → WordPiece, vocab.json + merges.txt → byte-level
// BPE, with tokenizer_config.json's lower-casing, accent, CJK and special-token settings, and its
// model_max_length through MaxLength); Load fetches those files of a hub repository through
// go-huggingface's hub package (its cache) and then reads them with LoadDir.
//
// go-huggingface v0.3.1 itself only builds SentencePiece tokenizers; [Register] adds
// BERT and GPT-2 tokenizer classes to its registry so that its tokenizers.New works for
// repositories such as bert-base-chinese. bert.FromPretrained and gpt.FromPretrained (chapter 13)
// use LoadDir for the tokenizer that matches a checkpoint.
package hfhub
