package gpt

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// referenceSample is the sampler as the library wrote it before the processor chain (the one
// chapters 10 and 11 ran): top-k candidates sorted by logit, p ∝ exp((l − max)/τ), top-p cut and
// renormalised, one uniform draw walking the candidates in order.
func referenceSample(logits []float32, temperature float64, topK int, topP float64, rng *rand.Rand) int32 {
	if temperature == 0 {
		best := 0
		for i, x := range logits {
			if x > logits[best] {
				best = i
			}
		}
		return int32(best)
	}
	scores := make([]float64, len(logits))
	for i, x := range logits {
		scores[i] = float64(x)
	}
	idx := sortedCandidates(scores, topK) // all ids stably sorted by decreasing logit, cut to topK
	maxL := float64(logits[idx[0]])
	probs := make([]float64, len(idx))
	sum := 0.0
	for i, j := range idx {
		probs[i] = math.Exp((float64(logits[j]) - maxL) / temperature)
		sum += probs[i]
	}
	for i := range probs {
		probs[i] /= sum
	}
	if topP > 0 && topP < 1 {
		cum := 0.0
		for i, p := range probs {
			cum += p
			if cum >= topP {
				idx, probs = idx[:i+1], probs[:i+1]
				break
			}
		}
		sum = 0
		for _, p := range probs {
			sum += p
		}
		for i := range probs {
			probs[i] /= sum
		}
	}
	u := rng.Float64()
	for i, p := range probs {
		u -= p
		if u < 0 {
			return int32(idx[i])
		}
	}
	return int32(idx[len(idx)-1])
}

// TestSampleAsBefore: the processor chain draws the same tokens as the sampler it replaced, with
// the same random numbers, over 10,000 draws of random logits and settings (a difference could
// only come from rounding at a cumulative-probability boundary).
func TestSampleAsBefore(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	settings := []struct {
		temp float64
		k    int
		p    float64
	}{{0, 0, 0}, {1, 0, 0}, {0.7, 0, 0}, {1.3, 20, 0}, {0.8, 20, 0.9}, {1, 0, 0.95}, {0.5, 5, 0.5}}
	for trial := range 10000 {
		logits := make([]float32, 50+r.IntN(400))
		for i := range logits {
			logits[i] = float32(r.NormFloat64() * 3)
		}
		s := settings[trial%len(settings)]
		seed := uint64(trial)
		got := Sample(logits, s.temp, s.k, s.p, rand.New(rand.NewPCG(seed, 1)))
		want := referenceSample(logits, s.temp, s.k, s.p, rand.New(rand.NewPCG(seed, 1)))
		if got != want {
			t.Fatalf("trial %d (τ=%g, k=%d, p=%g): drew %d, the previous sampler %d", trial, s.temp, s.k, s.p, got, want)
		}
	}
}

// TestProcessors checks each processor against its formula.
func TestProcessors(t *testing.T) {
	inf := math.Inf(-1)
	scores := func() []float64 { return []float64{2, -1, 0.5, 3, -2} }
	check := func(name string, got, want []float64) {
		t.Helper()
		for i := range want {
			if got[i] != want[i] && math.Abs(got[i]-want[i]) > 1e-12 {
				t.Errorf("%s: %v, want %v", name, got, want)
				return
			}
		}
	}
	s := scores()
	Temperature(2).Process(nil, s)
	check("Temperature(2)", s, []float64{1, -0.5, 0.25, 1.5, -1})
	s = scores()
	KeepTopK(2).Process(nil, s)
	check("KeepTopK(2)", s, []float64{2, inf, inf, 3, inf})
	s = scores()
	// Probabilities ≈ 0.245, 0.012, 0.055, 0.665, 0.004: 0.665 < 0.8 ≤ 0.665 + 0.245.
	KeepTopP(0.8).Process(nil, s)
	check("KeepTopP(0.8)", s, []float64{2, inf, inf, 3, inf})
	s = scores()
	RepetitionPenalty(2).Process([]int32{0, 1, 1}, s) // positive score halved, negative doubled; once per token
	check("RepetitionPenalty(2)", s, []float64{1, -2, 0.5, 3, -2})
	s = scores()
	BanTokens{3, 99}.Process(nil, s)
	check("BanTokens{3, 99}", s, []float64{2, -1, 0.5, inf, -2})

	p := Probabilities([]float64{0, math.Log(3), inf})
	check("Probabilities", p, []float64{0.25, 0.75, 0})

	o := GenerateOptions{Temperature: 1, TopK: 3, Processors: []LogitsProcessor{BanTokens{3}}}
	d := o.Distribution(nil, []float32{2, -1, 0.5, 3, -2})
	sum := 0.0
	for _, x := range d {
		sum += x
	}
	if d[3] != 0 || d[4] != 0 || d[1] == 0 || math.Abs(sum-1) > 1e-12 {
		t.Errorf("ban 3 then top-3: %v (sum %g)", d, sum)
	}
	for _, bad := range []GenerateOptions{
		{MaxNewTokens: 1, Processors: []LogitsProcessor{nil}},
		{MaxNewTokens: 1, Processors: []LogitsProcessor{Temperature(0)}},
		{MaxNewTokens: 1, Processors: []LogitsProcessor{RepetitionPenalty(-1)}},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad.Processors)
		}
	}
}

