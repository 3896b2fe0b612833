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
// # Hugging Face checkpoints
//
// LoadPretrained reads config.json + model.safetensors (also TF-converted ones with LayerNorm
// gamma/beta and BertModel files without the "bert." prefix); ExportHF writes the same layout,
// which transformers' from_pretrained loads (proved by scripts/reference/bert_fixtures.py
// --check-export). The name map is in hf.go. Tests compare hidden states, pooled output, MLM,
// NSP and classifier logits with transformers 4.57.3 to 1e-4 (observed ≤ 1e-6), on both backends.
// Fixtures are regenerated with
//
//	.venv-ref/bin/python scripts/reference/bert_fixtures.py
package bert
