package bert

import (
	"github.com/bert2gpt/bert2gpt/transformer"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/nn"
)

// Outputs are what the BERT encoder (HF's BertModel) computes for one batch.
type Outputs struct {
	// Sequence is the last layer's hidden states, [batch, seq, hidden] (HF's last_hidden_state).
	Sequence *Node
	// Pooled is tanh(W·h_[CLS] + b), [batch, hidden]: the sentence vector read by the NSP and
	// classification heads (nil from EncodeSequence, which has no pooler).
	Pooled *Node
	// Hidden holds the embeddings output and every layer's output (NumHiddenLayers+1 tensors
	// [batch, seq, hidden]), as HF's output_hidden_states.
	Hidden []*Node
	// WordEmbeddings is the token table [vocab, hidden], shared with the MLM decoder.
	WordEmbeddings *Node
	// Attentions holds every layer's self-attention weights (NumHiddenLayers tensors [batch,
	// heads, seq, seq], rows summing to 1), as HF's output_attentions; computed only if output.
	Attentions []*Node
}

// variable returns the value of variable name in scope, created by init when it does not exist.
func variable(scope *model.Scope, g *Graph, name string, init model.VariableInitializer, dims ...int) *Node {
	return scope.WithInitializer(init).VariableWithShape(name, shapes.Make(dtypes.Float32, dims...)).NodeValue(g)
}

// normalInit is N(0, InitializerRange²), HF's initialisation of BERT weights and embeddings.
func normalInit(scope *model.Scope, c Config) model.VariableInitializer {
	return initializer.RandomNormalFn(scope, c.InitializerRange)
}

// dense is a Linear layer with HF's initialisation: weight [out, in] ~ N(0, range²), bias 0.
func dense(scope *model.Scope, c Config, x *Node, out int) *Node {
	g := x.Graph()
	in := x.Shape().Dim(-1)
	// Creating the weight first with our initializer makes transformer.Linear find it.
	variable(scope, g, "weight", normalInit(scope, c), out, in)
	return transformer.Linear(scope, x, out, true)
}

// Embeddings is BERT's input layer:
//
//	E = LayerNorm(word[input_ids] + position[0…seq−1] + token_type[token_type_ids]),  then dropout
//
// inputIDs and tokenTypeIDs are integer [batch, seq]; the result is [batch, seq, hidden]. It also
// returns the word table [vocab, hidden]. Variables: word_embeddings/weight,
// position_embeddings/weight, token_type_embeddings/weight, LayerNorm/{gain,bias}.
func Embeddings(scope *model.Scope, c Config, inputIDs, tokenTypeIDs *Node) (x, wordTable *Node) {
	g := inputIDs.Graph()
	seq := inputIDs.Shape().Dim(1)
	if seq > c.MaxPositionEmbeddings {
		panic(errorf("bert: sequence length %d is longer than max_position_embeddings %d", seq, c.MaxPositionEmbeddings))
	}
	wordTable = variable(scope.In("word_embeddings"), g, "weight", normalInit(scope, c), c.VocabSize, c.HiddenSize)
	learned := transformer.LearnedEncoding{MaxLen: c.MaxPositionEmbeddings, Std: c.InitializerRange} // BERT's absolute positions
	posRows := learned.Additive(scope.In("position_embeddings"), Iota(g, shapes.Make(dtypes.Int32, seq), 0), c.HiddenSize, dtypes.Float32)
	typeTable := variable(scope.In("token_type_embeddings"), g, "weight", normalInit(scope, c), c.TypeVocabSize, c.HiddenSize)
	words := Gather(wordTable, InsertAxes(inputIDs, -1))     // [batch, seq, hidden]
	types := Gather(typeTable, InsertAxes(tokenTypeIDs, -1)) // [batch, seq, hidden]
	positions := InsertAxes(posRows, 0)                      // [1, seq, hidden]
	x = transformer.LayerNorm(scope.In("LayerNorm"), Add(Add(words, positions), types), c.LayerNormEps)
	return transformer.Dropout(scope.In("dropout"), x, c.HiddenDropoutProb), wordTable
}

// Encode runs BertModel: embeddings, NumHiddenLayers post-LN encoder layers and the pooler.
// inputIDs, tokenTypeIDs and attentionMask are integer [batch, seq]; attentionMask is 1 for
// real tokens and 0 for padding (keys that no query may attend to), as in HF. Variables live
// under embeddings/, encoder/layer_N/ (package transformer's layout; see hf.go for the names
// in HF checkpoints) and pooler/dense/.
func Encode(scope *model.Scope, c Config, inputIDs, tokenTypeIDs, attentionMask *Node) Outputs {
	out := EncodeSequence(scope, c, inputIDs, tokenTypeIDs, attentionMask)
	out.Pooled = Pooler(scope.In("pooler"), c, out.Sequence)
	return out
}

