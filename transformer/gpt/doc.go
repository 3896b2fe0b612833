// Package gpt is GPT as in GPT-1/GPT-2 (Radford et al. 2018, 2019) and Hugging Face's
// GPT2LMHeadModel, built from the transformer package's pieces: a decoder-only Transformer
// trained as a causal language model, with fast generation on every GoMLX backend.
//
// Chapters: 01 (ParamCount of GPT-1/2/3 presets), 09 (pre-training: Train, the nanoGPT CPU
// recipe), 10 (Generate: sampling and the KV cache), 11 (fine-tuning), 12 (scaling), 13 (FromPretrained).
//
// # The model
//
//	x₀ = wte[tokens] + wpe[0…T−1]                       learned positions (Config.NPositions rows)
//	x  = x + Attn(LN₁(x)),  x = x + MLP(LN₂(x))         n_layer pre-LN blocks, causal attention
//	logits = LN_f(x)·wteᵀ                               LM head tied to the token embedding
//	MLP(x) = c_proj(gelu_tanh(c_fc(x)))                 "gelu_new"
//	Attn: [q|k|v] = c_attn(x) (one fused projection), softmax(q·kᵀ/√d_h + causal mask)·v, c_proj
//
// Positions come through transformer.PositionEncoding (Config.PositionEncoding): GPT-2's learned
// table wpe by default, or, with Config.Positions = "rope", RoPE — no wpe, q and k rotated in every
// block (the KV cache keeps the keys rotated), ParamCount without the P·d term.
//
// Initialisation as GPT-2: every weight N(0, 0.02²), biases 0, LayerNorm gain 1; the two residual
// projections (attn/c_proj, mlp/c_proj) N(0, (0.02/√(2·n_layer))²).
//
// Loss (Loss): mean over positions of −log softmax(logits[t])[tokens[t+1]].
//
// ParamCount: V·d + P·d + L·(12d² + 13d) + 2d for f = 4d (gpt2: 124,439,808).
//
// # Variables and Hugging Face names
//
// Scopes follow the HF checkpoint keys: /wte/weight, /wpe/weight, /h/<i>/ln_1/{gain,bias},
// /h/<i>/attn/c_attn/{weight,bias}, /h/<i>/attn/c_proj, /h/<i>/ln_2, /h/<i>/mlp/c_fc,
// /h/<i>/mlp/c_proj, /ln_f. Our linear weights are [out, in] (PyTorch nn.Linear); GPT-2's Conv1D
// stores [in, out], so LoadHF and ExportHF transpose c_attn, c_proj and c_fc. c_attn stays one
// fused variable [3d, d], split into q, k, v inside the graph. LayerNorm "weight" is our "gain".
//
// # Generation and the KV cache
//
// Generate decodes greedily (Temperature 0) or samples with temperature, top-k and top-p, stops
// at StopTokens and streams through OnToken. The KV cache is static-shaped: a key and a value
// tensor per layer, [batch, heads, maxLen, headDim] (Config.CacheShapes), passed in and out of one
// compiled Step graph (donated, so the backend may update it in place); step t writes slot t with
// DynamicUpdateSlice and attends with the mask iota ≤ t. WindowLogits is the uncached baseline.
//
// # Training
//
// Train runs GoMLX's train.Trainer with training.AdamW (no decay on biases, norms, embeddings),
// warm-up + cosine schedule, global-norm clipping, loss estimates on EvalIters batches, atomic
// checkpoints; batches depend only on (seed, global step) (StepBatches), so a resumed run repeats
// an uninterrupted one exactly. NanoGPTCPU is nanoGPT's CPU recipe (val loss 1.88 there; 1.889
// here on XLA, `bert2gpt gpt train --data shakespeare-char --preset nanogpt-cpu`).
//
// # Pretrained checkpoints
//
// FromPretrained loads a GPT2LMHeadModel checkpoint and its tokenizer from a directory or a hub id
// (package transformer/pretrained: HF cache, pinnable revision, offline mode): "gpt2" with its
// byte-level BPE, or UER's Chinese GPT-2 ("uer/gpt2-chinese-cluecorpussmall": GPT-2 blocks with
// BERT's Chinese WordPiece vocabulary, prompts starting with [CLS]). Pretrained.Generate encodes the
// prompt, generates and decodes (for WordPiece without the spaces between Chinese characters).
// float16/bfloat16 files are widened to float32; a stored lm_head.weight must equal wte (tied).
//
// # Checked against
//
// transformers 4.57.3 GPT2LMHeadModel with random weights (testdata/hf-tiny, regenerate with
// `.venv-ref/bin/python scripts/reference/gpt_fixtures.py`): logits to 1e-4 (measured 2e-6), the
// loss, the greedy continuation; and HF loads our ExportHF output with the same logits
// (testdata/go-export, `gpt_fixtures.py --check-export transformer/gpt/testdata/go-export`).
package gpt
