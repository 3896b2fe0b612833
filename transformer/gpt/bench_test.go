package gpt

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bert2gpt/bert2gpt/backend"
)

// BenchmarkGenerate256 measures tokens/s generating 256 new tokens after a 16-token prompt, with
// and without the KV cache, for nanoGPT's CPU model widened to a 320-token context and for a
// 6-layer, 384-wide model (nanoGPT's Shakespeare-char size).
//
//	GOEXPERIMENT=simd go test -run '^$' -bench Generate256 -benchtime 2x ./transformer/gpt/
func BenchmarkGenerate256(b *testing.B) {
	be, err := backend.New()
	if err != nil {
		b.Fatal(err)
	}
	small := nanoGPTCPU()
	small.NPositions = 320
	mid := small
	mid.NLayer, mid.NEmbd, mid.NHead = 6, 384, 6
	for _, mc := range []struct {
		name string
		cfg  Config
	}{{"4x128", small}, {"6x384", mid}} {
		m, err := New(be, mc.cfg)
		if err != nil {
			b.Fatal(err)
		}
		prompt := make([]int32, 16)
		for i := range prompt {
			prompt[i] = int32(i)
		}
		for _, noCache := range []bool{false, true} {
			name := mc.name + "/cache"
			if noCache {
				name = mc.name + "/nocache"
			}
			b.Run(name, func(b *testing.B) {
				o := GenerateOptions{MaxNewTokens: 256, NoCache: noCache}
				if _, err := m.Generate(prompt, GenerateOptions{MaxNewTokens: 2, NoCache: noCache}); err != nil { // compile
					b.Fatal(err)
				}
				b.ResetTimer()
				start := time.Now()
				for range b.N {
					if _, err := m.Generate(prompt, o); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(256*b.N)/time.Since(start).Seconds(), "tokens/s")
			})
		}
	}
}

// BenchmarkTrainStep measures one training step of the nanoGPT CPU recipe (batch 12 × block 64,
// 4 layers, width 128, vocab 65); compare with scripts/bench/gpt_bench.py (PyTorch eager).
func BenchmarkTrainStep(b *testing.B) { benchTrainStep(b, 65) }

// BenchmarkTrainStepTangVocab is the same step with the 9,589-character vocabulary of the Tang
// chapters (09–11), where the LM head and its softmax are 150× larger.
func BenchmarkTrainStepTangVocab(b *testing.B) { benchTrainStep(b, 9589) }

func benchTrainStep(b *testing.B, vocab int) {
	be, err := backend.New()
	if err != nil {
		b.Fatal(err)
	}
	cfg := nanoGPTCPU()
	cfg.VocabSize = vocab
	m, err := New(be, cfg)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := m.Trainer(NanoGPTCPU())
	if err != nil {
		b.Fatal(err)
	}
	data := &StepBatches{Tokens: tinyTokens(20000), SeqLen: 64, Batch: 12, Seed: 1}
	for i := range data.Tokens {
		data.Tokens[i] = data.Tokens[i] * 5 % int32(vocab)
	}
	step := func(k int64) {
		in, tg := data.BatchAt(k)
		batch := batchOf(in, tg)
		if _, err := tr.TrainStep(batch); err != nil {
			b.Fatal(err)
		}
	}
	step(0) // compile
	b.ResetTimer()
	durations := make([]time.Duration, b.N)
	for i := range b.N {
		start := time.Now()
		step(int64(i + 1))
		durations[i] = time.Since(start)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/step")
	// The median is what scripts/bench/train_step.py reports: on a shared machine a few slow steps
	// move the mean much more than the median.
	b.ReportMetric(medianMS(durations), "median-ms/step")
}

// BenchmarkSample draws one token from a Tang-sized vocabulary (9,589 logits): full distribution
// (every logit sorted) and top-k 50 (one selection pass).
func BenchmarkSample(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	logits := make([]float32, 9589)
	for i := range logits {
		logits[i] = float32(r.NormFloat64())
	}
	for _, k := range []int{0, 50} {
		b.Run(fmt.Sprintf("topK=%d", k), func(b *testing.B) {
			for range b.N {
				Sample(logits, 0.8, k, 0, r)
			}
		})
	}
}
