// Package datasets provides the corpora and training examples used by the course
// "从 BERT 到 GPT-3": download, verification and caching of real corpora, synthetic
// tasks, and example builders that feed GoMLX's train loop.
//
// Corpora (no corpus is committed to the repository):
//
//   - Tang (and Song) poems from the npm package chinese-poetry@2.0.1 (MIT), obtained with
//     the npm client (`npm pack`) so that the user's registry configuration applies; the
//     tarball is checked against its pinned sha512 integrity before use. See [TangPoems].
//   - TinyShakespeare (the char-rnn input.txt, 1,115,394 bytes, pinned sha256), split 90/10
//     by characters exactly as nanoGPT does. See [TinyShakespeare].
//
// Every download goes to a temporary file in the cache directory, is fsync'ed, verified and
// then renamed into place, so a partial file is never visible under its final name; a
// cached file whose hash does not match is fetched again. The cache lives in
// os.UserCacheDir()/bert2gpt unless $BERT2GPT_CACHE says otherwise, and $BERT2GPT_DATA_DIR
// names a directory of files obtained by hand (offline use, CI). See [Fetcher].
//
// Synthetic tasks (ch05, the Transformer chapters): Arabic numbers to Chinese numerals
// ([ChineseNumeral]), copy, reverse and multi-digit addition, deterministic by seed.
//
// Example builders (as train.Dataset, whose Iter method is a Go iterator):
//
//   - [LMWindows]: causal language-model windows (ch09, GPT).
//   - [BERTPretraining]: masked-LM (15%, 80/10/10) and next-sentence pairs (ch07, BERT).
//   - [Classification]: padded classification batches (ch07/ch08 fine-tuning).
//   - [Seq2Seq]: teacher-forcing batches of the synthetic tasks (ch05).
//
// [PoemDocs] and [EncodeDocs] turn poems into the tokenized documents BERTPretraining
// reads; any tokenizer's Encode method can be passed.
//
// Chapters: ch05 uses the synthetic tasks, ch06 (分词) the poem and Shakespeare texts to
// train tokenizers, ch07 the BERT pre-training data, ch09 the GPT data.
package datasets