// EncodeSequence is Encode without the pooler (HF's BertModel with add_pooling_layer=False): the
// embeddings and the encoder layers; Outputs.Pooled is nil and no pooler variable is used.
func EncodeSequence(scope *model.Scope, c Config, inputIDs, tokenTypeIDs, attentionMask *Node) Outputs {
	x, table := Embeddings(scope.In("embeddings"), c, inputIDs, tokenTypeIDs)
	mask := transformer.PaddingMask(NotEqual(attentionMask, ZerosLike(attentionMask))) // [batch, 1, 1, seq]
	out := Outputs{WordEmbeddings: table, Hidden: []*Node{x}}
	encoder := scope.In("encoder")
	lc := c.LayerConfig()
	for i := range c.NumHiddenLayers {
		var weights *Node
		x, weights = transformer.EncoderLayerWithWeights(encoder.In("layer_%d", i), x, mask, lc)
		out.Hidden = append(out.Hidden, x)
		out.Attentions = append(out.Attentions, weights)
	}
	out.Sequence = x
	return out
}

// Pooler is BERT's sentence vector: pooled = tanh(W·h_[CLS] + b), where h_[CLS] = sequence[:, 0]
// ([batch, seq, hidden] → [batch, hidden]). Variables: dense/{weight,bias}.
func Pooler(scope *model.Scope, c Config, sequence *Node) *Node {
	cls := Squeeze(Slice(sequence, AxisRange(), AxisElem(0)), 1) // [batch, hidden]
	return Tanh(dense(scope.In("dense"), c, cls, c.HiddenSize))
}

// MLMLogits is the masked-LM head (HF's BertOnlyMLMHead / cls.predictions):
//
//	t = LayerNorm(GELU(W_t·h + b_t));   logits = t·Eᵀ + b
//
// where E is the word-embedding table (weight tying). sequence is [batch, seq, hidden] (or any
// [..., hidden]); the result is [..., vocab]. Variables: transform/dense, transform/LayerNorm, bias.
func MLMLogits(scope *model.Scope, c Config, sequence, wordTable *Node) *Node {
	act, _ := activation(c.HiddenAct)
	transform := scope.In("transform")
	t := act.Apply(dense(transform.In("dense"), c, sequence, c.HiddenSize))
	t = transformer.LayerNorm(transform.In("LayerNorm"), t, c.LayerNormEps)
	bias := variable(scope, sequence.Graph(), "bias", initializer.Zero, c.VocabSize)
	// The table is [vocab, hidden] = [out, in]: the layout of a Linear weight.
	return nn.Dense(t, wordTable, bias, compute.DenseLayoutOutputsInput)
}

// NSPLogits is the next-sentence head (cls.seq_relationship): pooled [batch, hidden] →
// [batch, 2], where class 0 means "B follows A" and 1 "B is random". Variables: weight, bias.
func NSPLogits(scope *model.Scope, c Config, pooled *Node) *Node {
	return dense(scope, c, pooled, 2)
}

// ClassifierLogits is HF's BertForSequenceClassification head: dropout then a Linear layer on
// the pooled output, [batch, hidden] → [batch, numLabels]. Variables: weight, bias.
func ClassifierLogits(scope *model.Scope, c Config, pooled *Node, numLabels int) *Node {
	pooled = transformer.Dropout(scope.In("dropout"), pooled, c.HiddenDropoutProb)
	return dense(scope, c, pooled, numLabels)
}

// PreTraining is BertForPreTraining's forward pass: the encoder under "bert", the MLM and NSP
// heads under "cls/predictions" and "cls/seq_relationship". It returns the encoder outputs,
// MLM logits [batch, seq, vocab] and NSP logits [batch, 2].
func PreTraining(scope *model.Scope, c Config, inputIDs, tokenTypeIDs, attentionMask *Node) (out Outputs, mlm, nsp *Node) {
	out = Encode(scope.In("bert"), c, inputIDs, tokenTypeIDs, attentionMask)
	cls := scope.In("cls")
	mlm = MLMLogits(cls.In("predictions"), c, out.Sequence, out.WordEmbeddings)
	nsp = NSPLogits(cls.In("seq_relationship"), c, out.Pooled)
	return out, mlm, nsp
}

// SequenceClassification is BertForSequenceClassification's forward pass: the encoder under
// "bert" and ClassifierLogits under "classifier"; the result is [batch, numLabels].
func SequenceClassification(scope *model.Scope, c Config, inputIDs, tokenTypeIDs, attentionMask *Node, numLabels int) *Node {
	out := Encode(scope.In("bert"), c, inputIDs, tokenTypeIDs, attentionMask)
	return ClassifierLogits(scope.In("classifier"), c, out.Pooled, numLabels)
}