// TestGenerateWithProcessors: banned tokens never appear, greedy included; OnDistribution sees
// one distribution per new token, each summing to 1 and giving the banned token 0;
// NextDistribution equals the first one.
func TestGenerateWithProcessors(t *testing.T) {
	m := newTestModel(t, tinyConfig())
	prompt := []int32{1, 2, 3}
	greedy, err := m.Generate(prompt, GenerateOptions{MaxNewTokens: 10})
	if err != nil {
		t.Fatal(err)
	}
	ban := greedy[0] // the token greedy decoding wants first
	for _, temp := range []float64{0, 1} {
		var dists [][]float64
		o := GenerateOptions{MaxNewTokens: 10, Temperature: temp, Seed: 5, Processors: []LogitsProcessor{BanTokens{ban}},
			OnDistribution: func(p []float64) { dists = append(dists, p) }}
		out, err := m.Generate(prompt, o)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(out, ban) {
			t.Errorf("τ=%g: banned token %d generated: %v", temp, ban, out)
		}
		if len(dists) != len(out) {
			t.Fatalf("τ=%g: %d distributions for %d tokens", temp, len(dists), len(out))
		}
		for i, d := range dists {
			sum := 0.0
			for _, x := range d {
				sum += x
			}
			if math.Abs(sum-1) > 1e-9 || d[ban] != 0 {
				t.Errorf("τ=%g token %d: sum %g, p(banned) %g", temp, i, sum, d[ban])
			}
		}
		next, err := m.NextDistribution(prompt, GenerateOptions{Temperature: temp, Processors: o.Processors})
		if err != nil {
			t.Fatal(err)
		}
		for i := range next {
			if math.Abs(next[i]-dists[0][i]) > 1e-5 {
				t.Fatalf("τ=%g: NextDistribution[%d] = %g, Generate's first distribution %g", temp, i, next[i], dists[0][i])
			}
		}
	}
}

// TestGenerateBatch: each row of a batch is what Stepper-by-hand decoding with the row's own
// random stream gives — in particular a greedy row equals Generate — rows stop at their stop
// token independently, and bad input is an error.
func TestGenerateBatch(t *testing.T) {
	m := newTestModel(t, tinyConfig())
	prompts := [][]int32{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
	greedy, err := m.GenerateBatch(prompts, GenerateOptions{MaxNewTokens: 8})
	if err != nil {
		t.Fatal(err)
	}
	for b, p := range prompts {
		one, err := m.Generate(p, GenerateOptions{MaxNewTokens: 8})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(greedy[b], one) {
			t.Errorf("row %d: batch %v, Generate %v", b, greedy[b], one)
		}
	}
	o := GenerateOptions{MaxNewTokens: 8, Temperature: 1, Seed: 9}
	sampled, err := m.GenerateBatch(prompts, o)
	if err != nil {
		t.Fatal(err)
	}
	for b, p := range prompts { // the same row, decoded alone with its stream (Seed, b)
		s, err := m.NewStepper(1, 11)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(o.Seed, uint64(b)))
		seq := append([]int32(nil), p...)
		var logits [][]float32
		for _, tok := range p {
			logits, _ = s.Next([]int32{tok})
		}
		var want []int32
		for len(want) < 8 {
			tok, _ := o.next(seq, logits[0], rng)
			want, seq = append(want, tok), append(seq, tok)
			if len(want) < 8 {
				logits, _ = s.Next([]int32{tok})
			}
		}
		s.Close()
		for i := range want { // batch and single-row graphs may round differently: compare most tokens
			if sampled[b][i] != want[i] {
				t.Logf("row %d differs from token %d on: %v vs %v", b, i, sampled[b], want)
				if i < 4 {
					t.Errorf("row %d: batch %v, alone %v", b, sampled[b], want)
				}
				break
			}
		}
	}
	stopAt := greedy[1][2]
	stopped, err := m.GenerateBatch(prompts, GenerateOptions{MaxNewTokens: 8, StopTokens: []int32{stopAt}})
	if err != nil {
		t.Fatal(err)
	}
	for b := range prompts {
		if i := slices.Index(greedy[b], stopAt); i >= 0 {
			if !slices.Equal(stopped[b], greedy[b][:i+1]) {
				t.Errorf("row %d with stop token %d: %v, want %v", b, stopAt, stopped[b], greedy[b][:i+1])
			}
		} else if !slices.Equal(stopped[b], greedy[b]) {
			t.Errorf("row %d (no stop token): %v, want %v", b, stopped[b], greedy[b])
		}
	}
	for _, c := range []struct {
		prompts [][]int32
		o       GenerateOptions
	}{
		{[][]int32{{1, 2}, {3}}, GenerateOptions{MaxNewTokens: 2}},
		{prompts, GenerateOptions{MaxNewTokens: 14}}, // 3 + 14 > n_positions 16
		{prompts, GenerateOptions{MaxNewTokens: 2, NoCache: true}},
		{nil, GenerateOptions{MaxNewTokens: 2}},
	} {
		if _, err := m.GenerateBatch(c.prompts, c.o); err == nil {
			t.Errorf("GenerateBatch(%v, %+v) accepted", c.prompts, c.o)
		} else {
			t.Logf("%v", err)
		}
	}
}
