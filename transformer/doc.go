// Package transformer builds the Transformer of "Attention Is All You Need" (Vaswani et al., 2017)
// out of GoMLX graph operations, one concept per file, so every step can be read. BERT
// (transformer/bert) and GPT (transformer/gpt) are assembled from these pieces.
//
// # The pieces and the chapters that teach them
//
// Chapter 02 — attention (attention.go, multihead.go, mask.go):
//
//	Attention(Q, K, V) = softmax(Q·Kᵀ/√d_k + M)·V                      ScaledDotProductAttention
//	MultiHead(Q, K, V) = Concat(head_1 … head_h)·W_O,
//	    head_i = Attention(Q·W_Q,i, K·W_K,i, V·W_V,i)                  MultiHeadAttention
//	M = 0 where a query may see a key, −∞ elsewhere                    PaddingMask, CausalMask, CombineMasks
//
// Chapter 03 — positions (position.go, rope.go):
//
//	PE(pos, 2i) = sin(pos/10000^(2i/d)),  PE(pos, 2i+1) = cos(pos/10000^(2i/d))   SinusoidalTable
//	a trainable table added to the embeddings (BERT, GPT-2)                       LearnedPositions
//	rotating (q, k) feature pairs by angle pos/base^(2i/d) (RoFormer)             RoPE
//
// Chapter 04 — layer normalisation and the feed-forward block (norm.go, feedforward.go):
//
//	LayerNorm(x) = (x − μ)/√(σ² + ε)·γ + β                             LayerNorm
//	RMSNorm(x)   = x/√(mean(x²) + ε)·γ                                 RMSNorm
//	FFN(x)       = act(x·W₁ᵀ + b₁)·W₂ᵀ + b₂,  act ∈ {ReLU, GELU, GELU-tanh}   FeedForward
//
// Chapter 05 — the encoder–decoder (encoder.go, decoder.go, seq2seq.go, config.go):
//
//	post-LN (original, BERT):  x = LN(x + Sublayer(x))                 LayerConfig.NormFirst = false
//	pre-LN  (GPT-2):           x = x + Sublayer(LN(x))                 LayerConfig.NormFirst = true
//	EncoderLayer, DecoderLayer, Encoder, Decoder, Seq2SeqLogits, Seq2Seq.GreedyDecode
//
// Chapter 14 — the recurrent baseline (lstm.go):
//
//	z = E[x_t]·W_x + b + h_{t−1}·W_h;  c_t = σ(z_f)⊙c_{t−1} + σ(z_i)⊙tanh(z_g);  h_t = σ(z_o)⊙tanh(c_t)   LSTM
//
// # Conventions
//
// Activations are [batch, seq, width]; inside attention, queries/keys/values are
// [batch, seq, heads, headDim] and attention weights are [batch, heads, querySeq, keySeq].
// Masks are booleans, true = "may attend", broadcastable to the weights (PyTorch's
// key_padding_mask is the opposite: true = ignore).
//
// Linear layers store "weight" [out, in] and "bias" [out], exactly like PyTorch's nn.Linear, so
// loading a checkpoint is a name map without transposes. Variable scopes:
//
//	attention:   query, key, value, output          (BERT: attention.self.{query,key,value}, attention.output.dense;
//	                                                  PyTorch: in_proj_weight split in three, out_proj)
//	norms:       gain, bias                         (PyTorch: weight, bias)
//	feed-forward: ffn/linear1, ffn/linear2           (PyTorch: linear1, linear2)
//	layers:      self_attn, cross_attn, norm1…norm3  (PyTorch: self_attn, multihead_attn, norm1…norm3)
//	stacks:      layer_0, layer_1, …, norm           (PyTorch: layers.0, layers.1, …, norm)
//	seq2seq:     source/embed, target/embed, encoder, decoder, generator
//
// # Errors
//
// Graph-building functions (everything taking *Node) panic on misuse, as GoMLX does. The API
// boundary returns errors instead: Config.Validate, Config.CheckTokens, CheckMask, the Seq2Seq
// methods, and Catch, which turns a panic into an error with context.
//
// # Checked against PyTorch
//
// The tests compare every piece with PyTorch 2.9.1 (nn.MultiheadAttention, nn.LayerNorm,
// nn.RMSNorm, F.gelu, nn.TransformerEncoderLayer/DecoderLayer in both norm_first settings,
// nn.Transformer, and an embeddings + nn.Transformer + Linear model with greedy decoding),
// outputs and gradients, to 1e-5 in float32; with GoMLX's own attention.MultiHeadAttention; and
// with finite differences in float64. The fixtures in testdata/ are regenerated with
//
//	.venv-ref/bin/python scripts/reference/transformer_fixtures.py
//
// (see scripts/reference/requirements.txt for the pinned versions).
package transformer
