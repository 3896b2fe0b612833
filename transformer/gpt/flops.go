package gpt

// Compute estimates for the scaling experiments of chapter 12 (Kaplan et al. 2020, "Scaling Laws
// for Neural Language Models"; Brown et al. 2020, GPT-3).

// NonEmbeddingParams returns N as Kaplan et al. count it: every parameter except the token and
// position embeddings (the tied LM head is the token embedding, so it is excluded too):
//
//	N = L·(4d² + 4d  +  2df + f + d  +  4d) + 2d        attention, MLP, two LayerNorms; final LayerNorm
//	  = L·(12d² + 13d) + 2d  ≈  12·L·d²                  for f = 4d
//
// It is ParamCount(c) − (V + P)·d. Kaplan's N ≈ 2·d·L·(2·d_attn + d_ff) = 12·L·d² drops the biases
// and norms, which matter only for tiny models.
func NonEmbeddingParams(c Config) int64 {
	V, P, d := int64(c.VocabSize), int64(c.NPositions), int64(c.NEmbd)
	return ParamCount(c) - (V+P)*d
}

// FLOPsPerToken returns the training compute per token — forward plus backward pass — of a
// GPT with context length seqLen, counting the multiply-adds of every matrix product as 2 FLOPs
// (the "model FLOPs" of MFU; biases, norms, softmax and the optimizer are not counted):
//
//	forward  = L·(2·d·3d + 2·d·d + 2·d·f + 2·f·d)     q,k,v and output projections, MLP   (= 2·12·L·d² for f = 4d)
//	         + L·(2·T·d + 2·T·d)                     attention scores QKᵀ and weights·V (all T keys; no causal discount)
//	         + 2·d·V                                 LM head (logits = h·wteᵀ)
//	training = 3 · forward                           backward = 2 × forward: one product for the input
//	                                                 gradient, one for the weight gradient
//
// so for f = 4d: 6·(12·L·d² + d·V) + 12·L·T·d per token, the formula of scripts/bench/train_step.py.
// Kaplan et al. write C ≈ 6N per token with N = NonEmbeddingParams, plus 6·L·T·d for attention
// (their forward count 2N + 2·n_layer·n_ctx·d_attn counts only QKᵀ); they neglect the LM head,
// which is not negligible for small models with large vocabularies.
//
// The total training compute of a run that sees D tokens is C = FLOPsPerToken·D
// (e.g. GPT-3 175B, 300B tokens: ≈ 3.2·10²³ FLOPs; the GPT-3 paper gives 3.14·10²³ from 6ND).
func FLOPsPerToken(c Config, seqLen int) int64 {
	d, L, f, V, T := int64(c.NEmbd), int64(c.NLayer), int64(c.Inner()), int64(c.VocabSize), int64(seqLen)
	forward := L*(2*d*3*d+2*d*d+2*d*f+2*f*d) + L*(2*T*d+2*T*d) + 2*d*V
	return 3 * forward
}
