// Package bert implements BERT (Devlin et al., 2018, "BERT: Pre-training of Deep Bidirectional
// Transformers for Language Understanding") on the building blocks of package transformer, with
// Hugging Face's BertForPreTraining / BertForSequenceClassification layout so that checkpoints
// load by a name map. Chapter 07 (BERT) builds and pre-trains it on Tang poems; chapter 08
// fine-tunes it; chapter 01 prints ParamCount of BERT-base (≈110M) and BERT-large (≈340M).
//
// # The model
//
//	embeddings  E = LayerNorm(word[ids] + position[0…T−1] + token_type[segments])     Embeddings
//	encoder     L post-LN layers: x = LN(x + MHA(x)); x = LN(x + FFN(x)), GELU         Encode
//	pooler      pooled = tanh(W_p·h_[CLS] + b_p)                                        Pooler
//	MLM head    logits = LayerNorm(GELU(W_t·h + b_t))·Eᵀ + b   (E tied to word)          MLMLogits
//	NSP head    logits = W_n·pooled + b_n  (0: B follows A, 1: B is random)            NSPLogits
//	classifier  logits = W_c·dropout(pooled) + b_c                                      ClassifierLogits
//
// Inputs are integer [batch, seq] input_ids, token_type_ids (segment A = 0, B = 1) and
// attention_mask (1 = real token, 0 = padding: padded keys are masked out of every query).
//
// # Pre-training losses
//
//	L_MLM = Σ_t w_t·CE(logits_t, label_t) / Σ_t w_t      w_t = 1 only at the ~15% selected positions
//	L_NSP = mean_b CE(nsp_b, isRandom_b)
//	L     = L_MLM + L_NSP                                 (HF BertForPreTraining's loss)
//
// Pretrain runs the MLM head only at the P = MaxPredictions(T) selected positions of each
// sequence (GatherPositions, the original BERT's max_predictions_per_seq), which makes a step of
// the Tang-poem model ≈3× cheaper than computing logits at all T positions as HF does.
//
// # Training (chapter 07) and fine-tuning (chapter 08)
//
//	Pretrain     MLM + NSP on documents of sentences (poems of lines), AdamW with linear warm-up
//	             and linear decay, clipping by global norm, periodic validation (MLM loss,
//	             perplexity exp(L_MLM), MLM accuracy, NSP loss and accuracy), atomic checkpoints
//	             and exact resume (batch k depends only on (seed, k)) — package transformer/training
//	Finetune     BertForSequenceClassification, encoder from a Pretrain checkpoint (LoadEncoder)
//	             or from scratch; full fine-tuning (θ_BERT and the head) or, with FreezeEncoder,
//	             the head only (a linear probe on pooled = tanh(W·h_[CLS] + b)); EvalEvery/OnEval
//	             give validation-accuracy-vs-step curves; the course's task is Tang vs Song poems
//	FillMask     top-k tokens with probabilities for every [MASK]
//
// One difference from HF remains in training only (inference is identical): the encoder layers
// of package transformer have a single dropout rate, so hidden_dropout_prob is also used for the
// attention probabilities and inside the feed-forward block (HF: attention_probs_dropout_prob,
// and no dropout between the two feed-forward layers).
//
// The command line is `bert2gpt bert pretrain | eval | finetune | fill-mask | export`.
//
// # Hugging Face checkpoints
//
// FromPretrained loads a real checkpoint and its tokenizer from a directory or a hub id
// ("bert-base-chinese", "sentence-transformers/all-MiniLM-L6-v2"; files through package
// transformer/pretrained: the HF cache, a pinnable revision, offline mode). It is encoder-only
// (HF's BertModel) unless a head is asked for, and a head that is asked for must be in the file
// unless named in NewHeads: a missing tensor is an error naming it, never random weights. The
// result (Pretrained) knows the input length limit and, for sentence-transformers models, the
// pooling and normalisation of sentence embeddings:
//
//	p, err := bert.FromPretrained(backend, "sentence-transformers/all-MiniLM-L6-v2", bert.PretrainedOptions{})
//	vecs, err := p.Embed([]string{"A man is eating food.", "A man is riding a horse."})
//	b, err := p.Encode(texts, nil)              // input ids, token types, attention mask (padded batch)
//	r, err := p.Model.Forward(b)                // r.LastHiddenState [batch, seq, hidden], r.Pooled
//
// Sentence embeddings (pooling.go): mean pooling e = Σ_t m_t·h_t / Σ_t m_t over the real tokens,
// or the [CLS] vector, optionally divided by its norm (Model.SentenceEmbeddings, Pretrained.Embed).
//
// LoadPretrained reads config.json + model.safetensors into a model with the given head, leaving
// heads absent from the file random (the older, lenient loader; also TF-converted files with
// LayerNorm gamma/beta and BertModel files without the "bert." prefix); ExportHF writes the same
// layout, which transformers' from_pretrained loads (proved by scripts/reference/bert_fixtures.py
// --check-export). The name map is in hf.go. Tests compare hidden states, pooled output, MLM,
// NSP and classifier logits with transformers 4.57.3 to 1e-4 (observed ≤ 1e-6), on both backends;
// the real all-MiniLM-L6-v2 weights (scripts/setup.sh installs them) against transformers and
// sentence-transformers 5.1.2: ids equal on 30 sentences and 5 pairs, last_hidden_state within
// 1e-5 (observed 2.7e-6 on XLA, 3.6e-6 on the Go backend), embeddings' cosine ≥ 0.99999. Fixtures
// are regenerated with
//
//	.venv-ref/bin/python scripts/reference/bert_fixtures.py
//	.venv-ref/bin/python scripts/reference/pretrained_fixtures.py
package bert
