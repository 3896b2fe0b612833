// Package hfhub loads this project's tokenizers (package tokenizer) from Hugging Face
// repositories through go-huggingface: files are downloaded and cached by go-huggingface's
// hub package, tokenizer_config.json is parsed by its tokenizers/api package, and the
// vocabulary files are read by package tokenizer (vocab.txt → WordPiece, vocab.json +
// merges.txt → byte-level BPE).
//
// go-huggingface v0.3.1 itself only builds SentencePiece tokenizers; [Register] adds
// BERT and GPT-2 tokenizer classes to its registry so that its tokenizers.New works for
// repositories such as bert-base-chinese. Course chapters 07 and 09 use it to load the
// tokenizers of pretrained checkpoints.
package hfhub
