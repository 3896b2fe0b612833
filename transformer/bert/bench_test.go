package bert

import (
	"math/rand/v2"
	"testing"

	"github.com/bert2gpt/bert2gpt/transformer/training"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
)

// benchConfig is the model of the Tang-poem pre-training run (`bert2gpt bert pretrain --size
// tiny`): 2 layers, hidden 128, 4 heads, 512 intermediate, character vocabulary 6,964; batch 32 × 32.
// scripts/bench/bert_bench.py times transformers' BertForPreTraining on the same configuration.
func benchConfig() (Config, int, int) {
	c := TinyConfig(6964)
	return c, 32, 32
}

// benchBatch makes one random pre-training batch: 15% of the positions are predicted.
func benchBatch(c Config, B, T int, atPositions bool) train.Batch {
	r := rand.New(rand.NewPCG(1, 2))
	P := MaxPredictions(T)
	ids, types, mask := make([]int32, B*T), make([]int32, B*T), make([]int32, B*T)
	labels, weights := make([]int32, B*T), make([]float32, B*T)
	var pos, plabels []int32
	var pweights []float32
	nsp := make([]int32, B)
	for b := range B {
		n := 0
		for t := range T {
			i := b*T + t
			ids[i], mask[i], labels[i] = int32(5+r.IntN(c.VocabSize-5)), 1, IgnoreIndex
			if t >= T/2 {
				types[i] = 1
			}
			if t > 0 && r.Float64() < 0.15 && n < P {
				labels[i], weights[i] = ids[i], 1
				pos, plabels, pweights = append(pos, int32(t)), append(plabels, ids[i]), append(pweights, 1)
				n++
			}
		}
		for ; n < P; n++ {
			pos, plabels, pweights = append(pos, 0), append(plabels, IgnoreIndex), append(pweights, 0)
		}
		nsp[b] = int32(r.IntN(2))
	}
	in := []*tensors.Tensor{tensors.FromFlatDataAndDimensions(ids, B, T), tensors.FromFlatDataAndDimensions(types, B, T),
		tensors.FromFlatDataAndDimensions(mask, B, T)}
	if atPositions {
		return train.Batch{Inputs: append(in, tensors.FromFlatDataAndDimensions(pos, B, P)),
			Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(plabels, B, P),
				tensors.FromFlatDataAndDimensions(pweights, B, P), tensors.FromFlatDataAndDimensions(nsp, B)}}
	}
	return train.Batch{Inputs: in, Labels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(labels, B, T),
		tensors.FromFlatDataAndDimensions(weights, B, T), tensors.FromFlatDataAndDimensions(nsp, B)}}
}

// BenchmarkPretrainStep times one pre-training update (forward, MLM + NSP loss, backward, AdamW
// with clipping) of benchConfig:
//
//	all-positions: MLM logits at every position, as HF's BertForPreTraining computes them
//	at-positions:  MLM logits only at the P = MaxPredictions(T) selected positions (Pretrain)
//
// Compare with `python scripts/bench/bert_bench.py` (PyTorch eager, 2 threads).
func BenchmarkPretrainStep(b *testing.B) {
	c, B, T := benchConfig()
	for _, atPositions := range []bool{false, true} {
		name := map[bool]string{false: "all-positions", true: "at-positions"}[atPositions]
		b.Run(name, func(b *testing.B) {
			store := model.NewStore()
			seedStore(store, 1)
			modelFn := func(scope *model.Scope, _ any, in []*Node) []*Node {
				if atPositions {
					mlm, nsp := PreTrainingAt(scope, c, in[0], in[1], in[2], in[3])
					return []*Node{mlm, nsp}
				}
				_, mlm, nsp := PreTraining(scope, c, in[0], in[1], in[2])
				return []*Node{mlm, nsp}
			}
			adamw := training.NewAdamW(training.Schedule{Kind: training.Linear, PeakLR: 1e-4, WarmupSteps: 10, DecaySteps: 1 << 30})
			trainer := train.NewTrainer(testBackend(b), store, modelFn, pretrainLoss, adamw, nil, nil)
			step := func() {
				// TrainStep takes ownership of (and frees) the batch tensors: make new ones.
				if _, err := trainer.TrainStep(benchBatch(c, B, T, atPositions)); err != nil {
					b.Fatal(err)
				}
			}
			step() // compile
			step()
			b.ResetTimer()
			for range b.N {
				step()
			}
		})
	}
}

// embedBenchTexts are the 32 sentences of the sentence-embedding benchmark: the 29 fixture
// sentences of testdata/minilm shorter than max_seq_length (3 to 28 tokens), then the first three
// again. scripts/bench/embed_bench.py embeds the same batch with sentence-transformers.
func embedBenchTexts(b *testing.B) []string {
	in, _ := readMiniLMFixtures(b)
	var texts []string
	for _, s := range in.Sentences {
		if len(texts) < 29 && len(s) < 500 {
			texts = append(texts, s)
		}
	}
	return append(texts, texts[:3]...)
}

// BenchmarkEmbedMiniLM: sentence embeddings of all-MiniLM-L6-v2 (Pretrained.Embed: tokenization,
// the 6-layer encoder, mean pooling, normalisation) for one batch of 32 sentences, in sentences per
// second. Compare with `.venv-ref/bin/python scripts/bench/embed_bench.py` (make bench runs both).
func BenchmarkEmbedMiniLM(b *testing.B) {
	p := loadMiniLM(b)
	texts := embedBenchTexts(b)
	if _, err := p.Embed(texts); err != nil { // compiles the graph for this batch shape
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := p.Embed(texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "sentences/s")
}
